"""`kling-lint check`: lint payload files, with fixes, baselines and every output format."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from kling_lint.cli._support import EXIT_FINDINGS, EXIT_OK, codes, guarded, reader_gone
from kling_lint.cli.options import (
    config_option,
    format_option,
    isolated_option,
    overlay_option,
    register_option,
)
from kling_lint.diagnostics import Severity
from kling_lint.report import FORMATS
from kling_lint.report._common import printable


@click.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--endpoint",
    "-e",
    help='Endpoint id (omni-video.create) or route ("POST /v1/videos/omni-video").',
)
@config_option("Config file (default: nearest .kling-lint.toml or pyproject.toml).")
@isolated_option()
@click.option(
    "--select", multiple=True, help="Codes or prefixes to check (comma-separated; repeatable)."
)
@click.option(
    "--extend-select",
    multiple=True,
    help="Codes or prefixes to check on top of the selection (KL108: the register's notes).",
)
@click.option("--ignore", multiple=True, help="Codes or prefixes to skip.")
@click.option(
    "--extend-ignore", multiple=True, help="Codes or prefixes to skip on top of the config's."
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that fails the run (default: error).",
)
@click.option(
    "--policy", "policies", multiple=True, help="Switch on a named policy (e.g. pipeline)."
)
@register_option()
@overlay_option(
    "A register overlay folder laid over the register (repeatable; after the config's)."
)
@format_option(*FORMATS, help="Report format.")
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report there; the terminal keeps the text summary.",
)
@click.option("--statistics", is_flag=True, help="Count findings by rule and by register status.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Say how each payload was checked (text format)."
)
@click.option("--stdin-filename", help="Name (and so type) of the payload read from '-'.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text output (default: on a terminal)."
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Walk into linked folders and read links to files outside the named folders.",
)
@click.option(
    "--allow-config-plugins",
    is_flag=True,
    help="Load plugins named by config files found by walking up (not only by --config).",
)
@click.option(
    "--exclude",
    multiple=True,
    help="Path patterns (as in .gitignore) a folder walk skips, in place of the defaults.",
)
@click.option(
    "--extend-exclude", multiple=True, help="Path patterns to skip on top of the exclude list."
)
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Skip what git ignores (.gitignore, .git/info/exclude) in folder walks (default: on).",
)
@click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Apply the include and exclude settings to files named on the command line too "
    "(what a pre-commit hook passes).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report the findings this baseline records as suppressed; fail on new ones.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record this run's findings (not status gates) in a baseline file.",
)
@click.option(
    "--prune-baseline",
    is_flag=True,
    help="With --baseline: drop the entries no finding matches any more.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print the findings and nothing else (no summary line)."
)
@click.option("--fix", is_flag=True, help="Make the safe fixes the register's data gives.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff: also make the fixes that change what the API does (renames).",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes made (--fix) or available.")
@click.option(
    "--show-files",
    is_flag=True,
    help="List the files a run would read, and what it skips; check nothing.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes (default: every core, once a run is long enough to gain from them).",
)
@guarded
def check(
    paths: tuple[str, ...],
    endpoint: str | None,
    config: Path | None,
    isolated: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_ignore: tuple[str, ...],
    fail_on: str | None,
    policies: tuple[str, ...],
    register: Path | None,
    overlays: tuple[Path, ...],
    output_format: str,
    verbose: bool,
    stdin_filename: str | None,
    color: bool | None,
    jobs: int | None,
    allow_config_plugins: bool,
    follow_links: bool,
    output_file: Path | None,
    statistics: bool,
    exit_zero: bool,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    respect_gitignore: bool | None,
    force_exclude: bool | None,
    show_files: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    prune_baseline: bool,
    quiet: bool,
    fix: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    show_fixes: bool,
) -> None:
    """Lint payload files (JSON, YAML, JSONL; directories recursively; '-' for stdin)."""
    from kling_lint.report import deliver as output
    from kling_lint.report import progress
    from kling_lint.run import Options, execute, files_to_check

    options = Options(
        paths=paths,
        endpoint=endpoint,
        config=config,
        isolated=isolated,
        select=codes(select),
        extend_select=codes(extend_select) or (),
        ignore=codes(ignore),
        extend_ignore=codes(extend_ignore) or (),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        policies=tuple(policies) if policies else None,
        register=register,
        overlays=overlays,
        stdin_filename=stdin_filename,
        jobs=jobs,
        fork=True,  # the command line owns its process: files may be shared out
        allow_config_plugins=allow_config_plugins,
        follow_links=follow_links,
        exclude=codes(exclude),
        extend_exclude=codes(extend_exclude) or (),
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
        baseline=baseline,
        write_baseline=write_baseline,
        prune_baseline=prune_baseline,
    )
    if baseline is not None and write_baseline is not None:
        raise click.UsageError("--baseline and --write-baseline: choose one")
    if prune_baseline and baseline is None:
        raise click.UsageError("--prune-baseline needs --baseline FILE")
    if show_files:
        found = files_to_check(options)
        for file in found.files:
            click.echo(printable(file))
        for skip in found.skipped:
            click.echo(f"skipped {printable(skip.path)}: {skip.why}", err=True)
        click.echo(f"{len(found.files)} file(s) to read, {len(found.skipped)} skipped", err=True)
        return
    if output_format == "full":
        options = options._replace(source_lines=True)
    if show_diff:
        sys.exit(_diff(options, unsafe_fixes))
    made: list[Any] = []
    result = None
    if fix:
        from kling_lint.fix import run_fixes

        made, result = run_fixes(options, unsafe_fixes)
    if show_fixes:
        options = options._replace(fixes=True)
    if result is None:
        result = execute(options, progress=None if quiet else progress.for_terminal())
    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        output.deliver(
            result,
            output_format=output_format,
            stdout=sys.stdout,
            stderr=sys.stderr,
            output_file=output_file,
            statistics=statistics,
            verbose=verbose,
            color=color,
            quiet=quiet,
        )
    except BrokenPipeError:
        # The reader went away (`| head`), but the verdict stands: a gate under
        # `set -o pipefail` must still fail on what it found.
        reader_gone()
    if not quiet:
        _tell_fixes(result, made, fix, show_fixes, unsafe_fixes)
    sys.exit(output.exit_code(result, exit_zero=exit_zero))


def _diff(options: Any, unsafe: bool) -> int:
    """--diff: print what --fix would change; exit 1 when anything would."""
    from kling_lint.fix import apply, planned

    changes = planned(options, unsafe)
    for change in changes:
        click.echo(apply.diff(change), nl=False)
    count = sum(len(c.made) for c in changes)
    click.echo(f"{count} fix(es) would be made in {len(changes)} file(s)", err=True)
    return EXIT_FINDINGS if changes else EXIT_OK


def _tell_fixes(result: Any, made: list[Any], fix: bool, show: bool, unsafe: bool) -> None:
    """What was fixed, and what is still fixable, after the report (on stderr)."""
    if show:
        for path, edit in made:
            click.echo(f"fixed {printable(path)}: {edit.code} {printable(edit.title)}", err=True)
        for f in result.files:
            for edit in f.fixes:
                kind = "" if edit.safe else " (unsafe)"
                click.echo(
                    f"fixable {printable(f.path)}: {edit.code} {printable(edit.title)}{kind}",
                    err=True,
                )
    if fix:
        left = sum(1 for f in result.files for e in f.fixes if not e.safe and not unsafe)
        hint = f"; {left} more with --unsafe-fixes" if left else ""
        click.echo(f"fixed {len(made)} finding(s){hint}", err=True)
