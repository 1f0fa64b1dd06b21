"""Keyed pseudonyms: HMAC-SHA256 tokens, truncated and prefixed, stable across releases under one key.

Linkage risk: a pseudonym is a stable identifier. Anyone holding the key can recompute the token of any known ID
and re-identify that person; anyone without it can still link every release made under the same key (and every
dataset that uses the same `scope`), and a person's rows, once linked, may single them out by their other
attributes. Keep the key outside the repository, give each dataset its own `scope` unless linking datasets is the
point, and rotate the key when linkage across releases is no longer needed. See docs/anonymize.md.

The key comes from the environment variable `GONGKAI_PSEUDONYM_KEY`, or from the file that
`GONGKAI_PSEUDONYM_KEY_FILE` names. It is never printed: `PseudonymKey` keeps only the HMAC pads' hash states.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import PseudonymKeyError
from .text import as_series, fold, number_text, to_arrow, to_series

KEY_ENV = "GONGKAI_PSEUDONYM_KEY"
KEY_FILE_ENV = "GONGKAI_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 10
PLACEHOLDERS = ("changeme", "change-me", "password", "example", "placeholder", "secret-key")
#: Token letters: 16 consonants, one per 4 bits, so a token never holds digits a leak scan could mistake for an
#: ID, and never spells a word.
TOKEN_ALPHABET = np.frombuffer(b"bcdfghjklmnpqrst", dtype=np.uint8)
#: Categories whose values are compared as numbers (spaces, hyphens and case do not change the token).
NUMERIC_CATEGORIES = frozenset({"id_card", "mobile", "phone", "bank_card", "plate"})


class PseudonymKey:
    """A validated secret for HMAC-SHA256; its repr and str never show it."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, secret: str | bytes) -> None:
        raw = secret.encode() if isinstance(secret, str) else bytes(secret)
        raw = raw.strip()
        if len(raw) < MIN_KEY_BYTES:
            raise PseudonymKeyError(f"假名化密钥太短：至少需要 {MIN_KEY_BYTES} 字节的随机内容。")
        if len(set(raw)) < MIN_DISTINCT_BYTES or any(word.encode() in raw.lower() for word in PLACEHOLDERS):
            raise PseudonymKeyError("假名化密钥太弱：请使用随机生成的密钥，例如 `openssl rand -hex 32` 的输出。")
        block = (hashlib.sha256(raw).digest() if len(raw) > 64 else raw).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __repr__(self) -> str:
        return "PseudonymKey(<hidden>)"

    __str__ = __repr__

    @classmethod
    def from_file(cls, path: str | Path) -> PseudonymKey:
        """The key stored in `path`, a file readable by its owner only and outside any git working tree."""
        file = Path(path).expanduser().resolve()
        if not file.is_file():
            raise PseudonymKeyError(f"找不到假名化密钥文件：{file}")
        if any((parent / ".git").exists() for parent in file.parents):
            raise PseudonymKeyError("假名化密钥文件位于代码仓库内，请移到仓库之外。")
        if os.name == "posix" and file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PseudonymKeyError(f"假名化密钥文件权限过宽，请执行 chmod 600 {file}")
        return cls(file.read_bytes())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PseudonymKey:
        """The key from GONGKAI_PSEUDONYM_KEY, else from the file GONGKAI_PSEUDONYM_KEY_FILE names."""
        env = os.environ if environ is None else environ
        if env.get(KEY_ENV):
            return cls(env[KEY_ENV])
        if env.get(KEY_FILE_ENV):
            return cls.from_file(env[KEY_FILE_ENV])
        raise PseudonymKeyError(f"缺少假名化密钥：请设置环境变量 {KEY_ENV}，或用 {KEY_FILE_ENV} 指向密钥文件。")

    def digests(self, messages: list[bytes]) -> np.ndarray:
        """HMAC-SHA256 of each message, as a (len, 32) uint8 matrix.

        The one per-value step of the library: hashlib has no batch API, so each distinct value costs about
        1.6 µs here (inner and outer states are copied, not recomputed).
        """
        inner, outer = self._inner, self._outer

        def mac(message: bytes) -> bytes:
            first = inner.copy()
            first.update(message)
            second = outer.copy()
            second.update(first.digest())
            return second.digest()

        joined = b"".join([mac(message) for message in messages])
        return np.frombuffer(joined, dtype=np.uint8).reshape(len(messages), 32)


def _letters(digests: np.ndarray, length: int) -> pa.Array:
    """The first `length` nibbles of each digest as token letters."""
    nibbles = np.stack([digests >> 4, digests & 15], axis=2).reshape(len(digests), 64)[:, :length]
    data = TOKEN_ALPHABET[nibbles].tobytes()
    offsets = np.arange(len(digests) + 1, dtype=np.int32) * length
    return pa.Array.from_buffers(pa.string(), len(digests), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def pseudonymize(
    values: pd.Series | list,
    key: PseudonymKey,
    category: str | None = None,
    prefix: str = "P-",
    length: int = 16,
    scope: str = "",
) -> pd.Series:
    """Replace each value by `prefix` + `length` letters of HMAC-SHA256(key, scope + value); NA and "" stay.

    Values are normalized first (IDs: separators dropped, x upper-cased), so 1101…x and 1101…X get one token.
    Each distinct value is hashed once. 16 letters carry 64 bits: collisions are negligible below 10^8 values.
    """
    if not isinstance(key, PseudonymKey):
        raise PseudonymKeyError("假名化需要一个 PseudonymKey 密钥对象。")
    if not 8 <= length <= 64:
        raise ValueError("length must be between 8 and 64")
    series = as_series(values)
    arr = to_arrow(series)
    text = number_text(arr) if category in NUMERIC_CATEGORIES else fold(arr)
    encoded = pc.dictionary_encode(text)
    distinct = encoded.dictionary.to_pylist()
    tokens = _letters(key.digests([f"{scope}\x1f{value}".encode() for value in distinct]), length)
    named = pc.binary_join_element_wise(prefix, tokens, "").take(encoded.indices)
    return to_series(pc.if_else(pc.equal(text, ""), "", named), series)
