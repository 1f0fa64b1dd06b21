"""Timeliness rules, judged on portal-shaped dicts: monthly, annual, weekly, not applicable."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from publish.catalog import PublicationRule, load_catalog
from publish.status import LATE, MISSING, NOT_APPLICABLE, ON_TIME, PENDING, due_monthly_period, judge

CATALOG = load_catalog(Path(__file__).resolve().parents[2])
DIBAO = CATALOG.get("urban-rural-dibao")


def _package(*resources: tuple[str, str]) -> dict:
    return {"resources": [{"period": period, "created": created} for period, created in resources]}


@pytest.mark.parametrize(("as_of", "period", "due"), [
    (date(2026, 11, 25), "2026-09", date(2026, 10, 31)),
    (date(2026, 12, 1), "2026-10", date(2026, 11, 30)),
    (date(2027, 1, 15), "2026-11", date(2026, 12, 31)),
    (date(2027, 2, 1), "2026-12", date(2027, 1, 31)),
])
def test_monthly_data_is_due_by_the_end_of_the_next_month(as_of: date, period: str, due: date) -> None:
    assert due_monthly_period(as_of) == (period, due)


def test_monthly_on_time_late_and_missing() -> None:
    as_of = date(2026, 12, 10)
    on_time = judge(DIBAO, _package(("2026-10", "2026-11-20T09:00:00")), as_of)
    assert (on_time.state, on_time.period) == (ON_TIME, "2026-10")
    late = judge(DIBAO, _package(("2026-10", "2026-12-03T09:00:00")), as_of)
    assert (late.state, late.days_late, late.label) == (LATE, 3, "逾期 3 天")
    missing = judge(DIBAO, _package(("2026-09", "2026-10-20T09:00:00")), as_of)
    assert (missing.state, missing.days_late) == (MISSING, 10)
    assert judge(DIBAO, None, as_of).state == MISSING


def test_annual_rule_is_pending_until_its_month_ends() -> None:
    budget = dataclasses.replace(DIBAO, rule=PublicationRule("annual", month=3))
    assert judge(budget, None, date(2026, 2, 1)).state == PENDING
    assert judge(budget, _package(("2025", "2026-03-20T10:00:00")), date(2026, 6, 1)).state == ON_TIME
    late = judge(budget, _package(("2025", "2026-04-02T10:00:00")), date(2026, 6, 1))
    assert (late.state, late.days_late) == (LATE, 2)
    assert judge(budget, None, date(2026, 4, 5)).days_late == 5


def test_weekly_and_event_rules() -> None:
    weekly = dataclasses.replace(DIBAO, rule=PublicationRule("weekly"))
    assert judge(weekly, _package(("w", "2026-11-20T10:00:00")), date(2026, 11, 25)).state == ON_TIME
    assert judge(weekly, _package(("w", "2026-11-10T10:00:00")), date(2026, 11, 25)).days_late == 8
    event = dataclasses.replace(DIBAO, rule=PublicationRule("after_event", working_days=3, event="政策文件出台"))
    assert judge(event, None, date(2026, 11, 25)).state == NOT_APPLICABLE


def test_monthly_deadline_is_the_end_of_the_next_month() -> None:
    from publish.status import monthly_due

    assert monthly_due("2026-10") == date(2026, 11, 30)
    assert monthly_due("2026-12") == date(2027, 1, 31)
    assert monthly_due("2027-01") == date(2027, 2, 28)
