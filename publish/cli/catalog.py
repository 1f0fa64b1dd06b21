"""`publish catalog` lists the indicators; `publish demo` writes a sample inbox for a period."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import click

from publish.catalog import load_catalog
from publish.cli import main
from publish.synth import generate_inbox


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]]) -> str:
    """Rows aligned in columns, the first row being the header."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip() for r in rows)


@main.command("catalog")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="项目根目录（含 datasets/ 与 schemas/）。")
def catalog_command(root: Path) -> None:
    """列出目录中的全部指标：责任单位、频率、公开时限和表结构。"""
    catalog = load_catalog(root)
    rows = [["序号", "名称", "标题", "责任单位", "频率", "公开时限", "表结构"]]
    rows += [[str(d.number), d.name, d.title, d.unit.name, d.frequency, d.rule.label,
              d.schema_path.name if d.schema_path else "—"] for d in catalog.datasets]
    click.echo(_table(rows))
    tabular = sum(d.schema is not None for d in catalog.datasets)
    click.echo(f"\n共 {len(catalog.datasets)} 项指标，{tabular} 项有表结构，{len(catalog.units)} 个责任单位。")


def _period(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value} 不是 YYYY-MM 格式的期别。")
    return value


@main.command("demo")
@click.option("--period", required=True, callback=_period, help="期别，YYYY-MM。")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), default=Path("inbox"), show_default=True,
              help="收件箱目录；文件写到 <收件箱>/<期别>/<责任单位>/ 下。")
@click.option("--defects", is_flag=True, help="埋入常见错误，并记录在 <收件箱>/<期别>/_defects.json。")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="项目根目录（含 datasets/ 与 schemas/）。")
def demo_command(period: str, inbox: Path, defects: bool, root: Path) -> None:
    """用虚构数据生成一个期别的示例收件箱（各责任单位按月报送的文件）。"""
    manifest = generate_inbox(inbox, period, defects=defects, catalog=load_catalog(root))
    for path in manifest.files.values():
        click.echo(path.as_posix())
    click.echo(f"已生成 {len(manifest.files)} 个文件，位于 {manifest.folder.as_posix()}。")
    if defects:
        click.echo(f"埋入 {len(manifest.defects)} 处错误，清单见 {(manifest.folder / '_defects.json').as_posix()}。")
