"""The `publish` command line: a thin click layer over the library.

Each command group lives in its own module under `publish/cli/` and is registered in `commands.py`.
Commands parse arguments, call library functions and print; they hold no logic of their own.
Any `GongkaiError` (or the anonymize library's `AnonymizeError`) a command raises is printed as its Chinese message (no traceback) with exit status 1.
"""

from __future__ import annotations

from typing import Any

import click

from anonymize import AnonymizeError
from publish import __version__
from publish.errors import GongkaiError


class FriendlyGroup(click.Group):
    """A click group that turns user-caused errors into a Chinese message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (GongkaiError, AnonymizeError) as exc:
            click.echo(f"错误：{exc.message}", err=True)
            for problem in getattr(exc, "problems", []):
                click.echo(f"  - {problem}", err=True)
            ctx.exit(1)


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
def main() -> None:
    """gongkai 公开：政府开放数据发布工具（读取、校验、脱敏、发布到 CKAN）。"""


def _register() -> None:
    """Attach every command module's commands to the group."""
    from publish.cli import commands  # noqa: F401  (import registers the commands)


_register()
