"""Register overlays: a team's own layer over the register it uses.

An overlay is a folder in the register's own format holding only what the team adds or
changes: `sources.yaml` with its sources, `endpoints/<id>.yaml` files with the fields,
values and forms it adds or whose status it changes, and policies. An endpoint file of an
endpoint the base has needs only `id` and what changes:

    id: omni-video.create
    fields:
      voice_list:
        status: [live-confirmed]
        evidence:
          - {status: live-confirmed, source: TEAM-LOG-2026-12-01, date: '2026-12-01', ...}

Layering rules: a `status` replaces the base's; `evidence` and `notes` are added to the
base's, never in place of them (an overlay cannot delete evidence); other keys of a field,
value or form (limits, `replaced_by`, ...) replace the base's; a field, value, form,
endpoint, source or policy the base lacks is added whole. Every live status an overlay
sets must cite a live source in its own evidence. What an overlay set is marked with the
overlay's name, so that `kling-lint fields` can say where a status comes from.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from kling_lint import pointer as jp
from kling_lint.register.errors import RegisterProblem
from kling_lint.register.source import RegisterFile, read_register

# What an overlay may say about an endpoint the base has (the rest is the base's).
_ENDPOINT_KEYS = frozenset({"id", "fields", "evidence", "notes", "misnomers", "status"})
_ADDED = ("evidence", "notes")
_LIVE = ("live-confirmed", "live-rejected")
Marks = dict[tuple[str, str, str, str], str]  # (endpoint, path, kind, key) -> overlay name


def read_overlay(directory: Path) -> tuple[list[RegisterFile], list[RegisterProblem]]:
    """An overlay folder's files (every part optional, unlike a register's)."""
    if not directory.is_dir():
        return [], [RegisterProblem(str(directory), 1, 1, "overlay folder not found")]
    return read_register(directory, partial=True)


def _layer(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """A field, value or form with an overlay's entry laid over it (see the module)."""
    out = copy.deepcopy(base)
    for key, value in top.items():
        if key in _ADDED:
            out[key] = [*base.get(key, []), *copy.deepcopy(value)]
        elif key in ("values", "forms") and isinstance(value, dict):
            merged = dict(out.get(key) or {})
            for name, entry in value.items():
                below = merged.get(name)
                if isinstance(below, dict) and isinstance(entry, dict):
                    merged[name] = _layer(below, entry)
                else:
                    merged[name] = copy.deepcopy(entry)
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def _marks(name: str, endpoint: str, fields: dict[str, Any]) -> Marks:
    out: Marks = {}
    for path, entry in fields.items():
        if not isinstance(entry, dict):
            continue
        if "status" in entry or "evidence" in entry or "type" in entry:
            out[(endpoint, path, "field", "")] = name
        for kind in ("values", "forms"):
            for key, sub in (entry.get(kind) or {}).items():
                if isinstance(sub, dict) and ("status" in sub or "evidence" in sub):
                    out[(endpoint, path, kind, str(key))] = name
    return out


def merge(
    base: list[RegisterFile], overlay: list[RegisterFile], name: str
) -> tuple[list[RegisterFile], Marks, list[RegisterProblem]]:
    """The base's files with an overlay's laid over them, what the overlay set, and what
    it may not do."""
    problems: list[RegisterProblem] = []
    marks: Marks = {}
    out = [RegisterFile(f.path, f.display, f.kind, copy.copy(f.doc)) for f in base]
    by_id = {f.doc.data.get("id"): f for f in out if f.kind == "endpoint"}
    sources = next((f for f in out if f.kind == "sources"), None)
    policies = {f.doc.data.get("id") for f in out if f.kind == "policy"}
    for top in overlay:
        data = top.doc.data
        if not isinstance(data, dict):
            problems.append(top.problem("", "an overlay file holds a mapping"))
            continue
        if top.kind == "sources" and sources is not None:
            merged = dict(sources.doc.data.get("sources") or {})
            for source_id, entry in (data.get("sources") or {}).items():
                if source_id in merged and merged[source_id] != entry:
                    problems.append(
                        top.problem(f"/sources/{source_id}", f"source {source_id} is the base's")
                    )
                merged[source_id] = entry
            sources.doc = copy.copy(sources.doc)
            sources.doc.data = {**sources.doc.data, "sources": merged}
        elif top.kind == "policy":
            if data.get("id") in policies:
                problems.append(top.problem("/id", f"policy {data.get('id')} is the base's"))
                continue
            out.append(top)
        elif top.kind == "endpoint":
            target = by_id.get(data.get("id"))
            if target is None:  # a new endpoint: whole, checked as any register file
                out.append(top)
                marks.update(_marks(name, str(data.get("id")), data.get("fields") or {}))
                marks[(str(data.get("id")), "", "endpoint", "")] = name
                continue
            for key in sorted(set(data) - _ENDPOINT_KEYS):
                why = "an overlay changes fields, values and forms, and adds evidence and notes"
                problems.append(top.problem(f"/{key}", f"{key} is the base's; {why}"))
            merged_doc = copy.copy(target.doc)
            body = copy.deepcopy(target.doc.data)
            fields = dict(body.get("fields") or {})
            for path, entry in (data.get("fields") or {}).items():
                below = fields.get(path)
                if isinstance(below, dict) and isinstance(entry, dict):
                    fields[path] = _layer(below, entry)
                else:
                    fields[path] = copy.deepcopy(entry)
            body["fields"] = fields
            for key in _ADDED:
                if key in data:
                    body[key] = [*body.get(key, []), *copy.deepcopy(data[key])]
            if "status" in data:
                body["status"] = copy.deepcopy(data["status"])
            if "misnomers" in data:
                body["misnomers"] = {**body.get("misnomers", {}), **data["misnomers"]}
            merged_doc.data = body
            target.doc = merged_doc
            # Problems of the layered file are found at the base's lines: say so.
            if f"(+ {name})" not in target.display:
                target.display = f"{target.display} (+ {name})"
            marks.update(_marks(name, str(data.get("id")), data.get("fields") or {}))
    return out, marks, problems


def live_without_live_source(
    overlay: list[RegisterFile], sources: dict[str, Any]
) -> list[RegisterProblem]:
    """Each live status an overlay sets that none of its own evidence from a live source
    supports (a team's confirmation must say which run showed it), and each source its
    evidence cites that neither the register nor the overlay has, at the overlay's lines."""
    problems = []
    for file in overlay:
        if file.kind != "endpoint" or not isinstance(file.doc.data, dict):
            continue
        for path, entry in (file.doc.data.get("fields") or {}).items():
            where = f"/fields/{jp.escape(path)}"
            problems += _unsupported(file, where, entry, sources)
            for kind in ("values", "forms"):
                subs = entry.get(kind) if isinstance(entry, dict) else None
                for key, sub in (subs or {}).items():
                    problems += _unsupported(file, f"{where}/{kind}/{key}", sub, sources)
    return problems


def _kind(sources: dict[str, Any], source: Any) -> Any:
    entry = sources.get(source) if isinstance(source, str) else None
    return entry.get("kind") if isinstance(entry, dict) else None


def _unsupported(
    file: RegisterFile, where: str, entry: Any, sources: dict[str, Any]
) -> list[RegisterProblem]:
    if not isinstance(entry, dict):
        return []
    evidence = [e for e in entry.get("evidence") or [] if isinstance(e, dict)]
    out = []
    for i, item in enumerate(evidence):  # at the overlay's own lines, not the base's
        if isinstance(item.get("source"), str) and item["source"] not in sources:
            message = (
                f"unknown source {item['source']!r} (sources.yaml of the overlay adds sources)"
            )
            out.append(file.problem(f"{where}/evidence/{i}/source", message))
    for status in entry.get("status") or []:
        if status not in _LIVE:
            continue
        backed = any(
            e.get("status") == status and _kind(sources, e.get("source")) == "live"
            for e in evidence
        )
        if not backed:
            message = f"{status} set by the overlay without evidence from a live source"
            out.append(file.problem(where + "/status", message))
    return out


def mark(compiled: dict[str, Any], marks: Marks) -> None:
    """Write into the compiled register which overlay set each status."""
    endpoints = {e["id"]: e for e in compiled.get("endpoints", [])}
    for (endpoint_id, path, kind, key), name in marks.items():
        if kind == "endpoint":  # the endpoint is the overlay's own
            if endpoint_id in endpoints:
                endpoints[endpoint_id]["overlay"] = name
            continue
        field = endpoints.get(endpoint_id, {}).get("fields", {}).get(jp.normalise_path(path))
        if field is None:
            continue
        target = field if kind == "field" else (field.get(kind) or {}).get(key)
        if isinstance(target, dict):
            target["overlay"] = name
