"""Identifier detectors with checksums, vectorized: resident IDs, mobiles, fixed lines, bank cards, credit codes …

Each validator takes an Arrow string array already normalized (see `text.number_text`) and returns a numpy bool
array. The 18-digit resident ID is checked by its GB 11643 MOD 11-2 check digit and a real birth date, never by
its county-level region code: retired county codes belong to real people. Only the first two digits must name a
province-level division (GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83); those have never been
retired, and without them a reference number such as a settlement number's 15-digit tail passes as an old ID.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import PolicyError
from .text import as_series, char_matrix, fold, number_text, to_arrow

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_PATTERN = f"[{PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂学警港澳]"
EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
MOBILE_PATTERN = r"^(?:\+?86)?1[3-9]\d{9}$"
PHONE_PATTERN = r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$"

_PROVINCE_CODES = np.zeros(100, dtype=bool)
_PROVINCE_CODES[[*range(11, 16), 21, 22, 23, *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66),
                 71, 81, 82, 83]] = True
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_CREDIT_VALUES = np.full(256, -1, dtype=np.int64)
_CREDIT_VALUES[np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(CREDIT_ALPHABET))


def valid_date(year: np.ndarray, month: np.ndarray, day: np.ndarray, *, not_after: date | None = None) -> np.ndarray:
    """Which (year, month, day) triples are real calendar dates from 1900 up to `not_after` (default today)."""
    limit = not_after or date.today()
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok = (year >= 1900) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    return ok & (year * 10000 + month * 100 + day <= limit.year * 10000 + limit.month * 100 + limit.day)


def digits(matrix: np.ndarray) -> np.ndarray:
    """ASCII digit bytes as small integers."""
    return matrix.astype(np.int64) - ord("0")


def id_check_char(first17: np.ndarray) -> np.ndarray:
    """The GB 11643 MOD 11-2 check character (ASCII byte) for rows of 17 ID digits (integers 0-9)."""
    return ID_CHECK_CHARS[(first17 * ID_WEIGHTS).sum(axis=1) % 11]


def luhn_check_digit(payload: np.ndarray) -> np.ndarray:
    """The Luhn check digit for rows of digits (integers), right-aligned and left-padded with zeros."""
    doubled = payload[:, ::-1].copy()
    doubled[:, 0::2] *= 2
    doubled -= np.where(doubled > 9, 9, 0)
    return (10 - doubled.sum(axis=1) % 10) % 10


def credit_check_char(first17: np.ndarray) -> np.ndarray:
    """The GB 32100 check character (ASCII byte) for rows of 17 credit-code character values (0-30)."""
    alphabet = np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)
    return alphabet[(31 - (first17 * CREDIT_WEIGHTS).sum(axis=1) % 31) % 31]


def _shaped(arr: pa.Array, pattern: str) -> tuple[np.ndarray, pa.Array]:
    """Positions of the values matching `pattern`, and those values."""
    mask = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False)), arr.filter(mask)


def _verdict(size: int, positions: np.ndarray, ok: np.ndarray) -> np.ndarray:
    out = np.zeros(size, dtype=bool)
    out[positions[ok]] = True
    return out


def province_known(matrix: np.ndarray) -> np.ndarray:
    """Whether each row's first two digits name a province-level division."""
    number = digits(matrix[:, :2])
    return _PROVINCE_CODES[np.clip(number[:, 0] * 10 + number[:, 1], 0, 99)]


def is_id18(arr: pa.Array) -> np.ndarray:
    """18-character resident IDs with a correct check character and a real birth date."""
    positions, values = _shaped(arr, r"^[1-9]\d{16}[\dX]$")
    matrix = char_matrix(values, 18)
    number = digits(matrix[:, 6:14])
    born = valid_date(
        number[:, 0] * 1000 + number[:, 1] * 100 + number[:, 2] * 10 + number[:, 3],
        number[:, 4] * 10 + number[:, 5],
        number[:, 6] * 10 + number[:, 7],
    )
    ok = born & province_known(matrix) & (id_check_char(digits(matrix[:, :17])) == matrix[:, 17])
    return _verdict(len(arr), positions, ok)


def is_id15(arr: pa.Array) -> np.ndarray:
    """15-digit first-generation resident IDs with a real birth date (19yymmdd); they carry no check digit."""
    positions, values = _shaped(arr, r"^[1-9]\d{14}$")
    matrix = char_matrix(values, 15)
    number = digits(matrix[:, 6:12])
    ok = province_known(matrix) & valid_date(
        1900 + number[:, 0] * 10 + number[:, 1],
        number[:, 2] * 10 + number[:, 3],
        number[:, 4] * 10 + number[:, 5],
    )
    return _verdict(len(arr), positions, ok)


def is_id_card(arr: pa.Array) -> np.ndarray:
    """Resident IDs of either generation."""
    return is_id18(arr) | is_id15(arr)


def is_bank_card(arr: pa.Array) -> np.ndarray:
    """16 to 19 digits with a correct Luhn check digit."""
    positions, values = _shaped(arr, r"^\d{16,19}$")
    number = digits(char_matrix(values, 19))
    ok = luhn_check_digit(number[:, :-1]) == number[:, -1]
    return _verdict(len(arr), positions, ok)


def is_credit_code(arr: pa.Array) -> np.ndarray:
    """Unified social credit codes (GB 32100) with a correct check character."""
    positions, values = _shaped(arr, r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    matrix = char_matrix(values, 18)
    ok = credit_check_char(_CREDIT_VALUES[matrix[:, :17]]) == matrix[:, 17]
    return _verdict(len(arr), positions, ok)


def _matcher(pattern: str) -> Callable[[pa.Array], np.ndarray]:
    def match(arr: pa.Array) -> np.ndarray:
        return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)

    match.__doc__ = f"Values matching {pattern}."
    return match


#: Whole-value validators by category, over values normalized by `text.number_text` (emails: by `text.fold`).
VALIDATORS: dict[str, Callable[[pa.Array], np.ndarray]] = {
    "id_card": is_id_card,
    "mobile": _matcher(MOBILE_PATTERN),
    "phone": _matcher(PHONE_PATTERN),
    "bank_card": is_bank_card,
    "credit_code": is_credit_code,
    "email": _matcher(f"^{EMAIL_PATTERN}$"),
    "plate": _matcher(f"^{PLATE_PATTERN}$"),
}


def detect(values: pd.Series | list, category: str) -> pd.Series:
    """Which cells are, as a whole, an identifier of `category` (spaces, hyphens and full-width forms tolerated)."""
    if category not in VALIDATORS:
        raise PolicyError(f"无法识别的标识类别：{category}（可用：{'、'.join(VALIDATORS)}）")
    series = as_series(values)
    arr = to_arrow(series)
    normalized = fold(arr) if category == "email" else number_text(arr)
    return pd.Series(VALIDATORS[category](normalized), index=series.index, name=series.name, dtype=bool)
