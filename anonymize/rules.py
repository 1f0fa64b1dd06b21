"""Masking rules, one per personal-data category, after hutool's DesensitizedUtil; and free-text redaction.

Each hidden character becomes one `*`. Unlike hutool, a value too short to keep anything (a one-character name,
an 8-digit "bank card") is hidden entirely rather than returned unchanged. NA stays NA.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .detectors import EMAIL_PATTERN, PLATE_PATTERN
from .errors import PolicyError
from .generalization import township_cut
from .text import (as_series, by_width, fold, hide, keep_head, layout, number_text, patch, rows_with, split_bytes,
                   stars, to_arrow, to_series, without_spaces)

#: Two-character surnames kept whole (欧阳** rather than 欧***).
COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闻人 澹台 公冶 太史 申屠 端木 独孤 "
    "南宫 西门 百里 呼延 拓跋 万俟 赫连 第五 东郭 濮阳 单于 司空 左丘 乐正 羊舌 微生 梁丘 亓官 谷梁 宰父 段干"
).split()
#: Name separators kept in place (迪丽热巴·迪力木拉提 -> 迪***·*****).
NAME_DOTS = "·•‧・"
_COMPOUND_BYTES = pa.array([surname.encode() for surname in COMPOUND_SURNAMES], pa.binary())
#: Free-text shapes replaced by a marker: emails, plates, and numbers of 7+ digits in any script (groups of 3+
#: may be separated by a space or hyphen, so 138-0013-8000 and 6222 0202 … are caught but 2024-03-05 is not).
#: The text is not NFKC-folded, so its full-width punctuation survives.
REDACTIONS = (
    (EMAIL_PATTERN, "[已隐去邮箱]"),
    (PLATE_PATTERN, "[已隐去车牌]"),
    (r"\p{Nd}{3,}(?:[ \-\x{3000}\x{FF0D}]\p{Nd}{3,})+[XxＸｘ]?|\p{Nd}{7,}[XxＸｘ]?", "[已隐去号码]"),
)


def _first_char_bytes(name: pa.Array) -> np.ndarray:
    """The UTF-8 length of each value's first character, read from its lead byte (0 for empty values)."""
    offsets, data = layout(name)
    lead = data[np.minimum(offsets[:-1], max(len(data) - 1, 0))] if len(data) else np.zeros(len(name), np.uint8)
    size = np.select([lead < 0x80, lead < 0xE0, lead < 0xF0], [1, 2, 3], 4)
    return np.where(np.diff(offsets) > 0, size, 0)


def _dotted(name: pa.Array) -> pa.Array:
    """The slow path for the few names with a `·`: regex over those rows only (the surname keeps one character)."""
    first = pc.utf8_slice_codeunits(name, 0, 1)
    rest = pc.replace_substring_regex(pc.utf8_slice_codeunits(name, 1), f"[^{NAME_DOTS}]", "*")
    return pc.binary_join_element_wise(first, rest, "")


def mask_name(arr: pa.Array) -> pa.Array:
    """Keep the surname (a compound one whole, if the name is longer than it); `·` separators stay."""
    name = without_spaces(arr)
    length = pc.fill_null(pc.utf8_length(name), 0).to_numpy(zero_copy_only=False)
    first_two = pc.binary_slice(name.cast(pa.binary()), 0, 6)  # compound surnames are two 3-byte characters
    compound = pc.fill_null(pc.is_in(first_two, value_set=_COMPOUND_BYTES), False).to_numpy(zero_copy_only=False)
    compound &= length > 2
    kept_chars = np.where(length > 1, np.where(compound, 2, 1), 0)
    head = np.where(compound, 6, np.where(kept_chars > 0, _first_char_bytes(name), 0))
    masked = keep_head(name, head, length - kept_chars)
    return patch(masked, rows_with(name, NAME_DOTS) & (length > 1), _dotted, source=name)


def mask_id_card(arr: pa.Array, front: int = 1, end: int = 2) -> pa.Array:
    """Keep the first `front` and last `end` characters of the ID (spaces dropped, x upper-cased)."""
    return hide(number_text(arr), front, end)


def mask_mobile(arr: pa.Array, front: int = 3, end: int = 4) -> pa.Array:
    """Keep 3 + 4 digits of the mobile number, after dropping separators and a +86 prefix."""
    number = number_text(arr)
    prefixed = np.isin(pc.fill_null(pc.utf8_length(number), 0).to_numpy(zero_copy_only=False), (13, 14))
    national = patch(number, prefixed, lambda rows: pc.replace_substring_regex(rows, r"^\+?86(1\d{10})$", r"\1"))
    return hide(national, front, end)


def mask_phone(arr: pa.Array, front: int = 4, end: int = 2) -> pa.Array:
    """Keep the first 4 and the last 2 characters of a fixed-line number, separators dropped."""
    return hide(number_text(arr), front, end)


def mask_address(arr: pa.Array) -> pa.Array:
    """Keep the address up to its township or street (街道); every later character, or all of it, becomes `*`."""
    address = without_spaces(arr)
    kept = split_bytes(address, township_cut(address), 0)
    return pc.binary_join_element_wise(kept, stars(pc.subtract(pc.utf8_length(address), pc.utf8_length(kept))), "")


def _card_matrix(matrix: np.ndarray) -> np.ndarray:
    """`mask_bank_card` for a matrix of equally long ASCII card numbers."""
    rows, width = matrix.shape
    if width <= 8:
        return np.full((rows, width), ord("*"), dtype=np.uint8)
    end = width % 4 or 4
    out = np.full((rows, width + (width + 3) // 4 - 1), ord("*"), dtype=np.uint8)
    out[:, :4] = matrix[:, :4]
    out[:, 4::5] = ord(" ")
    out[:, out.shape[1] - end :] = matrix[:, width - end :]
    return out


def mask_bank_card(arr: pa.Array) -> pa.Array:
    """hutool's grouping: the first 4 digits, `****` groups, then the last 1-4 digits (length mod 4, or 4).

    A value that is not ASCII after folding, or has 8 characters or fewer, is not a card number: all `*`.
    """
    return by_width(number_text(arr), _card_matrix, _mask_card_text)


def _mask_card_text(number: pa.Array) -> pa.Array:
    """`mask_bank_card` by string kernels, for values of mixed lengths."""
    length = pc.utf8_length(number)
    count = pc.fill_null(length, 0).to_numpy(zero_copy_only=False)
    plain = count == pc.fill_null(pc.binary_length(number), 0).to_numpy(zero_copy_only=False)
    end = np.where(count % 4 == 0, 4, count % 4)
    usable = plain & (count > 8)
    tail = split_bytes(number, np.where(usable, count - end, 0), 1)
    groups = pc.binary_repeat(" ****", pa.array(np.where(usable, (count - 4 - end) // 4, 0)))
    masked = pc.binary_join_element_wise(pc.utf8_slice_codeunits(number, 0, 4), groups, " ", tail, "")
    return pc.if_else(pa.array(usable), masked, stars(length))


def mask_email(arr: pa.Array) -> pa.Array:
    """Keep the first character of the mailbox name and the domain; text without `@` is hidden entirely."""
    text = fold(arr)
    local = pc.replace_substring_regex(text, r"(?s)@.*$", "")
    domain = pc.replace_substring_regex(text, r"(?s)^[^@]*", "")
    masked = pc.binary_join_element_wise(hide(local, 1, 0), domain, "")
    return pc.if_else(pc.match_substring(text, "@"), masked, stars(pc.utf8_length(text)))


def mask_plate(arr: pa.Array, front: int = 3, end: int = 1) -> pa.Array:
    """Keep the province, the letter, the next character and the last one: 苏D4***0."""
    return hide(pc.utf8_upper(pc.replace_substring_regex(fold(arr), rf"[\s\-{NAME_DOTS}]", "")), front, end)


def redact_text(arr: pa.Array) -> pa.Array:
    """Replace emails, plates and long numbers inside free text by markers, leaving the rest of the text."""
    text = arr
    for pattern, marker in REDACTIONS:
        text = pc.replace_substring_regex(text, pattern, marker)
    return text


#: The masking rule of each personal-data category.
MASKS: dict[str, Callable[..., pa.Array]] = {
    "person_name": mask_name,
    "id_card": mask_id_card,
    "mobile": mask_mobile,
    "phone": mask_phone,
    "address": mask_address,
    "bank_card": mask_bank_card,
    "email": mask_email,
    "plate": mask_plate,
    "free_text": redact_text,
}


def mask(values: pd.Series | list, category: str, **options: int) -> pd.Series:
    """Mask every cell of `values` by the rule of `category`; options such as `front`/`end` adjust it."""
    if category not in MASKS:
        raise PolicyError(f"没有适用于类别“{category}”的脱敏规则（可用：{'、'.join(MASKS)}）")
    series = as_series(values)
    return to_series(MASKS[category](to_arrow(series), **options), series)


def redact(values: pd.Series | list) -> pd.Series:
    """Free text with every email, plate and long number replaced by a marker."""
    return mask(values, "free_text")
