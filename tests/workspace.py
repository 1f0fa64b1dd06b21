"""A throwaway publishing workspace: a suffixed copy of the catalog plus its own inbox, dist, ledger and config.

Tests and benchmarks that run `publish monthly` against the shared local CKAN use it so that they never touch
the real indicators' datasets (the demo's) or each other's: every dataset and organization name carries the
workspace's suffix. The catalog copy is written on disk, so the `publish` CLI itself can run on it
(`Workspace.publish`); `purge` removes from the portal whatever the workspace published.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from publish.catalog import Catalog, load_catalog
from publish.ckan import Portal, PortalNotFound
from publish.ledger import Ledger
from publish.synth import generate_inbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PERIOD = "2026-10"
# Six monthly datasets covering xlsx with title rows, GB18030 and UTF-8 CSV, persons and aggregates.
SAMPLE = ["urban-rural-dibao", "senior-longevity-allowance", "medical-assistance", "pension-insurance",
          "water-quality-report", "key-polluting-units"]
TEST_PSEUDONYM_KEY = "workspace-test-key-0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace under `root`; `catalog` holds the suffixed copies of the chosen datasets."""

    root: Path
    suffix: str
    catalog: Catalog

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def ledger_path(self) -> Path:
        return self.root / "var" / "ledger.sqlite3"

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.catalog.datasets]

    def ledger(self) -> Ledger:
        return Ledger(self.ledger_path)

    def write_config(self, ckan_url: str, token_file: str, *, timeout: float = 30.0) -> Path:
        """A gongkai.toml (mode 0600) pointing at this workspace and the given portal."""
        path = self.root / "gongkai.toml"
        path.write_text(
            f'[ckan]\nurl = "{ckan_url}"\ntoken_file = "{token_file}"\ntimeout = {timeout}\n\n'
            f'[paths]\ncatalog = "{self.root / "catalog"}"\ninbox = "{self.inbox}"\n'
            f'dist = "{self.dist}"\nledger = "{self.ledger_path}"\n',
            encoding="utf-8",
        )
        path.chmod(0o600)
        return path

    def command(self, *args: str, config: Path) -> tuple[list[str], dict[str, str]]:
        """Argv and environment of a `publish` CLI run on this workspace: its config, a test pseudonym key,
        no other GONGKAI_* variable of the caller's. Run it with cwd=`root`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
        env["GONGKAI_PSEUDONYM_KEY"] = TEST_PSEUDONYM_KEY
        return [sys.executable, "-m", "publish", *args, "--config", str(config)], env

    def publish(self, *args: str, config: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run the `publish` CLI in a child process (see `command`)."""
        argv, env = self.command(*args, config=config)
        return subprocess.run(argv, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)

    def monthly_args(self, period: str = SAMPLE_PERIOD) -> list[str]:
        """`publish monthly` over exactly this workspace's datasets, in catalog order."""
        return ["monthly", "--period", period, *(arg for name in self.names for arg in ("--dataset", name))]


def create_workspace(
    root: Path, suffix: str, names: list[str] = SAMPLE, *, period: str = SAMPLE_PERIOD, rows: int | None = None
) -> Workspace:
    """Copy the chosen datasets and their schemas (names suffixed) and every unit (slugs suffixed); fill the inbox
    with synthetic files for `period` (`rows` per person-level list, default the generator's)."""
    catalog_root = root / "catalog"
    (catalog_root / "datasets").mkdir(parents=True)
    (catalog_root / "schemas").mkdir()
    units = (ROOT / "datasets" / "_units.yaml").read_text(encoding="utf-8")
    (catalog_root / "datasets" / "_units.yaml").write_text(
        re.sub(r"slug: ([a-z0-9-]+)", rf"slug: \1-{suffix}", units), encoding="utf-8"
    )
    for name in names:
        entry = (ROOT / "datasets" / f"{name}.yaml").read_text(encoding="utf-8")
        renamed = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", f"{name}-{suffix}", entry)
        (catalog_root / "datasets" / f"{name}-{suffix}.yaml").write_text(renamed, encoding="utf-8")
        shutil.copyfile(ROOT / "schemas" / f"{name}.json", catalog_root / "schemas" / f"{name}-{suffix}.json")
    generate_inbox(root / "inbox", period, datasets=names, rows=rows, catalog=load_catalog(ROOT))
    return Workspace(root, suffix, load_catalog(catalog_root))


def purge(portal: Portal, workspace: Workspace) -> None:
    """Remove the workspace's datasets and organizations from the portal (what is not there is skipped)."""
    for name in workspace.names:
        try:
            portal.call("dataset_purge", {"id": name})
        except PortalNotFound:
            pass
    for slug in {d.unit.slug for d in workspace.catalog.datasets}:
        try:
            portal.call("organization_purge", {"id": slug})
        except PortalNotFound:
            pass
