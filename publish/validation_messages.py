"""Chinese messages for validation errors, and the per-file text report.

A message says what is wrong and what would be right. It never shows the value of a personal
field (`pii`), and shows other values only when they are plainly not personal: numbers and
dates, or the categories of an enum field.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publish.validate import ValidationReport

_TYPES = {
    "integer": "整数（如 3）",
    "number": "数字（如 1200.50，不带单位和千分位逗号）",
    "date": "日期，格式为 YYYY-MM-DD（如 2026-10-01）",
    "datetime": "日期时间，格式为 YYYY-MM-DDTHH:MM:SS",
    "time": "时间，格式为 HH:MM:SS",
    "year": "四位数年份（如 2026）",
    "yearmonth": "年月，格式为 YYYY-MM（如 2026-10）",
    "duration": "时长（ISO 8601，如 P1M）",
}
_FORMATS = {"email": "电子邮箱地址", "uri": "网址（如 https://example.cn）", "uuid": "UUID", "binary": "Base64 编码内容"}
_PII_PATTERNS = {
    "id_card": "18 位居民身份证号码（前 17 位为数字，最后一位为数字或 X）",
    "mobile": "11 位手机号码",
}
_SHOWABLE_TYPES = {"integer", "number", "date", "datetime", "time", "year", "yearmonth", "boolean"}
_BOUNDS = {"minimum": "不能小于", "maximum": "不能大于", "exclusiveMinimum": "必须大于", "exclusiveMaximum": "必须小于"}
TYPE_NAMES = {
    "type-error": "类型错误",
    "constraint-error": "取值不符合要求",
    "missing-cell": "缺少单元格",
    "extra-cell": "多出单元格",
    "blank-row": "空行",
    "unique-error": "重复值",
    "primary-key": "主键重复或为空",
    "extra-label": "多余的列",
    "missing-label": "缺少的列",
    "blank-label": "空列名",
    "duplicate-label": "重复的列名",
    "incorrect-label": "列名不符",
    "unmatched-header": "表头不匹配",
    "error": "表头错误",
    "id-checksum": "身份证号校验不通过",
}


@dataclass(frozen=True)
class Problem:
    """An error as the validator finds it, before it becomes a message.

    `value` is the raw cell: it is only ever shown through `_shown`, which hides personal data.
    """

    row: int | None
    field_name: str | None
    type: str
    field_number: int | None
    detail: str | None = None
    value: str | None = None
    other_row: int | None = None


def title(field: dict[str, Any] | None, fallback: str | None = None) -> str:
    if field is None:
        return fallback or "（未知列）"
    return field.get("title") or field["name"]


def _shown(field: dict[str, Any], value: str | None, *, typed: bool) -> str:
    """'，现为“value”' when the value is safe to repeat, else nothing."""
    if value is None or value == "" or field.get("pii") or len(value) > 30:
        return ""
    categorical = "enum" in field.get("constraints", {})
    if not (categorical or field.get("type") in _SHOWABLE_TYPES):
        return ""
    if not typed and not categorical and any(unicodedata.category(c).startswith("L") for c in value):
        return ""  # letters where a number belongs: may be a name typed into the wrong column
    return f"，现为“{value}”"


def _expected_type(field: dict[str, Any]) -> str:
    kind, fmt = field.get("type", "string"), field.get("format", "default")
    if kind == "boolean":
        yes, no = field.get("trueValues", ["true"])[0], field.get("falseValues", ["false"])[0]
        return f"是非值（{yes} 或 {no}）"
    if kind in ("date", "datetime", "time") and fmt not in ("default", "any"):
        return f"符合格式 {fmt} 的{ '日期' if kind == 'date' else '时间'}"
    if kind == "string":
        return _FORMATS.get(fmt, "文本")
    return _TYPES.get(kind, f"{kind} 类型的值")


def _constraint(problem: Problem, field: dict[str, Any]) -> str:
    name, constraints = problem.detail or "", field.get("constraints", {})
    col = f"「{title(field)}」"
    value = constraints.get(name)
    shown = _shown(field, problem.value, typed=True)
    if name == "required":
        return f"{col}不能为空，请填写。"
    if name == "enum":
        return f"{col}只能填以下之一：{'、'.join(map(str, value))}{shown}。"
    if name in _BOUNDS:
        return f"{col}{_BOUNDS[name]} {value}{shown}。"
    if name in ("minLength", "maxLength"):
        length = len(problem.value or "")
        limit = "至少" if name == "minLength" else "最多"
        return f"{col}应{limit}有 {value} 个字符，现有 {length} 个。"
    if name == "pattern":
        described = (field.get("description") or "").rstrip("。")
        rule = _PII_PATTERNS.get(field.get("pii", "")) or (f"：{described}" if described else f"符合格式 {value}")
        example = f"，例如 {field['example']}" if field.get("example") and not field.get("pii") else ""
        return f"{col}格式不正确，应为{rule}{example}{shown}。"
    return f"{col}不符合约束 {name}。"


def describe(problem: Problem, field: dict[str, Any] | None) -> str:
    """The Chinese message for one error: what is wrong and what would be right."""
    kind = problem.type
    col = f"「{title(field, problem.field_name)}」"
    position = f"表头第 {problem.field_number} 列"
    label = (problem.detail or "")[:20]
    if kind == "type-error" and field is not None:
        return f"{col}应为{_expected_type(field)}{_shown(field, problem.value, typed=False)}。"
    if kind == "constraint-error" and field is not None:
        return _constraint(problem, field)
    messages = {
        "missing-cell": f"这一行缺少{col}这一格（比表头的列少），请补齐。",
        "extra-cell": f"这一行第 {problem.field_number} 列多出了内容，表头没有对应的列；请删除多余内容或补上列名。",
        "blank-row": "这是一个空行，请删除或补全内容。",
        "unique-error": f"{col}与第 {problem.other_row} 行重复，这一列每行都必须不同。",
        "primary-key": (
            f"与第 {problem.other_row} 行重复：{problem.detail}的组合每行都必须不同。"
            if problem.other_row
            else f"{problem.detail}是每行的标识，不能都为空。"
        ),
        "extra-label": f"{position}「{label}」不是本数据集的字段；请删除这一列或改成正确的列名。"
        if label
        else f"{position}没有列名，也不是本数据集的字段；请删除这一列。",
        "missing-label": f"缺少{col}列，请补上这一列。",
        "blank-label": f"{position}没有列名，应为{col}。",
        "duplicate-label": f"{position}「{label}」与前面的列重名，这里应为{col}。",
        "incorrect-label": f"{position}是「{label}」，应为{col}。",
        "unmatched-header": "表头中没有一列与本数据集的字段对应。",
        "error": "表头中有重复的列名，无法按列名对应字段；请删除或改正重复的列。",
        "id-checksum": f"{col}的校验位或出生日期不对（GB 11643），号码可能抄错了，请核对后改正。",
    }
    return messages.get(kind, f"{col}：{TYPE_NAMES.get(kind, kind)}。")


def text_report(report: ValidationReport, dataset: str | None = None) -> str:
    """The report for people: every error with file, Excel row and column, then a summary."""
    lines = [f"文件：{report.path.name}" + (f"（数据集：{dataset}）" if dataset else "")]
    lines.append(f"表头在第 {report.header_row} 行。")
    lines += report.skipped
    for error in report.errors:
        where = "表头" if error.row is None else f"第 {error.row} 行"
        lines.append(f"  {where}：{error.message}")
    lines.append(summary(report, dataset))
    return "\n".join(lines)


def summary(report: ValidationReport, dataset: str | None = None) -> str:
    """One line per dataset: rows read, and errors counted by kind."""
    name = dataset or report.path.name
    if report.valid:
        return f"小结：{name} 共 {report.rows} 行数据，校验通过，没有发现错误。"
    counts = Counter(error.type for error in report.errors)
    parts = "、".join(f"{TYPE_NAMES.get(kind, kind)} {count} 个" for kind, count in counts.most_common())
    return f"小结：{name} 共 {report.rows} 行数据，发现 {len(report.errors)} 个错误（{parts}），请修改后重新提交。"
