"""What the push sends: metadata, DataStore columns, merged extras, ASCII file names."""

from __future__ import annotations

from pathlib import Path

from publish.catalog import load_catalog
from publish.push import (
    _merge_extras, datastore_fields, file_name, package_metadata, resource_name, temporal_coverage,
)

ROOT = Path(__file__).resolve().parents[2]
DIBAO = load_catalog(ROOT).get("urban-rural-dibao")


def test_metadata_is_chinese_with_dcat_extras() -> None:
    metadata = package_metadata(DIBAO)
    assert metadata["name"] == "urban-rural-dibao" and metadata["title"] == "城乡低保"
    assert metadata["extras"]["frequency"].endswith("MONTHLY")
    assert metadata["extras"]["indicator_number"] == "19"
    assert metadata["extras"]["publication_rule"] == "每月公开"
    assert {"name": "低保"} in metadata["tags"]


def test_file_names_are_ascii_and_resource_names_chinese() -> None:
    assert file_name(DIBAO, "2026-10") == "urban-rural-dibao-2026-10.csv"
    assert file_name(DIBAO, "2026-10").isascii()
    assert resource_name(DIBAO, "2026-03") == "城乡低保 2026年3月"


def test_datastore_columns_are_ascii_ids_with_chinese_labels_and_types() -> None:
    schema = {"fields": [
        {"name": "township", "title": "镇街", "type": "string"},
        {"name": "people", "title": "保障人数", "type": "integer"},
        {"name": "amount", "title": "月发放金额", "type": "number", "description": "元"},
        {"name": "passed", "title": "是否达标", "type": "boolean"},
    ]}
    fields = datastore_fields(schema)
    assert [f["id"] for f in fields] == ["township", "people", "amount", "passed"]
    assert [f["type"] for f in fields] == ["text", "int", "numeric", "text"]
    assert fields[2]["info"] == {"label": "月发放金额", "notes": "元"}
    assert all(len(f["id"].encode()) <= 63 for f in fields)


def test_extras_merge_keeps_the_portals_other_extras() -> None:
    current = [{"key": "frequency", "value": "old"}, {"key": "contact", "value": "staff"}]
    merged = _merge_extras(current, [{"key": "frequency", "value": "new"}])
    assert {e["key"]: e["value"] for e in merged} == {"frequency": "new", "contact": "staff"}


def test_temporal_coverage_spans_the_published_periods() -> None:
    assert temporal_coverage(["2026-10", "2026-02", "2025-12"]) == {
        "temporal_start": "2025-12-01", "temporal_end": "2026-10-31"}
    assert temporal_coverage(["2024-02"])["temporal_end"] == "2024-02-29"
    assert temporal_coverage(["2026"]) == {"temporal_start": "2026-01-01", "temporal_end": "2026-12-31"}
    assert temporal_coverage([]) == {}
    assert package_metadata(DIBAO, ["2026-10"])["extras"]["temporal_end"] == "2026-10-31"


def test_conditionally_open_datasets_are_restricted() -> None:
    catalog = load_catalog(ROOT)
    restricted = {d.name for d in catalog.datasets if d.restricted}
    assert restricted == {d.name for d in catalog.datasets if d.open_access == "有条件开放"}
    assert "orphan-welfare" in restricted and not DIBAO.restricted
