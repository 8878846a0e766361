"""Turning a validated register into its compiled form: one JSON document, no YAML needed."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import TYPE_CHECKING, Any

from kling_lint import pointer as jp
from kling_lint.register.model import ENDPOINTS_LINE, endpoint_index

if TYPE_CHECKING:
    from kling_lint.register.source import RegisterFile

FORMAT = 1


def _container_of(path: str) -> tuple[str, str]:
    """(container path, own name) for a normalised field path."""
    cut = path.rfind(".")
    if cut < 0:
        return "", path
    head = path[:cut]
    return (head[:-2] if head.endswith("[]") else head), path[cut + 1 :]


def _compile_endpoint(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    fields: dict[str, Any] = {}
    for path, info in data["fields"].items():
        fields[jp.normalise_path(path)] = copy.deepcopy(info)
    children: dict[str, list[str]] = {}
    for path in fields:
        container, name = _container_of(path)
        children.setdefault(container, []).append(name)
    for path, info in fields.items():
        if path in children:
            info["children"] = sorted(children[path])
    out["fields"] = dict(sorted(fields.items()))
    out["top_level"] = sorted(children.get("", []))
    return out


def compile_files(files: list[RegisterFile]) -> dict[str, Any]:
    """The compiled register; `files` must have passed validation."""
    sources: dict[str, Any] = {}
    endpoints: list[dict[str, Any]] = []
    policies: list[dict[str, Any]] = []
    for file in files:
        if file.kind == "sources":
            sources = dict(sorted(file.doc.data["sources"].items()))
        elif file.kind == "endpoint":
            endpoints.append(_compile_endpoint(file.doc.data))
        else:
            policies.append(copy.deepcopy(file.doc.data))
    body = {
        "format": FORMAT,
        "sources": sources,
        "endpoints": sorted(endpoints, key=lambda e: e["id"]),
        "policies": sorted(policies, key=lambda p: p["id"]),
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return {"digest": digest, **body}


def dumps(compiled: dict[str, Any]) -> str:
    """Deterministic text for a compiled register (or any generated JSON)."""
    return json.dumps(compiled, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def dumps_compiled(compiled: dict[str, Any]) -> str:
    """The compiled register as the built-in one is shipped: one JSON document whose head
    (digest, sources, policies and an index of the endpoints) comes first, and then each
    endpoint on a line of its own, so that a run parses the head and only the endpoints it
    checks (`EndpointLines`)."""
    head = {k: v for k, v in compiled.items() if k != "endpoints"}
    endpoints = sorted(compiled["endpoints"], key=lambda e: e["id"])  # the index's order
    head["index"] = {e["id"]: endpoint_index(e) for e in endpoints}
    lines = [json.dumps(head, sort_keys=True, ensure_ascii=False)[:-1] + ",", ENDPOINTS_LINE]
    body = [json.dumps(e, sort_keys=True, ensure_ascii=False) for e in endpoints]
    lines += [line + ("," if i < len(body) - 1 else "") for i, line in enumerate(body)]
    lines.append("]}")
    return "\n".join(lines) + "\n"
