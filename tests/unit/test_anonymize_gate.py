"""The leak gate: every cell of every column is scanned; findings name row, column and category, never the value."""

from __future__ import annotations

import json

import pandas as pd

import anonymize
from tests.unit.synthetic_ids import credit_code, luhn, resident_id


def test_raw_id_hidden_in_remarks_blocks() -> None:
    number = resident_id("510102", "19800101", "031")
    frame = pd.DataFrame(
        {"head_name": ["段**", "王*"], "备注": ["已核实", f"户主身份证号{number.lower()}，待复核"]}, index=[3, 4]
    )
    findings = anonymize.scan(frame)
    assert [(f.row, f.column, f.category) for f in findings] == [(4, "备注", "id_card")]
    dumped = json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
    assert number[6:17] not in dumped and number.lower() not in dumped
    assert "身份证号" in findings[0].message


def test_every_category_in_any_column() -> None:
    card = luhn("622202020011223344")
    frame = pd.DataFrame({
        "note": [
            "电话 138 0013 8000",
            "座机(0571)8765 4321",
            f"卡号 {' '.join(card[i:i + 4] for i in range(0, 19, 4))}",
            "邮箱 someone@example.com",
            "车辆京A12345",
            "全角１３８００１３８０００",
        ],
        "amount": [13800138000, 1, 2, 3, 4, 5],  # a number column is scanned too
    })
    found = {(f.row, f.column, f.category) for f in anonymize.scan(frame)}
    assert found == {
        (0, "note", "mobile"), (1, "note", "phone"), (2, "note", "bank_card"), (3, "note", "email"),
        (4, "note", "plate"), (5, "note", "mobile"), (0, "amount", "mobile"),
    }


def test_two_numbers_side_by_side_are_both_found() -> None:
    frame = pd.DataFrame({"note": [f"{resident_id()} 13800138000"]})
    assert {f.category for f in anonymize.scan(frame)} == {"id_card", "mobile"}


def test_masked_output_and_credit_codes_pass() -> None:
    frame = pd.DataFrame({
        "id": ["5***************1X"], "mobile": ["138****8000"], "card": ["6222 **** **** **** 441"],
        "credit_code": [credit_code("91350100M000100Y4")], "date": ["2024-03-05"], "amount": ["12,000.00"],
    })
    assert anonymize.scan(frame) == []


def test_allowed_columns_are_skipped() -> None:
    frame = pd.DataFrame({"公司电话": ["0571-87654321"], "备注": ["13800138000"]})
    assert [f.column for f in anonymize.scan(frame, allow=["公司电话"])] == ["备注"]


def test_masking_then_scanning_finds_nothing() -> None:
    frame = pd.DataFrame({"id": [resident_id(), resident_id("510102", "19800101", "031")],
                          "mobile": ["13800138000", "+86 139 0013 9000"],
                          "card": [luhn("622202020011223344"), luhn("622202020011223")]})
    policy = anonymize.Policy.from_mapping(
        {}, [{"name": "id", "pii": "id_card"}, {"name": "mobile", "pii": "mobile"}, {"name": "card", "pii": "bank_card"}]
    )
    assert anonymize.scan(frame) != []
    out, _ = anonymize.apply(frame, policy)
    assert anonymize.scan(out) == []
