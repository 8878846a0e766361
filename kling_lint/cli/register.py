"""`kling-lint registry ...` and `kling-lint schemas ...`: the register and its artefacts."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import click

from kling_lint.cli._support import EXIT_ERROR, EXIT_FINDINGS, CommandError, guarded
from kling_lint.cli.options import (
    config_option,
    document_format_option,
    format_option,
    isolated_option,
    kling_host_option,
    overlay_option,
)

# `--register`, as every other command names a register folder; `--registry`, its name
# before, is still read.
_REGISTRY = click.option(
    "--register",
    "--registry",
    "registry_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="Use this register folder instead of the built-in one.",
)
_OUTPUT = click.option("--output", type=click.Path(file_okay=False, path_type=Path))


def _exit_if_invalid(target: Path, overlays: tuple[Path, ...] = ()) -> None:
    """Print every problem of the register at `target` (with `overlays` laid over it);
    exit 2 when there are any."""
    from kling_lint.migration import TABLE_FILE, table_problems
    from kling_lint.register import load_register, validate_directory

    problems: list[Any] = list(validate_directory(target, overlays))
    if not problems and (target / TABLE_FILE).is_file():  # the register is read again only then
        problems += table_problems(target, load_register(target))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in "
            + " + ".join(str(p) for p in (target, *overlays)),
            err=True,
        )
        sys.exit(EXIT_ERROR)


def _exit_if_stale(registry_path: Path | None, output: Path | None, builtin: bool) -> None:
    """Print every generated file that `schemas build` would change; exit 1 when any."""
    from kling_lint.register import artefacts

    stale = artefacts.stale(registry_path, output)
    for name in stale:
        click.echo(f"stale: {name}")
    if stale:
        command = "kling-lint schemas build"
        if not builtin:
            command += f" --register {shlex.quote(str(registry_path))}"
        if output is not None:
            command += f" --output {shlex.quote(str(output))}"
        click.echo(f"regenerate them with: {command}", err=True)
        sys.exit(EXIT_FINDINGS)


@click.group()
def registry() -> None:
    """Validate and render the register."""


@registry.command("validate")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@overlay_option("Check this overlay laid over the register too (repeatable, in order).")
@guarded
def registry_validate(directory: Path | None, overlays: tuple[Path, ...]) -> None:
    """Check a register folder (and overlays laid over it) against the meta-schema and for
    consistency; an overlay must cite a live source for every live status it sets, and
    changes fields, values and forms only (exit 2 if invalid)."""
    from kling_lint._resources import registry_dir

    target = directory or registry_dir()
    _exit_if_invalid(target, overlays)
    shown = " + ".join(str(p) for p in (target, *overlays))
    click.echo(f"{shown}: valid")


@registry.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--schemas",
    "schemas_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder of generated schemas to keep fresh (default: the built-in one).",
)
@guarded
def registry_check(directory: Path | None, schemas_path: Path | None) -> None:
    """Validate a register and check that its generated schemas are fresh (the register hook)."""
    from kling_lint._resources import registry_dir

    target = directory or registry_dir()
    _exit_if_invalid(target)
    _exit_if_stale(target, schemas_path, builtin=directory is None)
    click.echo(f"{target}: valid; schemas are fresh")


@registry.command("render")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default: docs/REGISTER.md beside the register.",
)
@guarded
def registry_render(output: Path | None) -> None:
    """Write docs/REGISTER.md (the register) and docs/rules.md (the rule reference)."""
    from kling_lint.files import refuse_package_write, write_text
    from kling_lint.register import docs as render
    from kling_lint.register import load_register

    register = load_register()
    target = output or render.default_path()
    if output is None:
        refuse_package_write(target, "registry render")
    write_text(target, render.render(register))
    click.echo(f"wrote {target}")
    if output is None:
        rules = render.rules_path()
        write_text(rules, render.rules_markdown(register))
        click.echo(f"wrote {rules}")


@click.group()
def schemas() -> None:
    """Build and check the generated JSON Schemas."""


@schemas.command("build")
@_REGISTRY
@_OUTPUT
@guarded
def schemas_build(registry_path: Path | None, output: Path | None) -> None:
    """Regenerate schemas/ (one JSON Schema per endpoint, plus the compiled register)."""
    from kling_lint.register import artefacts

    written = artefacts.build(registry_path, output)
    click.echo(f"wrote {len(written)} files to {written[0].parent if written else output}")


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--url-base",
    help="How settings.json refers to DIRECTORY (default: ./DIRECTORY, or its file URL "
    "when DIRECTORY is absolute).",
)
@config_option(
    "Config whose endpoints patterns to map too (default: the one the working folder uses)."
)
@isolated_option("Map no config's endpoints patterns.")
@guarded
def schemas_export(
    directory: Path, url_base: str | None, config: Path | None, isolated: bool
) -> None:
    """Copy the schemas to DIRECTORY with a ready editor settings.json fragment.

    Payload files are mapped to their endpoint's schema by the names `check` reads the
    endpoint from, and by the config's `endpoints` patterns; `.kling-lint.toml` to the
    settings' schema.
    """
    from kling_lint.config import find_config, load_config
    from kling_lint.register import artefacts

    found = None if isolated else (config or find_config(Path.cwd()))
    patterns: list[tuple[str, str]] = []
    if found is not None:
        from kling_lint.check.endpoint import resolve
        from kling_lint.register import builtin_register

        register, settings = builtin_register(), load_config(found)
        folder = found.resolve().parent
        for pattern, name in settings.endpoints:
            endpoint = resolve(register, name)  # a route names its endpoint too
            if endpoint is not None:
                patterns.append((artefacts.file_match(pattern, folder), endpoint.id))
    done = artefacts.export(directory, url_base, patterns)
    click.echo(f"wrote {len(done.schemas)} schemas to {directory}")
    if done.how == "merged":
        click.echo(f"merged the schema mappings into {done.settings}; other settings kept")
    elif done.how == "beside":
        click.echo(
            f"{directory / 'settings.json'} exists and is not plain JSON, so it is left as it "
            f"is: merge {done.settings} into it by hand"
        )
    else:
        click.echo(f"wrote {done.settings}")


@schemas.command("check")
@_REGISTRY
@_OUTPUT
@guarded
def schemas_check(registry_path: Path | None, output: Path | None) -> None:
    """Exit 1 when schemas/ is not what `schemas build` would write."""
    _exit_if_stale(registry_path, output, builtin=registry_path is None)
    click.echo("schemas are fresh")


@registry.command("diff")
@click.argument("old")
@click.argument("new")
@document_format_option()
@click.option("--fail-on-demotion", is_flag=True, help="Exit 1 when a status got weaker.")
@guarded
def registry_diff(old: str, new: str, output_format: str, fail_on_demotion: bool) -> None:
    """What changed between two registers: OLD and NEW are folders, or REV:PATH (a folder
    at a git revision, e.g. main:registry). Lists fields, values and forms added or
    removed, status promotions and demotions, changed enums and limits, and conflicts."""
    import json

    from kling_lint.register import load_register
    from kling_lint.register.diff import VERSION, diff, folder_at

    changes = diff(load_register(folder_at(old)), load_register(folder_at(new)))
    if output_format == "json":
        rows = [c._asdict() for c in changes]
        click.echo(json.dumps({"version": VERSION, "changes": rows}, ensure_ascii=False))
    elif output_format == "markdown":
        # A register's text is data from whoever wrote it (a pull request): escaped.
        from kling_lint.report._common import markdown_code as code
        from kling_lint.report._common import markdown_text as md

        click.echo(f"## Register changes: {code(old)} → {code(new)}\n")
        if changes:
            click.echo(
                "| endpoint | what | change | before | after |\n| --- | --- | --- | --- | --- |"
            )
        for c in changes:
            cells = [md(c.endpoint), code(c.what), md(c.kind), md(c.before), md(c.after)]
            click.echo("| " + " | ".join(cells) + " |")
        if not changes:
            click.echo("No changes.")
    else:
        from kling_lint.report._common import printable as p

        for c in changes:
            arrow = f"{p(c.before) or '-'} -> {p(c.after) or '-'}"
            click.echo(f"{p(c.endpoint)} {p(c.what)}: {p(c.kind)}: {arrow}")
        demoted = sum(1 for c in changes if c.kind == "demoted")
        click.echo(f"{len(changes)} change(s), {demoted} demotion(s)", err=True)
    if fail_on_demotion and any(c.kind == "demoted" for c in changes):
        sys.exit(EXIT_FINDINGS)


@registry.command("stale")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--older-than",
    default="180d",
    show_default=True,
    help="Age of the newest evidence that makes a live status stale (days: 180d or 180).",
)
@format_option("text", "json")
@guarded
def registry_stale(directory: Path | None, older_than: str, output_format: str) -> None:
    """Live statuses whose newest evidence is older than --older-than (exit 1 if any)."""
    import json

    from kling_lint.register import load_register
    from kling_lint.register.diff import stale

    text = older_than.strip().lower().removesuffix("d")
    if not text.isdigit():
        raise click.BadParameter("a number of days, such as 180d", param_hint="--older-than")
    found = stale(load_register(directory), int(text))
    if output_format == "json":
        click.echo(json.dumps({"version": 1, "stale": [s._asdict() for s in found]}))
    else:
        for s in found:
            newest = s.newest or "no dated evidence"
            click.echo(
                f"{s.endpoint} {s.what}: {s.status}, newest evidence {newest} ({s.days} days)"
            )
        click.echo(f"{len(found)} stale live status(es)", err=True)
    if found:
        sys.exit(EXIT_FINDINGS)


@registry.command("scaffold")
@click.argument("route")
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The overlay folder to write endpoints/<id>.yaml into (created if missing).",
)
@click.option(
    "--from-log",
    "logs",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An exchange log or HAR file whose calls of the route give the fields (repeatable).",
)
@kling_host_option()
@click.option("--id", "chosen_id", help="The endpoint id (by default made from the route).")
@_REGISTRY
@overlay_option("An overlay the register already has laid over it (repeatable, in order).")
@guarded
def registry_scaffold(
    route: str,
    output: Path,
    logs: tuple[str, ...],
    hosts: tuple[str, ...],
    chosen_id: str | None,
    registry_path: Path | None,
    overlays: tuple[Path, ...],
) -> None:
    """Write the skeleton of an endpoint the register does not cover, as an overlay file.

    ROUTE is METHOD PATH ('POST /v1/videos/commerce'; a `{name}` segment is a path
    parameter). With --from-log, each field the logged calls of the route sent is listed
    with the JSON types seen; every field, and the endpoint, is hypothesis-only, so the
    linter checks the route at once and blocks what no evidence supports yet. An existing
    file is never replaced; the result is validated over the register before it is written.
    """
    import datetime as dt
    import tempfile

    from kling_lint.evidence.report import read_inputs
    from kling_lint.files import write_text
    from kling_lint.register import load_register
    from kling_lint.register import scaffold as sc
    from kling_lint.register.errors import RegisterError
    from kling_lint.report._common import printable

    try:
        parsed = sc.parse_route(route)
    except sc.ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    base = load_register(registry_path, overlays)
    already = sc.covered(base, parsed)
    if already is not None:
        raise CommandError(f"{parsed.method} {parsed.path} is already the register's {already}")
    seen_calls, problems = read_inputs(logs, base, hosts)
    seen = sc.fields_seen(parsed, [(s.where, s.record) for s in seen_calls])
    day = dt.date.today().isoformat()
    document = sc.skeleton(parsed, seen, ", ".join(logs) or None, day)
    if chosen_id is not None:
        document["id"] = chosen_id
    target = output / "endpoints" / f"{document['id']}.yaml"
    if target.exists():
        raise CommandError(f"{target} exists; nothing was written (move it, or choose --id)")
    text = sc.render(document)
    with tempfile.TemporaryDirectory() as folder:
        trial = Path(folder) / "scaffold"
        (trial / "endpoints").mkdir(parents=True)
        (trial / "endpoints" / target.name).write_text(text, encoding="utf-8")
        layers = (*overlays, *((output,) if output.is_dir() else ()), trial)
        try:
            load_register(registry_path, layers)
        except RegisterError as exc:
            raise CommandError(f"the skeleton does not fit the register: {exc}") from None
    write_text(target, text)
    for problem in problems:
        click.echo(printable(str(problem)), err=True)
    click.echo(
        f"wrote {printable(str(target))}: {parsed.method} {parsed.path} as {document['id']}, "
        f"{len(document['fields'])} field(s) from {seen.calls} logged call(s), all "
        f"hypothesis-only; lay it over the register with --overlay {printable(str(output))} "
        "or `overlays` in the config",
        err=True,
    )
    if problems:
        sys.exit(EXIT_ERROR)
