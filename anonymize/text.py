"""Arrow plumbing shared by the rules, detectors and scan: Series <-> string arrays, normalization, char matrices.

Every hot path works on whole columns through pyarrow.compute and numpy; nothing here loops over cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Separators units type inside numbers: spaces, hyphens and brackets (after NFKC folding).
NUMBER_SEPARATORS = r"[\s\-()]"


def to_arrow(values: pd.Series | pa.Array | list) -> pa.Array:
    """The cells as one Arrow `string` array (one type, so kernels never mix string widths); NA stays null."""
    if isinstance(values, pd.Series) and values.dtype == object:
        values = values.astype("string")
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_floating(arr.type):
        integral = pc.equal(pc.round(arr), arr)
        as_int = pc.cast(pc.if_else(integral, arr, 0), pa.int64(), safe=False)
        return pc.if_else(integral, pc.cast(as_int, pa.string()), pc.cast(arr, pa.string()))
    return arr if arr.type == pa.string() else pc.cast(arr, pa.string())


def to_series(arr: pa.Array, like: pd.Series | None) -> pd.Series:
    """`arr` as a Series with the index and name of `like`, keeping its string dtype if it has one."""
    dtype = like.dtype if like is not None and isinstance(like.dtype, pd.StringDtype) else pd.StringDtype("pyarrow")
    if like is None:
        return pd.Series(arr, dtype=dtype)
    return pd.Series(arr, index=like.index, name=like.name, dtype=dtype)


def as_series(values: pd.Series | list) -> pd.Series:
    """`values` as a Series (lists are accepted for convenience in the public functions)."""
    return values if isinstance(values, pd.Series) else pd.Series(values, dtype="string")


def fold(arr: pa.Array) -> pa.Array:
    """NFKC-folded and trimmed text: full-width digits and letters become ASCII, U+3000 a space."""
    return pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))


def number_text(arr: pa.Array) -> pa.Array:
    """Folded, upper-cased text with the separators people type inside numbers removed."""
    return pc.utf8_upper(pc.replace_substring_regex(fold(arr), NUMBER_SEPARATORS, ""))


def stars(count: pa.Array | int) -> pa.Array:
    """As many `*` as `count` says, one per hidden character."""
    return pc.binary_repeat("*", count)


def hide(arr: pa.Array, front: int, end: int) -> pa.Array:
    """Keep the first `front` and last `end` characters, one `*` for each other; too-short values become all `*`."""
    if front < 0 or end < 0:
        raise ValueError("front and end must not be negative")
    length = pc.utf8_length(arr)
    head = pc.utf8_slice_codeunits(arr, 0, front)
    tail = pc.utf8_slice_codeunits(arr, -end) if end else pc.utf8_slice_codeunits(arr, 0, 0)
    middle = stars(pc.max_element_wise(pc.subtract(length, front + end), 0))
    masked = pc.binary_join_element_wise(head, middle, tail, "")
    return pc.if_else(pc.greater(length, front + end), masked, stars(length))


def char_matrix(arr: pa.Array, width: int) -> np.ndarray:
    """The last `width` bytes of each value as rows of a uint8 matrix, left-padded with b"0".

    `arr` is a `string` array without nulls; callers pass values already filtered to the shape they check.
    """
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    index = offsets[1:, None] - width + np.arange(width)
    inside = index >= offsets[:-1, None]
    return np.where(inside, data[np.where(inside, index, 0)], ord("0")).astype(np.uint8)
