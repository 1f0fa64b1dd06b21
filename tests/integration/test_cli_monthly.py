"""`publish monthly` and `publish history` as staff run them: Chinese messages, exit codes, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from publish.cli import main
from publish.synth import generate_inbox

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, portal_env: dict[str, str]) -> dict[str, str]:
    inbox = tmp_path / "inbox"
    generate_inbox(inbox, "2026-10", datasets=["urban-rural-dibao", "air-quality"])
    return {
        "GONGKAI_CATALOG": str(ROOT),
        "GONGKAI_INBOX": str(inbox),
        "GONGKAI_DIST": str(tmp_path / "dist"),
        "GONGKAI_LEDGER": str(tmp_path / "ledger.sqlite3"),
        "GONGKAI_PSEUDONYM_KEY": "cli-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "GONGKAI_CKAN_URL": portal_env["GONGKAI_CKAN_URL"],
        "GONGKAI_CKAN_TOKEN_FILE": portal_env["GONGKAI_CKAN_TOKEN_FILE"],
    }


def _run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_dry_run_stages_without_touching_the_portal(env: dict[str, str], tmp_path: Path) -> None:
    result = _run(["monthly", "--period", "2026-10", "--dry-run",
                   "--dataset", "urban-rural-dibao", "--dataset", "air-quality"], env)
    assert result.exit_code == 0, result.output
    assert "已暂存 2" in result.output
    for name in ("urban-rural-dibao", "air-quality"):
        staged = tmp_path / "dist" / "2026-10" / name
        assert (staged / "data.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        assert (staged / "datapackage.json").exists() and (staged / "audit.json").exists()
    history = _run(["history"], env)
    assert history.exit_code == 0 and "urban-rural-dibao" in history.output


def test_missing_files_make_a_reminder_list_and_a_failing_exit(env: dict[str, str]) -> None:
    result = _run(["monthly", "--period", "2026-10", "--dry-run"], env)
    assert result.exit_code == 1
    assert "待报送提醒" in result.output and "山亭区人力资源和社会保障局" in result.output


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        (["--period", "2026-13"], {}, "期间格式错误"),
        (["--period", "2026-10"], {"GONGKAI_CKAN_TOKEN": "not-a-token"}, "不认可这个 API 令牌"),
        (["--period", "2026-10", "--ckan-url", "http://127.0.0.1:9"], {}, "无法连接 CKAN"),
        (["--period", "2026-10", "--ckan-url", "http://data.example.gov.cn"], {}, "明文 HTTP"),
        (["--period", "2026-10", "--dataset", "no-such-dataset"], {}, "没有名为"),
    ],
)
def test_user_mistakes_get_a_chinese_message_and_exit_1(
    env: dict[str, str], args: list[str], extra_env: dict[str, str], message: str
) -> None:
    result = _run(["monthly", *args], {**env, **extra_env})
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    token = Path(env["GONGKAI_CKAN_TOKEN_FILE"]).read_text().strip()
    assert token not in result.output


def test_status_and_dashboard_read_the_portal(env: dict[str, str], tmp_path: Path) -> None:
    status = _run(["status", "--as-of", "2026-12-05"], env)
    assert status.exit_code == 0, status.output
    assert "已开放数据集" in status.output and "/ 15" in status.output
    assert "山亭区民政局" in status.output and "每月公开" in status.output
    page = tmp_path / "dashboard.html"
    result = _run(["dashboard", "--out", str(page), "--from-portal", "--today", "2026-12-05"], env)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "年度开放目标" in html and "山亭区民政局" in html
    assert "http://" not in html and "https://" not in html
