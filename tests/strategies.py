"""Hypothesis strategies, in one place: any JSON, and payloads built from the register."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from kling_lint.register import builtin_register
from kling_lint.register.model import Endpoint, Field

#: Any JSON value (finite numbers, nested up to a few levels).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

#: Endpoint ids of the built-in register.
endpoint_ids = st.sampled_from(sorted(builtin_register().endpoints))


def _known_keys(endpoint: Endpoint) -> list[str]:
    return list(endpoint.top_level)


@st.composite
def near_payloads(draw: st.DrawFn, endpoint_id: str | None = None) -> tuple[str, dict[str, Any]]:
    """An object mixing the endpoint's own keys (with any values) and stray keys."""
    eid = endpoint_id or draw(endpoint_ids)
    endpoint = builtin_register().endpoints[eid]
    keys = draw(st.lists(st.sampled_from(_known_keys(endpoint)) | st.text(max_size=10), max_size=8))
    return eid, {k: draw(json_values) for k in keys}


def _value(draw: st.DrawFn, endpoint: Endpoint, field: Field) -> Any:
    """A value that meets the field's own constraints (type, enum, limits)."""
    if field.forms and "url" in field.forms and not field.forms["url"].rejected:
        return "https://cdn.example.com/media/a.png"
    accepted = [v for v in (field.enum or ()) if not _blocked_value(field, v)]
    if accepted:
        return draw(st.sampled_from(accepted))
    kind = field.type[0]
    if kind == "string":
        if field.pattern == "^[0-9]+$":  # a number written as text, within its range
            return str(draw(st.integers(1, 5)))
        if field.pattern:
            # Text the pattern finds (the register's patterns search, as JSON Schema's do),
            # kept within the field's length. Python's `$` also matches before a final
            # newline, which ECMA's (and the linter's) does not: such text is not conforming.
            high = field.max_length if field.max_length is not None else 200
            ends = field.pattern.endswith("$")
            return draw(
                st.from_regex(field.pattern).filter(
                    lambda t: 0 < len(t) <= high and not (ends and t.endswith("\n"))
                )
            )
        low = field.min_length or 0
        high = field.max_length if field.max_length is not None else 40
        return draw(
            st.text(
                st.characters(min_codepoint=97, max_codepoint=122),
                min_size=max(low, 1),
                max_size=min(high, 40),
            )
        )
    if kind == "integer":
        return draw(
            st.integers(
                int(field.minimum if field.minimum is not None else 0),
                int(field.maximum if field.maximum is not None else 100),
            )
        )
    if kind == "number":
        low = field.minimum if field.minimum is not None else 0.0
        high = field.maximum if field.maximum is not None else 100.0
        return draw(st.floats(low, high, allow_nan=False))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "object":
        return _object(draw, endpoint, field.path)
    low = field.min_items or 0
    high = min(field.max_items if field.max_items is not None else 3, 3)
    count = draw(st.integers(low, max(low, high)))
    return [_object(draw, endpoint, field.path) for _ in range(count)]


def _blocked_value(field: Field, value: Any) -> bool:
    info = field.value_info(value)
    return bool(info and (info.rejected or info.hypothesis or info.models))


def _object(draw: st.DrawFn, endpoint: Endpoint, container: str) -> dict[str, Any]:
    prefix = ""
    if container:
        prefix = container + ("[]." if endpoint.fields[container].is_array else ".")
    out: dict[str, Any] = {}
    for path, field in endpoint.fields.items():
        if not path.startswith(prefix) or "." in path[len(prefix) :] or path == container:
            continue
        if field.rejected or field.hypothesis or field.models or "caution" in field.qualifiers:
            continue
        if field.required == "always" or draw(st.booleans()):
            out[path[len(prefix) :]] = _value(draw, endpoint, field)
    return out


@st.composite
def conforming_payloads(draw: st.DrawFn, endpoint_id: str) -> dict[str, Any]:
    """A payload whose every field meets its own constraints (cross-field rules aside)."""
    return _object(draw, builtin_register().endpoints[endpoint_id], "")
