"""Any unit's file -> a table of text cells + what was skipped.

CSV (UTF-8 with or without BOM, UTF-16, GB18030) is streamed by pyarrow in blocks with every
column read as text, so ID numbers, phones and codes keep their leading zeros and digits;
.xlsx is read with openpyxl in read-only mode. Title rows above the header and trailing
合计/注：/填报人 … rows are dropped and noted in `skipped`.

Every block carries two bookkeeping columns: `ROW`, the row number as the user sees it in Excel
(frictionless's rowNumber for a file whose header is its first row), and `CELLS`, how many cells
the row really had (for missing-cell and extra-cell errors).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from itertools import chain, islice
from typing import Any, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from publish.errors import InputError
from publish.header import HEADER_SEARCH_ROWS, HeaderMatch, find_header, match_header

ROW = "__row"
CELLS = "__cells"
BLOCK_SIZE = 1 << 20
XLSX_BLOCK_ROWS = 50_000
MAX_CSV_BYTES = 1 << 30
MAX_XLSX_BYTES = 50 << 20
MAX_XLSX_UNPACKED_BYTES = 1 << 30  # a 50 MB workbook unpacks to a few hundred MB; a zip bomb to far more
SAMPLE_BYTES = 1 << 18
DELIMITERS = (",", "\t", ";", "|")
TRAILER = re.compile(r"^(合计|总计|注[:：]|说明[:：]|填报人|填表人|制表人|审核人|负责人|数据来源)")
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass
class TableStream:
    """An open unit file: how its header pairs with the schema, and its blocks of text cells."""

    path: Path
    header: HeaderMatch
    header_row: int
    skipped: list[str]
    blocks: Iterator[pa.Table]


@dataclass
class ReadResult:
    """A whole unit file in memory: text cells in `table`, one column per header label."""

    path: Path
    header: HeaderMatch
    header_row: int
    skipped: list[str]
    table: pa.Table

    @property
    def frame(self) -> pd.DataFrame:
        """The schema's fields found in the file, as text (dtype string), named by field name."""
        columns = [c for c, paired in zip(self.header.columns, self.header.paired) if paired]
        return self.table.select(columns).to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow"))

    @property
    def row_numbers(self) -> np.ndarray:
        """The file row (as numbered in Excel) of each frame row."""
        return self.table.column(ROW).to_numpy()


def read_table(path: str | Path, schema: dict[str, Any]) -> ReadResult:
    """Read a unit's CSV or Excel file against a Table Schema into memory."""
    stream = open_table(path, schema)
    blocks = list(stream.blocks)
    table = pa.concat_tables(blocks) if blocks else _empty_block(stream.header.columns)
    return ReadResult(stream.path, stream.header, stream.header_row, stream.skipped, table)


def open_table(path: str | Path, schema: dict[str, Any], block_size: int = BLOCK_SIZE) -> TableStream:
    """Open a unit's file for streaming; raises InputError with a Chinese message if unreadable."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise InputError(f"无法打开文件 {path.name}：{exc.strerror or '读取失败'}。") from None
    if size == 0 or not sample.strip():
        raise InputError(f"文件 {path.name} 是空的，没有任何内容。")
    if sample.startswith(_ZIP):
        return _open_xlsx(path, schema, size)
    if sample.startswith(_OLE):
        if _ENCRYPTED in sample or path.suffix.lower() != ".xls":
            raise InputError(f"Excel 文件 {path.name} 设置了密码，无法读取。请取消密码后另存为 .xlsx 再提交。")
        return _open_xls(path, schema, size)
    if size > MAX_CSV_BYTES:
        raise InputError(f"文件 {path.name} 过大（{size >> 20} MB），超过 {MAX_CSV_BYTES >> 20} MB 的上限，请按月或按单位拆分后再提交。")
    return _open_csv(path, schema, sample, size, block_size)


# --- CSV -----------------------------------------------------------------------------------


def _detect_encoding(sample: bytes, name: str) -> str:
    """utf-8 (with or without BOM), utf-16 with BOM, else gb18030 (never gbk: it lacks 𠮷 …)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError(f"{name} 不是文本表格（含有二进制内容）。请提交 CSV 或 .xlsx 文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(f"无法识别 {name} 的文字编码（既不是 UTF-8 也不是 GBK/GB18030）。请另存为 CSV（UTF-8）后再提交。")


def _sample_records(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    """The records of the sample text; the last one is dropped when the sample was cut."""
    # The sample is at most SAMPLE_BYTES long: no cell in it can exceed that (csv's default limit is 128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), SAMPLE_BYTES))
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return records if complete else records[:-1]


def _open_csv(path: Path, schema: dict[str, Any], sample: bytes, size: int, block_size: int) -> TableStream:
    encoding = _detect_encoding(sample, path.name)
    try:  # a whole file ending inside a character (b"\x80", a UTF-16 file of odd length) fails only here
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=len(sample) == size)
    except UnicodeDecodeError:
        raise _unreadable(path) from None
    fields = schema.get("fields", [])
    problem: InputError | None = None
    for delimiter in DELIMITERS:
        try:
            records = _sample_records(text, delimiter, len(sample) == size)
            index = find_header(records, fields)
            break
        except (InputError, csv.Error) as exc:
            problem = problem or (exc if isinstance(exc, InputError) else None)
    else:
        raise problem or InputError(f"无法解析 {path.name} 的表格结构。")
    header = match_header(records[index], schema)
    skipped = _title_note(index)
    names = [f"c{i}" for i in range(len(header.labels))]
    ragged: list[tuple[int, str]] = []

    def keep_ragged(row: Any) -> str:
        ragged.append((row.number, row.text))
        return "skip"

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                block_size=block_size,
                use_threads=False,
                skip_rows=index + 1,
                column_names=names,
                encoding="utf8" if encoding == "utf-8-sig" else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=keep_ragged,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc, index + 2) from None
    batches = _csv_batches(reader, header, delimiter, ragged, index + 2, path)
    return TableStream(path, header, index + 1, skipped, _drop_trailer(batches, header, skipped))


def _unreadable(path: Path, exc: Exception | None = None, near_row: int | None = None) -> InputError:
    """The Chinese error for a CSV the parser gave up on.

    The parser's own message may quote cells, i.e. personal data: it is only looked at, never passed on.
    """
    if exc is not None and "straddl" in str(exc):  # one row longer than a whole block
        return InputError(
            f"{path.name} 第 {near_row} 行附近有一行超过 {BLOCK_SIZE >> 20} MB（单元格内容过长，"
            "或引号不配对使后面的内容连成了一格）。请检查该处后重新提交。"
        )
    return InputError(f"{path.name} 中有无法解析的内容（引号不配对、编码混杂或文件已损坏）。请用 Excel 打开检查后另存为 CSV（UTF-8）。")


def _csv_batches(
    reader: pacsv.CSVStreamingReader,
    header: HeaderMatch,
    delimiter: str,
    ragged: list[tuple[int, str]],
    first_row: int,
    path: Path,
) -> Iterator[pa.Table]:
    """Blocks of the CSV with row numbers; rows of the wrong length are parsed aside and merged in."""
    width = len(header.labels)
    next_row = first_row
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _unreadable(path, exc, next_row) from None
        pending = np.array(sorted(number for number, _ in ragged), dtype=np.int64)
        candidates = np.arange(next_row, next_row + batch.num_rows + len(pending), dtype=np.int64)
        rows = candidates[~np.isin(candidates, pending)][: batch.num_rows]
        if batch.num_rows:
            next_row = int(rows[-1]) + 1
        taken = [(n, t) for n, t in ragged if n < next_row]
        ragged[:] = [(n, t) for n, t in ragged if n >= next_row]
        table = pa.Table.from_batches([batch]).rename_columns(header.columns)
        table = table.append_column(ROW, pa.array(rows)).append_column(
            CELLS, pa.array(np.full(batch.num_rows, width, dtype=np.int32))
        )
        yield _merge_ragged(table, taken, delimiter, header.columns)
    yield _merge_ragged(_empty_block(header.columns), ragged, delimiter, header.columns)


def _merge_ragged(
    table: pa.Table, ragged: list[tuple[int, str]], delimiter: str, columns: list[str]
) -> pa.Table:
    """Add rows with too few or too many cells, padded with nulls (missing cells), in row order."""
    if not ragged:
        return table
    cells = [next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []) for _, text in ragged]
    data = {
        name: pa.array([row[i] if i < len(row) else None for row in cells], pa.string())
        for i, name in enumerate(columns)
    }
    data[ROW] = pa.array([number for number, _ in ragged], pa.int64())
    data[CELLS] = pa.array([len(row) for row in cells], pa.int32())
    return pa.concat_tables([table, pa.table(data)]).sort_by(ROW)


def _empty_block(columns: list[str]) -> pa.Table:
    data: dict[str, pa.Array] = {name: pa.array([], pa.string()) for name in columns}
    data[ROW] = pa.array([], pa.int64())
    data[CELLS] = pa.array([], pa.int32())
    return pa.table(data)


# --- title rows and trailing notes --------------------------------------------------------


def _title_note(header_index: int) -> list[str]:
    if not header_index:
        return []
    rows = "第 1 行" if header_index == 1 else f"第 1–{header_index} 行"
    return [f"跳过了表头上方的 {header_index} 行标题或说明（{rows}）。"]


def _drop_trailer(blocks: Iterator[pa.Table], header: HeaderMatch, skipped: list[str]) -> Iterator[pa.Table]:
    """Pass blocks on, holding back the last two to cut a trailing 合计/注：/填报人 … block."""
    held: list[pa.Table] = []
    for block in blocks:
        held.append(block)
        if len(held) > 2:
            yield held.pop(0)
    if not held:
        return
    tail = pa.concat_tables(held)
    start, markers = _trailer_start(tail, header.columns)
    if start < tail.num_rows:
        rows = tail.column(ROW).to_pylist()[start:]
        shown = "、".join(f"第 {row} 行" + (f"（{markers[row]}）" if row in markers else "") for row in rows)
        skipped.append(f"删除了表格末尾的合计、说明或签字行：{shown}。")
    yield tail.slice(0, start)


def _trailer_start(table: pa.Table, columns: list[str]) -> tuple[int, dict[int, str]]:
    """Where the trailing block of marker rows (and blank rows among them) starts, and its markers."""
    if not table.num_rows or not columns:
        return table.num_rows, {}
    cells = [pc.replace_substring_regex(table.column(name), r"\s+", "") for name in columns]
    first = pc.coalesce(*[pc.if_else(pc.equal(cell, ""), None, cell) for cell in cells])
    marker = pc.extract_regex(first, TRAILER.pattern.replace("^(", "^(?P<m>"))
    is_marker = pc.is_valid(marker).to_numpy(zero_copy_only=False)
    trailerish = is_marker | pc.is_null(first).to_numpy(zero_copy_only=False)
    kept = np.flatnonzero(~trailerish)
    start = int(kept[-1]) + 1 if len(kept) else 0
    if not is_marker[start:].any():
        return table.num_rows, {}
    rows = table.column(ROW).to_numpy()
    names = pc.struct_field(marker, "m").to_pylist()
    return start, {int(rows[i]): names[i] for i in range(start, table.num_rows) if is_marker[i]}


# --- Excel ---------------------------------------------------------------------------------


def _excel_text(cell: Any) -> str:
    """An Excel cell as the text a person typed: integers without '.0', dates in ISO form, zero padding kept."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(timespec="seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, int):
        text = str(value)
    else:
        return str(value)
    number_format = getattr(cell, "number_format", "") or ""
    if number_format and set(number_format) == {"0"}:
        text = text.zfill(len(number_format))
    return text


def _unpacked_size(path: Path) -> int:
    """The bytes an .xlsx (a zip) would unpack to, from its directory: a small file may hold a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a readable zip: openpyxl reports the damage in Chinese below


def _open_xlsx(path: Path, schema: dict[str, Any], size: int) -> TableStream:
    import openpyxl

    if size > MAX_XLSX_BYTES or _unpacked_size(path) > MAX_XLSX_UNPACKED_BYTES:
        raise InputError(f"Excel 文件 {path.name} 过大（{size >> 20} MB）。请另存为 CSV（UTF-8）后再提交。")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged package
        raise InputError(f"Excel 文件 {path.name} 已损坏或不是有效的 .xlsx 文件，无法打开。请重新导出后再提交。") from None
    return _open_sheets(path, schema, (_sheet_rows(sheet, path) for sheet in book.worksheets))


@dataclass(frozen=True)
class _PlainCell:
    """A cell value from a reader without cell objects (calamine), shaped like openpyxl's for `_excel_text`."""

    value: Any


def _open_xls(path: Path, schema: dict[str, Any], size: int) -> TableStream:
    """An old binary .xls workbook, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    if size > MAX_XLSX_BYTES:
        raise InputError(f"Excel 文件 {path.name} 过大（{size >> 20} MB）。请另存为 CSV（UTF-8）后再提交。")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [book.get_sheet_by_index(i).to_python(skip_empty_area=False) for i in range(len(book.sheet_names))]
    except Exception:  # calamine raises its own kinds on a damaged file
        raise InputError(f"Excel 文件 {path.name} 已损坏或不是有效的 .xls 文件，无法打开。请重新导出后再提交。") from None
    rows = (
        ((number, tuple(_PlainCell(None if v == "" else v) for v in values))
         for number, values in enumerate(sheet, start=1))
        for sheet in sheets
    )
    return _open_sheets(path, schema, rows)


def _open_sheets(
    path: Path, schema: dict[str, Any], sheets: Iterable[Iterator[tuple[int, tuple[Any, ...]]]]
) -> TableStream:
    """The first sheet whose header matches the schema, streamed in blocks of text cells."""
    fields = schema.get("fields", [])
    problem: InputError | None = None
    for rows in sheets:
        head = [cells for _, cells in islice(rows, HEADER_SEARCH_ROWS)]
        try:
            index = find_header([[_excel_text(c) for c in cells] for cells in head], fields)
        except InputError as exc:
            problem = problem or exc
            continue
        header = match_header([_excel_text(c) for c in head[index]], schema)
        skipped = _title_note(index)
        body = chain(enumerate(head[index + 1 :], start=index + 2), rows)
        blocks = _xlsx_blocks(body, header, skipped, fields)
        return TableStream(path, header, index + 1, skipped, _drop_trailer(blocks, header, skipped))
    raise problem or InputError(f"Excel 文件 {path.name} 中没有工作表。")


def _sheet_rows(sheet: Any, path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, cells
    except Exception:
        raise InputError(f"Excel 文件 {path.name} 的工作表内容已损坏，无法读完。请重新导出后再提交。") from None


def _xlsx_blocks(
    body: Iterator[tuple[int, tuple[Any, ...]]],
    header: HeaderMatch,
    skipped: list[str],
    fields: list[dict[str, Any]],
) -> Iterator[pa.Table]:
    """Blocks of text cells; notes long numbers Excel has already rounded (IDs typed as numbers)."""
    width = len(header.labels)
    rounded: dict[str, int] = {}
    buffer: list[tuple[int, list[str]]] = []
    for number, cells in body:
        texts = [_excel_text(cell) for cell in cells]
        for name, cell in zip(header.columns, cells):
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and abs(cell.value) >= 1e15:
                rounded[name] = rounded.get(name, 0) + 1
        buffer.append((number, texts))
        if len(buffer) == XLSX_BLOCK_ROWS:
            yield _rows_block(buffer, header.columns, width)
            buffer = []
    yield _rows_block(buffer, header.columns, width)
    titles = {f["name"]: f.get("title") or f["name"] for f in fields}
    skipped += [
        f"「{titles.get(name, name)}」列有 {count} 个单元格在 Excel 中存成了数字，超过 15 位的数字已被 Excel 截断；"
        "请把该列设为文本格式后重新录入。"
        for name, count in rounded.items()
    ]


def _rows_block(rows: list[tuple[int, list[str]]], columns: list[str], width: int) -> pa.Table:
    data: dict[str, Any] = {
        name: pa.array([texts[i] if i < len(texts) else "" for _, texts in rows], pa.string())
        for i, name in enumerate(columns)
    }
    data[ROW] = pa.array([number for number, _ in rows], pa.int64())
    data[CELLS] = pa.array([max(width, _last_filled(texts)) for _, texts in rows], pa.int32())
    return pa.table(data)


def _last_filled(texts: list[str]) -> int:
    """1-based position of the last non-empty cell (0 if the row is empty)."""
    for position in range(len(texts), 0, -1):
        if texts[position - 1] != "":
            return position
    return 0

