"""The toolkit's own check beyond frictionless: ID numbers with a wrong check digit or birth date."""

from __future__ import annotations

from pathlib import Path

from publish.catalog import load_catalog
from publish.synth import generate_inbox
from publish.validate import validate

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT)


def test_every_planted_bad_check_digit_is_an_id_checksum_error(tmp_path: Path) -> None:
    manifest = generate_inbox(tmp_path, "2026-10", defects=True)
    planted = [d for d in manifest.defects if d.kind == "bad_check_digit"]
    assert planted
    for defect in planted:
        schema = CATALOG.get(defect.dataset).schema
        report = validate(tmp_path / "2026-10" / defect.file, schema)
        found = {(e.row, e.field) for e in report.errors if e.type == "id-checksum"}
        assert (defect.row, defect.field) in found, defect
        message = next(e.message for e in report.errors if e.type == "id-checksum")
        assert "校验位" in message and not any(ch.isdigit() for ch in message.replace("11643", ""))


def test_clean_files_have_no_id_checksum_errors_and_frictionless_mode_skips_the_check(tmp_path: Path) -> None:
    generate_inbox(tmp_path, "2026-10", datasets=["urban-rural-dibao"])
    [path] = (tmp_path / "2026-10").rglob("城乡低保*")
    schema = CATALOG.get("urban-rural-dibao").schema
    assert validate(path, schema).valid
    assert validate(path, schema, identity_checks=False).valid
