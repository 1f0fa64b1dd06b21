"""The open-data request ledger: import staff's log, add and close requests, and report turnaround.

Applicants stay private: the name, phone or ID number in a log (or typed at the command line) is turned into
a keyed pseudonym (`anonymize.pseudonymize`: HMAC-SHA256 under the project's pseudonym key, in a scope of its
own so applicant tokens never link to published datasets) before anything is stored; the raw value is never
written to the ledger, printed, or put in an error message. Notes are refused when they hold an identifier.

Turnaround is counted in Chinese working days after the day of receipt (see `publish.workdays`); the limit is
3 working days. A request is on time when answered on or before its deadline; the on-time share counts only
requests that are answered or already past their deadline (an open request not yet due is undecided).
Results touching a year without an announced holiday schedule are provisional and say so.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from anonymize import PseudonymKey, PseudonymKeyError, detect, pseudonymize, scan
from anonymize.pseudonym import KEY_ENV, KEY_FILE_ENV

from publish.errors import ConfigError, InputError
from publish.ledger import Ledger, Request
from publish.read import read_table
from publish.workdays import Deadline, Span, WorkCalendar, default_calendar

LIMIT_DAYS = 3
PSEUDONYM_SCOPE = "open-data-requests"

# Staff's log as a Table Schema for `publish.read`: columns found by title or alias, in any order, extra
# columns ignored. The applicant columns are personal: read, turned into one pseudonym, never stored.
_APPLICANT_FIELDS = ("applicant_id_card", "applicant_phone", "applicant_name")  # strongest identifier first
LOG_SCHEMA: dict[str, Any] = {
    "fieldsMatch": "partial",
    "fields": [
        {"name": "id", "title": "申请编号", "aliases": ["编号", "申请号", "登记编号"], "constraints": {"required": True}},
        {"name": "applicant_id_card", "title": "身份证号", "aliases": ["身份证号码", "证件号码", "申请人证件号码"],
         "pii": "id_card"},
        {"name": "applicant_phone", "title": "联系电话", "aliases": ["手机", "手机号", "手机号码", "电话"], "pii": "phone"},
        {"name": "applicant_name", "title": "申请人", "aliases": ["申请人姓名", "姓名"], "pii": "person_name"},
        {"name": "dataset", "title": "申请数据", "aliases": ["申请数据集", "数据名称", "申请内容"],
         "constraints": {"required": True}},
        {"name": "received_at", "title": "收到时间", "aliases": ["收到日期", "申请时间", "接收时间"],
         "constraints": {"required": True}},
        {"name": "accepted_at", "title": "受理时间", "aliases": ["受理日期"]},
        {"name": "answered_at", "title": "答复时间", "aliases": ["答复日期", "办结时间"]},
        {"name": "outcome", "title": "结果", "aliases": ["答复结果", "办理结果"]},
    ],
}
_TITLES = {field["name"]: field["title"] for field in LOG_SCHEMA["fields"]}
_CATEGORIES = {field["name"]: field["pii"] for field in LOG_SCHEMA["fields"] if "pii" in field}
_TIMESTAMP = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)


# --- privacy -------------------------------------------------------------------------------------------


def pseudonym_key(key_file: Path | None = None, env: Mapping[str, str] | None = None) -> PseudonymKey | None:
    """The project's pseudonym key ($GONGKAI_PSEUDONYM_KEY, $GONGKAI_PSEUDONYM_KEY_FILE, else `key_file` from
    the settings), or None when none is configured; ConfigError when it is weak or stored unsafely."""
    env = os.environ if env is None else env
    try:
        if env.get(KEY_ENV) or env.get(KEY_FILE_ENV):
            return PseudonymKey.from_env(env)
        return PseudonymKey.from_file(key_file) if key_file else None
    except PseudonymKeyError as exc:
        raise ConfigError(exc.message) from None


def applicant_pseudonym(value: str, key: PseudonymKey, category: str | None = None) -> str:
    """A stable keyed pseudonym for an applicant's ID number, phone or name ("A-" + 16 letters).

    `category` ("id_card", "phone", "person_name") picks the normalization; None guesses it from the value,
    so a phone typed at the command line gets the same pseudonym as the same phone in a log.
    """
    if category is None:
        numeric = detect([value], "id_card")[0] or detect([value], "mobile")[0] or detect([value], "phone")[0]
        category = "phone" if numeric else "person_name"
    return pseudonymize([value], key, category=category, prefix="A-", scope=PSEUDONYM_SCOPE)[0]


def check_free_text(text: str | None, title: str) -> None:
    """Refuse free text (note, dataset asked for, outcome) that holds an identifier: ID number, phone, bank
    card … Free text is stored as written, so it must not carry personal data."""
    if text and scan(pd.DataFrame({"text": [text]})):
        raise InputError(f"{title}中疑似含有证件号、电话或银行卡号等个人信息，请删去后再保存")


# --- parsing -------------------------------------------------------------------------------------------


def parse_timestamp(text: str) -> datetime:
    """A date or date-time as staff write it: 2026-10-09, 2026/10/9 9:30, 2026年10月9日 …; InputError if not."""
    match = _TIMESTAMP.fullmatch(text.strip())
    try:
        if not match:
            raise ValueError
        return datetime(*(int(part) for part in match.groups() if part is not None))
    except (TypeError, ValueError):
        raise InputError(f"无法识别的日期或时间“{text.strip()}”（应形如 2026-10-09 或 2026-10-09 09:30）") from None


@dataclass(frozen=True)
class ImportResult:
    """What an import did: how many requests, and which columns were left out (names only)."""

    requests: list[Request]
    ignored_columns: list[str]


def read_log(path: str | os.PathLike[str], key: PseudonymKey | None) -> ImportResult:
    """Read staff's CSV or Excel log into requests; every problem is listed in one InputError.

    The reader (`publish.read`) finds the header row below any title rows when it names at least half of
    LOG_SCHEMA's columns, and drops trailing 合计/填表人 rows. `key` is needed when the log has applicant
    columns with values; without it nothing is read.
    """
    name = Path(path).name
    if Path(path).suffix.lower() not in (".csv", ".txt", ".xlsx", ".xlsm"):
        raise InputError(f"不支持的申请登记表格式 {name}：请使用 CSV 或 Excel（.xlsx）")
    result = read_table(path, LOG_SCHEMA)
    if missing := [e.field_name for e in result.header.errors if e.type == "missing-label"]:
        titles = "、".join(_TITLES.get(field or "", field or "") for field in missing)
        raise InputError(f"申请登记表 {name} 缺少必需的列：{titles}")
    ignored = [label for label, paired in zip(result.header.labels, result.header.paired) if not paired and label]
    frame = result.frame.fillna("")
    applicant_fields = [field for field in _APPLICANT_FIELDS if field in frame.columns]
    if key is None and any(frame[field].str.strip().ne("").any() for field in applicant_fields):
        raise ConfigError(f"日志中有申请人信息，必须先配置 {KEY_ENV} 才能导入（申请人信息只以假名保存）")

    problems: list[str] = []
    requests: list[Request] = []
    first_line: dict[str, int] = {}
    for line, row in zip(result.row_numbers, frame.to_dict("records")):
        cells = {field: str(value).strip() for field, value in row.items()}
        if not any(cells.values()):
            continue
        if cells["id"] and cells["id"] in first_line:
            problems.append(f"第 {line} 行：申请编号 {cells['id']} 与第 {first_line[cells['id']]} 行重复")
        first_line.setdefault(cells["id"], int(line))
        applicant = next(((cells[f], _CATEGORIES[f]) for f in applicant_fields if cells[f]), None)
        try:
            pseudonym = applicant_pseudonym(applicant[0], key, applicant[1]) if applicant and key else None
            requests.append(_request_from_row(cells, pseudonym))
        except InputError as exc:
            problems.append(f"第 {line} 行：{exc.message}")
    if problems:
        raise InputError(f"申请登记表 {name} 有 {len(problems)} 处问题，未导入任何记录：\n" + "\n".join(problems))
    return ImportResult(requests, ignored)


def import_log(ledger: Ledger, path: str | os.PathLike[str], key: PseudonymKey | None) -> ImportResult:
    """Read a log and save its requests (an existing id is updated, so re-importing is harmless)."""
    result = read_log(path, key)
    for request in result.requests:
        ledger.save_request(request)
    return result


def _request_from_row(values: dict[str, str], applicant: str | None) -> Request:
    for field in ("id", "dataset", "received_at"):
        if not values[field]:
            raise InputError(f"“{_TITLES[field]}”为空")
    for field in ("dataset", "outcome"):
        check_free_text(values.get(field), f"“{_TITLES[field]}”")
    times = {
        field: parse_timestamp(values[field]) if values.get(field) else None
        for field in ("received_at", "accepted_at", "answered_at")
    }
    request = Request(
        id=values["id"],
        applicant=applicant,
        dataset=values["dataset"],
        received_at=times["received_at"],
        accepted_at=times["accepted_at"],
        answered_at=times["answered_at"],
        outcome=values.get("outcome") or None,
    )
    _check_order(request)
    return request


def _check_order(request: Request) -> None:
    for field, title in (("accepted_at", "受理时间"), ("answered_at", "答复时间")):
        moment = getattr(request, field)
        if moment is not None and moment.date() < request.received_at.date():
            raise InputError(f"{title}早于收到时间")


# --- add and close -------------------------------------------------------------------------------------


def add_request(
    ledger: Ledger,
    dataset: str,
    received_at: datetime,
    *,
    request_id: str | None = None,
    applicant: str | None = None,
    key: PseudonymKey | None = None,
    accepted_at: datetime | None = None,
    note: str | None = None,
) -> Request:
    """Record a new request; `applicant` (name, phone or ID) is stored only as a pseudonym under `key`."""
    check_free_text(note, "备注")
    check_free_text(dataset, "申请数据")
    if applicant and key is None:
        raise ConfigError(f"记录申请人需要先配置 {KEY_ENV}（申请人信息只以假名保存）")
    request_id = request_id or _next_id(ledger, received_at.date())
    if ledger.get_request(request_id) is not None:
        raise InputError(f"申请编号 {request_id} 已存在")
    request = Request(
        id=request_id,
        applicant=applicant_pseudonym(applicant, key) if applicant and key else None,
        dataset=dataset,
        received_at=received_at,
        accepted_at=accepted_at,
        note=note,
    )
    _check_order(request)
    ledger.save_request(request)
    return request


def close_request(
    ledger: Ledger, request_id: str, answered_at: datetime, outcome: str, note: str | None = None
) -> Request:
    """Record the answer to a request."""
    check_free_text(note, "备注")
    check_free_text(outcome, "答复结果")
    request = ledger.get_request(request_id)
    if request is None:
        raise InputError(f"找不到申请编号 {request_id}")
    closed = replace(request, answered_at=answered_at, outcome=outcome, note=note or request.note)
    _check_order(closed)
    ledger.save_request(closed)
    return closed


def _next_id(ledger: Ledger, received: date) -> str:
    prefix = f"{received:%Y%m%d}-"
    numbers = [int(tail) for tail in (i[len(prefix):] for i in ledger.request_ids(prefix)) if tail.isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# --- turnaround ----------------------------------------------------------------------------------------


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
