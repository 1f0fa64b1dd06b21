"""Re-identification risk: k-anonymity over quasi-identifiers, and small-cell suppression for aggregates.

A person-level list is k-anonymous when every combination of its quasi-identifiers (village, masked name,
household size, category …) is shared by at least k rows; a row alone in its class is unique and may be
re-identified by anyone who knows those attributes. In aggregated tables, counts below a minimum (default 3)
are suppressed. Limitation: no secondary suppression, so a suppressed cell may be recomputed from totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

MIN_COUNT = 3


@dataclass(frozen=True)
class RiskReport:
    """k-anonymity of one table: `k` is the size of its smallest class (0 for an empty table)."""

    quasi_identifiers: tuple[str, ...]
    rows: int
    classes: int
    k: int
    unique_rows: int

    @property
    def unique_share(self) -> float:
        """The share of rows alone in their class."""
        return self.unique_rows / self.rows if self.rows else 0.0

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {**asdict(self), "quasi_identifiers": list(self.quasi_identifiers), "unique_share": self.unique_share}


def assess(frame: pd.DataFrame, quasi_identifiers: Sequence[str]) -> RiskReport:
    """Class sizes of `frame` over `quasi_identifiers` (NA is a value of its own)."""
    columns = [column for column in quasi_identifiers if column in frame.columns]
    if not columns or frame.empty:
        return RiskReport(tuple(columns), len(frame), 0 if frame.empty else 1, 0 if frame.empty else len(frame), 0)
    sizes = frame.groupby(columns, dropna=False, sort=False, observed=True).size().to_numpy()
    return RiskReport(tuple(columns), len(frame), len(sizes), int(sizes.min()), int(sizes[sizes == 1].sum()))


def suppress_small_cells(
    frame: pd.DataFrame, count: str, min_count: int = MIN_COUNT, also: Sequence[str] = ()
) -> tuple[pd.DataFrame, int]:
    """Blank the `count` cells between 1 and `min_count` - 1, and the `also` cells of the same rows.

    Zero counts stay: they say nobody is in the cell. Returns the new frame and how many rows were suppressed.
    """
    if min_count < 1:
        raise ValueError("min_count must be positive")
    number = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    small = (number > 0) & (number < min_count)
    out = frame.copy()
    for column in (count, *also):
        out[column] = out[column].mask(small)
    return out, int(small.sum())
