"""No raw personal value, API token or pseudonym key in anything a realistic run leaves behind.

A sample inbox with planted defects and a clean one go through `publish validate` (text and JSON), `publish
monthly --dry-run`, a real monthly run against the local CKAN, `publish history`, and `publish requests
import/add/report/list` of a request log full of applicants' names, phones and ID numbers, with Python logging
captured at DEBUG. Then every output, log record, the SQLite ledger (file bytes and a dump of all its tables), the
staged dist/ files and what CKAN now holds (package_show, downloaded CSVs, DataStore records) are searched for
every raw value planted. Datasets get a suffixed catalog copy (tests/workspace.py) and are purged afterwards.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sqlite3
from pathlib import Path
from typing import Iterator

import click
import pytest
from click.testing import CliRunner

from anonymize import PseudonymKey
from anonymize.errors import AnonymizeError
from publish.catalog import Catalog, Dataset, load_catalog
from publish.ckan import Portal, PortalError
from publish.cli import main
from publish.config import Secret, load_settings
from publish.errors import GongkaiError
from publish.ledger import Ledger
from publish.monthly import PUBLISHED, UNCHANGED, MonthlyJob
from publish.read import read_table
from publish.synth import generate_inbox, id_check_digit
from tests.workspace import ROOT, Workspace, create_workspace, purge

pytestmark = pytest.mark.integration

PERIOD = "2026-10"
KEY = "privacy-leak-test-key-0123456789abcdef0123456789abcdef"
# Every kind of personal field: bank cards, mobiles, phones (dropped), addresses, remarks with planted IDs,
# a legal representative published on purpose (allow_public), GB18030 CSV and xlsx with title rows.
NAMES = ["urban-rural-dibao", "senior-longevity-allowance", "orphan-welfare", "graduate-employment-subsidy",
         "key-polluting-units", "tap-water-quality", "medical-assistance", "temporary-assistance"]
# What a clerk types into 备注: ID numbers, mobiles, and a relative's name ("家属王芳身份证…", see publish.synth).
IN_REMARKS = re.compile(r"[0-9]{17}[0-9Xx]|1[3-9][0-9]{9}|(?<=家属).+?(?=身份证)")


class Evidence:
    """Everything a run left behind, by where it was found."""

    def __init__(self) -> None:
        self.places: list[tuple[str, str]] = []

    def add(self, where: str, content: str | bytes) -> None:
        text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
        self.places.append((where, text))

    def leaks(self, values: set[str]) -> list[tuple[str, str]]:
        """(place, value) for every value found in any place."""
        return [(where, value) for where, text in self.places for value in values if value in text]


def raw_personal_values(dataset: Dataset, path: Path) -> set[str]:
    """Each raw personal value in a unit's file: whole values of personal fields (names of 2+ characters),
    and the IDs, phones and names planted inside free text. Fields published on purpose are left out."""
    frame = read_table(path, dataset.schema).frame
    values: set[str] = set()
    for field, category in dataset.pii_fields.items():
        if field in dataset.allow_public or field not in frame:
            continue
        cells = {v.strip() for v in frame[field].dropna() if v.strip()}
        if category == "free_text":
            values |= {found for cell in cells for found in IN_REMARKS.findall(cell) if len(found) >= 2}
        else:
            values |= {c for c in cells if len(c) >= 2}
    return values


def allowed_public_values(dataset: Dataset, inbox: Path) -> set[str]:
    """Personal values the catalog publishes on purpose (a company's legal representative): another dataset's
    person who shares such a name is no leak."""
    [path] = (inbox / PERIOD).glob(dataset.inbox_pattern)
    frame = read_table(path, dataset.schema).frame
    fields = [f for f in dataset.allow_public if f in dataset.pii_fields and f in frame]
    return {v for f in fields for v in frame[f].dropna()}


def request_log(path: Path) -> set[str]:
    """Staff's request log with applicants' names, phones and IDs; returns those raw values."""
    people = [("欧阳娜娜", "13912345678", "11010519800101123"), ("司马光明", "15800001111", "37040619750505123"),
              ("上官婉儿", "18612349876", "37040620000229100")]
    rows = [["申请编号", "申请人", "联系电话", "身份证号", "申请数据", "收到时间", "答复时间", "结果"]]
    raw: set[str] = set()
    for i, (name, phone, first17) in enumerate(people, start=1):
        id_number = first17 + id_check_digit(first17)
        rows.append([f"2026100{i}-001", name, phone, id_number, "城乡低保", f"2026-10-0{i} 09:30",
                     f"2026-10-0{i + 2} 16:00", "同意公开"])
        raw |= {name, phone, id_number}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return raw


def cli(evidence: Evidence, *args: str, env: dict[str, str] | None = None) -> None:
    """Run the CLI in-process; keep stdout and stderr; no traceback whatever the outcome."""
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output
    evidence.add(f"publish {' '.join(args)}", result.output)


def portal_holdings(evidence: Evidence, portal: Portal, catalog: Catalog) -> int:
    """package_show JSON, every resource's downloaded bytes and DataStore records; how many resources."""
    resources = 0
    for dataset in catalog.datasets:
        try:
            package = portal.call("package_show", {"id": dataset.name})
        except PortalError:
            continue
        evidence.add(f"CKAN package_show {dataset.name}", json.dumps(package, ensure_ascii=False))
        for resource in package["resources"]:
            resources += 1
            evidence.add(f"CKAN download {resource['url']}", portal.download(resource["url"]))
            if resource.get("datastore_active"):
                found = portal.call("datastore_search", {"resource_id": resource["id"], "limit": 32000})
                evidence.add(f"CKAN datastore {dataset.name}", json.dumps(found, ensure_ascii=False))
    return resources


def ledger_contents(evidence: Evidence, path: Path) -> None:
    """The SQLite file's bytes (with its journal, if any) and a dump of every table."""
    for file in path.parent.glob(path.name + "*"):
        evidence.add(f"ledger file {file.name}", file.read_bytes())
    with sqlite3.connect(path) as connection:
        evidence.add("ledger dump", "\n".join(connection.iterdump()))


@pytest.fixture
def workspace(tmp_path: Path, unique: str, portal: Portal) -> Iterator[Workspace]:
    ws = create_workspace(tmp_path, unique, NAMES, period=PERIOD, rows=40)
    yield ws
    purge(portal, ws)


def test_no_personal_value_or_secret_leaves_a_realistic_run(
    workspace: Workspace, portal_env: dict[str, str], ckan_token: Secret, portal: Portal,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in [n for n in os.environ if n.startswith("GONGKAI_")]:
        monkeypatch.delenv(name)  # only the workspace's config and the test key count
    monkeypatch.setenv("GONGKAI_PSEUDONYM_KEY", KEY)
    evidence = Evidence()
    root = workspace.root
    clean = workspace.inbox
    defective = root / "defective-inbox"
    manifest = generate_inbox(defective, PERIOD, datasets=NAMES, defects=True, catalog=load_catalog(ROOT))
    assert "id_in_remarks" in {d.kind for d in manifest.defects}
    config = workspace.write_config(portal_env["GONGKAI_CKAN_URL"], portal_env["GONGKAI_CKAN_TOKEN_FILE"])

    raw: set[str] = set()
    for dataset in workspace.catalog.datasets:
        for inbox in (clean, defective):
            [path] = (inbox / PERIOD).glob(dataset.inbox_pattern)
            raw |= raw_personal_values(dataset, path)
            for output in ("text", "json"):
                cli(evidence, "validate", str(path), "--dataset", dataset.name, "--root", str(root / "catalog"),
                    "--format", output)
    assert len(raw) > 500, "the sample holds a realistic amount of personal data"

    for inbox in (defective, clean):
        cli(evidence, *workspace.monthly_args(PERIOD), "--dry-run", "--config", str(config),
            env={"GONGKAI_INBOX": str(inbox)})
    job_portal = Portal(portal_env["GONGKAI_CKAN_URL"], ckan_token, timeout=60, retries=2, backoff=0.2)
    for inbox in (defective, clean):
        with Ledger(workspace.ledger_path) as ledger:
            report = MonthlyJob(workspace.catalog, inbox, workspace.dist, ledger, job_portal).run(PERIOD, workspace.names)
        evidence.add("monthly report", repr(report))
    assert {o.outcome for o in report.outcomes} <= {PUBLISHED, UNCHANGED}, [o.message for o in report.outcomes]
    cli(evidence, "history", "--limit", "500", "--config", str(config))

    log = root / "申请登记表.csv"
    raw |= request_log(log)
    ledger_option = ["--ledger", str(workspace.ledger_path)]
    cli(evidence, "requests", "import", str(log), *ledger_option)
    cli(evidence, "requests", "add", "--dataset", "城乡低保", "--received", "2026-10-09 10:00",
        "--applicant", "13700001234", *ledger_option)
    raw.add("13700001234")
    cli(evidence, "requests", "report", "--year", "2026", "--today", "2026-11-20", *ledger_option)
    cli(evidence, "requests", "list", "--today", "2026-11-20", *ledger_option)

    assert portal_holdings(evidence, portal, workspace.catalog) == len(NAMES)
    ledger_contents(evidence, workspace.ledger_path)
    for file in workspace.dist.rglob("*"):
        if file.is_file():
            evidence.add(f"dist {file.relative_to(workspace.dist)}", file.read_bytes())
    assert any(r.name.startswith("urllib3") for r in caplog.records), "DEBUG logging was captured"
    for record in caplog.records:
        evidence.add(f"log {record.name}", f"{record.getMessage()} {record.exc_text or ''}")
    evidence.add("log text", caplog.text)

    published_on_purpose = {v for d in workspace.catalog.datasets for v in allowed_public_values(d, clean)}
    raw = {v for v in raw if not any(v in public for public in published_on_purpose)}
    assert evidence.leaks(raw) == []
    assert evidence.leaks({KEY, ckan_token.reveal()}) == []


def test_secrets_stay_out_of_reprs_errors_and_help(tmp_path: Path, portal_env: dict[str, str], ckan_token: Secret) -> None:
    token = ckan_token.reveal()
    settings = load_settings(None, env={"GONGKAI_CKAN_TOKEN": token, "GONGKAI_PSEUDONYM_KEY": KEY})
    key = PseudonymKey(KEY)
    texts = [repr(settings), str(settings), repr(settings.ckan_token), repr(key), str(key),
             repr(Portal(portal_env["GONGKAI_CKAN_URL"], ckan_token))]
    wrong = Secret(token[:-4] + "0000")
    denied = Portal(portal_env["GONGKAI_CKAN_URL"], wrong, timeout=30, retries=0)
    with pytest.raises(GongkaiError) as caught:
        denied.call("organization_create", {"name": "never-made"})
    texts += [caught.value.message, repr(caught.value), str(caught.value)]
    loose = tmp_path / "key"
    loose.write_text(KEY)
    loose.chmod(0o644)
    for attempt in (lambda: PseudonymKey.from_file(loose), lambda: PseudonymKey("short")):
        with pytest.raises(AnonymizeError) as caught:
            attempt()
        texts += [caught.value.message, repr(caught.value)]
    texts += [CliRunner().invoke(main, ["--version"]).output]
    texts += [CliRunner().invoke(main, [*path, "--help"]).output for path in command_paths(main)]
    for text in texts:
        assert token not in text and KEY not in text and wrong.reveal() not in text


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command's argv path, the group itself included."""
    yield prefix
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))
        else:
            yield (*prefix, name)
