"""Reading a payload by register path (`image_list[].type`): where each value sits."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, TypeGuard

Parts = tuple[str | int, ...]
Match = tuple[Parts, Any]
# What the schemas call absent besides a missing key (see register.schemas.EMPTY).
_EMPTY_TYPES = (str, list, dict)


def values_at(document: Any, path: str) -> list[Match]:
    """Every value at a register path, with the parts of its pointer."""
    if "." not in path and not path.endswith("[]"):  # the common case: a top-level field
        found_here = isinstance(document, dict) and path in document
        return [((path,), document[path])] if found_here else []
    segments = _segments(path)
    if len(segments) == 2 and segments[0][1] and not segments[1][1]:
        # The next most common: a member of each item of a top-level array (`a[].b`).
        (name, _), (member, _) = segments
        items = document.get(name) if isinstance(document, dict) else None
        if not isinstance(items, list):
            return []
        return [
            ((name, i, member), item[member])
            for i, item in enumerate(items)
            if isinstance(item, dict) and member in item
        ]
    found: list[Match] = [((), document)]
    for name, is_array in segments:
        step = [
            ((*parts, name), node[name])
            for parts, node in found
            if isinstance(node, dict) and name in node
        ]
        if is_array:
            step = [
                ((*parts, i), item)
                for parts, node in step
                if isinstance(node, list)
                for i, item in enumerate(node)
            ]
        found = step
    return found


@lru_cache(maxsize=1024)
def _segments(path: str) -> tuple[tuple[str, bool], ...]:
    """`a[].b` as (("a", True), ("b", False)): each name, and whether it is an array."""
    return tuple(
        (segment[:-2], True) if segment.endswith("[]") else (segment, False)
        for segment in path.split(".")
    )


def is_present(value: Any) -> bool:
    """Sent with content: null, "", [] and {} count as absent, as in the schemas."""
    return value is not None and not (isinstance(value, _EMPTY_TYPES) and not value)


def is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number a bound can be checked on: int or float (not bool), finite, and within
    what a float holds (a larger one is the schema's finding, not a count's)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


_JSON_SCALARS = (str, int, float, bool, type(None))


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain_json(payload: Any, limit: int = 100_000) -> bool:
    """Whether the payload is made of exactly dict, list, str, int, float, bool and None
    (no subclass, tuple or other type), so that it is what `json.dumps` sends. Past
    `limit` values (or in a cycle) it is not taken for plain."""
    stack = [payload]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return False
        kind = type(node)
        if kind is dict:
            for key in node:
                if type(key) is not str:
                    return False
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind not in _PLAIN_SCALARS:
            return False
    return True


def as_sent(payload: Any) -> Any:
    """The payload as a JSON client would send it, or None when it cannot be sent."""
    import json

    try:
        return json.loads(json.dumps(payload, allow_nan=True))
    except (TypeError, ValueError, RecursionError):
        return None


def foreign_at(payload: Any, limit: int = 10_000, depth: int = 64) -> Parts:
    """Where the first value JSON cannot carry sits (root when none is found in reach)."""
    stack: list[tuple[Parts, Any]] = [((), payload)]
    seen = 0
    while stack and seen < limit:
        parts, node = stack.pop()
        seen += 1
        if len(parts) > depth:
            return parts  # deeper than any payload: a cycle, or nesting no API takes
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    return parts
                stack.append(((*parts, key), item))
        elif isinstance(node, (list, tuple)):
            stack.extend(((*parts, i), item) for i, item in enumerate(node))
        elif not isinstance(node, _JSON_SCALARS):
            return parts
    return ()


def value_at(document: Any, parts: Parts) -> Any:
    """The value at a pointer's parts, or None when they lead nowhere."""
    node = document
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node
