"""Turnaround of open-data requests: how fast they are answered, as figures, statistics and Chinese text.

Each request in the ledger (`publish.ledger.Request`, recorded by `publish.requests`) is judged against its
deadline; a report sums up a period, lists what is overdue, and gives the monthly statistics published as an
open dataset (aggregates only, never an applicant or a request id).

Turnaround is counted in Chinese working days after the day of receipt (see `publish.workdays`); the limit is
3 working days. A request is on time when answered on or before its deadline; the on-time share counts only
requests that are answered or already past their deadline (an open request not yet due is undecided).
Results touching a year without an announced holiday schedule are provisional and say so.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from publish.errors import InputError
from publish.ledger import Request
from publish.workdays import Deadline, Span, WorkCalendar, default_calendar

LIMIT_DAYS = 3


@dataclass(frozen=True)
class RequestStatus:
    """One request judged against its deadline on a given day."""

    request: Request
    deadline: Deadline
    answer: Span | None  # working days to the answer, when answered
    accept: Span | None  # working days to acceptance, when accepted
    late: Span  # working days past the deadline: answered late, or still open today

    @property
    def late_by(self) -> int:
        """How many working days late (0 when on time or not yet due)."""
        return self.late.days

    @property
    def due(self) -> bool:
        """Whether it can be judged: answered, or open past its deadline."""
        return self.request.answered_at is not None or self.late_by > 0

    @property
    def on_time(self) -> bool:
        """Answered on or before the deadline."""
        return self.request.answered_at is not None and self.late_by == 0

    @property
    def provisional(self) -> bool:
        """Whether any figure rests on a year without an announced holiday schedule."""
        parts = (self.deadline, self.answer, self.accept, self.late)
        return any(part is not None and part.provisional for part in parts)

    @property
    def label(self) -> str:
        """A short Chinese status: 按时答复 / 逾期 N 个工作日答复 / 办理中 / 已逾期 N 个工作日."""
        if self.request.answered_at is not None:
            return "按时答复" if self.late_by == 0 else f"逾期 {self.late_by} 个工作日答复"
        return f"已逾期 {self.late_by} 个工作日" if self.late_by else "办理中"


def assess(request: Request, today: date, calendar: WorkCalendar) -> RequestStatus:
    """Judge one request: its deadline, turnaround, and how late it is (as of `today` if still open)."""
    limit = calendar.deadline(request.received_at, LIMIT_DAYS)
    received, answered, accepted = request.received_at, request.answered_at, request.accepted_at
    return RequestStatus(
        request,
        limit,
        answer=None if answered is None else calendar.working_days(received, answered),
        accept=None if accepted is None else calendar.working_days(received, accepted),
        late=calendar.working_days(limit.date, answered or today),
    )


@dataclass(frozen=True)
class Summary:
    """Turnaround figures over a set of requests."""

    received: int
    answered: int
    median_days: float | None
    p90_days: int | None
    on_time_share: float | None  # among requests that are due (see the module docstring)
    accepted_on_time_share: float | None  # accepted within the limit, among accepted requests


def summarize(statuses: Sequence[RequestStatus]) -> Summary:
    """Count, median and p90 working days to answer, and the on-time shares."""
    days = sorted(s.answer.days for s in statuses if s.answer is not None)
    due = [s for s in statuses if s.due]
    accepted = [s.accept.days for s in statuses if s.accept is not None]
    return Summary(
        received=len(statuses),
        answered=len(days),
        median_days=statistics.median(days) if days else None,
        p90_days=days[math.ceil(0.9 * len(days)) - 1] if days else None,  # nearest rank
        on_time_share=sum(s.on_time for s in due) / len(due) if due else None,
        accepted_on_time_share=sum(d <= LIMIT_DAYS for d in accepted) / len(accepted) if accepted else None,
    )


@dataclass(frozen=True)
class TurnaroundReport:
    """The requests received in a period, the ones overdue today (any period), and the monthly trend."""

    period: str | None
    today: date
    statuses: list[RequestStatus]
    overdue: list[RequestStatus]
    summary: Summary
    monthly: pd.DataFrame

    @property
    def provisional_reasons(self) -> list[str]:
        """Why some figures are provisional (empty when none are)."""
        parts = [(s.deadline, s.answer, s.accept, s.late) for s in [*self.statuses, *self.overdue]]
        return sorted({p.reason for group in parts for p in group if p is not None and p.reason})


def build_report(
    requests: Iterable[Request],
    today: date,
    *,
    year: int | None = None,
    month: int | None = None,
    calendar: WorkCalendar | None = None,
) -> TurnaroundReport:
    """The turnaround report for requests received in `year` (and `month`), judged as of `today`."""
    if month is not None and year is None:
        raise InputError("指定月份时必须同时指定年份（--year）")
    if month is not None and not 1 <= month <= 12:
        raise InputError(f"月份应为 1-12，收到的是 {month}")
    calendar = calendar or default_calendar()
    everything = [assess(r, today, calendar) for r in requests]
    period = None if year is None else f"{year}" if month is None else f"{year}-{month:02d}"
    selected = [s for s in everything if period is None or f"{s.request.received_at:%Y-%m}".startswith(period)]
    overdue = sorted(
        (s for s in everything if s.request.answered_at is None and s.late_by > 0), key=lambda s: -s.late_by
    )
    return TurnaroundReport(period, today, selected, overdue, summarize(selected), monthly_statistics(selected))


# Published as an open dataset: aggregates only, never an applicant or a request id.
MONTHLY_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "month", "title": "月份", "type": "string"},
        {"name": "received", "title": "收到申请数", "type": "integer"},
        {"name": "answered", "title": "已答复数", "type": "integer"},
        {"name": "on_time", "title": "按时答复数", "type": "integer"},
        {"name": "overdue", "title": "逾期数", "type": "integer"},
        {"name": "on_time_share", "title": "按时答复率", "type": "number"},
        {"name": "median_days", "title": "答复用时中位数（工作日）", "type": "number"},
        {"name": "p90_days", "title": "答复用时90分位（工作日）", "type": "integer"},
        {"name": "provisional", "title": "含临时工作日推算", "type": "boolean"},
    ]
}


def monthly_statistics(statuses: Sequence[RequestStatus]) -> pd.DataFrame:
    """Aggregated statistics per month of receipt (columns of MONTHLY_SCHEMA), fit to publish."""
    months: dict[str, list[RequestStatus]] = {}
    for status in statuses:
        months.setdefault(f"{status.request.received_at:%Y-%m}", []).append(status)
    rows = []
    for month, group in sorted(months.items()):
        summary = summarize(group)
        rows.append(
            {
                "month": month,
                "received": summary.received,
                "answered": summary.answered,
                "on_time": sum(s.on_time for s in group),
                "overdue": sum(s.due and not s.on_time for s in group),
                "on_time_share": None if summary.on_time_share is None else round(summary.on_time_share, 3),
                "median_days": summary.median_days,
                "p90_days": summary.p90_days,
                "provisional": any(s.provisional for s in group),
            }
        )
    columns = [field["name"] for field in MONTHLY_SCHEMA["fields"]]
    types = {"received": "int64", "answered": "int64", "on_time": "int64", "overdue": "int64",
             "on_time_share": "Float64", "median_days": "Float64", "p90_days": "Int64", "provisional": "bool"}
    return pd.DataFrame(rows, columns=columns).astype(types)


def write_statistics(frame: pd.DataFrame, path: Path) -> None:
    """Write monthly statistics as CSV for the public: Chinese headers, UTF-8 with BOM (opens in Excel)."""
    titles = {field["name"]: field["title"] for field in MONTHLY_SCHEMA["fields"]}
    try:
        frame.rename(columns=titles).to_csv(path, index=False, encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"无法写入 {path}：{exc.strerror or exc}") from None


# --- text ----------------------------------------------------------------------------------------------

PROVISIONAL_MARK = "【临时】"


def render_text(report: TurnaroundReport) -> str:
    """The report as Chinese text for the terminal; provisional figures are marked loudly."""
    s = report.summary
    title = f"开放数据申请办理情况（{report.period or '全部'}，截至 {report.today}）"
    lines = [title, "=" * 40]
    if report.provisional_reasons:
        lines += ["!!! 注意：以下部分结果为临时值 !!!", *(f"!!! {r}" for r in report.provisional_reasons), ""]
    lines += [
        f"收到申请：{s.received} 件；已答复：{s.answered} 件",
        f"答复用时中位数：{_number(s.median_days)} 个工作日；90 分位：{_number(s.p90_days)} 个工作日",
        f"{LIMIT_DAYS} 个工作日内答复比例：{format_share(s.on_time_share)}（只计已答复或已到期的申请）",
        f"{LIMIT_DAYS} 个工作日内受理比例：{format_share(s.accepted_on_time_share)}",
        "",
        f"当前逾期未答复（全部期间）：{len(report.overdue)} 件",
    ]
    lines += [
        f"  {o.request.id}  {o.request.dataset}  收到 {o.request.received_at:%Y-%m-%d}  "
        f"期限 {o.deadline.date}{_mark(o)}  已逾期 {o.late_by} 个工作日"
        for o in report.overdue
    ]
    lines += ["", "按月趋势（按收到月份）：", "  月份     收到  答复  按时  逾期  按时率   中位数"]
    lines += [
        f"  {row.month}  {row.received:>4}  {row.answered:>4}  {row.on_time:>4}  {row.overdue:>4}  "
        f"{format_share(None if pd.isna(row.on_time_share) else row.on_time_share):>6}  "
        f"{_number(None if pd.isna(row.median_days) else row.median_days):>5}{PROVISIONAL_MARK if row.provisional else ''}"
        for row in report.monthly.itertuples()
    ]
    return "\n".join(lines)


def render_list(statuses: Sequence[RequestStatus]) -> str:
    """One line per request: id, dataset, received, deadline, answered, status."""
    if not statuses:
        return "没有符合条件的申请。"
    lines = ["编号  申请数据  收到日期  答复期限  答复日期  状态"]
    lines += [
        f"{s.request.id}  {s.request.dataset}  {s.request.received_at:%Y-%m-%d}  {s.deadline.date}{_mark(s)}  "
        f"{f'{s.request.answered_at:%Y-%m-%d}' if s.request.answered_at else '—'}  {s.label}"
        for s in statuses
    ]
    if any(s.provisional for s in statuses):
        lines.append(f"{PROVISIONAL_MARK}表示该期限涉及尚未录入节假日安排的年份，仅按周末推算，需核对。")
    return "\n".join(lines)


def _mark(status: RequestStatus) -> str:
    return PROVISIONAL_MARK if status.provisional else ""


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def format_share(value: float | None) -> str:
    """A share as a Chinese-report percentage, "—" when undefined."""
    return "—" if value is None else f"{value:.1%}"
