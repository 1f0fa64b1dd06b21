"""Sample inboxes: deterministic, shaped like units' files, clean unless asked, and every planted defect findable.

Files are checked with frictionless on a CSV normalized here (header row found, 合计 row dropped, aliases
mapped), plus the GB 11643 check digit for IDs, which frictionless cannot know; and, where they exist,
through the project's own reader and validator.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import re
from datetime import datetime
from pathlib import Path

import frictionless
import openpyxl
import pytest
from click.testing import CliRunner

from publish.catalog import load_catalog
from publish.cli import main
from publish.synth import DEFECT_KINDS, SHAPES, credit_code, generate_inbox, id_check_digit, in_words, is_valid_id

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-10"
ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
# Which finding each planted defect must produce: a frictionless error code, or one of the two checks below.
FINDING = {"bad_check_digit": "id-checksum", "missing_required": "constraint-error", "amount_as_text": "type-error",
           "duplicate_row": "primary-key", "unknown_township": "constraint-error", "id_in_remarks": "id-in-text"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


@pytest.fixture(scope="module")
def clean(catalog, tmp_path_factory):
    return generate_inbox(tmp_path_factory.mktemp("clean"), PERIOD, catalog=catalog)


@pytest.fixture(scope="module")
def spoiled(catalog, tmp_path_factory):
    return generate_inbox(tmp_path_factory.mktemp("spoiled"), PERIOD, defects=True, catalog=catalog)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def _cells(path: Path) -> list[list[str]]:
    """Every row of a unit's file as text, decoded the way Excel users' files must be."""
    if path.suffix == ".xlsx":
        return [[_text(v) for v in row] for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(codecs.BOM_UTF8) else raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text, newline="")))


def _normalize(path: Path, schema: dict, out: Path) -> tuple[list[int], list[dict[str, str]]]:
    """Write `out` as a plain CSV with field names as header; return file row numbers and rows."""
    lookup = {h: f["name"] for f in schema["fields"] for h in [f["title"], *f.get("aliases", [])]}
    cells = _cells(path)
    at = next(i for i, row in enumerate(cells) if any(row) and all(c in lookup for c in row if c))
    names = [lookup[c] for c in cells[at]]
    numbers = [i + 1 for i in range(at + 1, len(cells)) if cells[i][0] != "合计"]
    rows = [dict(zip(names, cells[n - 1])) for n in numbers]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, names)
        writer.writeheader()
        writer.writerows(rows)
    return numbers, rows


def _findings(path: Path, schema: dict, tmp: Path) -> set[tuple[int, str | None, str]]:
    """(file row, field, code) of everything wrong in one file."""
    numbers, rows = _normalize(path, schema, tmp / "data.csv")
    resource = frictionless.Resource(path="data.csv", basepath=str(tmp), schema=frictionless.Schema.from_descriptor(schema))
    report = resource.validate()
    assert report.task.stats["rows"] == len(rows) > 0
    found = {(numbers[e.row_number - 2], None if e.type == "primary-key" else e.field_name, e.type)
             for e in report.task.errors}
    for number, row in zip(numbers, rows):
        if row.get("id_number") and not is_valid_id(row["id_number"]):
            found.add((number, "id_number", "id-checksum"))
        if any(is_valid_id(m) for m in ID_IN_TEXT.findall(row.get("remarks", ""))):
            found.add((number, "remarks", "id-in-text"))
    return found


def test_check_digits_and_words():
    assert id_check_digit("11010519491231002") == "X"  # the standard's own example
    assert is_valid_id("11010519491231002X") and not is_valid_id("110105194912310021")
    assert not is_valid_id("370406202302301234")
    code = credit_code(random.Random(1))
    assert re.fullmatch(r"91370406MA[0-9A-HJ-NPQRTUWXY]{8}", code)
    assert (in_words(863), in_words(12000), in_words(1005)) == ("八百六十三元", "一万二千元", "一千零五元")


def test_one_file_per_monthly_dataset_matching_its_inbox_pattern(catalog, clean):
    assert set(clean.files) == {d.name for d in catalog.monthly()} == set(SHAPES)
    for dataset in catalog.monthly():
        assert list(clean.folder.glob(dataset.inbox_pattern)) == [clean.files[dataset.name]]
    assert not (clean.folder / "_defects.json").exists()


def test_file_shapes_vary(clean):
    files = list(clean.files.values())
    raw = {p: p.read_bytes() for p in files if p.suffix == ".csv"}
    assert any(b.startswith(codecs.BOM_UTF8) for b in raw.values())
    assert any(not b.startswith(codecs.BOM_UTF8) and not b.isascii() for b in raw.values())  # GBK / GB18030
    titled = [p for p in files if p.suffix == ".xlsx" and _cells(p)[-1][0] == "合计"]
    assert titled and all(len([c for c in _cells(p)[0] if c]) == 1 for p in titled)
    dibao = _cells(clean.files["urban-rural-dibao"])
    assert "身份证号码" in dibao[1]  # this unit writes an alias, not the canonical 身份证号


def test_generation_is_deterministic(catalog, clean, tmp_path):
    again = generate_inbox(tmp_path, PERIOD, catalog=catalog)
    for name, path in clean.files.items():
        assert again.files[name].read_bytes() == path.read_bytes(), name
    other = generate_inbox(tmp_path / "other", "2026-11", datasets=["urban-rural-dibao"], catalog=catalog)
    assert _cells(other.files["urban-rural-dibao"])[2] != _cells(clean.files["urban-rural-dibao"])[2]


def test_xlsx_keeps_identifiers_as_text(clean):
    sheet = openpyxl.load_workbook(clean.files["senior-longevity-allowance"]).active
    header = [c.value for c in sheet[2]]  # a title row comes first
    for column in ("身份证号码", "银行卡号"):
        cell = sheet.cell(row=3, column=header.index(column) + 1)
        assert isinstance(cell.value, str) and cell.number_format == "@"


def test_people_are_plausible(catalog, clean, tmp_path):
    schema = catalog.get("urban-rural-dibao").schema
    _, rows = _normalize(clean.files["urban-rural-dibao"], schema, tmp_path / "d.csv")
    ids = [r["id_number"] for r in rows]
    assert all(is_valid_id(i) for i in ids) and len(set(ids)) == len(ids)
    assert sum(i.startswith("370406") for i in ids) > len(ids) / 2
    assert {i[:6] for i in ids} <= {"370402", "370403", "370404", "370405", "370406", "370481"}
    assert all(2 <= len(r["head_name"]) <= 4 for r in rows)
    assert all(0 < float(r["amount"]) <= 900 * int(r["members"]) for r in rows)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_clean_files_validate(catalog, clean, name, tmp_path):
    assert _findings(clean.files[name], catalog.get(name).schema, tmp_path) == set()


def test_defect_manifest(spoiled):
    manifest = json.loads((spoiled.folder / "_defects.json").read_text(encoding="utf-8"))
    assert manifest["period"] == PERIOD and len(manifest["defects"]) == len(spoiled.defects)
    assert {d["kind"] for d in manifest["defects"]} == set(DEFECT_KINDS)
    assert all((spoiled.folder / d["file"]).exists() and d["row"] >= 2 for d in manifest["defects"])


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_planted_defect_is_found_and_nothing_else(catalog, spoiled, name, tmp_path):
    planted = {(d.row, d.field, FINDING[d.kind]) for d in spoiled.defects if d.dataset == name}
    assert _findings(spoiled.files[name], catalog.get(name).schema, tmp_path) == planted


def test_defects_are_seeded_too(catalog, spoiled, tmp_path):
    again = generate_inbox(tmp_path, PERIOD, defects=True, catalog=catalog)
    assert again.defects == spoiled.defects
    assert all(again.files[n].read_bytes() == p.read_bytes() for n, p in spoiled.files.items())


def test_project_reader_and_validator_agree(catalog, clean, spoiled):
    read = pytest.importorskip("publish.read")
    validate = pytest.importorskip("publish.validate")
    for name, path in clean.files.items():
        schema = catalog.get(name).schema
        report = validate.validate(read.read_table(path, schema), schema)
        assert report.valid, (name, report.to_json())
    for d in spoiled.defects:
        if FINDING[d.kind] in ("constraint-error", "type-error", "primary-key"):
            schema = catalog.get(d.dataset).schema
            errors = validate.validate(read.read_table(spoiled.files[d.dataset], schema), schema).errors
            assert any(e.row == d.row and (d.field is None or e.field == d.field) for e in errors), d


def test_demo_command(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["demo", "--period", "2026-03", "--inbox", str(tmp_path), "--defects"])
    assert result.exit_code == 0, result.output
    assert "已生成 21 个文件" in result.output and "_defects.json" in result.output
    assert (tmp_path / "2026-03" / "区民政局").is_dir()
    bad = CliRunner().invoke(main, ["demo", "--period", "2026-3", "--inbox", str(tmp_path)])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
