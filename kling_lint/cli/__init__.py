"""The command line: each command fills options and calls one library function."""

from __future__ import annotations

import sys
from typing import ClassVar

import click

from kling_lint.__about__ import __version__


class _Commands(click.Group):
    """The group, each command imported only when it runs: a `check` run does not pay
    for the register commands."""

    # command -> the module under kling_lint.cli that defines it
    _LAZY: ClassVar[dict[str, str]] = {
        "check": "check",
        "rules": "rules",
        "explain": "rules",
        "endpoints": "views",
        "fields": "views",
        "field": "views",
        "registry": "register",
        "schemas": "register",
        "allowlist": "allowlist",
        "evidence": "evidence",
        "migrate": "migrate",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self._LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._LAZY:
            import importlib

            module = importlib.import_module(f"kling_lint.cli.{self._LAZY[cmd_name]}")
            command: click.Command = getattr(module, cmd_name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kling-lint")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def main(debug: bool) -> None:
    """Check Kling API request payloads against the field-status register."""
    # A payload may hold text the terminal's encoding cannot show (CJK under cp1252, a lone
    # surrogate, a file name that is not UTF-8): it is escaped, never a crash mid-report.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
