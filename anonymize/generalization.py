"""Generalization: coarser values that keep a column useful (age bands, months, amount ranges, townships).

`generalize(values, category, to=...)` picks one of the functions below; a value that cannot be generalized
(no birth date, no township, not a number) becomes NA rather than passing through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .detectors import valid_date
from .errors import PolicyError
from .text import as_series, find_bytes, fold, layout, number_text, rows_of, split_bytes, to_arrow, to_series, without_spaces

#: Township-level units (乡镇、街道、苏木): the finest place an address may keep.
TOWNSHIP_UNITS = ("街道", "镇", "乡", "苏木")
#: (pattern, century, applies to ID text?): birth dates in 18- and 15-digit IDs, then written dates.
_BIRTH_PATTERNS = (
    (r"^\d{6}(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})\d{3}[\dX]$", 0, True),
    (r"^\d{6}(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})\d{3}$", 1900, True),
    (r"^(?P<y>\d{4})\D?(?P<m>\d{1,2})\D?(?P<d>\d{1,2})", 0, False),
)
#: A written date's year and month: 2024-03-05, 2024/3/5, 2024年3月, 20240305.
_MONTH_PATTERN = r"^(?P<y>\d{4})(?:\D(?P<m1>\d{1,2})|(?P<m2>\d{2}))"


def township_cut(arr: pa.Array) -> np.ndarray:
    """Per address, the byte length of its prefix up to and including the first township-level unit that is not
    its first character (镇江市… is a city); 0 where there is none."""
    offsets, data = layout(arr)
    cut = np.full(len(arr), np.iinfo(np.int32).max, dtype=np.int64)
    for unit in TOWNSHIP_UNITS:  # four units, each searched over the whole buffer at once
        start = find_bytes(data, unit, int(offsets[0]), int(offsets[-1]))
        row = rows_of(arr, start)
        inside = start > offsets[row]
        row, end = row[inside], start[inside] + len(unit.encode())
        first = np.ones(len(row), dtype=bool)
        first[1:] = row[1:] != row[:-1]
        cut[row[first]] = np.minimum(cut[row[first]], end[first] - offsets[row[first]])
    return np.where(cut == np.iinfo(np.int32).max, 0, cut)


def township(values: pd.Series) -> pd.Series:
    """Addresses generalized to their township or street (街道); NA where none is named."""
    arr = without_spaces(to_arrow(values))
    cut = township_cut(arr)
    return to_series(pc.if_else(pa.array(cut > 0), split_bytes(arr, cut, 0), None), values)


def _integers(parts: pa.StructArray, name: str) -> np.ndarray:
    return pc.fill_null(pc.cast(pc.struct_field(parts, name), pa.int64()), 0).to_numpy()


def birth_dates(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day and validity of the birth date in an 18- or 15-digit ID, or of a written date."""
    id_text, date_text = number_text(arr), fold(arr)
    year = np.zeros(len(arr), np.int64)
    month, day = year.copy(), year.copy()
    for pattern, century, is_id in _BIRTH_PATTERNS:
        parts = pc.extract_regex(id_text if is_id else date_text, pattern)
        hit = (pc.fill_null(pc.is_valid(parts), False).to_numpy(zero_copy_only=False)) & (year == 0)
        year = np.where(hit, _integers(parts, "y") + century, year)
        month = np.where(hit, _integers(parts, "m"), month)
        day = np.where(hit, _integers(parts, "d"), day)
    return year, month, day, valid_date(year, month, day)


def _labels(low: np.ndarray, high: np.ndarray, template: tuple[str, str, str]) -> pa.Array:
    """`template[0] + low + template[1] + high + template[2]` for each row, as text."""
    low_text, high_text = (pc.cast(pa.array(bound), pa.string()) for bound in (low, high))
    return pc.binary_join_element_wise(template[0], low_text, template[1], high_text, template[2], "")


def age_band(values: pd.Series, as_of: date | str | None = None, width: int = 10, top: int | None = None) -> pd.Series:
    """Age on `as_of` (default today) in bands of `width` years ("30-39"), "`top`+" from `top` on."""
    when = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of or date.today()
    if width < 1 or (top is not None and top < 1):
        raise ValueError("width and top must be positive")
    year, month, day, ok = birth_dates(to_arrow(values))
    age = when.year - year - ((when.month * 100 + when.day) < (month * 100 + day))
    ok &= age >= 0
    low = age // width * width
    labels = _labels(low, low + width - 1, ("", "-", ""))
    if top is not None:
        labels = pc.if_else(pa.array(age >= top), f"{top}+", labels)
    return to_series(pc.if_else(pa.array(ok), labels, None), values)


def month(values: pd.Series) -> pd.Series:
    """Dates reduced to their month, "YYYY-MM"; NA where no year and month can be read."""
    parts = pc.extract_regex(fold(to_arrow(values)), _MONTH_PATTERN)
    valid = pc.fill_null(pc.is_valid(parts), False).to_numpy(zero_copy_only=False)
    digits = pc.binary_join_element_wise(pc.struct_field(parts, "m1"), pc.struct_field(parts, "m2"), "")
    number = pc.fill_null(pc.cast(pc.if_else(pc.equal(digits, ""), "0", digits), pa.int64()), 0).to_numpy()
    ok = pa.array(valid & (number >= 1) & (number <= 12))
    joined = pc.binary_join_element_wise(pc.struct_field(parts, "y"), pc.utf8_lpad(digits, 2, "0"), "-")
    return to_series(pc.if_else(ok, joined, None), values)


def _edge_text(edges: np.ndarray) -> pa.Array:
    integral = np.all(edges == np.round(edges))
    return pc.cast(pa.array(edges.astype(np.int64) if integral else edges), pa.string())


def amount_range(
    values: pd.Series, width: float | None = None, bins: Sequence[float] | None = None, top: float | None = None
) -> pd.Series:
    """Amounts as half-open ranges "[1000,2000)" of `width` or between `bins` edges; "≥`top`" top-coded."""
    if (width is None) == (bins is None):
        raise ValueError("give exactly one of width and bins")
    text = pc.replace_substring(fold(to_arrow(values)), ",", "")
    number = pd.to_numeric(pd.Series(text.to_numpy(zero_copy_only=False)), errors="coerce").to_numpy(float)
    ok = np.isfinite(number)
    if bins is not None:
        edges = np.asarray(sorted(bins), dtype=float)
        index = np.searchsorted(edges, np.where(ok, number, 0), side="right")
        inner = pc.binary_join_element_wise("[", _edge_text(edges[:-1]), ",", _edge_text(edges[1:]), ")", "")
        names = pa.concat_arrays([pa.array([f"<{_edge_text(edges[:1])[0]}"]), inner,
                                  pa.array([f"≥{_edge_text(edges[-1:])[0]}"])])
        labels = names.take(pa.array(index))
    else:
        if width <= 0:
            raise ValueError("width must be positive")
        low = np.floor(np.where(ok, number, 0) / width) * width
        low_text, high_text = _edge_text(low), _edge_text(low + width)
        labels = pc.binary_join_element_wise("[", low_text, ",", high_text, ")", "")
    if top is not None:
        labels = pc.if_else(pa.array(ok & (number >= top)), f"≥{_edge_text(np.array([top]))[0]}", labels)
    return to_series(pc.if_else(pa.array(ok), labels, None), values)


#: What each `to=` target does, and the default target per personal-data category.
TARGETS = {"age_band": age_band, "month": month, "range": amount_range, "township": township}
DEFAULT_TARGETS = {"id_card": "age_band", "address": "township"}


def generalize(values: pd.Series | list, category: str | None = None, to: str | None = None, **options) -> pd.Series:
    """Generalize `values` to the target `to` (default by category: ID -> age band, address -> township)."""
    target = to or DEFAULT_TARGETS.get(category or "")
    if target not in TARGETS:
        raise PolicyError(f"泛化目标无效：{target}（可用：{'、'.join(TARGETS)}）")
    return TARGETS[target](as_series(values), **options)
