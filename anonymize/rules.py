"""Masking rules, one per personal-data category, after hutool's DesensitizedUtil; and free-text redaction.

Each hidden character becomes one `*`. Unlike hutool, a value too short to keep anything (a one-character name,
an 8-digit "bank card") is hidden entirely rather than returned unchanged. NA stays NA.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .detect import EMAIL_PATTERN, PLATE_PATTERN
from .errors import PolicyError
from .generalize import township_prefix
from .text import as_series, fold, hide, number_text, stars, to_arrow, to_series

#: Two-character surnames kept whole (欧阳** rather than 欧***).
COMPOUND_SURNAMES = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闻人 澹台 公冶 太史 申屠 端木 独孤 "
    "南宫 西门 百里 呼延 拓跋 万俟 赫连 第五 东郭 濮阳 单于 司空 左丘 乐正 羊舌 微生 梁丘 亓官 谷梁 宰父 段干"
).split()
#: Name separators kept in place (迪丽热巴·迪力木拉提 -> 迪***·*****).
NAME_DOTS = "·•‧・"
#: Free-text shapes replaced by a marker: emails, plates, and numbers of 7+ digits in any script (groups of 3+
#: may be separated by a space or hyphen, so 138-0013-8000 and 6222 0202 … are caught but 2024-03-05 is not).
#: The text is not NFKC-folded, so its full-width punctuation survives.
REDACTIONS = (
    (EMAIL_PATTERN, "[已隐去邮箱]"),
    (PLATE_PATTERN, "[已隐去车牌]"),
    (r"\p{Nd}{3,}(?:[ \-\x{3000}\x{FF0D}]\p{Nd}{3,})+[XxＸｘ]?|\p{Nd}{7,}[XxＸｘ]?", "[已隐去号码]"),
)


def mask_name(arr: pa.Array) -> pa.Array:
    """Keep the surname (a compound one whole, if the name is longer than it); `·` separators stay."""
    name = pc.replace_substring_regex(fold(arr), r"\s+", "")
    length = pc.utf8_length(name)

    def keep(count: int) -> pa.Array:
        rest = pc.replace_substring_regex(pc.utf8_slice_codeunits(name, count), f"(?s)[^{NAME_DOTS}]", "*")
        return pc.binary_join_element_wise(pc.utf8_slice_codeunits(name, 0, count), rest, "")

    compound = pc.and_(pc.match_substring_regex(name, f"^(?:{'|'.join(COMPOUND_SURNAMES)})"), pc.greater(length, 2))
    masked = pc.if_else(compound, keep(2), keep(1)) if pc.any(compound).as_py() else keep(1)
    return pc.if_else(pc.greater(length, 1), masked, stars(length))


def mask_id_card(arr: pa.Array, front: int = 1, end: int = 2) -> pa.Array:
    """Keep the first `front` and last `end` characters of the ID (spaces dropped, x upper-cased)."""
    return hide(number_text(arr), front, end)


def mask_mobile(arr: pa.Array, front: int = 3, end: int = 4) -> pa.Array:
    """Keep 3 + 4 digits of the mobile number, after dropping separators and a +86 prefix."""
    return hide(pc.replace_substring_regex(number_text(arr), r"^\+?86(1\d{10})$", r"\1"), front, end)


def mask_phone(arr: pa.Array, front: int = 4, end: int = 2) -> pa.Array:
    """Keep the first 4 and the last 2 characters of a fixed-line number, separators dropped."""
    return hide(number_text(arr), front, end)


def mask_address(arr: pa.Array) -> pa.Array:
    """Keep the address up to its township or street (街道); every later character, or all of it, becomes `*`."""
    folded = fold(arr)
    kept = pc.fill_null(township_prefix(folded), "")
    hidden = stars(pc.subtract(pc.utf8_length(folded), pc.utf8_length(kept)))
    return pc.binary_join_element_wise(kept, hidden, "")


def mask_bank_card(arr: pa.Array) -> pa.Array:
    """hutool's grouping: the first 4 digits, `****` groups, then the last 1-4 digits (length mod 4, or 4)."""
    number = number_text(arr)
    length = pc.utf8_length(number)
    tail = pc.replace_substring_regex(number, r"(?s)^.{4}(?:.{4})*(.{1,4})$", r"\1")
    hidden = pc.max_element_wise(pc.subtract(length, pc.add(4, pc.utf8_length(tail))), 0)
    groups = pc.binary_repeat(" ****", pc.divide(hidden, 4))
    masked = pc.binary_join_element_wise(pc.utf8_slice_codeunits(number, 0, 4), groups, " ", tail, "")
    return pc.if_else(pc.greater(length, 8), masked, stars(length))


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
