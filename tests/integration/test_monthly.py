"""`publish monthly` against the real local CKAN: first publish, idempotent reruns, changes, failures, outages.

Each test works on its own copy of the catalog whose dataset and organization names carry a random suffix, so
tests never see each other's datasets or the demo's; everything is purged afterwards.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Iterator

import frictionless
import pytest
import requests

from publish.catalog import Catalog, load_catalog
from publish.ckan import Portal
from publish.ledger import Ledger
from publish.monthly import FAILED, MISSING, PUBLISHED, UNCHANGED, MonthlyJob
from publish.read import read_table
from publish.status import MISSING as STATUS_MISSING
from publish.status import NOT_APPLICABLE, ON_TIME, read_status
from publish.synth import generate_inbox

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-10"
# A handful of datasets that cover xlsx with title rows, GB18030 CSV and UTF-8 CSV, persons and aggregates.
SAMPLE = ["urban-rural-dibao", "senior-longevity-allowance", "medical-assistance", "pension-insurance",
          "water-quality-report", "key-polluting-units"]


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", "integration-test-key-0123456789abcdef0123456789")


@pytest.fixture
def catalog(unique: str, portal: Portal) -> Iterator[Catalog]:
    """The project's catalog with every name suffixed; purges what the test published."""
    real = load_catalog(ROOT)
    datasets = []
    for dataset in real.datasets:
        unit = dataclasses.replace(dataset.unit, slug=f"{dataset.unit.slug}-{unique}")
        datasets.append(dataclasses.replace(dataset, name=f"{dataset.name}-{unique}", unit=unit))
    yield Catalog(datasets=datasets, units=[d.unit for d in datasets])
    for dataset in datasets:
        try:
            portal.call("dataset_purge", {"id": dataset.name})
        except Exception:
            pass
    for slug in {d.unit.slug for d in datasets}:
        try:
            portal.call("organization_purge", {"id": slug})
        except Exception:
            pass


def _names(catalog: Catalog, unique: str, base: list[str]) -> list[str]:
    return [f"{name}-{unique}" for name in base]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    generate_inbox(root, PERIOD)
    return root


def _job(catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, token, **kw) -> MonthlyJob:
    portal = Portal(portal_env["GONGKAI_CKAN_URL"], token, timeout=60, retries=2, backoff=0.2)
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    return MonthlyJob(catalog, inbox, tmp_path / "dist", ledger, portal, **kw)


def test_first_publish_then_unchanged_rerun(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    names = _names(catalog, unique, SAMPLE)
    first = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, names)
    assert [o.outcome for o in first.outcomes] == [PUBLISHED] * len(names), [o.message for o in first.outcomes]

    for outcome in first.outcomes:
        package = portal.call("package_show", {"id": outcome.dataset.name})
        assert package["private"] is outcome.dataset.restricted  # 有条件开放 stays private
        assert package["title"] == outcome.dataset.title
        [resource] = package["resources"]
        assert resource["period"] == PERIOD and resource["sha256"] == outcome.sha256
        assert resource["datastore_active"] is True and resource["datastore_sha256"] == outcome.sha256
        found = portal.call("datastore_search", {"resource_id": resource["id"], "limit": 0})
        assert found["total"] == outcome.rows
        labels = [f.get("info", {}).get("label") for f in found["fields"] if f["id"] != "_id"]
        assert all(labels), "every DataStore column has a Chinese label"

    rerun_job = _job(catalog, inbox, tmp_path, portal_env, ckan_token)
    rerun = rerun_job.run(PERIOD, names)
    assert [o.outcome for o in rerun.outcomes] == [UNCHANGED] * len(names)
    uploads = {k: v for k, v in rerun_job.portal.calls.items() if k != "package_show"}
    assert uploads == {}, "an unchanged rerun only reads"
    assert rerun_job.portal.calls["package_show"] <= 2 * len(names)


def test_changed_file_updates_the_same_resource(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    name = f"urban-rural-dibao-{unique}"
    first = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, [name])
    [before] = portal.call("package_show", {"id": name})["resources"]

    source = first.outcomes[0].file
    assert source is not None
    _drop_last_data_row(source, catalog.get(name).schema)
    second = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, [name])
    assert second.outcomes[0].outcome == PUBLISHED
    assert second.outcomes[0].rows == first.outcomes[0].rows - 1
    [after] = portal.call("package_show", {"id": name})["resources"]
    assert after["id"] == before["id"] and after["sha256"] != before["sha256"]
    found = portal.call("datastore_search", {"resource_id": after["id"], "limit": 0})
    assert found["total"] == second.outcomes[0].rows


def _drop_last_data_row(path: Path, schema: dict) -> None:
    """Rewrite a unit's file without its last data row, as UTF-8 CSV under the same stem."""
    table = read_table(path, schema)
    frame = table.frame.iloc[:-1]
    titles = {f["name"]: f["title"] for f in schema["fields"]}
    path.unlink()
    frame.rename(columns=titles).to_csv(path.with_suffix(".csv"), index=False, encoding="utf-8-sig")


def test_published_csv_is_the_staged_bytes_without_personal_data(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    names = _names(catalog, unique, ["urban-rural-dibao", "medical-assistance"])
    report = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, names)
    for outcome in report.outcomes:
        assert outcome.outcome == PUBLISHED, outcome.message
        staged_dir = tmp_path / "dist" / PERIOD / outcome.dataset.name
        downloaded = portal.download(outcome.url)
        assert downloaded == (staged_dir / "data.csv").read_bytes()
        public = requests.get(outcome.url, timeout=60)
        assert public.status_code == (403 if outcome.dataset.restricted else 200)
        assert downloaded.startswith(b"\xef\xbb\xbf")
        text = downloaded.decode("utf-8-sig")
        source = read_table(outcome.file, outcome.dataset.schema).frame
        for field, category in outcome.dataset.pii_fields.items():
            raw = [v for v in source[field].dropna().astype(str) if len(v) >= 2]
            assert raw and not any(v in text for v in raw if category != "free_text"), field
        # The public CSV passes frictionless against the published schema.
        package = json.loads((staged_dir / "datapackage.json").read_text(encoding="utf-8"))
        schema = package["resources"][0]["schema"]
        (tmp_path / "download.csv").write_bytes(downloaded)
        result = frictionless.Resource(
            path="download.csv", basepath=str(tmp_path), schema=frictionless.Schema.from_descriptor(schema),
            encoding="utf-8-sig",
        ).validate()
        assert result.valid, result.flatten(["rowNumber", "fieldName", "type"])
        assert result.task.stats["rows"] == outcome.rows > 0


def test_defective_files_are_held_back_and_the_others_published(
    catalog: Catalog, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    inbox = tmp_path / "inbox"
    manifest = generate_inbox(inbox, PERIOD, defects=True)
    broken = {d.dataset for d in manifest.defects}
    names = [d.name for d in catalog.monthly()]
    report = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, names)
    by_base = {o.dataset.name.rsplit("-", 1)[0]: o for o in report.outcomes}
    assert broken, "the generator planted defects"
    for base, outcome in by_base.items():
        if base in broken:
            assert outcome.outcome == FAILED, base
            assert portal.call("package_search", {"fq": f"name:{outcome.dataset.name}",
                                                  "include_private": True})["count"] == 0
        else:
            assert outcome.outcome == PUBLISHED, (base, outcome.message)
    assert not report.ok


def test_missing_file_is_reported_by_unit(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, unique: str
) -> None:
    name = f"urban-rural-dibao-{unique}"
    for path in (inbox / PERIOD).rglob("城乡低保*"):
        path.unlink()
    report = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, [name])
    assert report.outcomes[0].outcome == MISSING
    assert list(report.missing_by_unit()) == ["山亭区民政局"]
    assert not report.ok


def test_deleted_dataset_is_restored_not_duplicated(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    name = f"pension-insurance-{unique}"
    _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, [name])
    portal.call("package_delete", {"id": name})
    report = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, [name])
    assert report.outcomes[0].outcome == PUBLISHED, report.outcomes[0].message
    package = portal.call("package_show", {"id": name})
    assert package["state"] == "active" and len(package["resources"]) == 1


def test_portal_stopped_mid_run_then_rerun_completes_without_duplicates(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    names = _names(catalog, unique, SAMPLE)
    stopped: list[str] = []

    def stop_on_third_push(dataset, step: str) -> None:
        if step == "push" and dataset.name == names[2] and not stopped:
            subprocess.run([str(ROOT / "scripts" / "ckan.sh"), "down"], check=True, capture_output=True)
            stopped.append(dataset.name)

    try:
        report = _job(catalog, inbox, tmp_path, portal_env, ckan_token,
                      progress=stop_on_third_push).run(PERIOD, names)
    finally:
        subprocess.run([str(ROOT / "scripts" / "ckan.sh"), "up"], check=True, capture_output=True)
    outcomes = [o.outcome for o in report.outcomes]
    assert outcomes[:2] == [PUBLISHED, PUBLISHED] and set(outcomes[2:]) == {FAILED}
    assert "CKAN" in report.outcomes[2].message

    rerun = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, names)
    assert [o.outcome for o in rerun.outcomes] == [UNCHANGED] * 2 + [PUBLISHED] * (len(names) - 2)
    for name in names:
        package = portal.call("package_show", {"id": name})
        restricted = catalog.get(name).restricted
        assert len(package["resources"]) == 1 and package["private"] is restricted
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    assert [p.outcome for p in ledger.history(100, names[2])] == [PUBLISHED, FAILED]


def test_status_reads_targets_and_timeliness_from_the_portal(
    catalog: Catalog, inbox: Path, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    names = _names(catalog, unique, ["urban-rural-dibao", "air-quality"])
    _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(PERIOD, names)
    today = date.today()
    report = read_status(portal, catalog, today.year, date(2026, 12, 5), target=15)
    opened = {p["name"] for p in report.opened}
    assert set(names) <= opened
    states = {t.dataset.name: t for t in report.timeliness}
    for name in names:
        assert (states[name].state, states[name].period) == (ON_TIME, PERIOD)
    assert states[f"pension-insurance-{unique}"].state == STATUS_MISSING
    assert states[f"policy-interpretations-{unique}"].state == NOT_APPLICABLE
    figures = report.figures()
    assert figures.opened == len(report.opened) and figures.target == 15


def test_periods_are_resources_of_one_dataset_newest_first(
    catalog: Catalog, tmp_path: Path, portal_env: dict, ckan_token, portal: Portal, unique: str
) -> None:
    name = f"air-quality-{unique}"
    inbox = tmp_path / "inbox"
    for period in ("2026-09", "2026-10", "2026-08"):
        generate_inbox(inbox, period, datasets=["air-quality"])
        report = _job(catalog, inbox, tmp_path, portal_env, ckan_token).run(period, [name])
        assert report.outcomes[0].outcome == PUBLISHED, report.outcomes[0].message
    package = portal.call("package_show", {"id": name})
    assert [r["period"] for r in package["resources"]] == ["2026-10", "2026-09", "2026-08"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2026-08-01", "2026-10-31")
    assert len({r["url"] for r in package["resources"]}) == 3
