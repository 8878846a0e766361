"""`kling-lint registry scaffold`: the skeleton of an endpoint the register does not cover,
for a team that meets it before the register does.

The skeleton is an overlay endpoint file: the route, an id made from it, and, read from
exchange logs or HAR files of real calls, each field the calls sent (with the JSON types
seen), every one hypothesis-only. So the linter checks the route at once, blocking every
field until a document or a live run supports it; `evidence review` and `evidence apply`
then promote what the calls showed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from kling_lint.check.routes import ROUTE_TEXT, route_of, segments, split_target
from kling_lint.check.wording import json_type
from kling_lint.register.model import Register

_PARAM = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")
_VERSION = re.compile(r"^v[0-9]+$")


class ScaffoldError(ValueError):
    """A route that cannot give a skeleton, said for the user."""


class Route(NamedTuple):
    method: str
    path: str  # as servers route it, lower-case but for `{name}` parameters


def parse_route(text: str) -> Route:
    """`POST /v1/videos/commerce` (or a URL after the method) as a Route; a path segment
    written `{name}` is a path parameter."""
    found = ROUTE_TEXT.match(text)
    if not found:
        raise ScaffoldError(f"{text!r} is not a route: write METHOD PATH ('POST /v1/videos/x')")
    parts = [p if _PARAM.match(p) else p.lower() for p in segments(split_target(found[2])[0])]
    if not parts:
        raise ScaffoldError(f"{text!r} names no path")
    return Route(found[1].upper(), "/" + "/".join(parts))


def _params(route: Route) -> list[str]:
    return [p[1:-1] for p in route.path.split("/") if _PARAM.match(p)]


def endpoint_id(route: Route) -> str:
    """An id made as the register's are: the last two words of the path after its version,
    and the action (`create` for POST, `get` with a path parameter, `list` without)."""
    words = [p for p in route.path.split("/") if p and not _PARAM.match(p)]
    if words and _VERSION.match(words[0]):
        words = words[1:]
    name = re.sub(r"[^a-z0-9]+", "-", "-".join(words[-2:])).strip("-") or "endpoint"
    action = "create" if route.method == "POST" else ("get" if _params(route) else "list")
    return f"{name}.{action}"


def covered(register: Register, route: Route) -> str | None:
    """The register's endpoint for this route, if it has one."""
    found = route_of(register, route.method, re.sub(r"\{[^}]+\}", "x", route.path))
    return found[0] if found else None


def _fits(route: Route, method: str, path: str) -> bool:
    """Whether a logged call went to this route (under any prefix a gateway adds)."""
    want = [p for p in route.path.split("/") if p]
    got = segments(path)
    if method.upper() != route.method or len(got) < len(want):
        return False
    tail = got[len(got) - len(want) :]
    return all(_PARAM.match(w) or w == g.lower() for w, g in zip(want, tail, strict=True))


def _is_media(value: Any) -> bool:
    return isinstance(value, dict) and "$media" in value


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(register path, value) for every member of a body, nested ones as `a.b`, members of
    objects in arrays as `a[].b`; a name the register's paths cannot hold is skipped."""
    if path:
        yield path, value
    if isinstance(value, dict) and not _is_media(value):
        yield from _members(value, f"{path}." if path else "")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and not _is_media(item):
                yield from _members(item, f"{path}[].")


def _members(value: dict[Any, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for key, inner in value.items():
        if isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]+", key):
            yield from _walk(inner, prefix + key)


class Seen(NamedTuple):
    calls: int
    # register path -> (the JSON types sent, where it was first seen)
    fields: dict[str, tuple[frozenset[str], str]]


def fields_seen(route: Route, records: Iterable[tuple[str, Any]]) -> Seen:
    """What the logged calls of this route sent: body members (query parameters for a
    GET) with their JSON types. `records` are (where, exchange record) pairs."""
    found: dict[str, tuple[frozenset[str], str]] = {}
    calls = 0
    for where, record in records:
        if not isinstance(record, dict):
            continue
        if not _fits(route, str(record.get("method", "")), str(record.get("path", ""))):
            continue
        calls += 1
        sent = record.get("body") if route.method == "POST" else record.get("query")
        for path, value in _walk(sent if isinstance(sent, dict) else {}, ""):
            # A media stand-in in the log was a string when sent; null says nothing.
            kind = "string" if _is_media(value) else json_type(value)
            if kind == "null":
                continue
            types, first = found.get(path, (frozenset(), where))
            found[path] = (types | {kind}, first)
    return Seen(calls, found)


def skeleton(route: Route, seen: Seen, source: str | None, day: str) -> dict[str, Any]:
    """The overlay endpoint file, as data: every field hypothesis-only."""
    fields: dict[str, Any] = {}
    for name in _params(route):
        fields[name] = {
            "type": "string",
            "status": ["hypothesis-only"],
            "in": "path",
            "required": "always",
            "min_length": 1,
        }
    for path, (types, first) in sorted(seen.fields.items()):
        kinds = sorted(types)
        entry: dict[str, Any] = {
            "type": kinds[0] if len(kinds) == 1 else kinds,
            "status": ["hypothesis-only"],
            "notes": [f"Sent in {first}."],
        }
        if route.method == "GET":
            entry["in"] = "query"
        fields[path] = entry
    origin = f"from {seen.calls} logged call(s) in {source}" if source else "from the route alone"
    return {
        "id": endpoint_id(route),
        "title": f"{route.method} {route.path} (scaffolded; not in the register)",
        "method": route.method,
        "path": route.path,
        "billable": route.method == "POST",
        "status": ["hypothesis-only"],
        "evidence": [],
        "notes": [
            f"Scaffolded on {day} {origin}: every field is a hypothesis until a document or a "
            "live run supports it.",
            "A POST is taken for billable until its price is known.",
        ],
        "fields": fields,
    }


def render(document: dict[str, Any]) -> str:
    """The file's text, in the register's style: short lists of scalars on one line."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def styled(node: Any) -> Any:
        if isinstance(node, dict):
            out = CommentedMap()
            for key, value in node.items():
                out[key] = styled(value)
            return out
        if isinstance(node, list):
            seq = CommentedSeq(styled(v) for v in node)
            if all(not isinstance(v, dict | list) for v in node) and len(str(node)) < 72:
                seq.fa.set_flow_style()
            return seq
        return node

    yaml = YAML()
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = io.StringIO()
    text.write(f"# {document['method']} {document['path']}: an endpoint the register lacks.\n")
    text.write("# Scaffolded by `kling-lint registry scaffold`; add evidence as it comes.\n")
    yaml.dump(styled(document), text)
    return text.getvalue()
