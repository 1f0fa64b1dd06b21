"""The catalog: all 44 indicators load, every schema is valid, and every mistake is reported with file and key."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import frictionless
import pytest
from click.testing import CliRunner

from publish.catalog import PublicationRule, check_schema, load_catalog
from publish.cli import main
from publish.errors import CatalogError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "timed-disclosure-indicators.csv"
# docs/architecture.md: the monthly tabular datasets and their fixed names.
MONTHLY = {
    13: "elderly-hardship-subsidy", 14: "disability-subsidy", 15: "orphan-welfare", 16: "children-in-distress-subsidy",
    17: "senior-longevity-allowance", 18: "temporary-assistance", 19: "urban-rural-dibao", 20: "extreme-poverty-support",
    21: "medical-assistance", 22: "medical-maternity-insurance", 23: "skills-upgrade-subsidy",
    24: "graduate-employment-subsidy", 25: "public-welfare-job-subsidy", 26: "pension-insurance",
    27: "work-injury-insurance", 28: "unemployment-insurance", 35: "fiscal-brief", 37: "air-quality",
    38: "key-polluting-units", 39: "water-quality-report", 40: "tap-water-quality",
}
TOWNSHIPS = {"山城街道", "店子镇", "西集镇", "桑村镇", "北庄镇", "城头镇", "徐庄镇", "水泉镇", "冯卯镇", "凫城镇"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT)


def test_all_44_indicators_load_in_order(catalog):
    assert [d.number for d in catalog.datasets] == list(range(1, 45))
    assert len({d.name for d in catalog.datasets}) == 44
    assert all(d.name.isascii() and d.unit.slug.isascii() for d in catalog.datasets)


def test_monthly_tabular_datasets_have_the_fixed_names_and_schemas(catalog):
    assert {d.number: d.name for d in catalog.monthly()} == MONTHLY
    for name in MONTHLY.values():
        dataset = catalog.get(name)
        assert dataset.schema_path == ROOT / "schemas" / f"{name}.json"
        assert dataset.inbox_pattern.startswith(dataset.unit.name + "/")


@pytest.mark.skipif(not SEED.exists(), reason="the plan's appendix is not beside the repository")
def test_titles_units_and_rules_match_the_plan_appendix(catalog):
    rows = list(csv.DictReader(SEED.open(encoding="utf-8")))
    for row, dataset in zip(rows, catalog.datasets, strict=True):
        assert int(row["序号"]) == dataset.number
        assert row["指标名称"] == dataset.title
        assert row["单位名称"] == dataset.unit.name
        assert row["公开时限"].replace("１", "1") == dataset.rule.label


@pytest.mark.parametrize("path", sorted((ROOT / "schemas").glob("*.json")), ids=lambda p: p.stem)
def test_every_schema_is_valid(path):
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert frictionless.Schema.validate_descriptor(descriptor).valid
    assert check_schema(descriptor) == []
    township = [f for f in descriptor["fields"] if f["name"] == "township"]
    assert not township or set(township[0]["constraints"]["enum"]) == TOWNSHIPS
    ids = [f for f in descriptor["fields"] if f["name"] == "id_number"]
    assert not ids or (ids[0]["pii"] == "id_card" and ids[0]["constraints"]["pattern"] == "^[0-9]{17}[0-9Xx]$")


def test_privacy_covers_every_personal_field(catalog):
    for dataset in catalog.monthly():
        assert set(dataset.pii_fields) <= set(dataset.privacy), dataset.name
    person_lists = [d for d in catalog.monthly() if "id_number" in d.pii_fields]
    assert len(person_lists) >= 12
    assert sum("remarks" in d.pii_fields for d in person_lists) >= 3
    assert catalog.get("key-polluting-units").allow_public == ("credit_code", "legal_rep")


def test_privacy_policies_build_with_the_anonymize_library(catalog):
    policy = pytest.importorskip("anonymize.policy")
    pseudonym = pytest.importorskip("anonymize.pseudonym")
    key = pseudonym.PseudonymKey("5f0c1e9a7b3d48a2c6e1f0b9d8a7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9")
    for dataset in catalog.monthly():
        built = policy.Policy.from_mapping(dataset.privacy, dataset.schema["fields"], key=key)
        assert {f.name for f in built.fields} >= set(dataset.pii_fields), dataset.name


def test_rule_labels():
    assert PublicationRule("annual", month=10).label == "年度公开（10月底前完成）"
    assert PublicationRule("after_event", working_days=3, event="政策文件出台").label == "政策文件出台后3个工作日内公开"
    assert PublicationRule("weekly").label == "每周公开"


def test_unknown_dataset_is_a_catalog_error(catalog):
    with pytest.raises(CatalogError, match="no-such-thing"):
        catalog.get("no-such-thing")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "datasets", tmp_path / "datasets")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_mistake_is_reported_with_file_and_key(tmp_path):
    root = _copy(tmp_path)
    ds = root / "datasets"
    _edit(ds / "urban-rural-dibao.yaml", "  id_number: {rule: pseudonymize}\n", "")
    _edit(ds / "urban-rural-dibao.yaml", "theme: SOCI", "theme: SOCIAL")
    _edit(ds / "rule-of-law-report.yaml", "rule: {kind: annual, month: 2}", "rule: {kind: annual}")
    _edit(ds / "fiscal-brief.yaml", "frequency: MONTHLY", "frequency: WEEKLY")
    _edit(ds / "air-quality.yaml", "unit: 区生态环境分局", "unit: 区环保局")
    _edit(ds / "vaccination.yaml", "number: 29", "number: 30")
    _edit(ds / "department-news.yaml", "license_id: cc-by", "license_id: cc-by\nlicence: cc-by")
    _edit(ds / "key-polluting-units.yaml", "  legal_rep: {rule: keep}\n", "  legal_rep: {rule: keep}\n  boss: {rule: drop}\n")
    _edit(ds / "statistics-monthly.yaml", "title: 统计月报", "title: [统计月报")
    _edit(ds / "key-projects-list.yaml", "number: 12", "number: 12\nnumber: 13")
    _edit(ds / "orphan-welfare.yaml", "name: orphan-welfare", "name: Orphan_Welfare")
    _edit(root / "schemas" / "air-quality.json", '"type": "integer"', '"type": "int"')
    _edit(root / "schemas" / "tap-water-quality.json", '"pii": "address"', '"pii": "home"')
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    problems = caught.value.problems
    expected = [
        ("datasets/urban-rural-dibao.yaml", "privacy.id_number"),
        ("datasets/urban-rural-dibao.yaml", "theme"),
        ("datasets/rule-of-law-report.yaml", "rule.month"),
        ("datasets/fiscal-brief.yaml", "frequency"),
        ("datasets/air-quality.yaml", "unit"),
        ("datasets/vaccination.yaml", "number"),
        ("datasets/department-news.yaml", "licence"),
        ("datasets/key-polluting-units.yaml", "privacy.boss"),
        ("datasets/statistics-monthly.yaml", "YAML 语法错误"),
        ("datasets/key-projects-list.yaml", "键 number 重复"),
        ("datasets/orphan-welfare.yaml", "name"),
        ("schemas/air-quality.json", "int"),
        ("schemas/tap-water-quality.json", "fields[2].pii"),
        ("datasets/tap-water-quality.yaml", "schema"),
    ]
    for file, key in expected:
        assert any(p.startswith(file + ": ") and key in p for p in problems), (file, key, problems)
    assert len(problems) >= len(expected) - 1
    assert caught.value.message.startswith(f"数据目录有 {len(problems)} 处错误")


def test_missing_schema_file_and_units_file(tmp_path):
    root = _copy(tmp_path)
    (root / "schemas" / "urban-rural-dibao.json").unlink()
    (root / "datasets" / "_units.yaml").unlink()
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    problems = caught.value.problems
    assert any(p.startswith("schemas/urban-rural-dibao.json: ") for p in problems)
    assert any(p.startswith("datasets/_units.yaml: ") for p in problems)
    assert any(p.startswith("datasets/department-news.yaml: unit: ") for p in problems)


def test_privacy_keep_needs_allow_public(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "datasets" / "key-polluting-units.yaml", "- legal_rep\n", "")
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert caught.value.problems == [
        "datasets/key-polluting-units.yaml: privacy.legal_rep: 个人信息字段保留原值（keep）时，须同时列入 allow_public。"]


def test_cli_lists_all_44(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["catalog"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "责任单位" in lines[0] and "公开时限" in lines[0]
    assert any("urban-rural-dibao" in ln and "区民政局" in ln and "MONTHLY" in ln and "urban-rural-dibao.json" in ln
               for ln in lines)
    assert any("政策文件出台后3个工作日内公开" in ln and "IRREG" in ln for ln in lines)
    assert "共 44 项指标，21 项有表结构" in result.output


def test_an_invalid_pattern_is_a_catalog_error() -> None:
    from publish.catalog import check_schema

    found = check_schema({"fields": [{"name": "code", "title": "编码", "type": "string",
                                      "constraints": {"pattern": "[0-9"}}]})
    assert [key for key, _ in found] == ["fields[0].constraints.pattern"]
