"""Turn a validated source table into a public data package on disk: anonymize, scan, write.

`dist/PERIOD/NAME/` receives:
- `data.csv`: UTF-8 with a BOM (Excel opens the Chinese correctly), CRLF line ends, the public Chinese headers,
  and text cells that a spreadsheet would run as a formula neutralized with a leading apostrophe;
- `datapackage.json`: a Frictionless data package with the derived public schema, the sha256 and the audit;
- `audit.json`: what each privacy rule did, in counts only.

The folder is written beside its final place and renamed into it, so a crash or a full disk leaves either the
previous package or the new one, never half of one. A leak found by the scan blocks staging altogether.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import anonymize
from anonymize.gate import LABELS
from publish.catalog import Dataset
from publish.errors import GongkaiError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class LeakBlocked(GongkaiError):
    """The leak scan found personal data in the public table; `findings` name row, column and category."""

    def __init__(self, message: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class StagedPackage:
    """A public data package ready to push: where it is and what it holds."""

    dataset: str
    period: str
    directory: Path
    sha256: str
    rows: int
    public_schema: dict[str, Any]
    audit: dict[str, Any]

    @property
    def data_path(self) -> Path:
        return self.directory / "data.csv"


def protect(dataset: Dataset, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Apply the dataset's privacy policy and the leak gate: (public frame, public schema, audit).

    Raises LeakBlocked when any output cell still looks like personal data; the finding's row is the frame's
    index label (the file row, as `publish monthly` passes it).
    """
    assert dataset.schema is not None
    try:
        policy = anonymize.Policy.from_mapping(dataset.privacy, dataset.schema["fields"])
        public, audit = anonymize.apply(frame, policy)
    except anonymize.AnonymizeError as exc:
        problems = "；".join(getattr(exc, "problems", []))
        raise GongkaiError(f"{exc.message}{'：' + problems if problems else ''}") from None
    findings = anonymize.scan(public, allow=list(dataset.allow_public))
    if findings:
        described = [finding.to_dict() for finding in findings]
        titles = {f["name"]: f.get("title", f["name"]) for f in dataset.schema["fields"]}
        where = "、".join(
            f"第{d['row']}行「{titles.get(d['column'], d['column'])}」（{LABELS.get(d['category'], d['category'])}）"
            for d in described[:5]
        )
        more = f" 等 {len(described)} 处" if len(described) > 5 else ""
        raise LeakBlocked(f"脱敏后仍检出疑似个人信息，已阻止发布：{where}{more}", described)
    schema = anonymize.public_schema(dataset.schema, policy)
    return public, schema, audit.to_dict()


def neutralize_formulas(frame: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with an apostrophe (CSV injection)."""
    out = frame.copy()
    for field in schema["fields"]:
        name = field["name"]
        if field.get("type", "string") != "string" or name not in out:
            continue
        column = out[name].astype("string")
        risky = column.str.startswith(FORMULA_PREFIXES).fillna(False)
        if risky.any():
            out[name] = column.mask(risky, "'" + column)
    return out


def csv_bytes(frame: pd.DataFrame, schema: dict[str, Any]) -> bytes:
    """The public CSV: titles as headers, UTF-8 with a BOM, CRLF, empty cells for missing values."""
    names = [f["name"] for f in schema["fields"]]
    titles = [f.get("title", f["name"]) for f in schema["fields"]]
    table = neutralize_formulas(frame[names], schema).set_axis(titles, axis=1)
    text = table.to_csv(index=False, lineterminator="\r\n", na_rep="")
    return "\ufeff".encode() + text.encode("utf-8")


def stage(dataset: Dataset, period: str, frame: pd.DataFrame, dist: Path) -> StagedPackage:
    """Anonymize, scan and write `dist/PERIOD/NAME/`; return the staged package."""
    target = _target(dist, period, dataset.name)
    public, schema, audit = protect(dataset, frame)
    data = csv_bytes(public, schema)
    sha256 = hashlib.sha256(data).hexdigest()
    descriptor = {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.description,
        "licenses": [{"name": dataset.license_id}],
        "resources": [{
            "name": dataset.name,
            "path": "data.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "hash": f"sha256:{sha256}",
            "bytes": len(data),
            "schema": _titled_schema(schema),
        }],
        "gongkai": {"period": period, "rows": len(public), "audit": audit},
    }
    _write_atomically(target, {
        "data.csv": data,
        "datapackage.json": _json_bytes(descriptor),
        "audit.json": _json_bytes(audit),
    })
    return StagedPackage(dataset.name, period, target, sha256, len(public), schema, audit)


def _target(dist: Path, period: str, name: str) -> Path:
    """`dist/PERIOD/NAME`, refusing a period or name that is not one plain folder name (it could leave dist)."""
    if any(part in ("", ".", "..") or "/" in part or "\\" in part for part in (period, name)):
        raise GongkaiError(f"暂存目录名无效：期别 {period!r}、数据集 {name!r}（不能含路径分隔符或 ..）。")
    return dist / period / name


def _titled_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as the CSV is written: fields named by their Chinese titles, so frictionless can check it."""
    fields = [{**f, "name": f.get("title", f["name"]), "x-id": f["name"]} for f in schema["fields"]]
    keys = {f["x-id"]: f["name"] for f in fields}
    titled = {**schema, "fields": fields}
    if "primaryKey" in schema:
        primary = schema["primaryKey"]
        titled["primaryKey"] = [keys.get(k, k) for k in (primary if isinstance(primary, list) else [primary])]
    return titled


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write_atomically(target: Path, files: dict[str, bytes]) -> None:
    """Write all files into a sibling temporary folder, then swap it into place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for name, content in files.items():
                with (temporary / name).open("wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
            previous = target.with_name(f".{target.name}.previous")
            shutil.rmtree(previous, ignore_errors=True)
            if target.exists():
                target.rename(previous)
            temporary.rename(target)
            shutil.rmtree(previous, ignore_errors=True)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise GongkaiError(f"磁盘空间不足，无法暂存到 {target}：请清理磁盘后重新运行。") from None
        raise GongkaiError(f"无法写入暂存目录 {target}：{exc.strerror}") from None
