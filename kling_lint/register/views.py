"""`kling-lint fields` and `kling-lint field`: the register for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kling_lint import pointer as jp
from kling_lint.register import load_register
from kling_lint.register.model import Endpoint, Field, Statused


class ViewError(click.ClickException):
    exit_code = 2


def _statused(entry: Statused) -> dict[str, Any]:
    return {
        "status": list(entry.status_labels),
        "qualifiers": list(entry.qualifiers),
        "caution": entry.caution,
        "evidence": [
            {
                "status": e.status.value,
                "source": e.source,
                "date": e.date,
                "observed": e.observed,
                "ref": e.ref,
            }
            for e in entry.evidence
        ],
        "notes": list(entry.notes),
        "conflicts": [
            {
                "id": c.id,
                "topic": c.topic,
                "readings": [{"source": s, "reading": r} for s, r in c.readings],
                "enforced": c.enforced,
                "why": c.why,
            }
            for c in entry.conflicts
        ],
    }


def field_dict(f: Field) -> dict[str, Any]:
    """Everything the register says about one field, as plain data."""
    return {
        "path": f.path,
        "type": list(f.type),
        "in": f.location,
        **_statused(f),
        "required": f.required,
        "required_when": f.required_when,
        "default": f.default if f.has_default else None,
        "enum": list(f.enum) if f.enum is not None else None,
        "limits": f.limits(),
        "media": f.media,
        "replaced_by": f.replaced_by,
        "models": list(f.models) if f.models else None,
        "values": [
            {
                "value": v.value,
                "replaced_by": v.replaced_by,
                "meaning": v.meaning,
                "models": list(v.models) if v.models else None,
                **_statused(v),
            }
            for v in f.values.values()
        ],
        "forms": [
            {"form": name, "replaced_by": info.replaced_by, **_statused(info)}
            for name, info in f.forms.items()
        ],
    }


def endpoint_dict(e: Endpoint) -> dict[str, Any]:
    return {
        "id": e.id,
        "title": e.title,
        "method": e.method,
        "path": e.path,
        "billable": e.billable,
        "billing": e.billing,
        **_statused(e),
        "fields": [field_dict(f) for f in e.fields.values()],
        "rules": [
            {"code": r.code, "name": r.name, "kind": r.kind, "severity": r.severity, **_statused(r)}
            for r in e.rules
        ],
        "unknowns": [
            {"id": u.id, "text": u.text, "fields": list(u.fields), **_statused(u)}
            for u in e.unknowns
        ],
    }


def _endpoint(endpoint_id: str, register: Path | None) -> Endpoint:
    reg = load_register(register)
    if endpoint_id not in reg.endpoints:
        raise ViewError(f"unknown endpoint {endpoint_id!r}; `kling-lint endpoints` lists them")
    return reg.endpoints[endpoint_id]


def print_fields(endpoint_id: str, output_format: str, register: Path | None) -> None:
    e = _endpoint(endpoint_id, register)
    if output_format == "json":
        click.echo(json.dumps(endpoint_dict(e), indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{e.id}  {e.route}  ({'billable' if e.billable else 'free'}; {e.describe_status()})\n"
    )
    width = max(len(p) for p in e.fields) + 2
    for f in e.fields.values():
        extra = "; ".join(f.limit_text())
        if f.replaced_by:
            extra = f"use {f.replaced_by}" + (f"; {extra}" if extra else "")
        click.echo(f"{f.path:<{width}} {'|'.join(f.type):<15} {f.describe_status():<38} {extra}")
        for v in f.values.values():
            if v.status != f.status or v.replaced_by is not None:
                click.echo(f"{'':<{width}}   = {json.dumps(v.value):<12} {v.describe_status()}")
        for name, info in f.forms.items():
            click.echo(f"{'':<{width}}   as {name:<11} {info.describe_status()}")
    for r in e.rules:
        click.echo(f"rule {r.code} {r.name} ({r.describe_status()})")
    for u in e.unknowns:
        click.echo(f"unknown {u.id}: {u.text}")


def print_field(endpoint_id: str, path: str, output_format: str, register: Path | None) -> None:
    e = _endpoint(endpoint_id, register)
    f = e.fields.get(jp.normalise_path(path))
    if f is None:
        raise ViewError(
            f"{endpoint_id} has no field {path!r}; `kling-lint fields {endpoint_id}` lists them"
        )
    data = field_dict(f)
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from kling_lint.register.docs import field_markdown

    click.echo(field_markdown(f))
