"""Bad input corpus: the reader, the validator and `publish validate` never crash or hang on hostile files.

Random bytes, cut or damaged workbooks, Chinese tables in every encoding, cells holding NULs and line breaks,
megabyte cells and ten thousand columns either give a report or a `GongkaiError` whose message is Chinese; the
CLI shows that message, never a traceback. Cells that a spreadsheet would run as a formula reach the public CSV
with a leading apostrophe. The big cases are plain tests; the hypothesis loops stay small so the file runs in
seconds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish.catalog import load_catalog
from publish.cli import main
from publish.errors import GongkaiError
from publish.read import read_table
from publish.stage import FORMULA_PREFIXES, csv_bytes, stage
from publish.synth import generate_inbox, id_check_digit
from publish.validate import ValidationReport, validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "tests" / "data" / "dibao-schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
TITLES = [f["title"] for f in SCHEMA["fields"]]


def resident_id(serial: int) -> str:
    """A synthetic resident ID with a correct check digit (born 1990-01-01 in Shanting)."""
    first17 = f"37040619900101{serial:03d}"
    return first17 + id_check_digit(first17)


ROW = ["山城街道", "东江社区", "张三", resident_id(0), "1", "城市低保", "300", "2026-10", ""]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What units really send, and encodings they should not (read or refused, never a crash).
READABLE = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"]
FOREIGN = ["big5", "latin-1", "cp1252", "shift_jis", "euc-kr", "utf-16-le", "utf-16-be", "utf-32", "hz", "utf-7"]
# Characters GBK and GB18030 both spell alike: common hanzi, an extension-B one (𠮷), ASCII, full-width punctuation.
COMMON_TEXT = st.text(
    st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), st.sampled_from("𠮷，。（）：、“”"),
              st.characters(min_codepoint=0x20, max_codepoint=0x7E), st.sampled_from('\n\r\t",')),
    max_size=30,
)
ANY_TEXT = st.text(max_size=30)
PAYLOADS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
PREFIXES = [b"", ",".join(TITLES).encode() + b"\r\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]


def table_text(rows: list[list[str]], header: list[str] = TITLES) -> str:
    """A CSV table as a unit writes it (quoted where needed, CRLF)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue()


def check(path: Path, schema: dict = SCHEMA) -> ValidationReport | GongkaiError:
    """Read and validate; a GongkaiError with a Chinese message is the only failure allowed."""
    try:
        read_table(path, schema)
        return validate(path, schema, keep_frame=False)
    except GongkaiError as exc:
        assert CHINESE.search(exc.message), exc.message
        return exc


def cli_validate(path: Path, *options: str) -> str:
    """`publish validate FILE --schema …`: exit 0 or 1 with a message, never a traceback; returns the output."""
    result = CliRunner().invoke(main, ["validate", str(path), "--schema", str(SCHEMA_PATH), *options])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def workbook(workdir: Path) -> bytes:
    """A real generated workbook (title row, text-formatted IDs, 合计 row) to cut and damage."""
    manifest = generate_inbox(workdir / "inbox", "2026-10", datasets=["urban-rural-dibao"], rows=30,
                              catalog=load_catalog(ROOT))
    return manifest.files["urban-rural-dibao"].read_bytes()


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=2048))
def test_random_bytes_are_read_or_refused_in_chinese(workdir: Path, prefix: bytes, data: bytes) -> None:
    path = workdir / "random.csv"
    path.write_bytes(prefix + data)
    check(path)
    cli_validate(path, "--format", "json")


@FUZZ
@given(cut=st.integers(min_value=1), damage=st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=4)), max_size=3))
def test_cut_or_damaged_workbooks_are_read_or_refused(workdir: Path, workbook: bytes, cut: int, damage: list) -> None:
    data = bytearray(workbook[: 1 + cut % len(workbook)])
    for offset, junk in damage:
        at = offset % len(data)
        data[at : at + len(junk)] = junk
    path = workdir / "cut.xlsx"
    path.write_bytes(bytes(data))
    check(path)
    cli_validate(path)


@FUZZ
@given(encoding=st.sampled_from(READABLE), village=COMMON_TEXT, remarks=COMMON_TEXT)
def test_chinese_tables_read_the_same_in_every_unit_encoding(workdir: Path, encoding: str, village: str, remarks: str) -> None:
    path = workdir / "encoded.csv"
    path.write_bytes(table_text([ROW, ROW[:1] + [village] + ROW[2:8] + [remarks]]).encode(encoding))
    frame = read_table(path, SCHEMA).frame
    assert frame["village"].tolist() == [ROW[1], village]
    assert frame["remarks"].tolist() == [ROW[8], remarks]


@FUZZ
@given(encoding=st.sampled_from(READABLE + FOREIGN), village=ANY_TEXT, remarks=ANY_TEXT)
def test_any_text_in_any_encoding_never_crashes(workdir: Path, encoding: str, village: str, remarks: str) -> None:
    path = workdir / "any.csv"
    path.write_bytes(table_text([ROW[:1] + [village] + ROW[2:8] + [remarks]]).encode(encoding, errors="replace"))
    check(path)
    cli_validate(path)


@pytest.mark.parametrize("where", ["first row", "after the sample"])
def test_nul_bytes_are_refused_or_kept_as_text(tmp_path: Path, where: str) -> None:
    filler = [ROW[:3] + [resident_id(1 + i % 999)] + ROW[4:] for i in range(8000 if where != "first row" else 0)]
    path = tmp_path / "nul.csv"
    path.write_text(table_text([*filler, ROW[:8] + ["备\x00注"]]), encoding="utf-8")
    outcome = check(path)
    if where == "first row":
        assert isinstance(outcome, GongkaiError) and "二进制" in outcome.message
    else:
        assert isinstance(outcome, ValidationReport) and outcome.rows == len(filler) + 1
    cli_validate(path)


def test_line_breaks_inside_cells_stay_in_their_cell(tmp_path: Path) -> None:
    path = tmp_path / "breaks.csv"
    path.write_text(table_text([ROW[:8] + ["第一行\n第二行\r\n第三行"], ROW]), encoding="utf-8")
    result = read_table(path, SCHEMA)
    assert result.frame["remarks"].tolist() == ["第一行\n第二行\r\n第三行", ""]
    assert result.row_numbers.tolist() == [2, 3]


@pytest.mark.parametrize("position", ["first row", "last row"])
def test_a_cell_of_megabytes_gives_a_report_or_a_chinese_refusal(tmp_path: Path, position: str) -> None:
    huge = "长" * 1_500_000  # 4.5 MB of UTF-8 in one cell
    rows = [[*ROW[:3], resident_id(1 + i % 999), *ROW[4:]] for i in range(2000)]
    rows.insert(0 if position == "first row" else len(rows), ROW[:8] + [huge])
    path = tmp_path / "huge.csv"
    path.write_text(table_text(rows), encoding="utf-8")
    outcome = check(path)
    text = outcome.message if isinstance(outcome, GongkaiError) else outcome.to_json()
    assert "长长长" not in text
    assert "长长长" not in cli_validate(path)


def test_a_megabyte_cell_in_a_workbook_is_reported_by_length(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(TITLES)
    book.active.append(ROW[:8] + ["长" * 1_000_000])
    path = tmp_path / "huge.xlsx"
    book.save(path)
    report = check(path)
    assert isinstance(report, ValidationReport)
    assert [(e.field, e.type) for e in report.errors] == [("remarks", "constraint-error")]
    assert "长长长" not in report.to_json()


def test_ten_thousand_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    extra = [f"列{i}" for i in range(10_000)]
    path.write_text(table_text([ROW + ["x"] * len(extra)], TITLES + extra), encoding="utf-8")
    assert read_table(path, SCHEMA).frame.columns.tolist() == [f["name"] for f in SCHEMA["fields"]]
    report = json.loads(cli_validate(path, "--format", "json"))
    assert report["rows"] == 1
    assert {e["type"] for e in report["errors"]} == {"extra-label"} and len(report["errors"]) == len(extra)


@pytest.mark.parametrize("descriptor", [[1, 2], {"fields": 3}, {"fields": [{"title": "无名"}]},
                                        {"fields": [{"name": "remarks", "type": "nonsense"}]},
                                        {"fields": [{"name": "remarks", "constraints": {"pattern": "("}}]}])
def test_a_broken_schema_file_is_a_message(tmp_path: Path, descriptor: object) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(descriptor), encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(table_text([ROW]), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(data), "--schema", str(schema)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), repr(result.exception)
    assert "不是有效的 Table Schema" in result.output and "Traceback" not in result.output


def neutralized(cell: str) -> bool:
    return not cell.startswith(FORMULA_PREFIXES)


def public_rows(data: bytes) -> list[dict[str, str]]:
    """The published CSV as a spreadsheet reads it: UTF-8 with BOM, one dict per row keyed by Chinese title."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@FUZZ
@given(cells=st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=20).filter(lambda t: "\x00" not in t)),
                      min_size=1, max_size=8))
def test_public_csv_neutralizes_every_formula_cell(cells: list[str]) -> None:
    schema = {"fields": [{"name": "text", "title": "文本", "type": "string"},
                         {"name": "amount", "title": "金额", "type": "number"}]}
    frame = pd.DataFrame({"text": cells, "amount": ["-2"] * len(cells)}, dtype="string")
    rows = public_rows(csv_bytes(frame, schema))
    for row, cell in zip(rows, cells):
        assert row["文本"] == (cell if neutralized(cell) else "'" + cell)
        assert row["金额"] == "-2", "a negative number stays a number"


def test_formula_cells_are_neutralized_in_the_staged_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", "fuzz-test-key-0123456789abcdef0123456789abcdef")
    dataset = load_catalog(ROOT).get("urban-rural-dibao")
    rows = [ROW[:1] + [payload] + ROW[2:3] + [resident_id(i)] + ROW[4:8] + [payload]
            for i, payload in enumerate(PAYLOADS)]
    path = tmp_path / "formulas.csv"
    path.write_text(table_text(rows), encoding="utf-8")
    report = validate(path, dataset.schema)
    assert report.valid, report.errors
    staged = stage(dataset, "2026-10", report.frame, tmp_path / "dist")
    published = public_rows(staged.data_path.read_bytes())
    assert [row["村居"] for row in published] == ["'" + p for p in PAYLOADS]
    assert all(neutralized(cell) for row in published for cell in row.values())
