"""`publish validate FILE (--dataset NAME | --schema SCHEMA.json)`: check a unit's file."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click
import frictionless

from publish.catalog import load_catalog
from publish.cli import main
from publish.errors import GongkaiError, InputError
from publish.validate import validate
from publish.validation_messages import text_report


def _schema(dataset: str | None, schema_path: Path | None, root: Path) -> tuple[dict[str, Any], str | None]:
    """The Table Schema to check against, and the dataset's label for the report."""
    if (dataset is None) == (schema_path is None):
        raise click.UsageError("请指定 --dataset 数据集名称 或 --schema 表结构文件，二者选一。")
    if dataset is not None:
        entry = load_catalog(root).get(dataset)
        if entry.schema is None:
            raise InputError(f"数据集 {dataset} 没有表结构，无法校验表格文件。")
        return entry.schema, f"{entry.title}（{entry.name}）"
    assert schema_path is not None
    try:
        descriptor = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"无法读取表结构文件 {schema_path}：应为 UTF-8 编码的 JSON（Frictionless Table Schema）。") from None
    problem = _schema_problem(descriptor)
    if problem:
        raise InputError(f"表结构文件 {schema_path} 不是有效的 Table Schema（{problem}）。")
    return descriptor, None


def _schema_problem(descriptor: Any) -> str | None:
    """What makes a --schema file unusable: frictionless's first complaint, or a pattern that is no regex."""
    if not isinstance(descriptor, dict):
        return "应为 JSON 对象"
    errors = frictionless.Schema.validate_descriptor(descriptor).errors
    if errors:
        return errors[0].message
    for field in descriptor["fields"]:
        pattern = field.get("constraints", {}).get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error:
                return f"字段 {field['name']} 的 pattern 不是有效的正则表达式"
    return None


@main.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dataset", help="目录中的数据集名称，如 urban-rural-dibao。")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False, path_type=Path), help="任意 Table Schema（JSON）文件。")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text 给人看；json 给程序用。")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="项目根目录（含 datasets/ 与 schemas/）。")
def validate_command(file: Path, dataset: str | None, schema_path: Path | None, output: str, root: Path) -> None:
    """按数据集的表结构校验一个报送文件（CSV 或 .xlsx），列出每处错误；有错误时退出码非零。"""
    schema, label = _schema(dataset, schema_path, root)
    try:
        report = validate(file, schema, keep_frame=False)
    except GongkaiError as exc:
        if output != "json":
            raise
        failure = {"row": None, "field": None, "type": "source-error", "message": exc.message}
        click.echo(json.dumps({"valid": False, "rows": 0, "errors": [failure]}, ensure_ascii=False))
        sys.exit(1)
    click.echo(report.to_json() if output == "json" else text_report(report, label))
    if not report.valid:
        sys.exit(1)
