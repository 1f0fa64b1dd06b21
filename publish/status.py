"""Target and timeliness figures, read from the portal itself (never from local memory).

- **Opened this year**: public, active datasets whose `metadata_created` falls in the year, against the target.
- **Timeliness** of each catalog indicator against its rule, as of a day:
  - monthly: the data of month M is due by the end of month M+1; the newest period already due is checked;
  - annual (年度公开（N月底前完成）): due by the end of month N of the year; any resource created this year counts;
  - weekly: the newest resource must be at most 7 days old;
  - immediate (即时公开) and after an event (政策文件出台后N个工作日内): the portal cannot know when the event
    happened, so they are "not applicable" here; the dataset's presence is still shown.
  A publication's date is its resource's `created` time on the portal; lateness is in calendar days.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterator

from publish.catalog import Catalog, Dataset
from publish.ckan import Portal
from publish.errors import InputError

ON_TIME, LATE, MISSING, PENDING, NOT_APPLICABLE = "on_time", "late", "missing", "pending", "not_applicable"
LABELS = {ON_TIME: "按时", LATE: "逾期", MISSING: "缺失", PENDING: "未到期", NOT_APPLICABLE: "不适用"}
PAGE = 1000


@dataclass(frozen=True)
class UnitTimeliness:
    """How one responsible unit's indicators stand against their publication rules."""

    unit: str
    on_time: int
    late: int
    missing: int


@dataclass(frozen=True)
class PortalFigures:
    """Figures read from the portal: datasets opened in `year` against the target, timeliness by unit."""

    year: int
    opened: int
    target: int = 15
    units: tuple[UnitTimeliness, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], default_target: int = 15) -> PortalFigures:
        """Build from plain data (e.g. a JSON file); InputError with a Chinese message when malformed."""
        try:
            units = tuple(
                UnitTimeliness(str(u["unit"]), int(u["on_time"]), int(u["late"]), int(u["missing"]))
                for u in data.get("units", [])
            )
            return cls(int(data["year"]), int(data["opened"]), int(data.get("target", default_target)), units)
        except (AttributeError, KeyError, TypeError, ValueError):
            raise InputError(
                "门户统计数据格式错误：需要整数 year、opened，可选 target 和 units（每项 unit、on_time、late、missing）"
            ) from None


@dataclass(frozen=True)
class Timeliness:
    """One indicator's standing: `state` is one of the constants above; `days_late` for late or missing."""

    dataset: Dataset
    state: str
    due: date | None = None
    period: str | None = None
    published: date | None = None
    days_late: int = 0

    @property
    def label(self) -> str:
        if self.state in (LATE, MISSING) and self.days_late:
            return f"{LABELS[self.state]} {self.days_late} 天"
        return LABELS[self.state]


@dataclass(frozen=True)
class StatusReport:
    """Everything `publish status` shows."""

    year: int
    as_of: date
    target: int
    opened: list[dict[str, Any]]
    timeliness: list[Timeliness]

    def by_unit(self) -> dict[str, list[Timeliness]]:
        grouped: dict[str, list[Timeliness]] = {}
        for item in self.timeliness:
            grouped.setdefault(item.dataset.unit.title, []).append(item)
        return grouped

    def figures(self) -> PortalFigures:
        """The portal-side figures of the dashboard."""
        units = tuple(
            UnitTimeliness(
                unit,
                sum(i.state == ON_TIME for i in items),
                sum(i.state == LATE for i in items),
                sum(i.state == MISSING for i in items),
            )
            for unit, items in self.by_unit().items()
        )
        return PortalFigures(self.year, len(self.opened), self.target, units)


def portal_packages(portal: Portal) -> Iterator[dict[str, Any]]:
    """Every public, active dataset on the portal, page by page."""
    start = 0
    while True:
        page = portal.call("package_search", {"q": "", "rows": PAGE, "start": start,
                                              "sort": "metadata_created asc"})
        yield from page["results"]
        start += PAGE
        if start >= page["count"] or not page["results"]:
            return


def read_status(portal: Portal, catalog: Catalog, year: int, as_of: date, target: int) -> StatusReport:
    """Read the year's opened datasets and every indicator's timeliness from the portal."""
    packages = {p["name"]: p for p in portal_packages(portal)}
    opened = [p for p in packages.values() if _created(p).year == year]
    timeliness = [judge(d, packages.get(d.name), as_of) for d in catalog.datasets]
    return StatusReport(year, as_of, target, opened, timeliness)


def judge(dataset: Dataset, package: dict[str, Any] | None, as_of: date) -> Timeliness:
    """An indicator's timeliness on `as_of`, from its portal dataset (None when it is not on the portal)."""
    resources = (package or {}).get("resources", [])
    kind = dataset.rule.kind
    if kind == "monthly":
        period, due = due_monthly_period(as_of)
        published = [_day(r["created"]) for r in resources if r.get("period") == period]
        return _verdict(dataset, due, as_of, min(published, default=None), period)
    if kind == "annual":
        assert dataset.rule.month is not None
        due = _month_end(as_of.year, dataset.rule.month)
        published = [_day(r["created"]) for r in resources if _day(r["created"]).year == as_of.year]
        if as_of <= due and not published:
            return Timeliness(dataset, PENDING, due)
        return _verdict(dataset, due, as_of, min(published, default=None), f"{as_of.year - 1}年度")
    if kind == "weekly":
        newest = max((_day(r["created"]) for r in resources), default=None)
        if newest is None:
            return Timeliness(dataset, MISSING)
        due = newest + timedelta(days=7)
        if as_of <= due:
            return Timeliness(dataset, ON_TIME, due, published=newest)
        return Timeliness(dataset, LATE, due, published=newest, days_late=(as_of - due).days)
    return Timeliness(dataset, NOT_APPLICABLE)


def monthly_due(period: str) -> date:
    """The deadline of a month's data (YYYY-MM): the end of the following month."""
    year, month = map(int, period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _month_end(year, month)


def due_monthly_period(as_of: date) -> tuple[str, date]:
    """The newest month whose deadline has passed by `as_of`, and that deadline.

    Month M is due by the end of month M+1: on 2026-11-25 that is 2026-09, due 2026-10-31.
    """
    due = as_of.replace(day=1) - timedelta(days=1)
    period = due.replace(day=1) - timedelta(days=1)
    return f"{period:%Y-%m}", due


def _verdict(dataset: Dataset, due: date, as_of: date, published: date | None, period: str) -> Timeliness:
    if published is None:
        state = MISSING if as_of > due else PENDING
        return Timeliness(dataset, state, due, period, days_late=max((as_of - due).days, 0))
    if published <= due:
        return Timeliness(dataset, ON_TIME, due, period, published)
    return Timeliness(dataset, LATE, due, period, published, (published - due).days)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _created(package: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(package["metadata_created"])


def _day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp).date()
