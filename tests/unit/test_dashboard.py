"""The offline dashboard: self-contained, escaped, with its four charts, and the `publish dashboard` command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from publish.cli import main
from publish.dashboard import FONT_STACK, render_dashboard
from publish.status import PortalFigures, UnitTimeliness
from publish.errors import InputError
from publish.ledger import Ledger, Request
from publish.turnaround import build_report

REQUESTS = [
    Request("R1", "A-1", "空气质量", datetime(2026, 9, 29), answered_at=datetime(2026, 10, 9)),
    Request("R2", "A-2", "城乡低保", datetime(2026, 10, 3), answered_at=datetime(2026, 10, 12)),
    Request("R3", "A-3", "水质", datetime(2026, 11, 16)),
    Request("R4<i>", "A-4", "<script>alert(1)</script>", datetime(2026, 11, 17)),
]
PORTAL = PortalFigures(
    2026, opened=11, target=15,
    units=(UnitTimeliness("区民政局", 20, 3, 1), UnitTimeliness("区人社局 & <b>", 12, 0, 2)),
)


def render(portal: PortalFigures | None = PORTAL, today: date = date(2026, 11, 30)) -> str:
    return render_dashboard(build_report(REQUESTS, today), portal, datetime(2026, 11, 30, 9, 0))


def test_self_contained_no_external_resources() -> None:
    html = render()
    assert not re.search(r"https?:|//[a-z0-9]", html, re.IGNORECASE)
    assert not re.search(r"<(script|link|img|iframe|object)\b", html, re.IGNORECASE)
    assert "@import" not in html and "url(" not in html
    assert '<meta charset="utf-8">' in html and FONT_STACK in html


def test_all_four_charts_appear() -> None:
    html = render()
    assert html.count("<svg") == 4
    for heading in ("年度开放目标", "按月办理情况", "答复用时分布", "各责任单位指标公开时效"):
        assert heading in html
    assert "11 / 15" in html and "完成 73%" in html
    assert "2026-09 按时答复：1" in html and "2026-10 逾期：1" in html
    assert "区民政局 逾期：3" in html
    assert "<td>R3</td><td>水质</td><td>2026-11-19</td><td>7</td>" in html  # overdue: the request, not who
    assert "A-1" not in html and "A-3" not in html


def test_all_text_is_escaped() -> None:
    html = render()
    assert "<script>" not in html and "<td>R4&lt;i&gt;</td><td>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "区人社局 &amp; &lt;b&gt;" in html


def test_without_portal_figures_the_sections_say_so() -> None:
    html = render(portal=None)
    assert html.count("未提供门户统计数据") == 2 and html.count("<svg") == 2


def test_provisional_banner() -> None:
    assert 'class="banner"' not in render()
    provisional = render_dashboard(
        build_report([Request("P1", None, "水质", datetime(2026, 12, 30))], date(2027, 1, 8)), None, datetime.now()
    )
    assert 'class="banner"' in provisional and "2027" in provisional and "2026-12（临时）" in provisional


def test_portal_figures_from_mapping() -> None:
    data = {"year": 2026, "opened": 11, "units": [{"unit": "区民政局", "on_time": 1, "late": 2, "missing": 0}]}
    assert PortalFigures.from_mapping(data) == PortalFigures(2026, 11, 15, (UnitTimeliness("区民政局", 1, 2, 0),))
    with pytest.raises(InputError, match="year"):
        PortalFigures.from_mapping({"opened": 3})


def test_cli_dashboard(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    with Ledger(ledger) as opened:
        for request in REQUESTS:
            opened.save_request(request)
    portal = tmp_path / "portal.json"
    portal.write_text(json.dumps({"year": 2026, "opened": 16}), encoding="utf-8")
    out = tmp_path / "board.html"
    result = CliRunner().invoke(
        main, ["dashboard", "--out", str(out), "--portal", str(portal), "--ledger", str(ledger), "--today", "2026-11-30"]
    )
    assert result.exit_code == 0, result.output
    assert "看板已生成" in result.output and "16 / 15" in out.read_text(encoding="utf-8")

    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["dashboard", "--out", str(out), "--portal", str(bad), "--ledger", str(ledger)])
    assert result.exit_code == 1 and result.output.startswith("错误：")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed")
def test_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "board.html"
    page.write_text(render(), encoding="utf-8")
    shot = tmp_path / "board.png"
    subprocess.run(
        [shutil.which("chromium") or "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
         f"--screenshot={shot}", "--window-size=1000,1600", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    assert shot.stat().st_size > 10_000


def test_no_requests_yet_says_so_instead_of_an_empty_chart() -> None:
    html = render_dashboard(build_report([], date(2026, 11, 30)), PORTAL, datetime(2026, 11, 30, 9, 0))
    assert "暂无申请。" in html and "暂无已答复的申请。" in html
    assert html.count("<svg") == 2  # target progress and timeliness by unit only
