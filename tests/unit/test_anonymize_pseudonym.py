"""Keyed pseudonyms: refused without a strong key, stable under one key, different under another, key never shown."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonymize
from anonymize.pseudonym import KEY_ENV, KEY_FILE_ENV
from tests.unit.synthetic_ids import resident_ids

SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0fedcba987654321"
KEY = anonymize.PseudonymKey(SECRET)
OTHER = anonymize.PseudonymKey(SECRET[::-1])


@pytest.mark.parametrize("secret", ["", "short", "a" * 64, "changeme" * 8, "0123456789" * 2])
def test_weak_keys_are_refused(secret: str) -> None:
    with pytest.raises(anonymize.PseudonymKeyError) as error:
        anonymize.PseudonymKey(secret)
    assert not secret or secret not in error.value.message


def test_key_never_shows() -> None:
    assert SECRET not in repr(KEY) and SECRET not in str(KEY)
    policy = anonymize.Policy.from_mapping({"id": {"rule": "pseudonymize"}}, [{"name": "id", "pii": "id_card"}], KEY)
    _, audit = anonymize.apply(pd.DataFrame({"id": ["x"]}), policy)
    assert SECRET not in repr(policy) and SECRET not in str(audit.to_dict())


def test_key_from_environment_or_file(tmp_path) -> None:
    assert repr(anonymize.PseudonymKey.from_env({KEY_ENV: SECRET})) == "PseudonymKey(<hidden>)"
    with pytest.raises(anonymize.PseudonymKeyError, match="缺少"):
        anonymize.PseudonymKey.from_env({})
    path = tmp_path / "pseudonym.key"
    path.write_text(SECRET + "\n")
    path.chmod(0o644)
    with pytest.raises(anonymize.PseudonymKeyError, match="权限"):
        anonymize.PseudonymKey.from_env({KEY_FILE_ENV: str(path)})
    path.chmod(0o600)
    values = pd.Series(["a"])
    from_file = anonymize.PseudonymKey.from_env({KEY_FILE_ENV: str(path)})
    assert anonymize.pseudonymize(values, from_file).equals(anonymize.pseudonymize(values, KEY))


def test_policy_refuses_to_pseudonymize_without_key(monkeypatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    with pytest.raises(anonymize.PseudonymKeyError):
        anonymize.Policy.from_mapping({"id": {"rule": "pseudonymize"}}, [{"name": "id", "pii": "id_card"}])


def test_tokens_shape_normalization_and_missing() -> None:
    out = anonymize.pseudonymize(pd.Series(["11010519491231002x", "1101 0519 4912 3100 2X", "", None]), KEY, "id_card")
    assert out[0] == out[1] and re.fullmatch(r"P-[bcdfghjklmnpqrst]{16}", out[0])
    assert out[2] == "" and pd.isna(out[3])
    scoped = anonymize.pseudonymize(pd.Series(["11010519491231002X"]), KEY, "id_card", scope="dibao")
    assert scoped[0] != out[0]
    assert not re.search(r"\d", "".join(out[:2]))  # letters only: the leak gate never mistakes a token for a number


@settings(max_examples=100, deadline=None)
@given(st.lists(resident_ids(), min_size=1, max_size=30, unique=True))
def test_stable_under_one_key_different_under_another(numbers: list[str]) -> None:
    first = anonymize.pseudonymize(pd.Series(numbers), KEY, "id_card").tolist()
    assert first == anonymize.pseudonymize(pd.Series(numbers[::-1]), KEY, "id_card").tolist()[::-1]
    other = anonymize.pseudonymize(pd.Series(numbers), OTHER, "id_card").tolist()
    assert all(a != b for a, b in zip(first, other, strict=True))
    assert len(set(first)) == len(numbers)
    assert not any(number[6:14] in token for number, token in zip(numbers, first, strict=True))

