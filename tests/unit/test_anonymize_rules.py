"""Masking rules: outputs written from hutool's DesensitizedUtil conventions, edge cases, and no-leak properties."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonymize
from tests.unit.synthetic_ids import cards, luhn, mobiles, resident_id, resident_ids


def masked(values: list, category: str, **options) -> list:
    return anonymize.mask(pd.Series(values, dtype="string"), category, **options).tolist()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("段正淳", "段**"),
        ("王五", "王*"),
        ("王", "*"),  # a one-character name is the whole name: hidden, unlike hutool
        ("欧阳娜娜", "欧阳**"),
        ("司马懿", "司马*"),
        ("司马", "司*"),  # surname 司, given name 马
        ("迪丽热巴·迪力木拉提", "迪***·*****"),
        ("𠮷野家", "𠮷**"),  # a 4-byte character counts as one
        ("段正\n淳", "段**"),
        ("  王\u3000五 ", "王*"),  # Excel's padding of two-character names
        ("", ""),
    ],
)
def test_person_name(name: str, expected: str) -> None:
    assert masked([name], "person_name") == [expected]


def test_id_card_keeps_first_one_and_last_two() -> None:
    number = resident_id("510105", "19800101", "031")
    assert number.endswith("1X")
    assert masked([number], "id_card") == ["5***************1X"]
    assert masked([number.lower(), " 5101 0519 8001 0103 1x "], "id_card") == ["5***************1X"] * 2


def test_id_card_options_and_old_ids() -> None:
    assert masked([resident_id("510105", "19800101", "031")], "id_card", front=6, end=4) == ["510105********031X"]
    assert masked(["130503670401001"], "id_card") == ["1************01"]
    assert masked(["12"], "id_card") == ["**"]  # too short to keep anything: all hidden, never returned as is


def test_mobile_and_fixed_phone() -> None:
    assert masked(["18012341999", "+86 180-1234-1999", "8618012341999"], "mobile") == ["180****1999"] * 3
    assert masked(["0571-87654321"], "phone") == ["0571******21"]


def test_bank_card_grouped_in_fours() -> None:
    assert masked(["11011111222233333256"], "bank_card") == ["1101 **** **** **** 3256"]
    nineteen = luhn("622202020011223344")
    assert masked([nineteen], "bank_card") == [f"6222 **** **** **** {nineteen[-3:]}"]
    sixteen = luhn("622202020011223")
    spaced = " ".join(sixteen[i : i + 4] for i in range(0, 16, 4))
    assert masked([sixteen, spaced], "bank_card") == [f"6222 **** **** {sixteen[-4:]}"] * 2
    assert masked(["12345678", "中国银行卡"], "bank_card") == ["********", "*****"]


def test_bank_card_mixed_widths_take_both_paths() -> None:
    values = [luhn("622202020011223"), luhn("622202020011223344"), "6222 0202 0011 2233 441"]
    assert masked(values, "bank_card") == [
        f"6222 **** **** {values[0][-4:]}", f"6222 **** **** **** {values[1][-3:]}", "6222 **** **** **** 441"
    ]


def test_address_keeps_township() -> None:
    assert masked(["四川省成都市锦江区春熙路街道幸福路12号"], "address") == ["四川省成都市锦江区春熙路街道******"]
    assert masked(["镇江市京口区象山街道学府路8号"], "address") == ["镇江市京口区象山街道*****"]  # 镇江 is a city
    assert masked(["某县某某镇东村3组"], "address") == ["某县某某镇****"]
    assert masked(["北京市朝阳区建国路88号"], "address") == ["************"]  # no township named: all hidden


def test_email_and_plate() -> None:
    assert masked(["duanzhengchun@example.com", "a@example.cn", "not-an-email"], "email") == [
        "d************@example.com", "*@example.cn", "************"
    ]
    assert masked(["苏D40000", "陕A12345D", "京A·12345"], "plate") == ["苏D4***0", "陕A1****D", "京A1***5"]


def test_missing_values_stay_missing_and_index_is_kept() -> None:
    values = pd.Series(["段正淳", None, ""], index=[10, 11, 12], dtype="string", name="head_name")
    out = anonymize.mask(values, "person_name")
    assert out.index.tolist() == [10, 11, 12] and out.name == "head_name"
    assert out.isna().tolist() == [False, True, False]
    for category in ("id_card", "mobile", "bank_card", "address", "email", "plate", "phone"):
        assert anonymize.mask(values, category).isna().tolist() == [False, True, False]


def test_default_pandas_str_and_object_columns() -> None:
    assert anonymize.mask(pd.Series(["段正淳"]), "person_name").tolist() == ["段**"]
    assert anonymize.mask(pd.Series(["段正淳", None], dtype=object), "person_name").tolist()[0] == "段**"


def test_unknown_category_is_a_policy_error() -> None:
    with pytest.raises(anonymize.PolicyError, match="没有适用于"):
        anonymize.mask(["x"], "blood_type")


def test_redact_free_text_in_place() -> None:
    number = resident_id(sequence="123").lower()
    text = f"户主身份证{number}，电话138-0013-8000，卡6222 0202 0011 2233 441，2024-03-05核实，邮箱a.b@c.com，车牌京A12345"
    assert anonymize.redact([text]).tolist() == [
        "户主身份证[已隐去号码]，电话[已隐去号码]，卡[已隐去号码]，2024-03-05核实，邮箱[已隐去邮箱]，车牌[已隐去车牌]"
    ]
    assert anonymize.redact(["全角１３８００１３８０００号"]).tolist() == ["全角[已隐去号码]号"]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@settings(max_examples=200, deadline=None)
@given(st.lists(resident_ids(), min_size=1, max_size=20))
def test_masked_ids_keep_no_birth_date_or_sequence(numbers: list[str]) -> None:
    for number, out in zip(numbers, masked(numbers, "id_card"), strict=True):
        assert number[6:14] not in out and number[14:17] not in out
        assert len(_digits(out)) <= 3


@settings(max_examples=200, deadline=None)
@given(st.lists(mobiles, min_size=1, max_size=20))
def test_masked_mobiles_hide_the_middle_four(numbers: list[str]) -> None:
    for number, out in zip(numbers, masked(numbers, "mobile"), strict=True):
        assert out == number[:3] + "****" + number[-4:]


@settings(max_examples=200, deadline=None)
@given(st.lists(cards, min_size=1, max_size=20))
def test_masked_cards_keep_at_most_eight_digits(numbers: list[str]) -> None:
    for number, out in zip(numbers, masked(numbers, "bank_card"), strict=True):
        assert len(_digits(out)) <= 8 and number[4:12] not in _digits(out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=20))
def test_masked_names_keep_at_most_the_surname(names: list[str]) -> None:
    for name, out in zip(names, masked(names, "person_name"), strict=True):
        kept = out.replace("*", "")
        assert len(kept.replace("·", "").replace("•", "").replace("‧", "").replace("・", "")) <= 2
        assert len(out) <= len(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789 -xX一二镇乡号", max_size=30), min_size=1, max_size=20))
def test_redacted_text_has_no_long_numbers(texts: list[str]) -> None:
    for out in anonymize.redact(texts).tolist():
        assert not re.search(r"\d{7}", out)
