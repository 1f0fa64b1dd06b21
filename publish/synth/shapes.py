"""How each unit's file looks and is written: xlsx with title and 合计 rows, GBK/GB18030/BOM CSV, alias headers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import openpyxl

from publish.catalog import Dataset

FIXED_TIME = datetime(2020, 1, 1)
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@dataclass(frozen=True)
class Shape:
    """How a unit's file looks: format, encoding, title and 合计 rows, header wording, file-name suffix."""

    ext: str
    suffix: str
    encoding: str = "utf-8-sig"
    titled: bool = False
    aliases: bool = False

    @property
    def first_row(self) -> int:
        """The 1-based file row of the first data row: below the title row, if any, and the header."""
        return 3 if self.titled else 2

    def headers(self, dataset: Dataset) -> list[str]:
        """The header row as the unit writes it: titles, or each field's first alias."""
        return [(f.get("aliases") or [f["title"]])[0] if self.aliases else f["title"] for f in dataset.schema["fields"]]


SHAPES = {
    "elderly-hardship-subsidy": Shape("xlsx", "发放名册", titled=True),
    "disability-subsidy": Shape("csv", "两项补贴发放表", encoding="gbk", aliases=True),
    "orphan-welfare": Shape("csv", "基本生活费发放表", encoding="gbk"),
    "children-in-distress-subsidy": Shape("csv", "发放明细", encoding="gb18030"),
    "senior-longevity-allowance": Shape("xlsx", "发放花名册", titled=True, aliases=True),
    "temporary-assistance": Shape("xlsx", "审批发放表", titled=True),
    "urban-rural-dibao": Shape("xlsx", "发放名册", titled=True, aliases=True),
    "extreme-poverty-support": Shape("xlsx", "供养金发放表", titled=True),
    "medical-assistance": Shape("csv", "一站式结算明细", encoding="gb18030", aliases=True),
    "medical-maternity-insurance": Shape("csv", "月报"),
    "skills-upgrade-subsidy": Shape("xlsx", "发放名单"),
    "graduate-employment-subsidy": Shape("csv", "发放名单", aliases=True),
    "public-welfare-job-subsidy": Shape("xlsx", "补贴发放表", titled=True),
    "pension-insurance": Shape("csv", "城乡居民养老保险统计"),
    "work-injury-insurance": Shape("csv", "统计表", encoding="gbk"),
    "unemployment-insurance": Shape("csv", "失业保险金发放名单", encoding="gbk", aliases=True),
    "fiscal-brief": Shape("xlsx", "", titled=True),
    "air-quality": Shape("csv", "逐日数据"),
    "key-polluting-units": Shape("csv", "名录", encoding="gbk"),
    "water-quality-report": Shape("xlsx", "出厂水管网水检测结果", titled=True),
    "tap-water-quality": Shape("xlsx", "末梢水抽检结果", aliases=True),
}


def render(dataset: Dataset, shape: Shape, label: str, headers: list[str], table: list[dict[str, Any]]) -> bytes:
    """The file's bytes in `shape`; `label` (period and suffix) completes the title row of a titled workbook."""
    if shape.ext == "xlsx":
        return _xlsx(dataset, f"山亭区{dataset.title}{label}" if shape.titled else None, headers, table)
    return _csv(headers, table).encode(shape.encoding)


def _cell_text(value: Any) -> str:
    """A value as it appears in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return value.isoformat() if isinstance(value, date) else str(value)


def _csv(headers: list[str], table: list[dict[str, Any]]) -> str:
    """CSV text with CRLF line ends: the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_cell_text(v) for v in row.values()] for row in table)
    return buffer.getvalue()


def _xlsx(dataset: Dataset, title: str | None, headers: list[str], table: list[dict[str, Any]]) -> bytes:
    """A workbook as units make them: optional merged title row, header, data (text columns as text), 合计 row."""
    fields = dataset.schema["fields"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in table:
        sheet.append([None if v == "" else v for v in row.values()])
        for cell, fld in zip(sheet[sheet.max_row], fields):
            if fld["type"] == "string":
                cell.number_format = "@"
            elif fld["type"] == "date":
                cell.number_format = "yyyy-mm-dd"
    if title:
        sums = [round(sum(r[f["name"]] for r in table if isinstance(r[f["name"]], (int, float))), 2)
                if f["type"] == "number" else None for f in fields]
        sheet.append(["合计", *sums[1:]])
    book.properties.creator = book.properties.lastModifiedBy = dataset.unit.title
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _frozen_zip(buffer.getvalue())


def _frozen_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip timestamps and save time, so equal content gives equal bytes.

    openpyxl stamps `dcterms:modified` with the clock when it saves, whatever the properties say.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = MODIFIED.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", member)
            dst.writestr(fixed, member)
    return out.getvalue()
