"""Synthetic identifiers for the anonymize tests, with check digits computed here from the standards' text.

Written independently of anonymize.detectors (plain Python, value by value) so that a test does not check the
library against itself. No real person's number: regions, dates and sequences are made up.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
#: 510102 (成都市东城区) was retired in 2002; its residents still carry it.
RETIRED_REGION = "510102"
#: Province-level codes of GB/T 2260, which have never been retired.
PROVINCES = [*range(11, 16), 21, 22, 23, *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82, 83]


def resident_id(region: str = "110105", birth: str = "19491231", sequence: str = "002") -> str:
    """An 18-digit ID with its GB 11643 MOD 11-2 check character."""
    body = region + birth + sequence
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def luhn(payload: str) -> str:
    """`payload` followed by its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return payload + str((10 - total % 10) % 10)


def credit_code(body: str) -> str:
    """An 18-character unified social credit code with its GB 32100 check character."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_CHARS[(31 - total % 31) % 31]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    """Valid 18-digit IDs: any county code under a province (retired ones too), a real birth date 1900-2020."""
    region = str(draw(st.sampled_from(PROVINCES))) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
    return resident_id(region, birth.strftime("%Y%m%d"), draw(st.from_regex(r"[0-9]{3}", fullmatch=True)))


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
cards = st.from_regex(r"62[0-9]{14,17}", fullmatch=True).map(lambda payload: luhn(payload[:-1]))
