"""Policies with safe defaults, apply + audit, the derived public schema, generalization and risk."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import anonymize
from anonymize import risk
from tests.unit.synthetic_ids import luhn, resident_id

KEY = anonymize.PseudonymKey("0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef0fedcba987654321")
SCHEMA = {
    "fields": [
        {"name": "head_name", "title": "户主姓名", "type": "string", "pii": "person_name"},
        {"name": "id_number", "title": "身份证号", "type": "string", "pii": "id_card", "aliases": ["身份证号码"],
         "constraints": {"required": True, "pattern": "^[0-9]{17}[0-9Xx]$", "unique": True}},
        {"name": "mobile", "title": "联系电话", "type": "string", "pii": "mobile"},
        {"name": "address", "title": "家庭住址", "type": "string", "pii": "address"},
        {"name": "bank_card", "title": "银行卡号", "type": "string", "pii": "bank_card"},
        {"name": "remark", "title": "备注", "type": "string", "pii": "free_text"},
        {"name": "village", "title": "村（社区）", "type": "string"},
        {"name": "amount", "title": "发放金额", "type": "number", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["id_number"],
}
FRAME = pd.DataFrame({
    "head_name": ["段正淳", "欧阳锋", "王五"],
    "id_number": [resident_id(), resident_id("510102", "19800101", "031"), resident_id("110105", "20000229", "123")],
    "mobile": ["13800138000", None, "13900139000"],
    "address": ["四川省成都市锦江区春熙路街道幸福路1号", "某县某某镇东村3组", "四川省成都市锦江区春熙路街道人民路2号"],
    "bank_card": [luhn("622202020011223344"), "", luhn("622202020011223")],
    "remark": ["低保户", "电话13800138000", ""],
    "village": ["东村", "东村", "西村"],
    "amount": ["800", "1200.5", "600"],
}, dtype="string")


def test_defaults_cover_every_personal_field() -> None:
    policy = anonymize.Policy.from_mapping(None, SCHEMA["fields"])
    rules = {entry.name: entry.rule for entry in policy.fields}
    assert rules == {"head_name": "mask", "id_number": "mask", "mobile": "mask", "address": "mask",
                     "bank_card": "mask", "remark": "drop"}


def test_policy_mistakes_are_listed_in_chinese() -> None:
    fields = [*SCHEMA["fields"], {"name": "diagnosis", "pii": "health"}]
    privacy = {"nope": {"rule": "mask"}, "head_name": {"rule": "mask", "front": 3}, "mobile": {"rule": "zap"},
               "village": "keep", "amount": {"rule": "suppress", "also": ["missing"]}}
    with pytest.raises(anonymize.PolicyError) as error:
        anonymize.Policy.from_mapping(privacy, fields)
    problems = error.value.problems
    assert len(problems) == 6, problems
    assert any("nope" in p for p in problems) and any("diagnosis" in p and "health" in p for p in problems)
    assert any("zap" in p for p in problems) and any("head_name" in p for p in problems)
    assert any("village" in p for p in problems) and any("missing" in p for p in problems)


def test_apply_with_audit_counts_only() -> None:
    privacy = {
        "mobile": {"rule": "pseudonymize", "scope": "dibao"},
        "address": {"rule": "generalize", "quasi_identifier": True},
        "village": {"quasi_identifier": True},
        "amount": {"rule": "generalize", "to": "range", "width": 500, "title": "发放金额区间"},
        "remark": {"rule": "redact"},
        "bank_card": {"rule": "null"},
    }
    policy = anonymize.Policy.from_mapping(privacy, SCHEMA["fields"], KEY)
    out, audit = anonymize.apply(FRAME, policy)
    assert out["head_name"].tolist() == ["段**", "欧阳*", "王*"]
    assert out["address"].tolist() == ["四川省成都市锦江区春熙路街道", "某县某某镇", "四川省成都市锦江区春熙路街道"]
    assert out["amount"].tolist() == ["[500,1000)", "[1000,1500)", "[500,1000)"]
    assert out["remark"].tolist() == ["低保户", "电话[已隐去号码]", ""]
    assert out["bank_card"].isna().all()
    assert anonymize.scan(out) == []
    report = audit.to_dict()
    text = json.dumps(report, ensure_ascii=False)
    for value in FRAME.stack().tolist():
        if len(str(value)) > 3:
            assert str(value) not in text
    mobile = audit.entry("mobile")
    assert (mobile.filled, mobile.changed, mobile.emptied) == (2, 2, 0)
    assert audit.entry("bank_card").emptied == 3  # "" is a filled cell; NA is not
    assert report["risk"] == {"quasi_identifiers": ["address", "village"], "rows": 3, "classes": 3, "k": 1,
                              "unique_rows": 3, "unique_share": 1.0}


def test_dropped_and_absent_fields() -> None:
    policy = anonymize.Policy.from_mapping({}, SCHEMA["fields"])
    out, audit = anonymize.apply(FRAME.drop(columns=["mobile"]), policy)
    assert "remark" not in out.columns
    assert audit.entry("mobile").present is False


def test_public_schema_follows_the_policy() -> None:
    privacy = {"mobile": {"rule": "pseudonymize"}, "amount": {"rule": "generalize", "to": "range", "width": 500}}
    policy = anonymize.Policy.from_mapping(privacy, SCHEMA["fields"], KEY)
    public = anonymize.public_schema(SCHEMA, policy)
    fields = {field["name"]: field for field in public["fields"]}
    assert "remark" not in fields and "primaryKey" not in public
    assert all("pii" not in field and "aliases" not in field for field in fields.values())
    assert fields["id_number"]["type"] == "string" and fields["id_number"]["constraints"] == {"required": True}
    assert "前 1 位和后 2 位" in fields["id_number"]["description"]
    assert "假名" in fields["mobile"]["description"]
    assert fields["amount"]["type"] == "string" and "constraints" not in fields["amount"]
    assert fields["village"] == SCHEMA["fields"][6]
    assert SCHEMA["fields"][1]["pii"] == "id_card"  # the source descriptor is not modified


def test_public_schema_validates_with_frictionless() -> None:
    frictionless = pytest.importorskip("frictionless")
    policy = anonymize.Policy.from_mapping({}, SCHEMA["fields"])
    assert frictionless.Schema.validate_descriptor(anonymize.public_schema(SCHEMA, policy)).valid


def test_generalization_targets() -> None:
    ids = pd.Series([resident_id("110105", "19491231", "002"), "130503670401001", "1990-03-05", None, "不详"])
    assert anonymize.generalize(ids, "id_card", as_of="2026-10-31").tolist()[:3] == ["70-79", "50-59", "30-39"]
    assert anonymize.generalize(ids, "id_card", as_of="2026-10-31", top=60).isna().tolist()[3:] == [True, True]
    assert anonymize.generalize(ids, "id_card", as_of="2026-10-31", top=60).tolist()[0] == "60+"
    dates = pd.Series(["2024-3-5", "2024年12月", "20240305", "2024-13-01"])
    assert anonymize.generalize(dates, to="month").tolist()[:3] == ["2024-03", "2024-12", "2024-03"]
    amounts = pd.Series(["1,200.5", "999", "5000", "无"])
    assert anonymize.generalize(amounts, to="range", bins=[1000, 2000, 5000]).tolist()[:3] == [
        "[1000,2000)", "<1000", "≥5000"
    ]
    with pytest.raises(anonymize.PolicyError):
        anonymize.generalize(amounts, to="shoe_size")


def test_k_anonymity_and_small_cells() -> None:
    frame = pd.DataFrame({"village": ["东村", "东村", "西村", "西村", "西村"], "size": ["1", "1", "2", "2", "2"]})
    report = risk.assess(frame, ["village", "size"])
    assert (report.k, report.classes, report.unique_rows) == (2, 2, 0)
    table = pd.DataFrame({"village": ["东村", "西村", "南村"], "count": ["2", "15", "0"], "amount": ["1600", "9000", "0"]})
    suppressed, cells = risk.suppress_small_cells(table, "count", also=["amount"])
    assert cells == 1 and suppressed["count"].isna().tolist() == [True, False, False]
    assert suppressed["amount"].isna().tolist() == [True, False, False]


def test_suppress_rule_in_a_policy() -> None:
    fields = [{"name": "village", "type": "string"}, {"name": "count", "type": "integer"}]
    policy = anonymize.Policy.from_mapping({"count": {"rule": "suppress", "min_count": 5}}, fields)
    out, audit = anonymize.apply(pd.DataFrame({"village": ["东村", "西村"], "count": ["4", "5"]}), policy)
    assert out["count"].isna().tolist() == [True, False] and audit.entry("count").emptied == 1
    assert anonymize.public_schema({"fields": fields}, policy)["fields"][1]["type"] == "integer"
