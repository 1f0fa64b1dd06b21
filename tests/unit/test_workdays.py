"""Working days and request deadlines with the real State Council calendars (chinesecalendar)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publish import workdays
from publish.errors import InputError
from publish.workdays import WorkCalendar, deadline, is_workday, working_days

ROOT = Path(__file__).resolve().parents[2]

OVERRIDE_2027 = """
2027:
  holidays: [2027-01-01, 2027-02-05..2027-02-11]
  workdays: [2027-02-14]
"""


@pytest.fixture(autouse=True)
def no_override_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workdays.ENV_FILE, raising=False)


@pytest.fixture
def override_file(tmp_path: Path) -> Path:
    path = tmp_path / "workdays.yaml"
    path.write_text(OVERRIDE_2027, encoding="utf-8")
    return path


def test_make_up_saturday_is_the_third_working_day() -> None:
    # 2022 劳动节: 04-30..05-04 off, Saturday 05-07 worked (调休). Received Friday 04-29.
    assert is_workday(date(2022, 5, 7)) and not is_workday(date(2022, 5, 2))
    assert deadline(date(2022, 4, 29)) == workdays.Deadline(date(2022, 5, 7), provisional=False)


def test_datetimes_are_their_day(override_file: Path) -> None:
    calendar = WorkCalendar.from_file(override_file)
    assert not calendar.is_workday(datetime(2027, 1, 1, 9, 30)) and calendar.is_workday(datetime(2027, 2, 14, 8))
    assert not is_workday(datetime(2022, 10, 3, 12))


def test_across_national_day_with_make_up_weekend() -> None:
    # 2022 国庆: 10-01..10-07 off, Saturday 10-08 and Sunday 10-09 worked.
    assert deadline(datetime(2022, 9, 30, 17, 45)).date == date(2022, 10, 10)
    assert deadline(date(2022, 9, 29)).date == date(2022, 10, 9)


def test_across_spring_festival_with_make_up_weekend() -> None:
    # 2022 春节: 01-31..02-06 off, Saturday 01-29 and Sunday 01-30 worked.
    assert deadline(date(2022, 1, 28)).date == date(2022, 2, 7)
    assert deadline(date(2022, 1, 27)).date == date(2022, 1, 30)


def test_received_on_a_holiday_counts_from_the_next_working_day_as_day_one() -> None:
    # Received on 国庆 2026-10-03; 10-08 (Thu) is day 1, 10-09 day 2, Saturday 10-10 (调休) day 3.
    assert deadline(date(2026, 10, 3)).date == date(2026, 10, 10)
    # Received on an ordinary Saturday: Monday is day 1.
    assert deadline(date(2026, 11, 14)).date == date(2026, 11, 18)


def test_receipt_day_is_not_counted() -> None:
    assert deadline(date(2026, 11, 16)).date == date(2026, 11, 19)  # Monday -> Thursday
    assert deadline(date(2026, 11, 16), days=1).date == date(2026, 11, 17)


def test_2027_without_override_is_provisional_weekends_only() -> None:
    result = deadline(date(2026, 12, 30))  # counts into 2027: 12-31, Friday 01-01 (!), Monday 01-04
    assert result.date == date(2027, 1, 4)
    assert result.provisional and "2027" in result.reason and "临时" in result.reason
    assert deadline(date(2027, 2, 4)).provisional
    assert not deadline(date(2026, 11, 16)).provisional


def test_2027_with_override_file(override_file: Path) -> None:
    calendar = WorkCalendar.from_file(override_file)
    result = calendar.deadline(date(2026, 12, 30))
    assert result == workdays.Deadline(date(2027, 1, 5), provisional=False)  # 01-01 is a holiday
    # The override's spring festival 02-05..02-11: Friday 02-12 is day 1, make-up Sunday 02-14 day 2.
    assert calendar.deadline(date(2027, 2, 4)).date == date(2027, 2, 15)


def test_override_file_from_environment(override_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workdays.ENV_FILE, str(override_file))
    assert deadline(date(2026, 12, 30)) == workdays.Deadline(date(2027, 1, 5), provisional=False)
    assert not is_workday(date(2027, 2, 8)) and is_workday(date(2027, 2, 14))


def test_json_override_and_override_wins_over_the_library(tmp_path: Path) -> None:
    path = tmp_path / "workdays.json"
    path.write_text(json.dumps({"2026": {"holidays": ["2026-11-18"]}}), encoding="utf-8")
    calendar = WorkCalendar.from_file(path)
    assert not calendar.is_workday(date(2026, 11, 18))
    assert calendar.deadline(date(2026, 11, 16)).date == date(2026, 11, 20)


def test_the_example_override_file_is_valid() -> None:
    calendar = WorkCalendar.from_file(ROOT / "config" / "workdays-2027.example.yaml")
    assert calendar.is_known(2027)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2027: [2027-01-01]", "holidays 和 workdays"),
        ("2027:\n  holidays: [2027-13-01]", "不是日期"),
        ("2027:\n  holidays: [2028-01-01]", "不在 2027 年内"),
        ("2027:\n  workdays: [2027-01-06]", "不是周末"),
        ("2027:\n  holidays: [2027-02-14]\n  workdays: [2027-02-14]", "同时"),
        ("abc: {}", "不是年份"),
        ("- 2027", "映射"),
        ("2027: {holidays: [", "格式错误"),
    ],
)
def test_bad_override_files_say_what_is_wrong(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=words):
        WorkCalendar.from_file(path)


def test_missing_override_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(workdays.ENV_FILE, str(tmp_path / "none.yaml"))
    with pytest.raises(InputError, match="找不到"):
        deadline(date(2026, 11, 16))


def test_working_days_span() -> None:
    assert working_days(date(2022, 4, 29), date(2022, 5, 7)).days == 3
    assert working_days(date(2026, 11, 16), date(2026, 11, 16)).days == 0
    assert working_days(date(2026, 11, 16), date(2026, 11, 10)).days == 0
    assert working_days(date(2026, 12, 30), date(2027, 1, 4)).provisional


@given(st.dates(date(2005, 1, 1), date(2026, 12, 1)), st.integers(1, 10))
def test_deadline_is_the_nth_working_day_after_receipt(received: date, days: int) -> None:
    result = deadline(received, days)
    assert is_workday(result.date)
    assert working_days(received, result.date).days == days
    assert working_days(received, result.date - timedelta(days=1)).days == days - 1
