"""Arrow plumbing shared by the rules, detectors and scan: Series <-> string arrays, normalization, byte search.

Every hot path works on whole columns through pyarrow.compute and numpy; nothing here loops over cells. Regex
kernels cost ~150 ms per million cells here, so normalizations find the few rows that need them with numpy
byte searches and patch only those rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Separators people type inside numbers (after NFKC folding); every ASCII byte below "0" is suspect.
NUMBER_SEPARATORS = r"[\s\-()+]"
#: Whitespace beyond ASCII that Excel files carry: ideographic and no-break spaces.
WIDE_SPACES = "\u3000\u00a0"


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


def layout(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The value offsets (n + 1, into the data buffer) and the data bytes of a `string` array, without copying."""
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return offsets, data


def find_bytes(data: np.ndarray, text: str, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Positions in `data[start:stop]` (absolute) where the UTF-8 encoding of `text` begins.

    Anchored on the last byte, which for CJK text is a continuation byte, far rarer than a lead byte.
    """
    code = np.frombuffer(text.encode(), dtype=np.uint8)
    stop = len(data) if stop is None else stop
    last = len(code) - 1
    found = np.flatnonzero(data[start + last : stop] == code[last]) + start
    for k in range(last):  # a few bytes per character, never per cell
        found = found[data[found + k] == code[k]]
    return found


def rows_of(arr: pa.Array, positions: np.ndarray) -> np.ndarray:
    """The row that each data-buffer position falls in."""
    offsets, _ = layout(arr)
    return np.searchsorted(offsets, positions, side="right") - 1


def rows_with(
    arr: pa.Array, chars: str = "", byte: Callable[[np.ndarray], np.ndarray] | None = None
) -> np.ndarray:
    """Which values contain one of `chars`, or a byte for which `byte(data)` is true (e.g. ASCII controls)."""
    offsets, data = layout(arr)
    start, stop = int(offsets[0]), int(offsets[-1])
    found = [find_bytes(data, char, start, stop) for char in chars]
    if byte is not None:
        found.append(np.flatnonzero(byte(data[start:stop])) + start)
    rows = np.zeros(len(arr), dtype=bool)
    if found:
        rows[rows_of(arr, np.concatenate(found))] = True
    return rows


def digit_counts(arr: pa.Array) -> np.ndarray:
    """How many ASCII digits each value holds."""
    offsets, data = layout(arr)
    size = np.diff(offsets)
    if not len(data) or not size.any():
        return np.zeros(len(arr), dtype=np.int64)
    digit = (data >= ord("0")) & (data <= ord("9"))
    counts = np.add.reduceat(digit, np.minimum(offsets[:-1], len(data) - 1), dtype=np.int64)
    return np.where(size > 0, counts, 0)


def patch(
    arr: pa.Array, rows: np.ndarray, change: Callable[[pa.Array], pa.Array], source: pa.Array | None = None
) -> pa.Array:
    """`arr` with its flagged rows replaced by `change` of those rows (of `source`, if given); others untouched."""
    if not rows.any():
        return arr
    mask = pa.array(rows)
    return pc.replace_with_mask(arr, mask, change((arr if source is None else source).filter(mask)))


def _validity(arr: pa.Array) -> pa.Buffer | None:
    """A validity bitmap for a new array of `arr`'s length (None when nothing is null)."""
    return pc.is_valid(arr).buffers()[1] if arr.null_count else None


def split_bytes(arr: pa.Array, cut: np.ndarray, part: int) -> pa.Array:
    """Each value's bytes before (`part` 0) or from (`part` 1) its own `cut[i]`, which falls between characters."""
    offsets, _ = layout(arr)
    edges = np.empty(2 * len(arr) + 1, dtype=np.int32)
    edges[0::2] = offsets
    edges[1::2] = offsets[:-1] + np.minimum(cut, np.diff(offsets))
    halves = pa.Array.from_buffers(pa.string(), 2 * len(arr), [None, pa.py_buffer(edges), arr.buffers()[2]])
    picked = halves.take(pa.array(np.arange(part, 2 * len(arr), 2)))
    return pa.Array.from_buffers(pa.string(), len(arr), [_validity(arr), *picked.buffers()[1:]])


def keep_head(arr: pa.Array, head: np.ndarray, hidden: np.ndarray) -> pa.Array:
    """Each value's first `head[i]` bytes followed by `hidden[i]` stars, built in one pass over the buffer.

    Meant for short heads (a surname): its index arrays grow with the bytes kept.
    """
    offsets, data = layout(arr)
    head = np.minimum(head, np.diff(offsets)).astype(np.int64)
    ends = np.zeros(len(arr) + 1, dtype=np.int64)
    np.cumsum(head + hidden, out=ends[1:])
    out = np.full(int(ends[-1]), ord("*"), dtype=np.uint8)
    kept_before = np.cumsum(head) - head
    destination = np.arange(int(head.sum())) + np.repeat(ends[:-1] - kept_before, head)
    out[destination] = data[destination + np.repeat(offsets[:-1] - ends[:-1], head)]
    return pa.Array.from_buffers(
        pa.string(), len(arr), [_validity(arr), pa.py_buffer(ends.astype(np.int32)), pa.py_buffer(out)]
    )


def by_width(
    arr: pa.Array, fixed: Callable[[np.ndarray], np.ndarray], general: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """`fixed` over the byte matrix of the ASCII rows of the commonest length, `general` over the other rows.

    ID, mobile and card columns are almost all one width, so most rows take the matrix path (a reshape and a
    slice assignment) and only odd rows pay for string kernels.
    """
    offsets, data = layout(arr)
    size = np.diff(offsets)
    chars = pc.fill_null(pc.utf8_length(arr), -1).to_numpy(zero_copy_only=False)
    plain = chars == size
    if not plain.any():
        return general(arr)
    width = int(np.bincount(size[plain]).argmax())
    uniform = plain & (size == width)
    same = arr.filter(pa.array(uniform))
    start = layout(same)[0][0]
    matrix = fixed(layout(same)[1][start : start + len(same) * width].reshape(len(same), width))
    edges = np.arange(len(same) + 1, dtype=np.int32) * matrix.shape[1]
    fast = pa.Array.from_buffers(pa.string(), len(same), [None, pa.py_buffer(edges), pa.py_buffer(matrix.tobytes())])
    if uniform.all():
        return fast
    order = np.empty(len(arr), dtype=np.int64)
    order[uniform] = np.arange(len(same))
    order[~uniform] = len(same) + np.arange(len(arr) - len(same))
    return pa.concat_arrays([fast, general(arr.filter(pa.array(~uniform)))]).take(pa.array(order))


def fold(arr: pa.Array) -> pa.Array:
    """NFKC-folded (on the non-ASCII rows only) and trimmed text: full-width digits and letters become ASCII."""
    folded = patch(arr, ~pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False),
                   lambda rows: pc.utf8_normalize(rows, "NFKC"))
    return pc.utf8_trim_whitespace(folded)


def without_spaces(arr: pa.Array) -> pa.Array:
    """Text with all whitespace removed, ideographic spaces included (names padded as 王  五 in Excel)."""
    return patch(arr, rows_with(arr, WIDE_SPACES, lambda data: data < 33),
                 lambda rows: pc.replace_substring_regex(rows, r"[\s\x{3000}\x{00A0}]+", ""))


def number_text(arr: pa.Array) -> pa.Array:
    """Folded, upper-cased text with the separators people type inside numbers removed."""
    folded = fold(arr)
    return pc.utf8_upper(patch(folded, rows_with(folded, byte=lambda data: data < 48),
                               lambda rows: pc.replace_substring_regex(rows, NUMBER_SEPARATORS, "")))


def stars(count: pa.Array | int) -> pa.Array:
    """As many `*` as `count` says, one per hidden character."""
    return pc.binary_repeat("*", count)


def hide(arr: pa.Array, front: int, end: int) -> pa.Array:
    """Keep the first `front` and last `end` characters, one `*` for each other; too-short values become all `*`."""
    if front < 0 or end < 0:
        raise ValueError("front and end must not be negative")

    def fixed(matrix: np.ndarray) -> np.ndarray:
        out = matrix.copy()
        out[:, front : matrix.shape[1] - end] = ord("*")
        if matrix.shape[1] <= front + end:
            out[:] = ord("*")
        return out

    return by_width(arr, fixed, lambda rows: _hide_text(rows, front, end))


def _hide_text(arr: pa.Array, front: int, end: int) -> pa.Array:
    """`hide` by string kernels, for values of any script and length."""
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
    offsets, data = layout(arr)
    data = data if len(data) else np.zeros(1, np.uint8)
    index = offsets[1:, None] - width + np.arange(width)
    inside = index >= offsets[:-1, None]
    return np.where(inside, data[np.where(inside, index, 0)], ord("0")).astype(np.uint8)
