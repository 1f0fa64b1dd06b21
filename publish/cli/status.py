"""`publish status`: datasets opened this year against the target, and every indicator's timeliness."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from publish.catalog import load_catalog
from publish.ckan import connect
from publish.cli import main
from publish.config import load_settings
from publish.status import LATE, MISSING, StatusReport, read_status
from publish.textable import format_table


@main.command()
@click.option("--year", type=int, help="统计年份（默认今年）。")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="按此日期判断是否按时（默认今天）。")
@click.option("--ckan-url", help="CKAN 地址，覆盖配置文件和环境变量。")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="TOML 配置文件。")
def status(year: int | None, as_of: object, ckan_url: str | None, config: Path | None) -> None:
    """开放目标进度与 44 项指标的公开时效（数据取自 CKAN 门户本身）。"""
    settings = load_settings(config, ckan_url=ckan_url)
    day = as_of.date() if as_of else date.today()  # type: ignore[attr-defined]
    portal = connect(settings, token_required=False)
    report = read_status(portal, load_catalog(settings.catalog_root), year or day.year, day,
                         settings.datasets_per_year)
    click.echo(render_status(report))


def render_status(report: StatusReport) -> str:
    """The status as staff read it: the target line, then the timeliness table grouped by unit."""
    done = len(report.opened)
    verdict = "已完成" if done >= report.target else f"还差 {report.target - done} 个"
    lines = [f"{report.year} 年已开放数据集 {done} / {report.target}（{verdict}），统计日 {report.as_of}", ""]
    rows = []
    for unit, items in report.by_unit().items():
        for item in items:
            rows.append((unit, item.dataset.number, item.dataset.title, item.dataset.rule.label,
                         item.period or "", item.due or "", item.published or "", item.label))
    lines.append(format_table(["责任单位", "序号", "指标", "公开时限", "期间", "截止", "发布日", "时效"], rows))
    late = sum(i.state == LATE for i in report.timeliness)
    missing = sum(i.state == MISSING for i in report.timeliness)
    lines += ["", f"逾期 {late} 项，缺失 {missing} 项。"]
    return "\n".join(lines)
