"""Numbers the sample files spell out: resident IDs (GB 11643), credit codes (GB 32100), amounts in words."""

from __future__ import annotations

import random
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def is_valid_id(value: str) -> bool:
    """True for an 18-character resident ID whose check character and birth date are right."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789Xx":
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_digit(value[:17]) == value[17].upper()


def credit_code(rng: random.Random, area: str = "370406") -> str:
    """A unified social credit code (GB 32100) of an enterprise registered in `area`, with both check characters."""
    body = "MA" + "".join(rng.choice(CREDIT_CHARS) for _ in range(6))
    org_sum = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    org_check = {10: "X", 11: "0"}.get(11 - org_sum % 11, str(11 - org_sum % 11))
    first17 = "91" + area + body + org_check
    check = (31 - sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS)) % 31) % 31
    return first17 + CREDIT_CHARS[check]


def in_words(amount: float) -> str:
    """An amount as a clerk might type it in words: 863 -> 八百六十三元, 12000 -> 一万二千元."""
    text = _words(int(amount)) or "零"
    return (text[1:] if text.startswith("一十") else text) + "元"


def _words(n: int) -> str:
    """Chinese numerals of a non-negative integer (empty for 0)."""
    if n >= 10000:
        high, low = divmod(n, 10000)
        return _words(high) + "万" + ("零" if 0 < low < 1000 else "") + _words(low)
    text, zero = "", False
    for pos, ch in zip(range(3, -1, -1), f"{n:04d}"):
        if ch == "0":
            zero = bool(text)
            continue
        text += ("零" if zero else "") + "零一二三四五六七八九"[int(ch)] + ("", "十", "百", "千")[pos]
        zero = False
    return text
