"""Settings: precedence, secrets kept out of text, unsafe files and plain HTTP refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.config import Secret, is_loopback, load_settings
from publish.errors import ConfigError

TOKEN = "tok-0123456789-secret-value"


def _token_file(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(mode)
    return path


def test_environment_beats_file_and_overrides_beat_both(tmp_path: Path) -> None:
    config = tmp_path / "gongkai.toml"
    config.write_text('[ckan]\nurl = "https://file.example"\n[targets]\ndatasets_per_year = 20\n')
    settings = load_settings(config, env={"GONGKAI_CKAN_URL": "https://env.example/"})
    assert settings.ckan_url == "https://env.example"
    assert settings.datasets_per_year == 20
    assert load_settings(config, env={}, ckan_url="https://cli.example/").ckan_url == "https://cli.example"


def test_token_never_shows_in_text(tmp_path: Path) -> None:
    settings = load_settings(None, env={"GONGKAI_CKAN_TOKEN_FILE": str(_token_file(tmp_path))})
    assert settings.require_token().reveal() == TOKEN
    for text in (repr(settings), str(settings), f"{settings.ckan_token}", repr(Secret(TOKEN))):
        assert TOKEN not in text


def test_world_readable_token_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="权限过宽"):
        load_settings(None, env={"GONGKAI_CKAN_TOKEN_FILE": str(_token_file(tmp_path, 0o644))})


def test_missing_token_says_where_to_put_one() -> None:
    with pytest.raises(ConfigError, match="GONGKAI_CKAN_TOKEN"):
        load_settings(None, env={}).require_token()


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000",
                                 "https://data.example.gov.cn"])
def test_https_or_loopback_is_accepted(url: str) -> None:
    load_settings(None, env={"GONGKAI_CKAN_URL": url}).check_transport()


def test_plain_http_to_another_host_is_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="明文 HTTP"):
        load_settings(None, env={"GONGKAI_CKAN_URL": "http://data.example.gov.cn"}).check_transport()
    config = tmp_path / "gongkai.toml"
    config.write_text('[ckan]\nurl = "http://data.example.gov.cn"\nallow_insecure_http = true\n')
    load_settings(config, env={}).check_transport()


def test_bad_toml_is_a_chinese_error(tmp_path: Path) -> None:
    config = tmp_path / "gongkai.toml"
    config.write_text("[ckan\nurl = ")
    with pytest.raises(ConfigError, match="配置文件格式错误"):
        load_settings(config, env={})


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("10.0.0.1") and not is_loopback("example.com")
