"""`kling-lint endpoints`, `fields` and `field`: what the register knows, looked up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kling_lint.cli._support import CommandError, guarded
from kling_lint.cli.options import format_option, overlay_option, register_option
from kling_lint.cli.rules import _configured


@click.command()
@format_option("text", "json")
@register_option()
@overlay_option("A register overlay folder laid over the register (repeatable).")
@guarded
def endpoints(output_format: str, register: Path | None, overlays: tuple[Path, ...]) -> None:
    """List the endpoints the register knows (the config's register and overlays, and
    those given here); an endpoint an overlay adds names the overlay."""
    reg = _configured(register, overlays)[2]
    rows = [
        {
            "id": e.id,
            "method": e.method,
            "path": e.path,
            "billable": e.billable,
            "status": list(e.status_labels),
            "from": e.overlay,
        }
        for e in reg.endpoints.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(row["id"]) for row in rows), default=0) + 1
    for row in rows:
        billable = "billable" if row["billable"] else "free"
        origin = f"  [{row['from']}]" if row["from"] else ""
        click.echo(f"{row['id']:<{width}} {row['method']:<5} {row['path']:<48} {billable}{origin}")


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


@click.command()
@click.argument("endpoint")
@format_option("text", "json")
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


@click.command()
@click.argument("endpoint")
@click.argument("path")
@format_option("text", "json")
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
