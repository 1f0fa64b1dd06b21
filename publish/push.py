"""Reconcile one staged data package with the portal, idempotently.

The portal is the state: every push reads it first and only sends what differs.

- one organization per responsible unit, one dataset per indicator, one resource per period;
- a resource carries `period` and `sha256`; the same sha256 means no upload at all, a different one means the
  same resource gets the new file (never a second resource for the period);
- the DataStore table is rebuilt when the resource's `datastore_sha256` differs from the file's sha256, so a
  load cut short by a crash is finished by the next run;
- a dataset deleted on the portal keeps its name: it is brought back (state active) instead of recreated;
- `package_update` is never sent: metadata changes go through `package_patch` with merged extras, and the
  resource order through `package_resource_reorder`.

A new dataset is created private and made public only when its first resource and DataStore table are
complete, so the public never sees a half-made dataset. A 有条件开放 (conditionally open) dataset stays private:
its data reaches people by application (organization membership), never by a public download.
"""

from __future__ import annotations

import calendar
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pandas as pd

from publish.catalog import Dataset
from publish.ckan import Portal, PortalAmbiguous, PortalNotFound
from publish.stage import StagedPackage

DATASTORE_BATCH = 5000

# Table Schema type -> DataStore (PostgreSQL) column type. Booleans stay text: sources write 是/否.
_DATASTORE_TYPES = {
    "integer": "int",
    "number": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "year": "int",
}


@dataclass
class PushResult:
    """What a push did: `outcome` is "published" (something changed) or "unchanged"."""

    outcome: str
    package_id: str
    resource_id: str
    url: str
    actions: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def organization_payload(dataset: Dataset) -> dict[str, Any]:
    """The CKAN organization of a dataset's responsible unit."""
    return {"name": dataset.unit.slug, "title": dataset.unit.title, "description": dataset.unit.description}


def temporal_coverage(periods: list[str]) -> dict[str, str]:
    """DCAT temporal coverage of the published periods (YYYY-MM or YYYY): first day to last day."""
    if not periods:
        return {}
    first, last = min(periods), max(periods)
    start = f"{first}-01" if "-" in first else f"{first}-01-01"
    year, _, month = last.partition("-")
    end_day = calendar.monthrange(int(year), int(month))[1] if month else 31
    end = f"{last}-{end_day:02d}" if month else f"{year}-12-31"
    return {"temporal_start": start, "temporal_end": end}


def package_metadata(dataset: Dataset, periods: list[str] | None = None) -> dict[str, Any]:
    """Dataset-level metadata: Chinese title and notes, tags, license and DCAT-style extras.

    Extras use the keys ckanext-dcat reads from a plain CKAN dataset (frequency, theme, publisher_name,
    temporal_start/temporal_end, language …) so a DCAT endpoint can be added without touching datasets.
    """
    return {
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "license_id": dataset.license_id,
        "tags": [{"name": tag} for tag in dataset.tags],
        "extras": {
            "indicator_number": str(dataset.number),
            "frequency": dataset.frequency_uri,
            "theme": dataset.theme_uri,
            "publisher_name": dataset.publisher,
            "responsible_unit": dataset.unit.title,
            "publication_rule": dataset.rule.label,
            "open_access": dataset.open_access,
            "language": "zh",
            **temporal_coverage(periods or []),
        },
    }


def resource_name(dataset: Dataset, period: str) -> str:
    """A resource's Chinese name: `城乡低保 2026年10月` for a month, `… 2026年` for a year."""
    year, _, month = period.partition("-")
    return f"{dataset.title} {year}年{int(month)}月" if month else f"{dataset.title} {year}年"


def file_name(dataset: Dataset, period: str) -> str:
    """An ASCII upload name: CKAN drops non-ASCII characters from uploaded file names."""
    return f"{dataset.name}-{period}.csv"


class Pusher:
    """Pushes staged packages to one portal; remembers organizations it has already ensured in this run."""

    def __init__(self, portal: Portal, clock: Callable[[], float] = time.perf_counter) -> None:
        self.portal = portal
        self._clock = clock
        self._organizations: dict[str, str] = {}

    def push(self, dataset: Dataset, staged: StagedPackage) -> PushResult:
        """Make the portal hold `staged` as the dataset's resource for its period; return what was done."""
        actions: list[str] = []
        timings: dict[str, float] = {}
        started = self._clock()
        package = self._current_package(dataset.name)
        if package is None or package.get("state") == "deleted":
            org_id = self._ensure_organization(dataset, actions)
            package = self._create_or_restore(dataset, org_id, package, staged.period, actions)
        else:
            periods = [r["period"] for r in package.get("resources", []) if r.get("period")]
            package = self._patch_metadata(dataset, package, sorted({*periods, staged.period}), actions)
        timings["package"] = self._clock() - started

        resource = _resource_for_period(package, staged.period)
        started = self._clock()
        if resource is None:
            resource = self._upload(dataset, staged, package["id"], None, actions)
        elif resource.get("sha256") != staged.sha256:
            resource = self._upload(dataset, staged, package["id"], resource["id"], actions)
        timings["upload"] = self._clock() - started

        started = self._clock()
        if resource.get("datastore_sha256") != staged.sha256:
            self._load_datastore(staged, resource, actions)
        timings["datastore"] = self._clock() - started

        self._order_resources(package, resource, staged.period, actions)
        if package.get("private") != dataset.restricted:
            self.portal.call("package_patch", {"id": package["id"], "private": dataset.restricted})
            actions.append("package_private" if dataset.restricted else "package_public")
        return PushResult(
            outcome="published" if actions else "unchanged",
            package_id=package["id"],
            resource_id=resource["id"],
            url=resource["url"],
            actions=actions,
            timings=timings,
        )

    # --- dataset and organization -----------------------------------------------------------------------

    def _current_package(self, name: str) -> dict[str, Any] | None:
        try:
            return self.portal.call("package_show", {"id": name})
        except PortalNotFound:
            return None

    def _ensure_organization(self, dataset: Dataset, actions: list[str]) -> str:
        slug = dataset.unit.slug
        if slug in self._organizations:
            return self._organizations[slug]
        try:
            org = self.portal.call("organization_show", {"id": slug})
            if org.get("state") != "active":
                org = self.portal.call("organization_patch", {"id": org["id"], "state": "active"})
                actions.append("organization_restore")
        except PortalNotFound:
            try:
                org = self.portal.call("organization_create", organization_payload(dataset))
            except PortalAmbiguous:
                # organization_create may commit and still answer 5xx: look before failing.
                org = self.portal.call("organization_show", {"id": slug})
            actions.append("organization_create")
        self._organizations[slug] = org["id"]
        return org["id"]

    def _create_or_restore(
        self, dataset: Dataset, org_id: str, deleted: dict[str, Any] | None, period: str, actions: list[str]
    ) -> dict[str, Any]:
        metadata = package_metadata(dataset, [period])
        extras = [{"key": k, "value": v} for k, v in metadata.pop("extras").items()]
        if deleted is not None:
            actions.append("package_restore")
            return self.portal.call(
                "package_patch",
                {"id": deleted["id"], "state": "active", "private": True, "owner_org": org_id,
                 **metadata, "extras": _merge_extras(deleted.get("extras", []), extras)},
            )
        actions.append("package_create")
        try:
            return self.portal.call(
                "package_create", {**metadata, "owner_org": org_id, "private": True, "extras": extras}
            )
        except PortalAmbiguous:
            package = self._current_package(dataset.name)
            if package is None:
                raise
            return package

    def _patch_metadata(
        self, dataset: Dataset, package: dict[str, Any], periods: list[str], actions: list[str]
    ) -> dict[str, Any]:
        """Send a package_patch only for the metadata fields that differ, extras merged with the portal's."""
        wanted = package_metadata(dataset, periods)
        extras = wanted.pop("extras")
        changes: dict[str, Any] = {}
        for key in ("title", "notes", "license_id"):
            if package.get(key) != wanted[key]:
                changes[key] = wanted[key]
        if sorted(t["name"] for t in package.get("tags", [])) != sorted(dataset.tags):
            changes["tags"] = wanted["tags"]
        current_extras = {e["key"]: e["value"] for e in package.get("extras", [])}
        if any(current_extras.get(k) != v for k, v in extras.items()):
            changes["extras"] = _merge_extras(
                package.get("extras", []), [{"key": k, "value": v} for k, v in extras.items()]
            )
        if not changes:
            return package
        actions.append("package_patch")
        return self.portal.call("package_patch", {"id": package["id"], **changes})

    # --- resource ---------------------------------------------------------------------------------------

    def _upload(
        self,
        dataset: Dataset,
        staged: StagedPackage,
        package_id: str,
        resource_id: str | None,
        actions: list[str],
    ) -> dict[str, Any]:
        """Upload the staged CSV as a new resource or onto the period's existing one.

        The file and its sha256 travel in one call, so the portal never holds a file with a stale hash.
        """
        fields = {
            "name": resource_name(dataset, staged.period),
            "description": f"{dataset.title}（{staged.period}），{staged.rows} 行，个人信息已脱敏。",
            "format": "CSV",
            "mimetype": "text/csv",
            "period": staged.period,
            "sha256": staged.sha256,
            "rows": str(staged.rows),
            "schema": json.dumps(staged.public_schema, ensure_ascii=False),
            "datastore_sha256": "",
        }
        with staged.data_path.open("rb") as handle:
            files = {"upload": (file_name(dataset, staged.period), handle)}
            if resource_id is None:
                actions.append("resource_create")
                try:
                    return self.portal.call("resource_create", {"package_id": package_id, **fields}, files=files)
                except PortalAmbiguous:
                    package = self.portal.call("package_show", {"id": package_id})
                    resource = _resource_for_period(package, staged.period)
                    if resource is None:
                        raise
                    if resource.get("sha256") == staged.sha256:
                        return resource
                    resource_id = resource["id"]
            actions.append("resource_upload")
            return self.portal.call("resource_patch", {"id": resource_id, **fields}, files=files)

    def _load_datastore(self, staged: StagedPackage, resource: dict[str, Any], actions: list[str]) -> None:
        """Rebuild the resource's DataStore table from the staged CSV, then mark it complete."""
        actions.append("datastore_load")
        resource_id = resource["id"]
        if resource.get("datastore_active"):
            try:
                self.portal.call("datastore_delete", {"resource_id": resource_id, "force": True})
            except PortalNotFound:
                pass
        fields = datastore_fields(staged.public_schema)
        self.portal.call(
            "datastore_create",
            {"resource_id": resource_id, "force": True, "fields": fields, "records": []},
        )
        for records in _record_batches(staged, fields):
            self.portal.call(
                "datastore_upsert",
                {"resource_id": resource_id, "force": True, "method": "insert", "records": records},
            )
        self.portal.call("resource_patch", {"id": resource_id, "datastore_sha256": staged.sha256})

    def _order_resources(
        self, package: dict[str, Any], resource: dict[str, Any], period: str, actions: list[str]
    ) -> None:
        """Keep the newest period first; send a reorder only when the order is wrong."""
        known = {r["id"]: r.get("period", "") for r in package.get("resources", [])}
        known[resource["id"]] = period
        current = [r["id"] for r in package.get("resources", [])]
        if resource["id"] not in current:
            current.append(resource["id"])
        wanted = sorted(current, key=lambda rid: known[rid], reverse=True)
        if wanted != current:
            self.portal.call("package_resource_reorder", {"id": package["id"], "order": wanted})
            actions.append("resource_reorder")


def _resource_for_period(package: dict[str, Any], period: str) -> dict[str, Any] | None:
    for resource in package.get("resources", []):
        if resource.get("period") == period:
            return resource
    return None


def _merge_extras(current: list[dict[str, str]], wanted: list[dict[str, str]]) -> list[dict[str, str]]:
    """package_patch replaces the whole extras list: keep the portal's other extras beside ours."""
    merged = {e["key"]: e["value"] for e in current}
    merged.update({e["key"]: e["value"] for e in wanted})
    return [{"key": k, "value": v} for k, v in merged.items()]


def datastore_fields(public_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """DataStore columns: ASCII ids (PostgreSQL truncates names at 63 bytes), typed, with Chinese labels."""
    return [
        {
            "id": f["name"],
            "type": _DATASTORE_TYPES.get(f.get("type", "string"), "text"),
            "info": {"label": f.get("title", f["name"]), "notes": f.get("description", "")},
        }
        for f in public_schema["fields"]
    ]


def _record_batches(staged: StagedPackage, fields: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The staged CSV's rows as DataStore records, in batches; empty cells become nulls."""
    titles = [f["info"]["label"] for f in fields]
    ids = [f["id"] for f in fields]
    reader = pd.read_csv(
        staged.data_path, encoding="utf-8-sig", dtype=str, keep_default_na=False,
        chunksize=DATASTORE_BATCH, usecols=titles,
    )
    for chunk in reader:
        chunk = chunk[titles].set_axis(ids, axis=1)
        chunk = chunk.astype(object).where(chunk != "", None)
        yield chunk.to_dict(orient="records")
