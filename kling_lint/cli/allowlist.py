"""`kling-lint allowlist ...`: looking after the config's allow entries."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kling_lint.cli._support import EXIT_FINDINGS, guarded
from kling_lint.cli.options import config_option, register_option
from kling_lint.report._common import printable

_WHY = {"KL902": "it lifted nothing", "KL906": "the register no longer gates what it names"}


@click.group()
def allowlist() -> None:
    """Look after the allowlist of a config file."""


@allowlist.command()
@click.argument("paths", nargs=-1)
@config_option("Config file to prune (default: the one the working folder uses).")
@register_option()
@click.option(
    "--diff", "show_diff", is_flag=True, help="Print the change as a diff; write nothing."
)
@guarded
def prune(
    paths: tuple[str, ...], config: Path | None, register: Path | None, show_diff: bool
) -> None:
    """Delete the allow entries nobody needs (KL902, KL906).

    The entries are judged by a run over PATHS (default: the config file's folder); keep
    PATHS to the folders the config governs, since an entry counts as unused only when
    nothing in the run used it. Comments, order and spacing of everything else stay.
    """
    from kling_lint.files import unified_diff
    from kling_lint.prune import plan_prune, write_prune

    pruned = plan_prune(config, paths, register)
    shown = printable(str(pruned.path))
    for entry, code in pruned.removed:
        verb = "would remove" if show_diff else "removed"
        click.echo(
            f"{shown}:{entry.line}: {verb} allow entry {entry.position + 1} "
            f"({entry.endpoint} {entry.field}): {_WHY[code]} ({code})",
            err=True,
        )
    if not pruned.removed:
        click.echo(f"{shown}: no allow entry to prune", err=True)
        return
    if show_diff:
        click.echo(unified_diff(shown, pruned.before, pruned.after), nl=False)
        sys.exit(EXIT_FINDINGS)
    write_prune(pruned)
