"""The open-data request ledger: import staff's log, add and close requests, number them, and check free text.

Applicants stay private: the name, phone or ID number in a log (or typed at the command line) is turned into
a keyed pseudonym (`anonymize.pseudonymize`: HMAC-SHA256 under the project's pseudonym key, in a scope of its
own so applicant tokens never link to published datasets) before anything is stored; the raw value is never
written to the ledger, printed, or put in an error message. Notes are refused when they hold an identifier.

How fast the requests are answered (deadlines, the turnaround report and statistics) is `publish.turnaround`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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
