"""The one benchmark command: runs every measurement as a child process and prints one table.

    python bench/run.py [--rows N] [--no-scripts]

Rows: each bench/bench_*.py script, then `publish monthly` of the sample period against the local CKAN
(`scripts/ckan.sh up`): staging only (--dry-run, the baseline of the first publish), the first publish, and
the unchanged rerun (its baseline is the first publish). Monthly runs work in a throwaway suffixed copy of the
catalog (tests/workspace.py) that is purged from the portal afterwards, and go through the project's loopback
proxy (tests/faultproxy.py, no faults set) only to count API requests and file uploads exactly.

A script that accepts `--json` is run with it and may print, as its last line, a JSON list of rows with keys
`name`, `seconds` and optionally `baseline_seconds` and `peak_rss_mib`; any other script's output is shown as it
is, under the table, and its row holds the child's own wall time and peak RSS. Peak RSS comes from the rusage
of each child (os.wait4), so one measurement never inherits another's peak. Nothing here fails on a slow run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from publish.catalog import load_catalog  # noqa: E402
from publish.ckan import Portal  # noqa: E402
from publish.config import read_secret_file  # noqa: E402
from publish.textable import format_table  # noqa: E402
from tests.faultproxy import FaultProxy  # noqa: E402
from tests.workspace import SAMPLE_PERIOD, Workspace, create_workspace, purge  # noqa: E402

API_CALLS = re.compile(r"CKAN API 调用 (\d+) 次")


@dataclass
class Measured:
    """One child process: exit status, combined output, wall time and its own peak RSS."""

    returncode: int
    output: str
    seconds: float
    peak_rss_mib: float


@dataclass
class Row:
    """One line of the table."""

    name: str
    seconds: float | None
    baseline: float | None = None
    peak_rss_mib: float | None = None
    notes: str = ""

    def cells(self) -> list[str]:
        ratio = f"{self.seconds / self.baseline:.2f}×" if self.seconds and self.baseline else ""
        return [self.name, _number(self.seconds, "{:.2f}"), _number(self.baseline, "{:.2f}"), ratio,
                _number(self.peak_rss_mib, "{:.0f}"), self.notes]


def _number(value: float | None, pattern: str) -> str:
    return "" if value is None else pattern.format(value)


def measure(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run a child to completion and take its wall time and peak RSS from its own rusage."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measured(child.returncode, output, time.perf_counter() - started, usage.ru_maxrss / 1024)


def script_rows(script: Path) -> tuple[list[Row], str]:
    """Rows for one bench script, and the output to show verbatim when it speaks no JSON."""
    speaks_json = "--json" in measure([sys.executable, str(script), "--help"], cwd=ROOT).output
    run = measure([sys.executable, str(script), *(["--json"] if speaks_json else [])], cwd=ROOT)
    own = Row(script.name, run.seconds, peak_rss_mib=run.peak_rss_mib,
              notes="" if run.returncode == 0 else f"exit {run.returncode}")
    if not speaks_json or run.returncode != 0:
        return [own], f"== {script.name}\n{run.output.rstrip()}"
    reported = json.loads(run.output.strip().splitlines()[-1])
    return [own] + [
        Row(f"  {r['name']}", r.get("seconds"), r.get("baseline_seconds"), r.get("peak_rss_mib")) for r in reported
    ], ""


def monthly_rows(rows: int | None) -> list[Row]:
    """Dry run, first publish and unchanged rerun of every monthly dataset, in a purged workspace."""
    env = dict(line.split("=", 1) for line in (ROOT / ".ckan" / "portal.env").read_text().splitlines() if "=" in line)
    url, token_file = env["GONGKAI_CKAN_URL"], env["GONGKAI_CKAN_TOKEN_FILE"]
    portal = Portal(url, read_secret_file(Path(token_file), "CKAN API 令牌"))
    names = [d.name for d in load_catalog(ROOT).monthly()]
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as folder:
        workspace = create_workspace(Path(folder), f"bench-{uuid.uuid4().hex[:8]}", names, rows=rows)
        try:
            target = urlsplit(url)
            with FaultProxy((target.hostname or "127.0.0.1", target.port or 80), lifetime=3600,
                            connection_deadline=1800) as counter:
                config = workspace.write_config(counter.url, token_file)
                dry = _publish(workspace, config, "--dry-run")
                first = _monthly_row(workspace, config, counter, "publish monthly: first publish", dry.seconds)
                rerun = _monthly_row(workspace, config, counter, "publish monthly: unchanged rerun", first.seconds)
        finally:
            purge(portal, workspace)
    stage_row = Row(f"publish monthly --dry-run ({len(names)} datasets)", dry.seconds, peak_rss_mib=dry.peak_rss_mib,
                    notes="read, validate, anonymize, scan, stage")
    return [stage_row, first, rerun]


def _monthly_row(workspace: Workspace, config: Path, counter: FaultProxy, name: str, baseline: float) -> Row:
    before = counter.stats.copy()
    run = _publish(workspace, config)
    calls = API_CALLS.search(run.output)
    requests = counter.stats["requests"] - before["requests"]
    uploads = counter.stats["uploads"] - before["uploads"]
    status = "" if run.returncode == 0 else f", exit {run.returncode}"
    return Row(name, run.seconds, baseline, run.peak_rss_mib,
               f"API calls {calls.group(1) if calls else 0} ({requests} requests), uploads {uploads}{status}")


def _publish(workspace: Workspace, config: Path, *extra: str) -> Measured:
    argv, env = workspace.command(*workspace.monthly_args(SAMPLE_PERIOD), *extra, config=config)
    run = measure(argv, env=env, cwd=workspace.root)
    if run.returncode not in (0, 1):
        raise SystemExit(f"publish monthly crashed (exit {run.returncode}):\n{run.output}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="rows per person-level list in the sample inbox")
    parser.add_argument("--no-scripts", action="store_true", help="skip bench/bench_*.py, run only the monthly rows")
    args = parser.parse_args()
    rows: list[Row] = []
    verbatim: list[str] = []
    if not args.no_scripts:
        for script in sorted((ROOT / "bench").glob("bench_*.py")):
            script_table, output = script_rows(script)
            rows += script_table
            verbatim += [output] if output else []
    rows += monthly_rows(args.rows)
    print(format_table(["name", "time s", "baseline s", "ratio", "peak RSS MiB", "notes"], [r.cells() for r in rows]))
    for output in verbatim:
        print(f"\n{output}")


if __name__ == "__main__":
    main()
