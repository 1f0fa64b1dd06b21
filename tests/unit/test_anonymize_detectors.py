"""Detectors on valid and invalid numbers; valid ones are generated with check digits computed in the test."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonymize
from tests.unit.synthetic_ids import RETIRED_REGION, cards, credit_code, luhn, resident_id, resident_ids


def found(values: list, category: str) -> list[bool]:
    return anonymize.detect(pd.Series(values, dtype="string"), category).tolist()


def test_resident_ids_by_check_digit_and_birth_date_not_region() -> None:
    valid = [
        resident_id(),
        resident_id(RETIRED_REGION, "19800101", "031"),  # a retired region code is still a real person
        resident_id("110105", "20000229", "123"),  # leap day
        resident_id("110105", "19800101", "031").lower(),
        " ".join([resident_id()[:6], resident_id()[6:14], resident_id()[14:]]),
        "１１０１０５１９４９１２３１００２Ｘ",  # full width
    ]
    assert found(valid, "id_card") == [True] * len(valid)
    good = resident_id()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    invalid = [
        wrong_check,
        resident_id("110105", "19000230", "123"),  # 30 February
        resident_id("110105", "21000101", "123"),  # born in the future
        resident_id("110105", "18991231", "123"),  # before 1900
        resident_id("010105", "19800101", "123"),  # no region starts with 0
        good[:17],
        good + "1",
        "",
        None,
    ]
    assert found(invalid, "id_card") == [False] * len(invalid)


def test_old_fifteen_digit_ids() -> None:
    assert found(["130503670401001", "130503671301001", "13050367040100"], "id_card") == [True, False, False]
    assert found(["990503670401001"], "id_card") == [False]  # 99 names no province: a reference number


def test_mobiles_and_fixed_lines() -> None:
    assert found(["13800138000", "+86 138 0013 8000", "12800138000", "1380013800"], "mobile") == [True, True, False, False]
    assert found(["0571-87654321", "(010)62345678", "010-1234567", "87654321"], "phone") == [True, True, False, False]


def test_bank_cards_by_luhn_with_or_without_spaces() -> None:
    card = luhn("622202020011223344")
    spaced = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    broken = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert found([card, spaced, luhn("622202020011223"), broken, luhn("62220202001122"), luhn("6" * 19)],
                 "bank_card") == [True, True, True, False, False, False]


def test_credit_codes_told_apart() -> None:
    code = credit_code("91350100M000100Y4")
    assert code == "91350100M000100Y43"
    assert found([code, code[:-1] + "0", "91350100M000100I43", resident_id()], "credit_code") == [
        True, False, False, False
    ]
    assert found([code], "id_card") == [False]


def test_emails_and_plates() -> None:
    assert found(["someone@example.com", "someone@", "a b@example.com"], "email") == [True, False, False]
    assert found(["京A12345", "粤B1234D", "京AI2345", "XA12345"], "plate") == [True, True, False, False]


def test_unknown_category() -> None:
    with pytest.raises(anonymize.PolicyError):
        anonymize.detect(["x"], "shoe_size")


@settings(max_examples=300, deadline=None)
@given(st.lists(resident_ids(), min_size=1, max_size=30))
def test_every_generated_id_is_detected(numbers: list[str]) -> None:
    assert all(found(numbers, "id_card"))


@settings(max_examples=300, deadline=None)
@given(resident_ids(), st.integers(0, 16), st.integers(1, 9))
def test_a_changed_digit_breaks_the_id(number: str, position: int, delta: int) -> None:
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert found([changed], "id_card") == [False]  # weights 1-10 and deltas 1-9 never vanish mod 11


@settings(max_examples=200, deadline=None)
@given(st.lists(cards, min_size=1, max_size=30))
def test_every_generated_card_is_detected(numbers: list[str]) -> None:
    assert all(found(numbers, "bank_card"))
