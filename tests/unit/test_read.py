"""publish.read: encodings, title rows, trailing 合计 rows, aliases, text-only cells, Excel, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from publish import read
from publish.errors import InputError
from publish.read import read_table

DATA = Path(__file__).parent.parent / "data"
SCHEMA = json.loads((DATA / "dibao-schema.json").read_text(encoding="utf-8"))
HEADER = "镇街,村居,户主姓名,身份证号码,保障人数,保障类别,月发放金额,发放月份,备注"
ROWS = [
    "山城街道,东村,𠮷祥,037048119900101123X,2,城市低保,500.50,2026-10,",
    "店子镇,西村,王芳,370481199001011234,1,农村低保,300,2026-10,新增",
]
BODY = "\n".join([HEADER, *ROWS]) + "\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_encodings_read_the_same_text(tmp_path: Path, encoding: str) -> None:
    result = read_table(write(tmp_path, BODY, encoding), SCHEMA)
    assert result.frame["head_name"].tolist() == ["𠮷祥", "王芳"]
    assert result.frame["id_number"].tolist() == ["037048119900101123X", "370481199001011234"]
    assert list(result.frame.columns) == [f["name"] for f in SCHEMA["fields"]]
    assert all(str(dtype) == "string" for dtype in result.frame.dtypes)


def test_codes_stay_text(tmp_path: Path) -> None:
    text = BODY.replace("500.50", "0500.50").replace(",2,", ",02,")
    frame = read_table(write(tmp_path, text), SCHEMA).frame
    assert frame["amount"][0] == "0500.50" and frame["members"][0] == "02"
    assert frame["remarks"][0] == ""


def test_title_rows_and_trailer_are_skipped_and_reported(tmp_path: Path) -> None:
    text = "2026年10月城乡低保发放名册,,,\n填报单位：山城街道,,\n" + BODY + ",,,,\n合 计,,,,3,,800.50,,\n填报人：某某,,\n"
    result = read_table(write(tmp_path, text), SCHEMA)
    assert result.header_row == 3
    assert result.row_numbers.tolist() == [4, 5]
    assert "第 1–2 行" in result.skipped[0]
    assert "第 7 行（合计）" in result.skipped[1] and "第 8 行（填报人）" in result.skipped[1]
    assert "某某" not in " ".join(result.skipped)


def test_blank_rows_without_a_trailer_stay(tmp_path: Path) -> None:
    result = read_table(write(tmp_path, BODY + ",,,,,,,,\n"), SCHEMA)
    assert result.row_numbers.tolist() == [2, 3, 4] and result.skipped == []


def test_ragged_rows_keep_their_cell_count_and_row_number(tmp_path: Path) -> None:
    text = "\n".join([HEADER, ROWS[0], "山城街道,东村", ROWS[1] + ",多余", ROWS[1]]) + "\n"
    table = read_table(write(tmp_path, text), SCHEMA).table
    assert table.column(read.ROW).to_pylist() == [2, 3, 4, 5]
    assert table.column(read.CELLS).to_pylist() == [9, 2, 10, 9]
    assert table.column("members").to_pylist()[1] is None  # a missing cell, not an empty one


def test_tab_separated_and_quoted_newlines(tmp_path: Path) -> None:
    text = BODY.replace(",", "\t").replace("新增", '"新增\n低保"')
    frame = read_table(write(tmp_path, text), SCHEMA).frame
    assert frame["remarks"][1] == "新增\n低保"


def test_small_blocks_number_rows_across_blocks(tmp_path: Path) -> None:
    lines = [HEADER] + [ROWS[i % 2] if i % 7 else "山城街道,短" for i in range(3000)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    stream = read.open_table(path, SCHEMA, block_size=4096)
    rows = [n for block in stream.blocks for n in block.column(read.ROW).to_pylist()]
    assert rows == list(range(2, 3002))


def make_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年10月城乡低保发放名册"])
    sheet.append(HEADER.split(","))
    sheet.append(["山城街道", "东村", "张三", 370481199001011234, 2, "城市低保", 500.5, "2026-10", None])
    sheet.append(["店子镇", 12, "李四", "37048119900101123X", 3.0, "农村低保", 300, date(2026, 10, 1), None])
    sheet.cell(row=4, column=2).number_format = "000000"
    sheet.append(["合计", None, None, None, 5, None, 800.5])
    book.save(path)
    return path


def test_xlsx_cells_as_typed_text(tmp_path: Path) -> None:
    result = read_table(make_xlsx(tmp_path / "book.xlsx"), SCHEMA)
    frame = result.frame
    assert result.header_row == 2 and result.row_numbers.tolist() == [3, 4]
    assert frame["members"].tolist() == ["2", "3"]
    assert frame["amount"].tolist() == ["500.5", "300"]
    assert frame["village"][1] == "000012"
    assert frame["period"][1] == "2026-10-01"
    assert any("存成了数字" in note and "身份证号" in note for note in result.skipped)
    assert any("第 5 行（合计）" in note for note in result.skipped)


BAD_INPUTS = {
    "empty": (b"", "空的"),
    "blank": (b"\n\n  \n", "空的"),
    "binary": (bytes(range(256)) * 4, "二进制"),
    "encoding": (b"a,b\n\xff\xfe\xff\x80\n", "编码"),
    "corrupt-xlsx": (b"PK\x03\x04" + b"garbage" * 100, "损坏"),
    "encrypted-xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "密码"),
    "other-dataset": ("单位名称,排放口,监测项目\n某厂,1,COD\n".encode(), "其他数据集"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_a_chinese_input_error(tmp_path: Path, case: str) -> None:
    content, words = BAD_INPUTS[case]
    path = tmp_path / ("book.xlsx" if "xlsx" in case else "file.csv")
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path, SCHEMA)
    assert words in caught.value.message


def test_damaged_xls_and_missing_file(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(InputError, match="已损坏"):
        read_table(old, SCHEMA)
    with pytest.raises(InputError, match="无法打开"):
        read_table(tmp_path / "nope.csv", SCHEMA)


def test_old_xls_workbooks_are_read_like_xlsx(tmp_path: Path) -> None:
    import xlwt  # writes the old binary format; test-only

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("低保")
    sheet.write(0, 0, "山亭区城乡低保发放名册（2026年10月）")
    person = ["山城街道", "东村", "𠮷祥", "370481199001011233", 2, "城市低保", 500.5, "2026-10", ""]
    for row, values in enumerate([HEADER.split(","), person, ["合计", "", "", "", 2, "", 500.5, "", ""]], 1):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    path = tmp_path / "dibao.xls"
    book.save(str(path))
    result = read_table(path, SCHEMA)
    assert result.header_row == 2 and len(result.frame) == 1
    row = result.frame.iloc[0]
    assert (row["head_name"], row["id_number"], row["members"], row["amount"]) == (
        "𠮷祥", "370481199001011233", "2", "500.5")
    assert "第 4 行（合计）" in " ".join(result.skipped)


def test_oversized_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_CSV_BYTES", 100)
    monkeypatch.setattr(read, "MAX_XLSX_BYTES", 100)
    with pytest.raises(InputError, match="过大"):
        read_table(write(tmp_path, BODY), SCHEMA)
    with pytest.raises(InputError, match="过大"):
        read_table(make_xlsx(tmp_path / "book.xlsx"), SCHEMA)


def test_a_zip_bomb_workbook_is_refused_before_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    import publish.read

    monkeypatch.setattr(publish.read, "MAX_XLSX_UNPACKED_BYTES", 16 << 20)  # the real limit is 1 GiB
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (32 << 20))  # 32 MiB of zeros, tiny on disk
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match="过大"):
        read_table(bomb, SCHEMA)


@pytest.mark.parametrize(("cell_bytes", "readable"), [(200_000, True), (3 << 20, False)])
def test_long_cells_are_read_or_named_as_too_long(tmp_path: Path, cell_bytes: int, readable: bool) -> None:
    header = "镇街,村居,户主姓名,身份证号,保障人数,保障类别,月发放金额,发放月份,备注"
    row = "山城街道,东村,王芳,370481199001011233,2,城市低保,500.50,2026-10,"
    path = tmp_path / "long.csv"
    path.write_text("\n".join([header, row + "长" * (cell_bytes // 3), row.replace("1233", "5672")]) + "\n",
                    encoding="utf-8")
    if readable:
        assert len(read_table(path, SCHEMA).frame) == 2
    else:
        with pytest.raises(InputError, match="超过 1 MB"):
            read_table(path, SCHEMA)
