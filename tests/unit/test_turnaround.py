"""Turnaround: requests judged against their deadlines, the report's figures, monthly statistics and text."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest

from publish import turnaround
from publish.errors import InputError
from publish.ledger import Request
from publish.requests import LOG_SCHEMA, parse_timestamp
from publish.workdays import WorkCalendar


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_WORKDAYS_FILE", raising=False)


def request(rid: str, received: str, answered: str | None = None, accepted: str | None = None) -> Request:
    def parse(text: str | None) -> datetime | None:
        return parse_timestamp(text) if text else None

    return Request(rid, None, "空气质量", parse(received), parse(accepted), parse(answered))


SAMPLE = [
    request("S1", "2022-04-29", answered="2022-05-07"),  # 3 days across 劳动节, on the make-up Saturday
    request("S2", "2022-04-29", answered="2022-05-09", accepted="2022-05-05"),  # 4 days: late by 1
    request("S3", "2022-05-10", answered="2022-05-10"),  # same day: 0
    request("S4", "2022-05-16"),  # open: deadline 05-19
    request("S5", "2022-06-01", answered="2022-06-02"),
]


def test_report_figures() -> None:
    report = turnaround.build_report(SAMPLE, date(2022, 5, 24), year=2022, month=5)
    assert [s.request.id for s in report.statuses] == ["S3", "S4"]
    report = turnaround.build_report(SAMPLE, date(2022, 5, 24), year=2022)
    s = report.summary
    assert (s.received, s.answered) == (5, 4)
    assert s.median_days == 2 and s.p90_days == 4  # [0, 1, 3, 4]
    assert s.on_time_share == pytest.approx(3 / 5)  # S4 is due (open, late) and counts against
    assert s.accepted_on_time_share == 1.0  # S2 accepted in 3 working days (05-05 is a holiday)

    assert [o.request.id for o in report.overdue] == ["S4"]
    assert report.overdue[0].late_by == 3  # 05-20, 05-23, 05-24
    assert report.overdue[0].label == "已逾期 3 个工作日"
    by_id = {st.request.id: st for st in report.statuses}
    assert by_id["S1"].label == "按时答复" and by_id["S2"].label == "逾期 1 个工作日答复"
    assert report.provisional_reasons == []


def test_open_request_not_yet_due_is_undecided() -> None:
    report = turnaround.build_report([request("N1", "2022-05-16")], date(2022, 5, 18))
    assert report.summary.on_time_share is None and report.overdue == []
    assert report.statuses[0].label == "办理中"


def test_monthly_statistics_are_aggregates_only() -> None:
    monthly = turnaround.build_report(SAMPLE, date(2022, 5, 24)).monthly
    assert list(monthly.columns) == [f["name"] for f in turnaround.MONTHLY_SCHEMA["fields"]]
    april, may, june = monthly.to_dict("records")
    assert april == {"month": "2022-04", "received": 2, "answered": 2, "on_time": 1, "overdue": 1,
                     "on_time_share": 0.5, "median_days": 3.5, "p90_days": 4, "provisional": False}
    assert (may["received"], may["on_time"], may["overdue"], may["p90_days"]) == (2, 1, 1, 0)
    assert june["on_time_share"] == 1.0


def test_provisional_results_are_flagged_everywhere(tmp_path: Path) -> None:
    report = turnaround.build_report([request("P1", "2026-12-30")], date(2027, 1, 8))
    assert report.statuses[0].provisional and report.monthly["provisional"].tolist() == [True]
    assert any("2027" in reason for reason in report.provisional_reasons)
    assert "临时" in turnaround.render_text(report)
    assert turnaround.PROVISIONAL_MARK in turnaround.render_list(report.statuses)

    override = tmp_path / "2027.yaml"
    override.write_text("2027:\n  holidays: [2027-01-01]\n", encoding="utf-8")
    calendar = WorkCalendar.from_file(override)
    fixed = turnaround.build_report([request("P1", "2026-12-30")], date(2027, 1, 8), calendar=calendar)
    assert fixed.provisional_reasons == [] and fixed.statuses[0].deadline.date == date(2027, 1, 5)


def test_lateness_counted_into_an_unknown_year_is_provisional() -> None:
    report = turnaround.build_report([request("L1", "2026-12-21")], date(2027, 1, 8))  # deadline 12-24, known
    (status,) = report.overdue
    assert not status.deadline.provisional and status.provisional and status.late_by == 11
    assert report.provisional_reasons and "【临时】" in turnaround.render_text(report)


def test_bad_period() -> None:
    with pytest.raises(InputError, match="年份"):
        turnaround.build_report(SAMPLE, date(2022, 5, 24), month=5)
    with pytest.raises(InputError, match="1-12"):
        turnaround.build_report(SAMPLE, date(2022, 5, 24), year=2022, month=13)


@pytest.mark.parametrize("schema", [turnaround.MONTHLY_SCHEMA, LOG_SCHEMA], ids=["monthly", "log"])
def test_schemas_are_valid_table_schemas(schema: dict) -> None:
    assert frictionless.Schema.validate_descriptor(schema).valid


def test_write_statistics_for_the_public(tmp_path: Path) -> None:
    path = tmp_path / "stats.csv"
    turnaround.write_statistics(turnaround.build_report(SAMPLE, date(2022, 5, 24)).monthly, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("月份,收到申请数,已答复数")
    assert "S1" not in raw.decode("utf-8-sig")

