"""The `publish` command line: a thin click layer over the library.

Each command group lives in its own module under `publish/cli/` and is registered here.
Commands parse arguments, call library functions and print; they hold no logic of their own.
"""

from __future__ import annotations

import click

from publish import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publish")
def main() -> None:
    """gongkai 公开：政府开放数据发布工具（读取、校验、脱敏、发布到 CKAN）。"""


def _register() -> None:
    """Attach every command module's commands to the group."""
    from publish.cli import commands  # noqa: F401  (import registers the commands)


_register()
