"""Find the header row of a unit's table and pair its labels with the schema's fields.

A label names a field when it equals (whitespace aside) the field's `name`, `title` or one of its
`aliases`. Pairing and label errors follow frictionless v5's `Header` for the schema's
`fieldsMatch` (default `exact`: by position), so a file whose labels are the field names gets
exactly frictionless's label errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from frictionless.table.label_matching import deduplicate_names

from publish.errors import InputError

HEADER_SEARCH_ROWS = 30
_SPACE = re.compile(r"\s+")


def normalize_label(label: Any) -> str:
    """A header cell as compared with schema names: text with every kind of whitespace removed."""
    return _SPACE.sub("", "" if label is None else str(label))


def _field_keys(field: dict[str, Any]) -> set[str]:
    keys = [field["name"], field.get("title"), *field.get("aliases", [])]
    return {normalize_label(key) for key in keys if key}


def label_lookup(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Normalized label -> field, over names, titles and aliases (the first field wins)."""
    lookup: dict[str, dict[str, Any]] = {}
    for schema_field in fields:
        for key in _field_keys(schema_field):
            lookup.setdefault(key, schema_field)
    return lookup


def primary_key(schema: dict[str, Any]) -> list[str]:
    """The schema's primary key as a list of field names (Table Schema allows a bare string)."""
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def find_header(records: list[list[str]], fields: list[dict[str, Any]]) -> int:
    """Index of the record that best names the schema's fields, below any title rows.

    Raises InputError when no record in the first rows names at least half of the fields:
    the file is most likely meant for another dataset.
    """
    lookup = label_lookup(fields)
    best, best_score = -1, 0
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        named = {lookup[key]["name"] for key in map(normalize_label, record) if key in lookup}
        if len(named) > best_score:
            best, best_score = index, len(named)
    if best_score < max(1, math.ceil(len(fields) / 2)):
        expected = "、".join(f.get("title") or f["name"] for f in fields)
        raise InputError(
            f"在文件前 {HEADER_SEARCH_ROWS} 行中找不到与本数据集相符的表头行（应包含：{expected}）。"
            "这个文件可能属于其他数据集，或表头被改动过。"
        )
    return best


@dataclass(frozen=True)
class LabelError:
    """One frictionless header error: its code, the field it concerns and its 1-based position."""

    type: str
    field_name: str | None
    field_number: int | None
    label: str = ""


@dataclass(frozen=True)
class HeaderMatch:
    """The pairing of labels with fields: per label a column name, its field, and whether that
    field is the schema's (or made up, typed `any`, for a label no field pairs with); the label errors."""

    labels: list[str]
    columns: list[str]
    fields: list[dict[str, Any]]
    paired: list[bool]
    errors: list[LabelError] = field(default_factory=list)


def match_header(labels: list[str], schema: dict[str, Any]) -> HeaderMatch:
    """Pair labels and fields as frictionless's `Header` does for the schema's `fieldsMatch`."""
    labels = [str(label).strip() for label in labels]
    fields: list[dict[str, Any]] = schema.get("fields", [])
    mode = schema.get("fieldsMatch", "exact")
    by_name = mode != "exact"
    lookup = label_lookup(fields)

    def paired(position: int, label: str) -> dict[str, Any] | None:
        if not by_name:
            return fields[position] if position < len(fields) else None
        return lookup.get(normalize_label(label))

    matched = [paired(position, label) for position, label in enumerate(labels)]
    columns = deduplicate_names([f["name"] if f else label for f, label in zip(matched, labels)])
    expected = [f or {"name": name, "type": "any"} for f, name in zip(matched, columns)]
    errors: list[LabelError] = []
    result = HeaderMatch(labels, columns, expected, [f is not None for f in matched], errors)
    if mode not in ("subset", "partial"):
        errors += [
            LabelError("extra-label", None, number, label)
            for number, (label, f) in enumerate(zip(labels, matched), start=1)
            if f is None
        ]
    if mode == "partial" and fields and not any(matched):
        errors.append(LabelError("unmatched-header", None, None))
    errors += [
        LabelError("missing-label", f["name"], len(labels) + offset + 1)
        for offset, f in enumerate(_missing_fields(labels, fields, schema, mode))
    ]
    if by_name:
        keys = [normalize_label(label) for label in labels]
        if len(keys) != len(set(keys)):
            errors.append(LabelError("error", None, None))
        return result
    for number, (schema_field, label) in enumerate(zip(fields, labels), start=1):
        if not label:
            errors.append(LabelError("blank-label", schema_field["name"], number))
        elif label in labels[: number - 1]:
            errors.append(LabelError("duplicate-label", schema_field["name"], number, label))
        elif normalize_label(label) not in _field_keys(schema_field):
            errors.append(LabelError("incorrect-label", schema_field["name"], number, label))
    return result


def _missing_fields(
    labels: list[str], fields: list[dict[str, Any]], schema: dict[str, Any], mode: str
) -> list[dict[str, Any]]:
    """Fields no label pairs with; `superset` and `partial` only miss required or key fields."""
    if mode == "exact":
        missing = fields[len(labels) :]
    else:
        named = {normalize_label(label) for label in labels}
        missing = [f for f in fields if not _field_keys(f) & named]
    if mode in ("superset", "partial"):
        key = set(primary_key(schema))
        missing = [f for f in missing if f.get("constraints", {}).get("required") or f["name"] in key]
    return missing
