"""Security: loose secret files refused, config files others can write warned about, catalog paths kept inside
the inbox and dist folders, symlinks out of the inbox ignored, plain HTTP refused for tricky host names.

(The basic transport cases — https, loopback, allow_insecure_http — are in test_config.py.)
"""

from __future__ import annotations

import dataclasses
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from anonymize import PseudonymKey, PseudonymKeyError
from publish.catalog import load_catalog
from publish.config import load_settings, read_secret_file
from publish.errors import CatalogError, ConfigError, GongkaiError
from publish.monthly import find_inbox_file
from publish.requests import pseudonym_key
from publish.stage import stage

ROOT = Path(__file__).resolve().parents[2]
KEY = "security-test-key-0123456789abcdef0123456789abcdef"
LOOSE_MODES = [0o640, 0o604, 0o660, 0o644, 0o601]


def secret_file(folder: Path, mode: int, text: str = KEY) -> Path:
    path = folder / "secret"
    path.write_text(text + "\n")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", LOOSE_MODES)
def test_token_file_others_can_touch_is_refused_without_showing_the_token(tmp_path: Path, mode: int) -> None:
    path = secret_file(tmp_path, mode)
    with pytest.raises(ConfigError, match="权限过宽") as caught:
        read_secret_file(path, "CKAN API 令牌")
    assert "chmod 600" in caught.value.message and KEY not in caught.value.message
    with pytest.raises(ConfigError, match="权限过宽"):
        load_settings(None, env={"GONGKAI_CKAN_TOKEN_FILE": str(path)})


def test_owner_only_token_file_is_read_and_empty_or_missing_ones_refused(tmp_path: Path) -> None:
    assert read_secret_file(secret_file(tmp_path, 0o400), "令牌").reveal() == KEY
    with pytest.raises(ConfigError, match="为空"):
        read_secret_file(secret_file(tmp_path, 0o600, "  "), "令牌")
    with pytest.raises(ConfigError, match="不存在"):
        read_secret_file(tmp_path / "nowhere", "令牌")


def test_config_file_others_can_write_is_warned_about(tmp_path: Path) -> None:
    config = tmp_path / "gongkai.toml"
    config.write_text('[ckan]\nurl = "https://data.example.gov.cn"\n')
    config.chmod(0o666)
    with pytest.warns(UserWarning, match="可被他人修改"):
        load_settings(config, env={})
    config.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_settings(config, env={})


@pytest.mark.parametrize("mode", LOOSE_MODES)
def test_pseudonym_key_file_others_can_touch_is_refused(tmp_path: Path, mode: int) -> None:
    path = secret_file(tmp_path, mode)
    with pytest.raises(PseudonymKeyError, match="权限过宽") as caught:
        PseudonymKey.from_file(path)
    assert KEY not in caught.value.message
    with pytest.raises(ConfigError, match="权限过宽"):
        pseudonym_key(path, env={})
    with pytest.raises(ConfigError, match="权限过宽"):
        pseudonym_key(None, env={"GONGKAI_PSEUDONYM_KEY_FILE": str(path)})


def test_pseudonym_key_file_for_its_owner_only_is_accepted(tmp_path: Path) -> None:
    key = PseudonymKey.from_file(secret_file(tmp_path, 0o600))
    assert KEY not in repr(key) and KEY not in str(key)


def test_pseudonym_key_file_inside_a_git_working_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "keys").mkdir()
    with pytest.raises(PseudonymKeyError, match="仓库"):
        PseudonymKey.from_file(secret_file(tmp_path / "keys", 0o600))


# --- catalog paths --------------------------------------------------------------------------------------


def catalog_copy(tmp_path: Path, name: str = "urban-rural-dibao") -> Path:
    """One dataset of the catalog, its schema and the units file, in tmp_path."""
    (tmp_path / "datasets").mkdir(parents=True)
    (tmp_path / "schemas").mkdir()
    shutil.copy(ROOT / "datasets" / "_units.yaml", tmp_path / "datasets")
    shutil.copy(ROOT / "datasets" / f"{name}.yaml", tmp_path / "datasets")
    shutil.copy(ROOT / "schemas" / f"{name}.json", tmp_path / "schemas")
    return tmp_path / "datasets" / f"{name}.yaml"


def broken_catalog_problems(tmp_path: Path, old: str, new: str) -> list[str]:
    entry = catalog_copy(tmp_path)
    text = entry.read_text(encoding="utf-8")
    assert old in text
    entry.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    return caught.value.problems


@pytest.mark.parametrize("pattern", ["/etc/*", "/tmp/区民政局/城乡低保*.*", "../区民政局/城乡低保*.*",
                                     "区民政局/../../secret/*.csv", "区民政局/../*"])
def test_inbox_glob_cannot_leave_the_period_folder(tmp_path: Path, pattern: str) -> None:
    problems = broken_catalog_problems(tmp_path, "inbox: 区民政局/城乡低保*.*", f"inbox: {pattern}")
    assert [p.split(": ")[:2] for p in problems] == [["datasets/urban-rural-dibao.yaml", "inbox"]]


@pytest.mark.parametrize("name", ["../urban-rural-dibao", "urban/rural", "城乡低保", "Urban-Rural-Dibao", "-dibao",
                                  "urban_rural_dibao", "x"])
def test_dataset_names_must_be_ascii_slugs(tmp_path: Path, name: str) -> None:
    problems = broken_catalog_problems(tmp_path, "name: urban-rural-dibao", f"name: '{name}'")
    assert any(p.startswith("datasets/urban-rural-dibao.yaml: name: ") and "ASCII" in p for p in problems), problems


def test_inbox_symlinks_leading_outside_the_period_are_ignored(tmp_path: Path) -> None:
    catalog_copy(tmp_path / "catalog")
    dataset = load_catalog(tmp_path / "catalog").get("urban-rural-dibao")
    outside = tmp_path / "elsewhere"
    (outside / "区民政局").mkdir(parents=True)
    (outside / "城乡低保-2026年10月.csv").write_text("secret")
    (outside / "区民政局" / "城乡低保-2026年10月.csv").write_text("secret")
    unit = tmp_path / "inbox" / "2026-10" / "区民政局"
    unit.mkdir(parents=True)
    (unit / "城乡低保2026年10月.csv").symlink_to(outside / "城乡低保-2026年10月.csv")
    assert find_inbox_file(tmp_path / "inbox", "2026-10", dataset) is None
    (unit / "城乡低保2026年10月.csv").unlink()
    unit.rmdir()
    unit.symlink_to(outside / "区民政局", target_is_directory=True)
    assert find_inbox_file(tmp_path / "inbox", "2026-10", dataset) is None
    unit.unlink()
    unit.mkdir()
    (unit / "城乡低保2026年10月.csv").write_text("ok")
    assert find_inbox_file(tmp_path / "inbox", "2026-10", dataset) == (unit / "城乡低保2026年10月.csv").resolve()


@pytest.mark.parametrize(("period", "name"), [("2026-10", "../escaped"), ("2026-10", "a/b"), ("..", "dibao"),
                                              ("../..", "dibao"), ("2026-10", ".."), ("", "dibao")])
def test_stage_writes_only_under_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: str, name: str) -> None:
    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", KEY)
    catalog_copy(tmp_path / "catalog")
    dataset = dataclasses.replace(load_catalog(tmp_path / "catalog").get("urban-rural-dibao"), name=name)
    frame = pd.DataFrame({f["name"]: pd.Series([], dtype="string") for f in dataset.schema["fields"]})
    dist = tmp_path / "deep" / "dist"
    with pytest.raises(GongkaiError, match="暂存目录名无效"):
        stage(dataset, period, frame, dist)
    assert not (tmp_path / "deep").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["catalog"]


# --- transport (cases test_config.py leaves out) --------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1.example.com", "http://localhost.example.com:5000",
                                 "http://0.0.0.0:5000", "http://10.0.0.5", "http://[::ffff:8.8.8.8]",
                                 "http://127.0.0.1@data.example.gov.cn"])
def test_plain_http_to_look_alike_hosts_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="明文 HTTP"):
        load_settings(None, env={"GONGKAI_CKAN_URL": url}).check_transport()


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "file:///etc/passwd", "127.0.0.1:5000", "https://"])
def test_urls_that_are_not_http_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="CKAN 地址无效"):
        load_settings(None, env={"GONGKAI_CKAN_URL": url}).check_transport()
