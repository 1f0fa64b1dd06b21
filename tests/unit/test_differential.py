"""Differential test: our validator and frictionless v5 must find the same errors.

Each case runs both engines on the same CSV and schema and compares the multisets of
(rowNumber, fieldName, error type). frictionless refuses absolute paths as unsafe and then reads
no rows, so it gets a basepath and a relative path, and every case asserts it really read the rows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from frictionless import Dialect, Resource, Schema
from frictionless.formats import CsvControl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish.validate import validate

DATA = Path(__file__).parent.parent / "data"
DIBAO = json.loads((DATA / "dibao-schema.json").read_text(encoding="utf-8"))

Key = tuple[Any, Any, str]


def frictionless_errors(path: Path, schema: dict[str, Any]) -> tuple[int, Counter[Key]]:
    resource = Resource(
        path=path.name,
        basepath=str(path.parent),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8",
        # Pin the dialect: on tiny files its sniffing picks odd header rows or skips initial spaces.
        dialect=Dialect(header_rows=[1], controls=[CsvControl(delimiter=",", skip_initial_space=False)]),
    )
    task = resource.validate(limit_errors=0).tasks[0]
    assert not [e for e in task.errors if e.type in ("scheme-error", "source-error", "format-error")]
    found = Counter()
    for error in task.errors:
        d = error.to_descriptor()
        found[(d.get("rowNumber"), d.get("fieldName") or None, d["type"])] += 1
    return task.stats.get("rows") or 0, found


def our_errors(path: Path, schema: dict[str, Any]) -> tuple[int, Counter[Key]]:
    report = validate(path, schema, keep_frame=False, identity_checks=False)
    return report.rows, Counter((e.row, e.field, e.type) for e in report.errors)


def assert_same(path: Path, schema: dict[str, Any], data_rows: int) -> Counter[Key]:
    theirs_rows, theirs = frictionless_errors(path, schema)
    ours_rows, ours = our_errors(path, schema)
    assert theirs_rows == data_rows, "frictionless did not read the file"
    assert ours_rows == data_rows
    assert ours == theirs, f"only frictionless: {theirs - ours}; only ours: {ours - theirs}"
    return ours


# --- frictionless's classic cases -----------------------------------------------------------

SIMPLE = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"required": True, "unique": True}},
        {"name": "name", "type": "string", "constraints": {"pattern": "a|b", "maxLength": 3}},
        {"name": "amt", "type": "number", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["id"],
}
CLASSIC: dict[str, tuple[str, dict[str, Any]]] = {
    "invalid": (
        "id,name,,name\n1,english\n1,english\n\n2,german,1,2,3\n",
        {"fields": [{"name": n, "type": t} for n, t in
                    [("id", "integer"), ("name", "string"), ("field3", "integer"), ("name2", "string")]]},
    ),
    "defects": ("id,name,amt\n1,a,1\n1,axyzq,-1\n,,\n\n 2 ,b\n3,b,1,9\n01,c,x\n4,b, \n", SIMPLE),
    "duplicate-label": ("id,id,amt\n1,a,1\n", SIMPLE),
    "blank-and-extra-label": ("id,,amt,zz\n1,a,1,2\n", SIMPLE),
    "missing-label": ("id,name\n1,a\n2,b\n", SIMPLE),
    "incorrect-label": ("id,nom,amt\n1,a,1\n", SIMPLE),
    "typed-keys": (
        "id,name,amt\n,a,1.50\nx,b,2.0\n1.0,c,3\n1,,2\n1,, 2\n",
        {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string", "constraints": {"unique": True}},
                    {"name": "amt", "type": "number", "constraints": {"enum": [1.5, "2"]}}], "primaryKey": ["id"]},
    ),
    "fields-match-equal": (
        "name,id,zz\na,1,3\na,1\n",
        {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}],
         "primaryKey": ["id", "name"], "fieldsMatch": "equal"},
    ),
    "odd-spellings": (
        "n,d,y,ym,b\n１２,2024-02-30,2024,2024-1,true\n1_000,2024-2-5,024,2024-13,yes\n+5,2024-02-29,0999,2024-12,0\n"
        "1e3,2024-02-29 ,2024 ,1999-01,TRUE\n",
        {"fields": [{"name": "n", "type": "number", "constraints": {"maximum": 100}},
                    {"name": "d", "type": "date", "constraints": {"minimum": "2024-02-10"}},
                    {"name": "y", "type": "year"}, {"name": "ym", "type": "yearmonth"}, {"name": "b", "type": "boolean"}]},
    ),
    "patterns": (
        "code\n１２３\n123\nabc\nab\n123\n\n",
        {"fields": [{"name": "code", "type": "string", "constraints": {"pattern": r"\d{3}|ab", "minLength": 3}}]},
    ),
}


@pytest.mark.parametrize("case", sorted(CLASSIC))
def test_classic_cases(tmp_path: Path, case: str) -> None:
    text, schema = CLASSIC[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text, encoding="utf-8")
    rows = sum(1 for _ in text.splitlines()) - 1
    assert_same(path, schema, rows)


# --- generated defects on 城乡低保 files ---------------------------------------------------

def dibao_rows(rng: np.random.Generator, n: int) -> list[list[str]]:
    """Plausible 城乡低保 rows, as text."""
    townships = DIBAO["fields"][0]["constraints"]["enum"]
    ids = rng.integers(10**16, 10**17 - 1, size=n).astype(str)
    checks = rng.choice(list("0123456789X"), size=n)
    return [
        [townships[i % len(townships)], f"第{i % 37}村", f"户主{i}", f"37{ids[i][:15]}{checks[i]}",
         str(rng.integers(1, 6)), "城市低保" if i % 3 else "农村低保", f"{rng.integers(300, 2000)}.{i % 100:02d}",
         "2026-10", "" if i % 5 else "新增"]
        for i in range(n)
    ]


DEFECTS = {
    "empty-required": lambda row, rng: row.__setitem__(rng.integers(0, 8), ""),
    "bad-number": lambda row, rng: row.__setitem__(6, rng.choice(["abc", "1,200", "¥300", "3.5元", "-"])),
    "negative": lambda row, rng: row.__setitem__(6, "-12.5"),
    "members-range": lambda row, rng: row.__setitem__(4, rng.choice(["0", "16", "2.5", "两"])),
    "bad-id": lambda row, rng: row.__setitem__(3, rng.choice(["1.23456789012345E+17", row[3][:17], row[3] + "1"])),
    "enum": lambda row, rng: row.__setitem__(5, "低保"),
    "bad-period": lambda row, rng: row.__setitem__(7, rng.choice(["2026-13", "2026/10", "202610", "2026-1"])),
    "long-village": lambda row, rng: row.__setitem__(1, "村" * 31),
    "blank": lambda row, rng: row.__setitem__(slice(None), [""] * len(row)),
    "short": lambda row, rng: row.__delitem__(slice(int(rng.integers(1, 8)), None)),
    "long": lambda row, rng: row.extend(["x"] * int(rng.integers(1, 3))),
}


def write_csv(path: Path, labels: list[str], rows: list[list[str]]) -> None:
    def cell(text: str) -> str:
        return f'"{text}"' if any(c in text for c in ',"\n') else text

    lines = [",".join(map(cell, labels))] + [",".join(map(cell, row)) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", range(24))
def test_generated_dibao_defects(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = dibao_rows(rng, 300)
    if seed:  # seed 0 stays clean
        for index in rng.choice(len(rows), size=5, replace=False):  # duplicate keys
            rows[index][3] = rows[(index + 1) % len(rows)][3]
        for index in rng.choice(len(rows), size=40, replace=False):
            DEFECTS[str(rng.choice(sorted(DEFECTS)))](rows[index], rng)
    path = tmp_path / f"dibao-{seed}.csv"
    write_csv(path, [f["name"] for f in DIBAO["fields"]], rows)
    found = assert_same(path, DIBAO, len(rows))
    assert bool(found) == bool(seed)


def test_title_rows_and_trailer_shift_rows_only(tmp_path: Path) -> None:
    """A messy unit file gets frictionless's errors for its clean body, at the Excel row numbers."""
    rng = np.random.default_rng(99)
    rows = dibao_rows(rng, 50)
    rows[4][6], rows[9] = "abc", [""] * 9
    clean = tmp_path / "clean.csv"
    write_csv(clean, [f["name"] for f in DIBAO["fields"]], rows)
    _, theirs = frictionless_errors(clean, DIBAO)
    messy = tmp_path / "messy.csv"
    body = clean.read_text(encoding="utf-8")
    messy.write_text("2026年10月城乡低保发放名册,,,\n填报单位：山城街道,,,\n" + body + "合计,,,,,,12345,,\n填报人：某某,,,\n",
                     encoding="utf-8")
    report = validate(messy, DIBAO, identity_checks=False)
    shifted = Counter({(row + 2 if row else row, name, kind): n for (row, name, kind), n in theirs.items()})
    assert Counter((e.row, e.field, e.type) for e in report.errors) == shifted
    assert report.rows == 50 and len(report.skipped) == 2


# --- property: random tricky cells ------------------------------------------------------------

TRICKY = ["", " ", "0", "01", "-0", "+5", "1.0", "1.50", ".5", "5.", "1e3", "1_000", "１２", "NaN", "-1", "99",
          "2024-02-29", "2024-02-30", "2024-2-5", "2024-13", "2024-01", "true", "FALSE", "yes", "a", "ab", "abc",
          "张三", "x\ny", "a,b", '"q"', "  7 "]
PROPERTY_SCHEMA = {
    "fields": [
        {"name": "i", "type": "integer", "constraints": {"minimum": 0, "maximum": 50, "unique": True}},
        {"name": "n", "type": "number", "constraints": {"enum": [1, 1.5, "0"]}},
        {"name": "s", "type": "string", "constraints": {"pattern": "[a-z]+|\\d+", "maxLength": 2, "required": True}},
        {"name": "d", "type": "date", "constraints": {"maximum": "2024-02-28"}},
        {"name": "ym", "type": "yearmonth"},
        {"name": "b", "type": "boolean"},
    ],
    "primaryKey": ["i", "s"],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.lists(st.sampled_from(TRICKY), min_size=0, max_size=8).filter(lambda r: r != [""]),
        min_size=1,
        max_size=25,
    )
)
def test_random_tricky_cells(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "tricky.csv"
    write_csv(path, [f["name"] for f in PROPERTY_SCHEMA["fields"]], rows)
    assert_same(path, PROPERTY_SCHEMA, len(rows))


def test_corpus_covers_every_error_type(tmp_path: Path) -> None:
    """The classic cases alone exercise each error code we claim to match."""
    seen: set[str] = set()
    for case, (text, schema) in CLASSIC.items():
        path = tmp_path / f"{case}.csv"
        path.write_text(text, encoding="utf-8")
        seen |= {kind for _, _, kind in our_errors(path, schema)[1]}
    assert seen >= {"type-error", "constraint-error", "missing-cell", "extra-cell", "blank-row", "blank-label",
                    "duplicate-label", "incorrect-label", "extra-label", "missing-label", "primary-key",
                    "unique-error"}
