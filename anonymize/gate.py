"""The leak gate: scan every cell of every column for identifiers that survived anonymization.

Numbers are cut out of the text twice, as typed and with the spaces, hyphens and brackets between digits
removed (so 6222 0202 0011 2233 441 and 138-0013-8000 are whole again), then checked by the same validators as
`detect` (check digits, birth dates). Emails and plates are matched in place. A finding names the row, the
column and the category, never the value. Limitation: an identifier run together with other digits (no separator)
is not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .detectors import EMAIL_PATTERN, PLATE_PATTERN, VALIDATORS
from .text import NUMBER_SEPARATORS, digit_counts, fold, patch, rows_with, to_arrow

#: Category labels for people.
LABELS = {
    "id_card": "身份证号",
    "mobile": "手机号",
    "phone": "固定电话",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "plate": "车牌号",
}
#: Categories the gate looks for in numbers; credit codes identify organizations and are not leaks.
NUMBER_CATEGORIES = ("id_card", "mobile", "phone", "bank_card")
#: The fewest digits any of them has (a fixed line with a 3-digit area code).
MIN_DIGITS = 10
#: Full-width digits and X, folded to ASCII before counting.
WIDE_DIGITS = "０１２３４５６７８９Ｘｘ"


@dataclass(frozen=True)
class Finding:
    """One cell that holds an identifier: row is the frame's index label, column its name; no value."""

    row: int | str
    column: str
    category: str

    @property
    def message(self) -> str:
        """A Chinese sentence for the report."""
        return f"第 {self.row} 行“{self.column}”列疑似含有未脱敏的{LABELS.get(self.category, self.category)}"

    def to_dict(self) -> dict:
        """JSON-ready form, with the message."""
        return {**asdict(self), "message": self.message}


def _number_tokens(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Every digit run (an ID's trailing X included) of every cell, and the position of the cell it came from."""
    joined = text
    for _ in range(2):  # a match consumes the digit after the separator: "1 2 3" needs a second pass
        joined = pc.replace_substring_regex(joined, rf"(\d){NUMBER_SEPARATORS}+(\d)", r"\1\2")
    tokens, parents = [], []
    for variant in (text, joined):
        cut = pc.split_pattern_regex(pc.replace_substring_regex(variant, "[Xx]", "X "), "[^0-9X]+")
        tokens.append(pc.list_flatten(cut))
        parents.append(pc.list_parent_indices(cut).to_numpy())
    return pa.concat_arrays(tokens), np.concatenate(parents)


def scan_column(values: pd.Series | pa.Array) -> dict[str, np.ndarray]:
    """Positions of the cells holding each category of identifier (categories without hits are left out).

    Cheap numpy byte tests pick the cells worth a regex: 10+ digits, an `@`, an upper-case ASCII letter.
    """
    arr = to_arrow(values)
    arr = patch(arr, rows_with(arr, WIDE_DIGITS), fold)
    hits: dict[str, np.ndarray] = {}
    candidates = np.flatnonzero(digit_counts(arr) >= MIN_DIGITS)
    if len(candidates):
        tokens, parents = _number_tokens(fold(arr.take(pa.array(candidates))))
        long_enough = pc.greater_equal(pc.utf8_length(tokens), MIN_DIGITS)
        tokens, parents = tokens.filter(long_enough), parents[long_enough.to_numpy(zero_copy_only=False)]
        claimed = np.zeros(len(tokens), dtype=bool)
        for category in NUMBER_CATEGORIES:  # a token is one thing: an ID that happens to pass Luhn is an ID
            valid = VALIDATORS[category](tokens) & ~claimed
            claimed |= valid
            found = np.unique(candidates[parents[valid]])
            if len(found):
                hits[category] = found
    for category, pattern, suspect in (
        ("email", EMAIL_PATTERN, rows_with(arr, "@")),
        ("plate", PLATE_PATTERN, rows_with(arr, byte=lambda data: (data >= ord("A")) & (data <= ord("Z")))),
    ):
        rows = np.flatnonzero(suspect)
        matched = pc.match_substring_regex(arr.take(pa.array(rows)), pattern)
        found = rows[pc.fill_null(matched, False).to_numpy(zero_copy_only=False)]
        if len(found):
            hits[category] = found
    return hits


def scan(frame: pd.DataFrame, allow: Iterable[str] = ()) -> list[Finding]:
    """Every (row, column, category) in `frame` that holds an identifier, except in the `allow`ed columns."""
    allowed = set(allow)
    hits = sorted(
        (position, order, category)
        for order, column in enumerate(frame.columns)
        if column not in allowed
        for category, positions in scan_column(frame.iloc[:, order]).items()
        for position in positions.tolist()
    )
    return [
        Finding(row=_label(frame.index[position]), column=str(frame.columns[order]), category=category)
        for position, order, category in hits
    ]


def _label(label: object) -> int | str:
    """An index label as JSON can hold it."""
    return int(label) if isinstance(label, int | np.integer) else str(label)
