"""Every command the CLI offers is documented in the README, and `publish --help` works."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from publish.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _command_paths(group: click.Group, prefix: str = "publish") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


def test_every_command_is_in_the_readme() -> None:
    paths = _command_paths(main)
    assert len(paths) >= 15
    missing = [p for p in paths if p not in README and f"`{p.rsplit(' ', 1)[-1]}`" not in README]
    assert not missing, f"document these commands in README.md: {missing}"


def test_help_lists_the_commands_in_chinese() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("monthly", "validate", "status", "requests"):
        assert name in result.output
    assert "发布" in result.output
