"""Reading a payload by register path (`image_list[].type`): where each value sits."""

from __future__ import annotations

from typing import Any

Parts = tuple[str | int, ...]
Match = tuple[Parts, Any]
# What the schemas call absent besides a missing key (see schemagen.EMPTY).
_EMPTY_TYPES = (str, list, dict)


def values_at(document: Any, path: str) -> list[Match]:
    """Every value at a register path, with the parts of its pointer."""
    if "." not in path and not path.endswith("[]"):  # the common case: a top-level field
        found_here = isinstance(document, dict) and path in document
        return [((path,), document[path])] if found_here else []
    found: list[Match] = [((), document)]
    for segment in path.split("."):
        is_array = segment.endswith("[]")
        name = segment[:-2] if is_array else segment
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


def is_present(value: Any) -> bool:
    """Sent with content: null, "", [] and {} count as absent, as in the schemas."""
    return value is not None and not (isinstance(value, _EMPTY_TYPES) and not value)
