"""The command line: each command fills options and calls one library function."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, ClassVar

import click

from kling_lint.__about__ import __version__
from kling_lint.cli._support import (
    EXIT_FINDINGS,
    EXIT_OK,
    CommandError,
    codes,
    guarded,
    overlay_option,
    reader_gone,
    register_option,
)
from kling_lint.diagnostics import Severity
from kling_lint.report import FORMATS
from kling_lint.report._common import printable


class _Commands(click.Group):
    """The group, with the register commands imported only when one of them runs: a
    `check` run does not pay for them."""

    # command -> the module under kling_lint.cli that defines it
    _LAZY: ClassVar[dict[str, str]] = {
        "registry": "register",
        "schemas": "register",
        "allowlist": "allowlist",
        "evidence": "evidence",
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


@main.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--endpoint",
    "-e",
    help='Endpoint id (omni-video.create) or route ("POST /v1/videos/omni-video").',
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: nearest .kling-lint.toml or pyproject.toml).",
)
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
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
        made, result = _fix(options, unsafe_fixes)
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
    from kling_lint import fix as fixing
    from kling_lint.run import execute

    changes = fixing.plan(execute(options._replace(fixes=True)).files, unsafe)
    for change in changes:
        click.echo(fixing.diff(change), nl=False)
    count = sum(len(c.made) for c in changes)
    click.echo(f"{count} fix(es) would be made in {len(changes)} file(s)", err=True)
    return EXIT_FINDINGS if changes else EXIT_OK


def _fix(options: Any, unsafe: bool) -> tuple[list[Any], Any]:
    """--fix: make the fixes, pass after pass (one can make way for another). What was
    made, and the run of the files as they now are (None if the passes ran out first)."""
    from kling_lint import fix as fixing
    from kling_lint.files import refuse_package_write
    from kling_lint.run import execute

    made: list[Any] = []
    for _ in range(_FIX_PASSES):
        result = execute(options._replace(fixes=True))
        changes = fixing.plan(result.files, unsafe)
        if not changes:
            return made, result  # nothing left to fix: this run is the report
        for change in changes:
            refuse_package_write(Path(change.path), "a fixed payload")
        fixing.write(changes)
        made += [(c.path, e) for c in changes for e in c.made]
    return made, None


# Fixes are made pass after pass until none is left; a bound, should two ever undo each other.
_FIX_PASSES = 5


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


def _configured(
    register: Path | None,
    overlays: tuple[Path, ...] = (),
    config: Path | None = None,
    isolated: bool = False,
) -> tuple[Path | None, Any, Any]:
    """(config file, its settings, the register) a command other than `check` uses: the
    flags', else the config's register (`--config`, else the nearest config), with the
    config's overlays and then the flags' laid over it."""
    from kling_lint.config import find_config, load_config
    from kling_lint.register import load_register

    config_path = None if isolated else (config or find_config(Path.cwd()))
    settings = load_config(config_path) if config_path else None
    base = register or (settings.register if settings else None)
    layers = (*(settings.overlays if settings else ()), *overlays)
    return config_path, settings, load_register(base, layers)


def _rule_table(register: Path | None, config: Path | None, isolated: bool = False) -> list[Any]:
    """Built-in, register and policy rules (the config's policy files too), and the plugins
    installed here or named by `--config`. A config found by walking up has its plugins left
    out, as `check` leaves them out: listing rules must not import code unasked."""
    import dataclasses

    from kling_lint.check.build import rule_table
    from kling_lint.config import Config

    _, settings, reg = _configured(register, (), config, isolated)
    settings = settings or Config()
    if config is None:
        settings = dataclasses.replace(settings, plugins=())
    _, table = rule_table(reg, settings)
    return sorted(table.values(), key=lambda r: r.code)


_RULE_CONFIG = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config whose policy files and plugins to include (default: the nearest one, "
    "without its plugins).",
)
_RULE_ISOLATED = click.option("--isolated", is_flag=True, help="Ignore all configuration files.")


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@register_option()
@_RULE_CONFIG
@_RULE_ISOLATED
@guarded
def rules(output_format: str, register: Path | None, config: Path | None, isolated: bool) -> None:
    """List every rule: code, name, default severity, where it comes from."""
    table = _rule_table(register, config, isolated)
    if output_format == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "endpoints": list(r.endpoints),
                "origin": r.origin,
                "summary": r.doc.what,
            }
            for r in table
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for r in table:
        scope = "all endpoints" if "*" in r.endpoints else ", ".join(r.endpoints)
        click.echo(f"{r.code}  {r.name:<40} {r.severity.label:<8} {r.origin:<16} {scope}")


@main.command()
@click.argument("code")
@register_option()
@_RULE_CONFIG
@_RULE_ISOLATED
@guarded
def explain(code: str, register: Path | None, config: Path | None, isolated: bool) -> None:
    """Print the documentation of one rule (by code or name)."""
    table = {r.code: r for r in _rule_table(register, config, isolated)}
    by_name = {r.name: r for r in table.values()}
    rule = table.get(code.strip().upper()) or by_name.get(code.strip().lower())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(code.strip().upper(), list(table), 1, 0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise CommandError(f"no rule {code!r}{hint} (`kling-lint rules` lists them)")
    scope = "all endpoints" if "*" in rule.endpoints else ", ".join(rule.endpoints)
    click.echo(
        f"# {rule.code} {rule.name}\n\nDefault severity: {rule.severity.label}. "
        f"Applies to: {scope}. Defined by: {rule.origin}. Checked by: {rule.checked_by}."
        + (f" {rule.locked}" if rule.locked else "")
        + "\n"
    )
    click.echo(rule.render_doc())


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@guarded
def endpoints(output_format: str) -> None:
    """List the endpoints the register knows."""
    from kling_lint.register import load_register

    reg = load_register()
    rows = [
        {
            "id": e.id,
            "method": e.method,
            "path": e.path,
            "billable": e.billable,
            "status": list(e.status_labels),
        }
        for e in reg.endpoints.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        billable = "billable" if row["billable"] else "free"
        click.echo(f"{row['id']:<24} {row['method']:<5} {row['path']:<48} {billable}")


_VIEW_OVERLAY = overlay_option("A register overlay folder laid over the register (repeatable).")


def _endpoint_named(name: str, register: Path | None, overlays: tuple[Path, ...] = ()) -> Any:
    """The endpoint an argument names, by id or by route, as `check --endpoint` reads it."""
    from kling_lint.check.endpoint import resolve, suggest_endpoint

    reg = _configured(register, overlays)[2]
    found = resolve(reg, name)
    if found is None:
        raise CommandError(
            f"unknown endpoint {name!r}{suggest_endpoint(reg, name)}; "
            "`kling-lint endpoints` lists them"
        )
    return found


@main.command()
@click.argument("endpoint")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@register_option()
@_VIEW_OVERLAY
@guarded
def fields(
    endpoint: str, output_format: str, register: Path | None, overlays: tuple[Path, ...]
) -> None:
    """Every field, value and form of an endpoint (id or route) with its status (and the
    overlay that set it, in brackets)."""
    from kling_lint.register import views

    views.print_fields(_endpoint_named(endpoint, register, overlays), output_format)


@main.command()
@click.argument("endpoint")
@click.argument("path")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@register_option()
@_VIEW_OVERLAY
@guarded
def field(
    endpoint: str, path: str, output_format: str, register: Path | None, overlays: tuple[Path, ...]
) -> None:
    """One field with all its values, forms, notes and evidence."""
    from kling_lint.register import views

    found = _endpoint_named(endpoint, register, overlays)
    chosen = views.find_field(found, path)
    if chosen is None:
        raise CommandError(views.missing_field(found, path))
    views.print_field(found, chosen, output_format)
