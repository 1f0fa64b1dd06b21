"""publish.validate and `publish validate`: messages, personal data, JSON shape, frames, CLI exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from publish.cell_types import pattern_matcher
from publish.cli import main
from publish.read import read_table
from publish.validate import validate

import pyarrow as pa

ROOT = Path(__file__).parent.parent.parent
DATA = Path(__file__).parent.parent / "data"
SCHEMA_PATH = DATA / "dibao-schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
HEADER = "镇街,村居,户主姓名,身份证号,保障人数,保障类别,月发放金额,发放月份,备注"
GOOD = "山城街道,东村,王芳,370481199001011233,2,城市低保,500.50,2026-10,"
BAD = [
    "山城街道,东村,欧阳某某某某某某某某某某某某某某某某某某某,3704811990010112,两人,低保,-5,2026-13,住址：幸福路3号",
    "店子镇,西村,李四,370481199001011233,16,农村低保,abc,2026-10,",
    ",,,,,,,,",
]
SECRETS = ["欧阳某某", "3704811990010112", "370481199001011233", "幸福路", "李四", "两人", "abc"]


def write(tmp_path: Path, rows: list[str], name: str = "dibao.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_clean_file_is_valid_and_hands_on_frames(tmp_path: Path) -> None:
    report = validate(write(tmp_path, [GOOD, GOOD.replace("王芳", "张三").replace("011233", "015672")]), SCHEMA)
    assert report.valid and report.rows == 2 and report.errors == []
    assert report.frame is not None and report.frame["id_number"][0] == "370481199001011233"
    assert report.typed is not None and report.typed["members"].tolist() == [2, 2]
    assert report.typed["amount"].tolist() == [500.5, 500.5]


def test_errors_carry_excel_rows_codes_and_chinese_messages(tmp_path: Path) -> None:
    report = validate(write(tmp_path, [GOOD, *BAD]), SCHEMA)
    found = {(e.row, e.field, e.type) for e in report.errors}
    assert {(3, "head_name", "constraint-error"), (3, "id_number", "constraint-error"), (3, "members", "type-error"),
            (3, "category", "constraint-error"), (3, "amount", "constraint-error"), (3, "period", "constraint-error"),
            (4, "members", "constraint-error"), (4, "amount", "type-error"), (4, None, "primary-key"),
            (5, None, "blank-row"), (5, None, "primary-key")} == found
    messages = {(e.row, e.field): e.message for e in report.errors}
    assert "「月发放金额」不能小于 0，现为“-5”" in messages[(3, "amount")]
    assert "只能填以下之一：城市低保、农村低保，现为“低保”" in messages[(3, "category")]
    assert "与第 2 行重复" in messages[(4, None)]
    assert "「保障人数」不能大于 15，现为“16”" in messages[(4, "members")]


def test_messages_never_show_personal_values(tmp_path: Path) -> None:
    report = validate(write(tmp_path, [GOOD, *BAD]), SCHEMA)
    text = report.to_json()
    assert not [secret for secret in SECRETS if secret in text]


def test_json_shape(tmp_path: Path) -> None:
    data = json.loads(validate(write(tmp_path, [GOOD, BAD[1]]), SCHEMA).to_json())
    assert set(data) == {"valid", "rows", "errors"} and data["valid"] is False and data["rows"] == 2
    assert all(set(e) == {"row", "field", "type", "message"} for e in data["errors"])


def test_read_result_and_path_give_the_same_report(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD, *BAD])
    assert validate(read_table(path, SCHEMA), SCHEMA).errors == validate(path, SCHEMA, keep_frame=False).errors


def test_header_problems_are_reported_with_titles(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(HEADER.replace("保障类别", "类型").replace(",备注", "") + "\n" + GOOD[:-1] + "\n", encoding="utf-8")
    report = validate(path, SCHEMA)
    messages = {e.type: e.message for e in report.errors}
    assert "表头第 6 列是「类型」，应为「保障类别」" in messages["incorrect-label"]
    assert "缺少「备注」列" in messages["missing-label"]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [(r"\d{3}", "１２３", True), ("a|b", "axyz", True), ("a|b", "xb", False), ("ab$", "ab\n", True),
     (r"(\w)\1", "aa", True), (r"[\d-]+", "1-2", True)],
)
def test_patterns_mean_what_python_re_means(pattern: str, text: str, matches: bool) -> None:
    assert pattern_matcher(pattern)(pa.array([text])).to_pylist() == [matches]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_cli_with_schema_file(tmp_path: Path) -> None:
    code, out = run("validate", str(write(tmp_path, [GOOD])), "--schema", str(SCHEMA_PATH))
    assert code == 0 and "校验通过" in out
    code, out = run("validate", str(write(tmp_path, [GOOD, *BAD])), "--schema", str(SCHEMA_PATH), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and len(data["errors"]) == 11


def test_cli_with_catalog_dataset(tmp_path: Path) -> None:
    code, out = run("validate", str(write(tmp_path, [GOOD, BAD[1]])), "--dataset", "urban-rural-dibao",
                    "--root", str(ROOT))
    assert code == 1 and "第 3 行" in out and "城乡低保" in out and "小结" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "空的"), (bytes(range(256)) * 8, "二进制"), (b"PK\x03\x04broken", "损坏"),
     ("单位名称,排放口\n某厂,1\n".encode(), "其他数据集")],
)
def test_cli_bad_input_exits_non_zero_with_a_message(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out = run("validate", str(path), "--schema", str(SCHEMA_PATH))
    assert code == 1 and words in out
    code, out = run("validate", str(path), "--schema", str(SCHEMA_PATH), "--format", "json")
    assert code == 1 and json.loads(out)["errors"][0]["type"] == "source-error"


def test_cli_needs_exactly_one_schema_source(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD])
    assert run("validate", str(path))[0] == 2
    assert run("validate", str(path), "--schema", str(SCHEMA_PATH), "--dataset", "x")[0] == 2
    code, out = run("validate", str(path), "--schema", str(tmp_path / "missing.json"))
    assert code == 1 and "表结构文件" in out
