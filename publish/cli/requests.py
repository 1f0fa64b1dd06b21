"""`publish requests …` (the open-data request ledger) and `publish dashboard` (the offline HTML report)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from publish import requests as lib
from publish import turnaround
from publish.catalog import load_catalog
from publish.ckan import connect
from publish.cli import main
from publish.dashboard import render_dashboard
from publish.config import Settings, load_settings
from publish.errors import InputError
from publish.ledger import Ledger
from publish.status import PortalFigures, read_status
from publish.transparency import publish_request_statistics
from publish.workdays import Deadline, default_calendar

_WEEKDAYS = "一二三四五六日"


def settings_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --ledger and --config, and call the command with `settings` (ledger from --ledger, else
    GONGKAI_LEDGER or gongkai.toml; pseudonym key file from the environment or gongkai.toml)."""

    @functools.wraps(command)
    def wrapper(*args: Any, ledger: str | None, config: Path | None, **kwargs: Any) -> None:
        command(*args, settings=load_settings(config, ledger=ledger), **kwargs)

    config_option = click.option(
        "--config", type=click.Path(dir_okay=False, path_type=Path), help="TOML 配置文件。"
    )
    ledger = click.option(
        "--ledger", help="台账：SQLite 文件路径或 postgresql:// 地址（默认取配置文件或 GONGKAI_LEDGER）。"
    )
    return ledger(config_option(wrapper))


workdays_option = click.option(
    "--workdays-file", envvar="GONGKAI_WORKDAYS_FILE", type=click.Path(dir_okay=False),
    help="节假日覆盖文件（YAML/JSON），用于 chinesecalendar 未覆盖的年份。",
)


def _period_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add --year, --month and --today."""
    command = click.option("--today", help="按此日期计算逾期（默认今天），如 2026-11-20。")(command)
    command = click.option("--month", type=int, help="只统计该月收到的申请（需同时指定 --year）。")(command)
    return click.option("--year", type=int, help="只统计该年收到的申请。")(command)


def _day(today: str | None) -> date:
    """The --today option as a date (default: today)."""
    return lib.parse_timestamp(today).date() if today else date.today()


def _report(
    settings: Settings, workdays_file: str | None, today: str | None, year: int | None, month: int | None
) -> turnaround.TurnaroundReport:
    """The turnaround report over the whole ledger, for the commands that show one."""
    day = _day(today)
    calendar = default_calendar(workdays_file)
    with Ledger(settings.ledger) as ledger:
        return turnaround.build_report(ledger.list_requests(), day, year=year, month=month, calendar=calendar)


@main.group("requests")
def requests_group() -> None:
    """开放数据申请台账：导入、登记、办结、期限与办理情况报告。"""


@requests_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@settings_options
def import_command(file: str, settings: Settings) -> None:
    """导入工作人员的申请登记表（CSV 或 Excel）；申请人信息只以假名保存。"""
    key = lib.pseudonym_key(settings.pseudonym_key_file)
    with Ledger(settings.ledger) as ledger:
        result = lib.import_log(ledger, file, key)
    click.echo(f"已导入 {len(result.requests)} 条申请（重复导入会更新同一编号的记录）。")
    if any(r.applicant for r in result.requests):
        click.echo("申请人信息已替换为假名，原始姓名、电话、证件号未保存。")
    if result.ignored_columns:
        click.echo("以下列未导入：" + "、".join(result.ignored_columns))


@requests_group.command("add")
@click.option("--dataset", required=True, help="申请的数据（数据集名称或说明）。")
@click.option("--received", required=True, help="收到时间，如 2026-11-16 或 '2026-11-16 09:30'。")
@click.option("--id", "request_id", help="申请编号（默认按收到日期自动编号）。")
@click.option("--applicant", help="申请人姓名、电话或证件号：只保存其假名。")
@click.option("--accepted", help="受理时间。")
@click.option("--note", help="备注（不要写入个人信息）。")
@settings_options
@workdays_option
def add_command(
    dataset: str, received: str, request_id: str | None, applicant: str | None, accepted: str | None,
    note: str | None, settings: Settings, workdays_file: str | None,
) -> None:
    """登记一条新申请，并显示答复期限。"""
    calendar = default_calendar(workdays_file)
    key = lib.pseudonym_key(settings.pseudonym_key_file) if applicant else None
    with Ledger(settings.ledger) as ledger:
        request = lib.add_request(
            ledger, dataset, lib.parse_timestamp(received), request_id=request_id, applicant=applicant, key=key,
            accepted_at=lib.parse_timestamp(accepted) if accepted else None, note=note,
        )
    click.echo(f"已登记申请 {request.id}。")
    _echo_deadline(calendar.deadline(request.received_at, turnaround.LIMIT_DAYS))


@requests_group.command("close")
@click.argument("request_id")
@click.option("--outcome", required=True, help="答复结果，如 同意公开、部分公开、不予公开。")
@click.option("--answered", help="答复时间（默认现在）。")
@click.option("--note", help="备注（不要写入个人信息）。")
@settings_options
@workdays_option
def close_command(
    request_id: str, outcome: str, answered: str | None, note: str | None, settings: Settings,
    workdays_file: str | None,
) -> None:
    """记录一条申请的答复。"""
    answered_at = lib.parse_timestamp(answered) if answered else datetime.now().replace(microsecond=0)
    with Ledger(settings.ledger) as ledger:
        request = lib.close_request(ledger, request_id, answered_at, outcome, note)
    status = turnaround.assess(request, answered_at.date(), default_calendar(workdays_file))
    click.echo(f"已办结申请 {request.id}：用时 {status.answer.days} 个工作日，{status.label}。")
    if status.provisional:
        click.echo(f"{turnaround.PROVISIONAL_MARK}{status.deadline.reason}")


@requests_group.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列出未答复的申请。")
@_period_options
@settings_options
@workdays_option
def list_command(
    open_only: bool, year: int | None, month: int | None, today: str | None, settings: Settings,
    workdays_file: str | None,
) -> None:
    """列出申请及其期限和状态。"""
    report = _report(settings, workdays_file, today, year, month)
    statuses = [s for s in report.statuses if not open_only or s.request.answered_at is None]
    click.echo(turnaround.render_list(statuses))


@requests_group.command("deadline")
@click.argument("received")
@click.option("--days", type=click.IntRange(min=1), default=turnaround.LIMIT_DAYS, show_default=True, help="期限（工作日）。")
@workdays_option
def deadline_command(received: str, days: int, workdays_file: str | None) -> None:
    """显示某日收到的申请的答复期限（收到当日不计入）。"""
    day = lib.parse_timestamp(received).date()
    click.echo(f"收到日期：{day}（星期{_WEEKDAYS[day.weekday()]}），期限 {days} 个工作日")
    _echo_deadline(default_calendar(workdays_file).deadline(day, days))


@requests_group.command("report")
@_period_options
@click.option("--stats-out", type=click.Path(dir_okay=False),
              help="另存按月汇总统计 CSV（可作为开放数据发布，不含申请人）。")
@settings_options
@workdays_option
def report_command(
    year: int | None, month: int | None, today: str | None, stats_out: str | None, settings: Settings,
    workdays_file: str | None,
) -> None:
    """办理情况报告：数量、用时中位数和 90 分位、按时比例、当前逾期、按月趋势。"""
    report = _report(settings, workdays_file, today, year, month)
    click.echo(turnaround.render_text(report))
    if stats_out:
        turnaround.write_statistics(report.monthly, Path(stats_out))
        click.echo(f"按月汇总统计已写入 {stats_out}")


@requests_group.command("publish")
@click.option("--year", type=int, help="发布哪一年的统计（默认今年）。")
@click.option("--today", help="按此日期计算逾期（默认今天），如 2026-11-20。")
@settings_options
@workdays_option
def publish_command(year: int | None, today: str | None, settings: Settings, workdays_file: str | None) -> None:
    """把按月办理统计（只含汇总数字）作为开放数据集发布到 CKAN。"""
    day = _day(today)
    year = year or day.year
    report = _report(settings, workdays_file, today, year, None)
    result = publish_request_statistics(connect(settings), report.monthly, year, settings.dist)
    state = "已发布" if result.outcome == "published" else "无变化"
    click.echo(f"{state}：{year} 年开放数据申请办理统计（{len(report.monthly)} 个月）{result.url}")


@main.command("dashboard")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="输出的 HTML 文件。")
@click.option("--portal", type=click.Path(dir_okay=False),
              help="门户统计 JSON：year、opened，可选 target、units（每项 unit、on_time、late、missing）。")
@click.option("--from-portal", is_flag=True, help="直接从 CKAN 门户读取开放目标进度与各指标时效。")
@_period_options
@settings_options
@workdays_option
def dashboard_command(
    out: str, portal: str | None, from_portal: bool, year: int | None, month: int | None, today: str | None,
    settings: Settings, workdays_file: str | None,
) -> None:
    """生成可离线打开的工作看板（单个 HTML 文件，不引用任何外部资源）。"""
    figures = _portal_figures(Path(portal), settings.datasets_per_year) if portal else None
    if from_portal:
        day = _day(today)
        status = read_status(connect(settings, token_required=False), load_catalog(settings.catalog_root),
                             year or day.year, day, settings.datasets_per_year)
        figures = status.figures()
    report = _report(settings, workdays_file, today, year, month)
    try:
        Path(out).write_text(render_dashboard(report, figures, datetime.now()), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法写入 {out}：{exc.strerror or exc}") from None
    click.echo(f"看板已生成：{out}")
    if report.provisional_reasons:
        click.echo(f"{turnaround.PROVISIONAL_MARK}看板中部分期限为临时推算结果，需核对。")


def _portal_figures(path: Path, target: int) -> PortalFigures:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取门户统计文件 {path}：{exc}") from None
    return PortalFigures.from_mapping(data, default_target=target)


def _echo_deadline(result: Deadline) -> None:
    click.echo(f"答复期限：{result.date}（星期{_WEEKDAYS[result.date.weekday()]}）当日结束前")
    if result.provisional:
        click.echo(f"{turnaround.PROVISIONAL_MARK}注意：{result.reason}")
    else:
        click.echo("已按公布的节假日和调休安排计算，为确定结果。")
