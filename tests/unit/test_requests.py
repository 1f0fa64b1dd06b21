"""The request ledger: importing staff's logs privately, add/close, and the `publish requests` CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from anonymize import PseudonymKey

from publish import requests as lib
from publish.cli import main
from publish.errors import ConfigError, InputError
from publish.ledger import Ledger

KEY_TEXT = "9f8e7d6c5b4a39281716051423324150aabbccdd"  # test-only, random-looking
KEY = PseudonymKey(KEY_TEXT)
NAME, PHONE, ID_NUMBER = "张三", "13800138000", "11010519491231002X"

LOG_ROWS = [
    ["2026年开放数据申请登记表", "", "", "", "", "", "", "", ""],
    ["申请编号", "申请人", "联系电话", "申请数据", "收到时间", "受理时间", "答复时间", "结果", "经办人"],
    ["2026-001", NAME, PHONE, "空气质量", "2026-09-29 10:00", "2026-09-30", "2026-10-09", "同意公开", "小王"],
    ["2026-002", "李四", "", "城乡低保", "2026/10/3", "", "2026-10-12 16:00", "部分公开", "小王"],
    ["", "", "", "", "", "", "", "", ""],
    ["2026-003", "王五", "", "水质", "2026年11月16日", "", "", "", ""],
    ["2026-004", NAME, PHONE, "财政收支", "2026-12-30", "", "", "", ""],
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (lib.KEY_ENV, "GONGKAI_PSEUDONYM_KEY_FILE", "GONGKAI_WORKDAYS_FILE", "GONGKAI_LEDGER",
                 "GONGKAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger(tmp_path / "ledger.sqlite") as opened:
        yield opened


def write_log(path: Path, rows: list[list[object]] = LOG_ROWS, encoding: str = "utf-8-sig") -> Path:
    if path.suffix == ".xlsx":
        pd.DataFrame(rows).to_excel(path, header=False, index=False)
    else:
        pd.DataFrame(rows).to_csv(path, header=False, index=False, encoding=encoding)
    return path


# --- import --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "encoding"), [("log.csv", "utf-8-sig"), ("log.csv", "gbk"), ("log.xlsx", None)])
def test_import_maps_chinese_headers_and_keeps_applicants_private(
    ledger: Ledger, tmp_path: Path, name: str, encoding: str | None
) -> None:
    result = lib.import_log(ledger, write_log(tmp_path / name, encoding=encoding or "utf-8"), KEY)
    assert [r.id for r in result.requests] == ["2026-001", "2026-002", "2026-003", "2026-004"]
    assert result.ignored_columns == ["经办人"]

    first = ledger.get_request("2026-001")
    assert first.dataset == "空气质量" and first.outcome == "同意公开"
    assert first.received_at == datetime(2026, 9, 29, 10, 0) and first.answered_at == datetime(2026, 10, 9)
    assert first.applicant == lib.applicant_pseudonym(PHONE, KEY, "phone")  # the phone outranks the name
    assert first.applicant == lib.applicant_pseudonym(f" {PHONE[:3]} {PHONE[3:]}", KEY)  # typed, guessed
    assert ledger.get_request("2026-004").applicant == first.applicant  # same person, same pseudonym
    assert ledger.get_request("2026-002").applicant != first.applicant

    stored = (tmp_path / "ledger.sqlite").read_bytes()
    for raw in (NAME, PHONE, "李四", "王五"):
        assert raw.encode("utf-8") not in stored


def test_excel_date_cells(tmp_path: Path) -> None:
    rows = [["申请编号", "申请人", "申请数据", "收到时间", "答复时间"],
            ["X1", "", "水质", datetime(2026, 9, 29, 10), date(2026, 10, 9)]]
    (request,) = lib.read_log(write_log(tmp_path / "log.xlsx", rows), None).requests
    assert (request.received_at, request.answered_at) == (datetime(2026, 9, 29, 10), datetime(2026, 10, 9))


def test_import_twice_updates_instead_of_duplicating(ledger: Ledger, tmp_path: Path) -> None:
    path = write_log(tmp_path / "log.csv")
    lib.import_log(ledger, path, KEY)
    lib.import_log(ledger, path, KEY)
    assert len(ledger.list_requests()) == 4


def test_id_number_outranks_phone_and_name(tmp_path: Path) -> None:
    rows = [["申请编号", "姓名", "手机号", "证件号码", "申请数据", "收到日期"],
            ["A1", NAME, PHONE, ID_NUMBER, "空气质量", "2026-11-02"]]
    result = lib.read_log(write_log(tmp_path / "log.csv", rows), KEY)
    assert result.requests[0].applicant == lib.applicant_pseudonym(ID_NUMBER.lower(), KEY)
    assert result.requests[0].applicant.startswith("A-") and len(result.requests[0].applicant) == 18


def test_applicants_without_a_key_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=lib.KEY_ENV):
        lib.read_log(write_log(tmp_path / "log.csv"), None)


def test_a_log_without_applicants_needs_no_key(tmp_path: Path) -> None:
    rows = [["申请编号", "申请数据", "收到时间", "受理时间", "答复时间"], ["A1", "空气质量", "2026-11-02", "", ""]]
    assert lib.read_log(write_log(tmp_path / "log.csv", rows), None).requests[0].applicant is None


def test_every_bad_row_is_listed_and_nothing_is_imported(ledger: Ledger, tmp_path: Path) -> None:
    rows = [
        ["申请编号", "申请人", "申请数据", "收到时间", "答复时间"],
        ["B1", NAME, "空气质量", "2026-02-30", ""],
        ["B2", NAME, "", "2026-11-02", ""],
        ["B3", NAME, "水质", "2026-11-05", "2026-11-01"],
        ["B3", NAME, "水质", "2026-11-05", ""],
    ]
    with pytest.raises(InputError) as caught:
        lib.import_log(ledger, write_log(tmp_path / "log.csv", rows), KEY)
    message = caught.value.message
    assert "第 2 行" in message and "2026-02-30" in message
    assert "第 3 行" in message and "申请数据" in message
    assert "第 4 行" in message and "答复时间早于收到时间" in message
    assert "第 5 行：申请编号 B3 与第 4 行重复" in message
    assert NAME not in message
    assert ledger.list_requests() == []


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"\x00\x01garbage", "log.xlsx", "不是文本表格"),
        ("编号,内容\n1,2\n".encode(), "log.csv", "找不到与本数据集相符的表头"),
        ("申请编号,申请人,申请数据,受理时间,答复时间\n1,,水质,,\n".encode(), "log.csv", "缺少必需的列：收到时间"),
        (b"x", "log.pdf", "不支持"),
    ],
)
def test_unreadable_logs_are_input_errors(tmp_path: Path, content: bytes, name: str, words: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError, match=words):
        lib.read_log(tmp_path / name, KEY)


def test_missing_log_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="无法打开"):
        lib.read_log(tmp_path / "none.csv", KEY)


def test_title_and_trailer_rows_are_skipped(tmp_path: Path) -> None:
    rows = [*LOG_ROWS, ["合计", "", "", "", "", "", "", "", ""], ["填表人：小王", "", "", "", "", "", "", "", ""]]
    assert len(lib.read_log(write_log(tmp_path / "log.xlsx", rows), KEY).requests) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-09", datetime(2026, 10, 9)),
        ("2026/10/9 9:30", datetime(2026, 10, 9, 9, 30)),
        ("2026年10月9日", datetime(2026, 10, 9)),
        ("2026年10月9日 9时30分", datetime(2026, 10, 9, 9, 30)),
        ("2026-10-09 09:30:15", datetime(2026, 10, 9, 9, 30, 15)),
        ("2026-10-09T09:30", datetime(2026, 10, 9, 9, 30)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    assert lib.parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "昨天", "", "2026-10-09 25:00"])
def test_parse_timestamp_rejects(text: str) -> None:
    with pytest.raises(InputError):
        lib.parse_timestamp(text)


def test_pseudonym_key_from_environment_or_settings(tmp_path: Path) -> None:
    assert lib.pseudonym_key(env={}) is None
    from_env = lib.pseudonym_key(env={lib.KEY_ENV: KEY_TEXT})
    assert lib.applicant_pseudonym(NAME, from_env) == lib.applicant_pseudonym(NAME, KEY)
    with pytest.raises(ConfigError, match="太短"):
        lib.pseudonym_key(env={lib.KEY_ENV: "short"})
    key_file = tmp_path / "key"
    key_file.write_text(KEY_TEXT)
    key_file.chmod(0o600)
    assert lib.applicant_pseudonym(NAME, lib.pseudonym_key(key_file, env={})) == lib.applicant_pseudonym(NAME, KEY)


def test_free_text_with_identifiers_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="个人信息"):
        lib.add_request(ledger, "水质", datetime(2026, 11, 16), note=f"申请人电话 {PHONE}")
    request = lib.add_request(ledger, "水质", datetime(2026, 11, 16), note="电话已核实")
    with pytest.raises(InputError, match="个人信息"):
        lib.close_request(ledger, request.id, datetime(2026, 11, 17), "同意公开", note=ID_NUMBER)
    with pytest.raises(InputError, match="申请数据"):
        lib.add_request(ledger, f"{ID_NUMBER} 的社保记录", datetime(2026, 11, 16))
    rows = [LOG_ROWS[1], [*LOG_ROWS[2][:3], f"查询 {PHONE} 的记录", *LOG_ROWS[2][4:]]]
    with pytest.raises(InputError, match="第 2 行：“申请数据”中疑似") as caught:
        lib.read_log(write_log(tmp_path / "log.csv", rows), KEY)
    assert PHONE not in caught.value.message


# --- add and close -------------------------------------------------------------------------------------


def test_add_numbers_by_day_and_close(ledger: Ledger) -> None:
    first = lib.add_request(ledger, "空气质量", datetime(2026, 11, 16, 9), applicant=NAME, key=KEY)
    second = lib.add_request(ledger, "水质", datetime(2026, 11, 16, 15))
    assert (first.id, second.id) == ("20261116-001", "20261116-002")
    assert first.applicant == lib.applicant_pseudonym(NAME, KEY) and second.applicant is None

    closed = lib.close_request(ledger, first.id, datetime(2026, 11, 19, 17), "同意公开")
    assert ledger.get_request(first.id) == closed and closed.outcome == "同意公开"

    with pytest.raises(InputError, match="已存在"):
        lib.add_request(ledger, "水质", datetime(2026, 11, 16), request_id=first.id)
    with pytest.raises(InputError, match="找不到"):
        lib.close_request(ledger, "nope", datetime(2026, 11, 19), "同意公开")
    with pytest.raises(InputError, match="早于"):
        lib.close_request(ledger, second.id, datetime(2026, 11, 1), "同意公开")
    with pytest.raises(ConfigError):
        lib.add_request(ledger, "水质", datetime(2026, 11, 16), applicant=NAME, key=None)


# --- CLI -----------------------------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_deadline() -> None:
    code, out = run("requests", "deadline", "2022-04-29")
    assert code == 0 and "2022-05-07（星期六）" in out and "临时" not in out and "确定结果" in out
    code, out = run("requests", "deadline", "2026-12-30")
    assert code == 0 and "2027-01-04" in out and "【临时】" in out and "2027 年" in out
    code, out = run("requests", "deadline", "2026-02-30")
    assert code == 1 and "无法识别" in out and "Traceback" not in out


def test_cli_deadline_with_override_file(tmp_path: Path) -> None:
    override = tmp_path / "w.yaml"
    override.write_text("2027:\n  holidays: [2027-01-01]\n", encoding="utf-8")
    code, out = run("requests", "deadline", "2026-12-30", "--workdays-file", str(override))
    assert code == 0 and "2027-01-05" in out and "临时" not in out and "确定结果" in out
    code, out = run("requests", "deadline", "2026-12-30", env={"GONGKAI_WORKDAYS_FILE": str(tmp_path / "no.yaml")})
    assert code == 1 and "找不到工作日覆盖文件" in out


def test_cli_import_add_close_list_report(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.sqlite")
    log = write_log(tmp_path / "log.xlsx")
    env = {lib.KEY_ENV: KEY_TEXT, "GONGKAI_LEDGER": ledger}

    code, out = run("requests", "import", str(log), env={"GONGKAI_LEDGER": ledger})
    assert code == 1 and lib.KEY_ENV in out
    code, out = run("requests", "import", str(log), env=env)
    assert code == 0 and "已导入 4 条" in out and "经办人" in out

    code, out = run("requests", "add", "--dataset", "高龄津贴", "--received", "2026-11-20 09:30",
                    "--applicant", "赵六", env=env)
    assert code == 0 and "20261120-001" in out and "2026-11-25" in out and "赵六" not in out
    code, out = run("requests", "close", "2026-003", "--outcome", "同意公开", "--answered", "2026-11-24", env=env)
    assert code == 0 and "用时 6 个工作日" in out and "逾期 3 个工作日答复" in out

    code, out = run("requests", "list", "--open", "--year", "2026", "--today", "2026-11-30", env=env)
    assert code == 0 and "2026-004" in out and "2026-001" not in out and "【临时】" in out

    stats = tmp_path / "stats.csv"
    code, out = run("requests", "report", "--year", "2026", "--today", "2026-11-30",
                    "--stats-out", str(stats), env=env)
    assert code == 0 and "收到申请：5 件" in out and "已逾期 3 个工作日" in out
    assert "!!!" in out and "2026-12" in out
    assert stats.exists() and NAME not in stats.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    "args",
    [
        ["requests", "import", "nope.csv"],
        ["requests", "close", "nope", "--outcome", "同意公开"],
        ["requests", "add", "--dataset", "水质", "--received", "明天"],
        ["requests", "report", "--month", "3"],
        ["requests", "report", "--today", "2026/99/1"],
    ],
)
def test_cli_user_mistakes_exit_nonzero_without_traceback(tmp_path: Path, args: list[str]) -> None:
    code, out = run(*args, "--ledger", str(tmp_path / "ledger.sqlite"))
    assert code == 1 and out.startswith("错误：") and "Traceback" not in out
