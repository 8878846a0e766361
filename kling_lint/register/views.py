"""`kling-lint fields` and `kling-lint field`: the register for people."""

from __future__ import annotations

import json
from typing import Any

import click

from kling_lint import pointer as jp
from kling_lint.register.model import Endpoint, Field, Statused, ValueInfo
from kling_lint.register.wording import limits_text, status_text


def _statused(entry: Statused) -> dict[str, Any]:
    return {
        "status": list(entry.status_labels),
        "from": entry.overlay or "register",
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


def value_order(field: Field) -> list[ValueInfo]:
    """A field's values in reading order: numbers (and numeric text) as numbers, first."""

    def key(item: tuple[int, ValueInfo]) -> tuple[int, float, int]:
        index, info = item
        value = info.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, float(value), index)
        if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
            return (0, float(value), index)
        return (1, 0.0, index)

    return [info for _, info in sorted(enumerate(field.values.values()), key=key)]


def _status(entry: Statused) -> str:
    """The status, and the overlay that set it when one did."""
    text = status_text(entry)
    return f"{text} [{entry.overlay}]" if entry.overlay else text


def _notes(f: Field) -> str:
    parts = []
    if f.required == "always":
        parts.append("required")
    elif f.required == "conditional":
        when = f.required_when
        parts.append(f"required when {when}" if when else "sometimes required")
    if f.replaced_by:
        parts.append(f"use {f.replaced_by}")
    return "; ".join([*parts, *limits_text(f)])


def fields_text(e: Endpoint) -> str:
    """The `kling-lint fields` table: every field, value and form with its status."""
    lines = [f"{e.id}  {e.route}  ({'billable' if e.billable else 'free'}; {status_text(e)})"]
    rows: list[tuple[str, str, str, str]] = [("FIELD", "TYPE", "STATUS", "NOTES")]
    for f in e.fields.values():
        rows.append((f.path, "|".join(f.type), _status(f), _notes(f)))
        for v in value_order(f):
            use = f"use {json.dumps(v.replaced_by)}" if v.replaced_by is not None else ""
            notes = "; ".join(p for p in (v.meaning, use) if p)
            rows.append((f"  = {json.dumps(v.value, ensure_ascii=False)}", "", _status(v), notes))
        for name, info in f.forms.items():
            use = f"use {info.replaced_by}" if info.replaced_by else ""
            rows.append((f"  as {name}", "", _status(info), use))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines.append("")
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    for name, use in e.misnomers.items():
        lines.append(f"not a field: {name} (use {use})")
    for name, (instead, _) in e.dropped.items():
        lines.append(f"dropped legacy field: {name} ({'use ' + instead if instead else 'none'})")
    for r in e.rules:
        lines.append(f"rule {r.code} {r.name} ({status_text(r)})")
    for u in e.unknowns:
        lines.append(f"unknown {u.id}: {u.text}")
    return "\n".join(lines)


def print_fields(e: Endpoint, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(endpoint_dict(e), indent=2, ensure_ascii=False))
        return
    click.echo(fields_text(e))


def find_field(e: Endpoint, path: str) -> Field | None:
    return e.fields.get(jp.normalise_path(path))


def missing_field(e: Endpoint, path: str) -> str:
    """Why `path` is no field of `e`, with what the user may have meant."""
    import difflib

    wanted = jp.normalise_path(path)
    if wanted in e.misnomers:
        hint = f"; the documented field is {e.misnomers[wanted]}"
    elif wanted in e.dropped:
        instead = e.dropped[wanted][0]
        hint = f"; a legacy-design field{', use ' + instead if instead else ''}"
    else:
        close = difflib.get_close_matches(wanted, list(e.fields), 1, 0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
    return f"{e.id} has no field {path!r}{hint} (`kling-lint fields {e.id}` lists them)"


def print_field(e: Endpoint, f: Field, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(field_dict(f), indent=2, ensure_ascii=False))
        return
    from kling_lint.register.docs import field_markdown

    click.echo(field_markdown(f))
