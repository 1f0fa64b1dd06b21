"""Privacy policies: for each field, the rule that makes it publishable, with safe defaults per category.

`Policy.from_mapping(privacy, schema_fields)` joins the dataset YAML's `privacy` mapping
(`{field: {"rule": ..., option: ...}}`) with the schema's `pii` categories. A personal field with no entry gets its
category's default rule; a category without a default, an unknown rule or option, or an entry for a field the
schema lacks is an error. Besides the rule's own options an entry may hold `category` (treat the field as that
category), `title` (its public header), `allow: true` (the leak gate passes this column, e.g. a company's credit
code) and `quasi_identifier: true` (count it in the k-anonymity report).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import AnonymizeError, PolicyError
from .generalization import generalize
from .pseudonym import PseudonymKey, pseudonymize
from .risk import suppress_small_cells
from .rules import mask, redact

#: The default rule of each personal-data category; categories not listed need an explicit rule.
#: Free text defaults to `drop`: redaction finds numbers, emails and plates, never names.
DEFAULT_RULES = {
    "person_name": "mask",
    "id_card": "mask",
    "mobile": "mask",
    "phone": "mask",
    "address": "mask",
    "bank_card": "mask",
    "email": "mask",
    "plate": "mask",
    "free_text": "drop",
}


def _emptied(values: pd.Series) -> pd.Series:
    """A column of NA shaped like `values`."""
    dtype = values.dtype if isinstance(values.dtype, pd.StringDtype) else "string"
    return pd.Series(pd.NA, index=values.index, name=values.name, dtype=dtype)


#: Column rules: values in, values out. `drop` and `suppress` act on the frame (see pipeline.apply).
TRANSFORMS: dict[str, Callable[..., pd.Series]] = {
    "mask": lambda values, category, key, **options: mask(values, category, **options),
    "pseudonymize": lambda values, category, key, **options: pseudonymize(values, key, category, **options),
    "generalize": lambda values, category, key, **options: generalize(values, category, **options),
    "redact": lambda values, category, key: redact(values),
    "null": lambda values, category, key: _emptied(values),
    "keep": lambda values, category, key: values,
}
RULES = (*TRANSFORMS, "drop", "suppress")


@dataclass(frozen=True)
class FieldPolicy:
    """The decision for one field: its rule, the rule's options, and how the field is treated around it."""

    name: str
    rule: str
    category: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None
    allow: bool = False
    quasi_identifier: bool = False

    def transform(self, values: pd.Series, key: PseudonymKey | None = None) -> pd.Series:
        """`values` after this field's column rule."""
        return TRANSFORMS[self.rule](values, self.category, key, **self.options)

    def problem(self, key: PseudonymKey | None) -> str | None:
        """Why this decision cannot run (in Chinese), found by trying it on an empty column; None if it can."""
        if self.rule not in RULES:
            return f"字段“{self.name}”的规则“{self.rule}”无效（可用：{'、'.join(RULES)}）"
        if self.rule == "pseudonymize" and key is None:
            return f"字段“{self.name}”要求假名化，但没有提供假名化密钥"
        if self.rule == "drop":
            return f"字段“{self.name}”的规则“drop”不接受选项" if self.options else None
        empty = pd.Series([], dtype="string", name=self.name)
        try:
            if self.rule == "suppress":
                columns = [self.name, *self.options.get("also", ())]
                suppress_small_cells(pd.DataFrame({column: empty for column in columns}), self.name, **self.options)
            else:
                self.transform(empty, key)
        except (TypeError, ValueError, AnonymizeError):
            shown = "、".join(f"{option}={value!r}" for option, value in self.options.items()) or "无选项"
            return f"字段“{self.name}”（类别：{self.category or '无'}）不能使用规则“{self.rule}”及其选项（{shown}）"
        return None


@dataclass(frozen=True)
class Policy:
    """The decisions for one dataset's fields, and the pseudonym key if any field needs one."""

    fields: tuple[FieldPolicy, ...]
    key: PseudonymKey | None = None

    def __post_init__(self) -> None:
        problems = [problem for entry in self.fields if (problem := entry.problem(self.key))]
        if problems:
            raise PolicyError("隐私策略有误：" + "；".join(problems), problems)

    def field(self, name: str) -> FieldPolicy | None:
        """The decision for field `name`, if there is one."""
        return next((entry for entry in self.fields if entry.name == name), None)

    @property
    def allow(self) -> tuple[str, ...]:
        """Columns the leak gate lets through."""
        return tuple(entry.name for entry in self.fields if entry.allow)

    @property
    def quasi_identifiers(self) -> tuple[str, ...]:
        """Columns the k-anonymity report groups by."""
        return tuple(entry.name for entry in self.fields if entry.quasi_identifier)

    @classmethod
    def from_mapping(
        cls, privacy: Mapping[str, Any] | None, schema_fields: list[dict], key: PseudonymKey | None = None
    ) -> Policy:
        """A policy from the YAML `privacy` mapping and the schema fields' `pii` categories.

        When a field is pseudonymized and no `key` is given, the key is read from the environment
        (see `PseudonymKey.from_env`), which refuses a missing or weak key.
        """
        privacy = dict(privacy or {})
        known = {schema_field["name"]: schema_field.get("pii") for schema_field in schema_fields}
        problems = [f"隐私策略中的字段“{name}”不在表结构中" for name in privacy if name not in known]
        entries = []
        for name, pii in known.items():
            raw = privacy.get(name)
            if raw is None and pii is None:
                continue
            if raw is not None and not isinstance(raw, Mapping):
                problems.append(f"字段“{name}”的隐私策略应是一个映射，例如 {{rule: mask}}")
                continue
            entry = dict(raw or {})
            problems.extend(
                f"字段“{name}”的 also 中的字段“{other}”不在表结构中" for other in entry.get("also", ()) if other not in known
            )
            category = entry.pop("category", pii)
            rule = entry.pop("rule", None) or (DEFAULT_RULES.get(category) if category else "keep")
            if rule is None:
                problems.append(f"字段“{name}”属于个人信息类别“{category}”，该类别没有默认规则，请在 privacy 中指定")
                continue
            entries.append(
                FieldPolicy(
                    name=name,
                    rule=rule,
                    category=category,
                    title=entry.pop("title", None),
                    allow=bool(entry.pop("allow", False)),
                    quasi_identifier=bool(entry.pop("quasi_identifier", False)),
                    options=entry,
                )
            )
        if key is None and any(entry.rule == "pseudonymize" for entry in entries):
            key = PseudonymKey.from_env()
        try:
            policy = cls(tuple(entries), key)
        except PolicyError as error:
            problems.extend(error.problems)
        if problems:
            raise PolicyError("隐私策略有误：" + "；".join(problems), problems)
        return policy
