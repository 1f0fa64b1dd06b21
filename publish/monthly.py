"""The period pipeline behind `publish monthly`: find -> read -> validate -> stage -> push -> record.

Each dataset goes through the steps on its own: a failure at any step stops that dataset only, is recorded in
the ledger with a message that is safe to show, and the run goes on with the others. A lock file keeps two runs
from working at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from publish.catalog import Catalog, Dataset
from publish.ckan import Portal
from publish.errors import GongkaiError, InputError
from publish.ledger import Ledger
from publish.push import Pusher
from publish.read import read_table
from publish.stage import stage
from publish.validate import validate

logger = logging.getLogger(__name__)

PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# Outcomes, in the order the summary lists them.
PUBLISHED, UNCHANGED, STAGED, FAILED, MISSING = "published", "unchanged", "staged", "failed", "missing"


@dataclass
class DatasetOutcome:
    """What happened to one dataset in a run; `message` is Chinese and holds no personal values."""

    dataset: Dataset
    outcome: str
    message: str = ""
    file: Path | None = None
    staged_dir: Path | None = None
    rows: int | None = None
    sha256: str | None = None
    url: str | None = None
    resource_id: str | None = None
    package_id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class MonthlyReport:
    """The outcome of a whole run."""

    period: str
    run_id: int
    outcomes: list[DatasetOutcome]
    api_calls: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing failed (a missing file counts as a failure: the indicator is not published)."""
        return all(o.outcome not in (FAILED, MISSING) for o in self.outcomes)

    def by_outcome(self, outcome: str) -> list[DatasetOutcome]:
        return [o for o in self.outcomes if o.outcome == outcome]

    def missing_by_unit(self) -> dict[str, list[DatasetOutcome]]:
        """Missing files grouped by responsible unit: a reminder list staff can send on."""
        grouped: dict[str, list[DatasetOutcome]] = {}
        for outcome in self.by_outcome(MISSING):
            grouped.setdefault(outcome.dataset.unit.title, []).append(outcome)
        return grouped


def parse_period(text: str) -> str:
    """Check a YYYY-MM period; raise InputError in Chinese otherwise."""
    if not PERIOD_PATTERN.match(text or ""):
        raise InputError(f"期间格式错误：{text!r}，应为 YYYY-MM，例如 2026-10。")
    return text


def previous_period(today: date | None = None) -> str:
    """The month before `today`: the default period of a monthly run."""
    today = today or date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def find_inbox_file(inbox: Path, period: str, dataset: Dataset) -> Path | None:
    """The unit's file for this dataset and period, or None; an error if several match or a path escapes."""
    folder = (inbox / period).resolve()
    pattern = dataset.inbox_pattern or f"{dataset.name}.*"
    matches = sorted(
        p for p in folder.glob(pattern)
        if p.is_file() and not p.name.startswith((".", "~$")) and p.resolve().is_relative_to(folder)
    )
    if len(matches) > 1:
        names = "、".join(p.name for p in matches)
        raise InputError(f"收件箱中有多个文件匹配「{dataset.title}」：{names}。请只保留一个。")
    return matches[0] if matches else None


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the run; a second run at the same time gets a Chinese error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise GongkaiError("另一个 publish monthly 正在运行，请等它结束后再试。") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


Progress = Callable[[Dataset, str], None]


@dataclass
class MonthlyJob:
    """Everything one run needs; `portal` is None for a dry run (stop after staging)."""

    catalog: Catalog
    inbox: Path
    dist: Path
    ledger: Ledger
    portal: Portal | None
    progress: Progress = lambda dataset, step: None

    def run(self, period: str, names: list[str] | None = None) -> MonthlyReport:
        """Publish every selected monthly dataset for `period`; never raises for one dataset's failure."""
        period = parse_period(period)
        datasets = [self.catalog.get(n) for n in names] if names else self.catalog.monthly()
        with run_lock(self.dist / ".publish-monthly.lock"):
            run_id = self.ledger.start_run("monthly", period)
            pusher = Pusher(self.portal) if self.portal else None
            outcomes = []
            for dataset in datasets:
                outcome = self._one(dataset, period, pusher)
                self.ledger.record_publication(
                    run_id, dataset.name, period, outcome.outcome,
                    resource_id=outcome.resource_id, package_id=outcome.package_id, sha256=outcome.sha256,
                    rows=outcome.rows, error=outcome.message or None, timings=outcome.timings,
                )
                outcomes.append(outcome)
            report = MonthlyReport(period, run_id, outcomes)
            report.api_calls = sum(self.portal.calls.values()) if self.portal else 0
            self.ledger.finish_run(run_id, "ok" if report.ok else "failed")
        return report

    def _one(self, dataset: Dataset, period: str, pusher: Pusher | None) -> DatasetOutcome:
        timings: dict[str, float] = {}
        result = DatasetOutcome(dataset, FAILED, timings=timings)
        try:
            self.progress(dataset, "find")
            path = find_inbox_file(self.inbox, period, dataset)
            if path is None:
                result.outcome = MISSING
                result.message = f"{dataset.unit.title}尚未报送{period}的「{dataset.title}」"
                return result
            result.file = path
            assert dataset.schema is not None
            with _timed(timings, "read"):
                self.progress(dataset, "read")
                table = read_table(path, dataset.schema)
            with _timed(timings, "validate"):
                self.progress(dataset, "validate")
                report = validate(table, dataset.schema)
            if not report.valid:
                result.message = f"校验未通过：{len(report.errors)} 处错误（用 publish validate 查看明细）"
                return result
            with _timed(timings, "stage"):
                self.progress(dataset, "stage")
                # Rows carry their file row numbers, so a leak finding points where staff can look.
                frame = report.frame.set_axis(table.row_numbers, axis=0)
                staged = stage(dataset, period, frame, self.dist)
            result.rows, result.sha256, result.staged_dir = staged.rows, staged.sha256, staged.directory
            if pusher is None:
                result.outcome = STAGED
                return result
            with _timed(timings, "push"):
                self.progress(dataset, "push")
                pushed = pusher.push(dataset, staged)
            result.outcome, result.url = pushed.outcome, pushed.url
            result.resource_id, result.package_id = pushed.resource_id, pushed.package_id
            return result
        except GongkaiError as exc:
            result.message = exc.message
            return result
        except Exception as exc:  # a defect of the toolkit: this dataset fails, the run goes on
            # Only the exception's type is shown: its text may quote a cell value.
            logger.error("internal error on %s: %s", dataset.name, type(exc).__name__)
            result.message = f"内部错误（{type(exc).__name__}），该数据集未发布；请将运行编号告知维护人员。"
            return result


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = round(time.perf_counter() - started, 4)
