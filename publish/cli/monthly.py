"""`publish monthly` and `publish history`: run the period pipeline and show the ledger."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from publish.catalog import Dataset, load_catalog
from publish.ckan import connect
from publish.cli import main
from publish.config import Settings, load_settings
from publish.ledger import Ledger
from publish.status import monthly_due
from publish.monthly import (
    FAILED, MISSING, PUBLISHED, STAGED, UNCHANGED, DatasetOutcome, MonthlyJob, MonthlyReport, parse_period,
    previous_period,
)
from publish.textable import format_table

OUTCOME_LABELS = {PUBLISHED: "已发布", UNCHANGED: "无变化", STAGED: "已暂存", FAILED: "失败", MISSING: "未报送"}
STEP_LABELS = {"find": "查找", "read": "读取", "validate": "校验", "stage": "脱敏暂存", "push": "发布"}


@main.command()
@click.option("--period", help="期间 YYYY-MM，默认为上个月。")
@click.option("--dataset", "datasets", multiple=True, help="只处理这些数据集（可重复）。")
@click.option("--dry-run", is_flag=True, help="只读取、校验、脱敏并暂存到 dist/，不发布到 CKAN。")
@click.option("--ckan-url", help="CKAN 地址，覆盖配置文件和环境变量。")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="TOML 配置文件。")
def monthly(period: str | None, datasets: tuple[str, ...], dry_run: bool, ckan_url: str | None,
            config: Path | None) -> None:
    """按月发布：读取收件箱 → 校验 → 脱敏 → 泄露检查 → 暂存 → 发布到 CKAN。"""
    period = parse_period(period) if period else previous_period()
    settings = load_settings(config, ckan_url=ckan_url)
    catalog = load_catalog(settings.catalog_root)
    portal = None
    if not dry_run:
        portal = connect(settings)
    selected = list(datasets) or [d.name for d in catalog.monthly()]
    with Ledger(settings.ledger) as ledger, _progress(len(selected)) as progress:
        job = MonthlyJob(catalog, settings.inbox, settings.dist, ledger, portal, progress=progress)
        report = job.run(period, list(datasets) or None)
    click.echo(render_report(report, settings))
    sys.exit(0 if report.ok else 1)


class _progress:
    """A progress bar on a terminal (one step per dataset); silent when output is not a TTY."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None
        self.current: str | None = None

    def __enter__(self) -> "_progress":
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label="发布中", file=sys.stderr)
            self.bar.__enter__()
        return self

    def __call__(self, dataset: Dataset, step: str) -> None:
        if self.bar is None:
            return
        if self.current not in (None, dataset.name):
            self.bar.update(1)
        self.current = dataset.name
        self.bar.label = f"{dataset.title}：{STEP_LABELS.get(step, step)}"
        self.bar.render_progress()

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.__exit__(*exc_info)


def render_report(report: MonthlyReport, settings: Settings, today: date | None = None) -> str:
    """The summary staff read after a run: per-dataset outcomes and lateness, the reminder list, the totals."""
    due = monthly_due(report.period)
    late = max(((today or date.today()) - due).days, 0)
    timeliness = f"逾期 {late} 天" if late else f"截止 {due}"
    rows = [
        (o.dataset.number, o.dataset.title, o.dataset.unit.title, OUTCOME_LABELS[o.outcome],
         o.rows if o.rows is not None else "", timeliness if o.outcome != UNCHANGED else "",
         _where(o, settings))
        for o in report.outcomes
    ]
    lines = [f"期间 {report.period}（运行编号 {report.run_id}），按规定应于 {due} 前公开", "",
             format_table(["序号", "数据集", "责任单位", "结果", "行数", "时效", "说明 / 地址"], rows)]
    missing = report.missing_by_unit()
    if missing:
        lines += ["", "待报送提醒（请转告责任单位）："]
        for unit, outcomes in missing.items():
            lines.append(f"  {unit}：" + "、".join(f"「{o.dataset.title}」" for o in outcomes))
    counts = {label: len(report.by_outcome(key)) for key, label in OUTCOME_LABELS.items()}
    lines += ["", "合计：" + "，".join(f"{label} {n}" for label, n in counts.items() if n)]
    if report.api_calls:
        lines.append(f"CKAN API 调用 {report.api_calls} 次")
    return "\n".join(lines)


def _where(outcome: DatasetOutcome, settings: Settings) -> str:
    """The message of a failure, the staged folder of a dry run, else the dataset's page on the portal."""
    if outcome.message:
        return outcome.message
    if outcome.outcome == STAGED:
        return str(outcome.staged_dir)
    return f"{settings.ckan_url}/dataset/{outcome.dataset.name}"


@main.command()
@click.option("--limit", default=30, show_default=True, help="显示最近多少条记录。")
@click.option("--dataset", help="只看某个数据集。")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="TOML 配置文件。")
def history(limit: int, dataset: str | None, config: Path | None) -> None:
    """查看发布台账：每次运行中每个数据集的结果、资源、哈希与行数。"""
    settings = load_settings(config)
    with Ledger(settings.ledger) as ledger:
        records = ledger.history(limit, dataset)
    rows = [
        (r.run_id, r.created_at.strftime("%Y-%m-%d %H:%M"), r.dataset, r.period,
         OUTCOME_LABELS.get(r.outcome, r.outcome), r.rows or "", (r.sha256 or "")[:12], r.error or "")
        for r in records
    ]
    if not rows:
        click.echo("台账中还没有发布记录。")
        return
    click.echo(format_table(["运行", "时间", "数据集", "期间", "结果", "行数", "sha256", "说明"], rows))
