"""The period pipeline without a portal (dry run): outcomes per dataset, failures contained, ledger records."""

from __future__ import annotations

from pathlib import Path

import pytest

import publish.monthly
from publish.catalog import load_catalog
from publish.errors import InputError
from publish.ledger import Ledger
from publish.monthly import (
    FAILED,
    MISSING,
    STAGED,
    MonthlyJob,
    parse_period,
    previous_period,
)
from publish.synth import generate_inbox

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["urban-rural-dibao", "air-quality", "fiscal-brief"]


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MonthlyJob:
    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", "unit-test-key-0123456789abcdefghijklmnopqrstuvwxyz")
    generate_inbox(tmp_path / "inbox", "2026-10", datasets=NAMES[:2])
    return MonthlyJob(load_catalog(ROOT), tmp_path / "inbox", tmp_path / "dist",
                      Ledger(tmp_path / "ledger.sqlite3"), portal=None)


def test_dry_run_stages_and_reports_missing_files(job: MonthlyJob) -> None:
    report = job.run("2026-10", NAMES)
    assert [o.outcome for o in report.outcomes] == [STAGED, STAGED, MISSING]
    assert list(report.missing_by_unit()) == ["山亭区财政局"]
    assert not report.ok
    assert [p.outcome for p in job.ledger.history(10)] == [MISSING, STAGED, STAGED]


def test_an_internal_error_fails_one_dataset_without_its_text(
    job: MonthlyJob, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_stage = publish.monthly.stage

    def broken_for_dibao(dataset, period, frame, dist):  # type: ignore[no-untyped-def]
        if dataset.name == "urban-rural-dibao":
            raise ValueError("could not convert 370406199001011233")
        return real_stage(dataset, period, frame, dist)

    monkeypatch.setattr(publish.monthly, "stage", broken_for_dibao)
    report = job.run("2026-10", NAMES[:2])
    dibao, air = report.outcomes
    assert (dibao.outcome, air.outcome) == (FAILED, STAGED)
    assert "ValueError" in dibao.message and "370406" not in dibao.message


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-10", "", "2026/10"])
def test_bad_periods_are_refused_in_chinese(text: str) -> None:
    with pytest.raises(InputError, match="期间格式错误"):
        parse_period(text)


def test_previous_period_crosses_the_year() -> None:
    from datetime import date

    assert previous_period(date(2027, 1, 15)) == "2026-12"
    assert previous_period(date(2026, 11, 25)) == "2026-10"


def test_summary_says_how_late_the_period_is(job: MonthlyJob) -> None:
    from datetime import date

    from publish.cli.monthly import render_report
    from publish.config import Settings

    report = job.run("2026-10", NAMES)
    on_time = render_report(report, Settings(), today=date(2026, 11, 20))
    late = render_report(report, Settings(), today=date(2026, 12, 3))
    assert "应于 2026-11-30 前公开" in on_time and "逾期" not in on_time
    assert "逾期 3 天" in late and "待报送提醒" in late and "山亭区财政局" in late


def test_a_leak_is_named_by_file_row_and_column_title_never_by_value(
    job: MonthlyJob, tmp_path: Path
) -> None:
    import dataclasses

    from publish.catalog import Catalog
    from tests.unit.synthetic_ids import resident_id

    dibao = job.catalog.get("urban-rural-dibao")
    careless = dataclasses.replace(dibao, privacy={**dibao.privacy, "remarks": {"rule": "keep"}})
    job.catalog = Catalog(datasets=[careless], units=job.catalog.units)
    raw = resident_id("370406", "19800101")
    folder = job.inbox / "2026-10" / "区民政局"
    for old in folder.glob("城乡低保*"):
        old.unlink()
    (folder / "城乡低保2026年10月.csv").write_text(
        "镇街,村居,户主姓名,身份证号,保障人数,保障类别,月发放金额,发放月份,备注\n"
        f"山城街道,东村,王芳,{resident_id('370406', '19900101')},2,城市低保,500.50,2026-10,\n"
        f"山城街道,西村,张三,{resident_id('370406', '19910101', '013')},1,城市低保,480.00,2026-10,户主身份证{raw}\n",
        encoding="utf-8",
    )
    [outcome] = job.run("2026-10", ["urban-rural-dibao"]).outcomes
    assert outcome.outcome == FAILED
    assert "第3行「备注」（身份证号）" in outcome.message
    assert raw not in outcome.message and not (tmp_path / "dist" / "2026-10" / "urban-rural-dibao").exists()
