"""Chinese working days: the State Council schedule, staff overrides, and a loud provisional flag.

Sources, in order of precedence for a year:

1. the override file (YAML or JSON), which staff fill in when the State Council announces a new year;
2. the `chinesecalendar` package, for the years it covers (2004-2026 in version 1.11);
3. nothing known: weekends only, and every result that touches such a year is flagged `provisional`.

Deadline rule (open-data requests, 3 working days). The day of receipt is not counted (期间开始的日不计入);
the deadline is the end of the N-th working day after it. A request received on a weekend or holiday starts
counting from the next working day, and that working day is day 1: the day excluded by 期间开始的日不计入
is the day of receipt itself, not a "deemed" first working day. So both cases are one rule, "the N-th
working day strictly after the day of receipt". Received Saturday 2026-10-10 → days 1-3 are Mon-Wed
10-12..10-14. The other reading (deem receipt on the next working day, then exclude it too) would give one
day more; ours is the stricter one, so a request on time under ours is on time under both.

Override file format (YAML shown; JSON is the same structure with string keys)::

    2027:
      holidays: [2027-01-01, 2027-02-05..2027-02-11]   # single days or inclusive ranges
      workdays: [2027-02-14]                           # make-up working days (调休上班), weekends only
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import yaml

from publish.errors import InputError

ENV_FILE = "GONGKAI_WORKDAYS_FILE"
PROVISIONAL_NOTE = "仅按周末推算，未含法定节假日和调休，结果为临时值"


class _DatesAsTextLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so one parser checks them (and says so in Chinese)."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YearSchedule:
    """One year's announced schedule: holidays and make-up working days (调休上班日)."""

    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class Deadline:
    """The last day (inclusive) to answer; `provisional` when a year involved has no known schedule."""

    date: date
    provisional: bool
    reason: str | None = None


@dataclass(frozen=True)
class Span:
    """Working days counted after a start day up to an end day; `provisional` as for `Deadline`."""

    days: int
    provisional: bool
    reason: str | None = None


class WorkCalendar:
    """Answers "is this a working day?" from overrides, then chinesecalendar, then weekends (provisional)."""

    def __init__(self, overrides: Mapping[int, YearSchedule] | None = None) -> None:
        self.overrides = dict(overrides or {})

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> WorkCalendar:
        """A calendar with the schedules of an override file; InputError names what is wrong."""
        return cls(load_overrides(path))

    def is_known(self, year: int) -> bool:
        """Whether `year` has an announced schedule (override or chinesecalendar)."""
        return year in self.overrides or _library_covers(year)

    def is_workday(self, day: date | datetime) -> bool:
        """Whether `day` is a working day; weekends-only for unknown years (see `is_known`)."""
        day = _as_date(day)
        schedule = self.overrides.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            return day.weekday() < 5 and day not in schedule.holidays
        if _library_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def deadline(self, received: date | datetime, days: int = 3) -> Deadline:
        """The `days`-th working day strictly after the day of receipt (see the module docstring)."""
        if days < 1:
            raise InputError(f"期限天数必须为正整数，收到的是 {days}")
        start = _as_date(received)
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_workday(day)
        return Deadline(day, *self._provisional(start, day))

    def working_days(self, start: date | datetime, end: date | datetime) -> Span:
        """Working days d with start < d <= end (0 when end <= start): the turnaround of an answer."""
        first, last = _as_date(start), _as_date(end)
        count = sum(
            self.is_workday(first + timedelta(days=n)) for n in range(1, (last - first).days + 1)
        )
        return Span(count, *self._provisional(first, max(first, last)))

    def _provisional(self, first: date, last: date) -> tuple[bool, str | None]:
        unknown = [year for year in range(first.year, last.year + 1) if not self.is_known(year)]
        if not unknown:
            return False, None
        years = "、".join(str(year) for year in unknown)
        return True, f"{years} 年的节假日安排尚未录入（可用 {ENV_FILE} 指定覆盖文件），{PROVISIONAL_NOTE}"


def load_overrides(path: str | os.PathLike[str]) -> dict[int, YearSchedule]:
    """Read an override file (YAML or JSON) into schedules per year; InputError with a Chinese message."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
        data = json.loads(text) if file.suffix.lower() == ".json" else yaml.load(text, _DatesAsTextLoader)
    except OSError as exc:
        raise InputError(f"无法读取工作日覆盖文件 {file}：{exc.strerror or exc}") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"工作日覆盖文件 {file} 格式错误：{exc}") from None
    if not isinstance(data, Mapping):
        raise InputError(f"工作日覆盖文件 {file} 应为“年份: {{holidays: [...], workdays: [...]}}”的映射")
    return {_year(file, key): _schedule(file, _year(file, key), value) for key, value in data.items()}


def default_calendar(path: str | os.PathLike[str] | None = None) -> WorkCalendar:
    """The calendar for `path`, else for the file in GONGKAI_WORKDAYS_FILE, else chinesecalendar alone."""
    chosen = path or os.environ.get(ENV_FILE) or None
    if chosen is None:
        return _cached_calendar(None, 0.0)
    file = Path(chosen)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        raise InputError(f"找不到工作日覆盖文件 {file}") from None
    return _cached_calendar(str(file.resolve()), mtime)


def is_workday(day: date | datetime, calendar: WorkCalendar | None = None) -> bool:
    """Whether `day` is a Chinese working day (weekends only, provisionally, for unannounced years)."""
    return (calendar or default_calendar()).is_workday(day)


def deadline(received: date | datetime, days: int = 3, calendar: WorkCalendar | None = None) -> Deadline:
    """The answer deadline for a request received on `received` (end of the `days`-th working day after)."""
    return (calendar or default_calendar()).deadline(received, days)


def working_days(
    start: date | datetime, end: date | datetime, calendar: WorkCalendar | None = None
) -> Span:
    """Working days after `start` up to and including `end`."""
    return (calendar or default_calendar()).working_days(start, end)


@lru_cache(maxsize=8)
def _cached_calendar(path: str | None, mtime: float) -> WorkCalendar:
    """One calendar per (file, modification time), so an edited file is read again."""
    return WorkCalendar() if path is None else WorkCalendar.from_file(path)


@lru_cache(maxsize=64)
def _library_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _year(file: Path, key: object) -> int:
    try:
        year = int(str(key))
    except ValueError:
        raise InputError(f"工作日覆盖文件 {file}：键“{key}”不是年份") from None
    if not 1900 <= year <= 2999:
        raise InputError(f"工作日覆盖文件 {file}：年份 {year} 不合理")
    return year


def _schedule(file: Path, year: int, value: object) -> YearSchedule:
    if not isinstance(value, Mapping) or not set(value) <= {"holidays", "workdays"}:
        raise InputError(f"工作日覆盖文件 {file}：{year} 年下只能有 holidays 和 workdays 两项")
    holidays = _days(file, year, "holidays", value.get("holidays") or [])
    workdays = _days(file, year, "workdays", value.get("workdays") or [])
    if both := sorted(holidays & workdays):
        raise InputError(f"工作日覆盖文件 {file}：{both[0]} 同时被列为假日和调休上班日")
    if weekdays := sorted(day for day in workdays if day.weekday() < 5):
        raise InputError(f"工作日覆盖文件 {file}：调休上班日 {weekdays[0]} 不是周末，请核对")
    return YearSchedule(frozenset(holidays), frozenset(workdays))


def _days(file: Path, year: int, key: str, items: object) -> set[date]:
    if not isinstance(items, Iterable) or isinstance(items, (str, Mapping)):
        raise InputError(f"工作日覆盖文件 {file}：{year} 年的 {key} 应为日期列表")
    days: set[date] = set()
    for item in items:
        first, _, last = str(item).partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise InputError(f"工作日覆盖文件 {file}：{year} 年 {key} 中“{item}”不是日期（应为 YYYY-MM-DD）") from None
        if start > end or start.year != year or end.year != year:
            raise InputError(f"工作日覆盖文件 {file}：{year} 年 {key} 中“{item}”不在 {year} 年内或起止颠倒")
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return days
