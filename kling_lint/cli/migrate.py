"""`kling-lint migrate`: legacy /v1 payloads rewritten in the new design standard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kling_lint.cli._support import CommandError, guarded
from kling_lint.cli.options import config_option, isolated_option


def _payloads(
    paths: tuple[str, ...], endpoint: str | None, config: Path | None, isolated: bool
) -> list[dict[str, Any]]:
    """Each payload the paths hold, with the endpoint `check` would check it as (or why
    none), read as `check` reads it."""
    from kling_lint.load import Payload, read_file, unwrap_envelope
    from kling_lint.run import Options, execute

    results = execute(Options(paths=paths, endpoint=endpoint, config=config, isolated=isolated))
    out: list[dict[str, Any]] = []
    cache: dict[str, list[Any]] = {}
    for result in results.files:
        if result.subject != "payload":
            continue
        entry: dict[str, Any] = {"path": result.path, "record": result.record}
        if result.endpoint is None:
            said = [d.message for d in result.diagnostics if d.counts][:1]
            entry["problem"] = "the endpoint is not known: " + (said[0] if said else "none given")
            out.append(entry)
            continue
        if result.path not in cache:
            cache[result.path] = read_file(Path(result.path), result.path)
        loaded = [
            one
            for one in cache[result.path]
            if isinstance(one, Payload) and one.record == result.record
        ]
        if not loaded:
            loader = [d for d in result.diagnostics if d.code in ("KL001", "KL002", "KL003")]
            entry["problem"] = loader[0].message if loader else "the payload cannot be read"
            out.append(entry)
            continue
        entry["endpoint"] = result.endpoint
        entry["data"] = unwrap_envelope(loaded[0]).data
        out.append(entry)
    return out


def _name(entry: dict[str, Any]) -> str:
    stem = Path(entry["path"]).stem
    return f"{stem}-{entry['record']}.json" if entry["record"] is not None else f"{stem}.json"


def _text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-e",
    "--endpoint",
    help="The legacy endpoint of every payload (an id or a route), as `check` takes it.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: a list of {path, record, from, endpoint, route, body, notes}.",
)
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each migrated body to DIR (one JSON file per payload; an existing file is "
    "never replaced).",
)
@click.option("--diff", is_flag=True, help="Show each migration as a diff of the bodies.")
@config_option("Config whose endpoints patterns choose the legacy endpoints.")
@isolated_option()
@guarded
def migrate(
    paths: tuple[str, ...],
    endpoint: str | None,
    output_format: str,
    write_dir: Path | None,
    diff: bool,
    config: Path | None,
    isolated: bool,
) -> None:
    """Rewrite legacy /v1 payloads in the new design standard (model in the path,
    contents, settings, options), from the register's migration table.

    Each result is checked on its new route; a payload the new design cannot say (a
    negative prompt, a camera control, a model it lacks), or whose result would be
    blocked, is refused with the reasons. Exit 0 when every payload migrates, 1 when one
    is refused."""
    from kling_lint.check.linter import Linter
    from kling_lint.files import unified_diff, write_text
    from kling_lint.migration import migrate as migrate_one

    if write_dir is not None and diff:
        raise CommandError("--write and --diff are alternatives: name one")
    if "-" in paths:
        raise CommandError("migrate reads payload files, not standard input: name a file")
    rows = []
    linter = Linter()  # one for every result: building one compiles its plans
    for entry in _payloads(paths, endpoint, config, isolated):
        row: dict[str, Any] = {
            "path": entry["path"],
            "record": entry["record"],
            "from": entry.get("endpoint"),
        }
        if "problem" in entry:
            row.update(endpoint=None, route=None, body=None, notes=[entry["problem"]])
        else:
            done = migrate_one(entry["data"], entry["endpoint"], linter=linter)
            row.update(
                endpoint=done.endpoint, route=done.route, body=done.body, notes=list(done.notes)
            )
        row["refused"] = row["body"] is None
        rows.append((entry, row))
    if write_dir is not None:
        # Every name is checked before any file is written: a refusal leaves nothing half done.
        targets = [(write_dir / _name(entry), row) for entry, row in rows if not row["refused"]]
        taken = [str(t) for t, _ in targets if t.exists()]
        names = [t.name for t, _ in targets]
        if taken:
            raise CommandError(f"{taken[0]} exists; migrate writes into a folder of new files")
        if len(set(names)) != len(names):
            raise CommandError("two payloads would be written under one name; migrate them apart")
        for target, row in targets:
            write_text(target, _text(row["body"]))
            row["written"] = str(target)
    if output_format == "json":
        click.echo(json.dumps([row for _, row in rows], indent=2, ensure_ascii=False))
    else:
        for entry, row in rows:
            where = row["path"] + (f":{row['record'] + 1}" if row["record"] is not None else "")
            if row["refused"]:
                click.echo(f"{where}: refused")
            else:
                written = f" ({row['written']})" if "written" in row else ""
                click.echo(f"{where}: {row['from']} -> {row['route']}{written}")
            for note in row["notes"]:
                click.echo(f"  {note}")
            if diff and not row["refused"]:
                click.echo(
                    unified_diff(_name(entry), _text(entry["data"]), _text(row["body"])), nl=False
                )
        migrated = sum(1 for _, row in rows if not row["refused"])
        click.echo(f"\n{migrated} of {len(rows)} payloads migrated, {len(rows) - migrated} refused")
    if any(row["refused"] for _, row in rows):
        raise click.exceptions.Exit(1)
