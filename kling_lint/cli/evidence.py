"""`kling-lint evidence ...`: what live runs prove about the register."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kling_lint.cli._support import EXIT_ERROR, EXIT_FINDINGS, guarded
from kling_lint.cli.options import document_format_option, kling_host_option, register_option
from kling_lint.report._common import printable

_REGISTER = register_option()
_LOGS = click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False))


@click.group()
def evidence() -> None:
    """Read exchange logs and HAR files against the register."""


@evidence.command("import")
@_LOGS
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The exchange log to append the Kling calls to.",
)
@kling_host_option()
@_REGISTER
@guarded
def import_(
    logs: tuple[str, ...], output: Path, hosts: tuple[str, ...], register: Path | None
) -> None:
    """Append the Kling calls of HAR files (or other exchange logs) to an exchange log.

    A call is a Kling call when its route is a register endpoint's or its host is a Kling
    API host (or a --kling-host): a call on a route the register does not cover is kept,
    with its route, so that the register can learn it.

    Headers are never read, so no credential reaches the log; media is kept as its form,
    size and digest. An entry that cannot be read is reported at its place; the others are
    imported, and the command exits 2.
    """
    from kling_lint.evidence.log import LogProblem, append
    from kling_lint.evidence.report import read_inputs
    from kling_lint.register import load_register

    if str(output.resolve()) in {str(Path(p).resolve()) for p in logs}:
        raise click.UsageError("--output is one of the inputs; name another file")
    seen, problems = read_inputs(logs, load_register(register), hosts)
    appended = 0
    for item in seen:
        try:
            append(output, item.record, validate=True)  # none its reader refuses
        except ValueError as exc:
            problems.append(LogProblem(item.where, 1, str(exc)))
            continue
        appended += 1
    for problem in problems:
        click.echo(printable(str(problem)), err=True)
    click.echo(f"appended {appended} exchange(s) to {printable(str(output))}", err=True)
    if problems:
        sys.exit(EXIT_ERROR)


@evidence.command()
@_LOGS
@document_format_option()
@_REGISTER
@guarded
def review(logs: tuple[str, ...], output_format: str, register: Path | None) -> None:
    """What exchange logs and HAR files show against the register, and the status change
    each would justify. Exits 1 on a contradiction (a live-rejected field seen accepted, a
    live-confirmed one rejected), 2 when an input could not be read."""
    from kling_lint.evidence import report
    from kling_lint.evidence.review import review as judge
    from kling_lint.register import load_register

    reg = load_register(register)
    seen, problems = report.read_inputs(logs, reg)
    done = judge(seen, reg)
    render = {"text": report.as_text, "json": report.as_json, "markdown": report.as_markdown}
    click.echo(render[output_format](done, problems), nl=False)
    if problems:
        sys.exit(EXIT_ERROR)
    if done.contradictions:
        sys.exit(EXIT_FINDINGS)


@evidence.command()
@_LOGS
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The overlay folder (created if missing) or register folder to write into.",
)
@click.option(
    "--accept",
    multiple=True,
    metavar="ENDPOINT:PATH",
    help="Apply a proposal that needs a decision (what was accepted but not verified).",
)
@click.option("--dry-run", is_flag=True, help="Print the change; write nothing.")
@_REGISTER
@guarded
def apply(
    logs: tuple[str, ...],
    target: Path,
    accept: tuple[str, ...],
    dry_run: bool,
    register: Path | None,
) -> None:
    """Write the status changes the logs justify into an overlay (or a register folder),
    each with an evidence entry citing a source made for the logs. Prints the change as a
    diff first. Refuses (exit 1) while the logs contradict the register."""
    from kling_lint.evidence import apply as applying
    from kling_lint.evidence import report
    from kling_lint.evidence.review import review as judge
    from kling_lint.files import unified_diff
    from kling_lint.register import load_register

    whole = applying.is_register_folder(target)
    layered = () if whole or not target.exists() else (target,)
    reg = load_register(target if whole else register, layered)
    seen, problems = report.read_inputs(logs, reg)
    for problem in problems:
        click.echo(printable(str(problem)), err=True)
    if problems:
        sys.exit(EXIT_ERROR)
    done = judge(seen, reg)
    if done.contradictions:
        for o in done.contradictions:
            click.echo(f"{o.key.endpoint} {o.key.label}: {o.contradiction}", err=True)
        click.echo("nothing applied: resolve the contradictions first", err=True)
        sys.exit(EXIT_FINDINGS)
    planned = applying.plan(
        done, [Path(p) for p in logs], target, base=register, register=reg, accept=accept
    )
    for change in planned.changes:
        click.echo(unified_diff(printable(str(change.path)), change.before, change.after), nl=False)
    for o in planned.waiting:
        click.echo(
            f"needs --accept {o.key.endpoint}:{o.key.path}: {o.key.label} ({o.why})", err=True
        )
    for o, why in planned.skipped:
        click.echo(f"not applied: {o.key.endpoint} {o.key.label}: {why}", err=True)
    if not dry_run:
        applying.write(planned, target)
    verb = "would apply" if dry_run else "applied"
    click.echo(f"{verb} {len(planned.applied)} change(s) to {printable(str(target))}", err=True)
