"""What a schema-reported finding says: written from the register, never from the validator.

Each function takes the register field the failing constraint belongs to and the value
found, and returns the message. The codes are decided in `check.schema`.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import value_text
from kling_lint.diagnostics import Status
from kling_lint.register.model import Field, Statused

_JSON_NAME = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return _JSON_NAME.get(type(value), type(value).__name__)


def evidence(entry: Statused) -> str:
    """The first live rejection behind a status, as a parenthesis."""
    for ev in entry.evidence:
        if ev.status is Status.LIVE_REJECTED:
            return f" ({ev.source} {ev.date}: {ev.observed})"
    return ""


def rejected_field(field: Field) -> str:
    use = f"; use {field.replaced_by}" if field.replaced_by else ""
    kind = "rejected as methodology" if "methodology" in field.qualifiers else "live-rejected"
    return f"{field.path} is {kind}{use}{evidence(field)}"


def hypothesis_field(field: Field) -> str:
    use = f"; the documented field is {field.replaced_by}" if field.replaced_by else ""
    return f"{field.path} is hypothesis-only: no document or live run supports it{use}"


def rejected_value(field: Field, value: Any) -> str:
    info = field.value_info(value)
    use = ""
    why = ""
    if info is not None:
        use = f"; use {value_text(info.replaced_by)}" if info.replaced_by is not None else ""
        why = evidence(info)
    return f"{field.path} value {value_text(value)} is live-rejected{use}{why}"


def blocked_default(field: Field, code: str) -> str:
    """A field left out whose default the register blocks: the default is what is sent."""
    what = rejected_value if code == "KL102" else hypothesis_value
    return (
        f"{field.path} is left out, so the service uses its default: "
        f"{what(field, field.default)}; name a {field.path}"
    )


def hypothesis_value(field: Field, value: Any) -> str:
    return (
        f"{field.path} value {value_text(value)} is hypothesis-only: no document or live run "
        "supports it"
    )


def accepted_forms(field: Field) -> list[str]:
    """The media forms a field takes that no live run rejected."""
    return [
        form
        for form in ("url", "base64")
        if not (form in field.forms and field.forms[form].rejected)
    ]


def rejected_form(field: Field, form: str) -> str:
    info = field.forms[form]
    replacement = info.replaced_by or " or ".join(accepted_forms(field)) or None
    use = f"; send a {replacement} instead" if replacement else ""
    return f"{field.path} as {form} is live-rejected{use}{evidence(info)}"


def media_value(field: Field, value: Any) -> str:
    """Why a media string is neither an http(s) URL nor raw Base64, and what to send."""
    if not isinstance(value, str):
        return f"{field.path} must be an http(s) URL or raw Base64"
    takes_base64 = "base64" in accepted_forms(field)
    head = value[:12].lower()
    if head.startswith("data:"):
        if takes_base64:
            return f"{field.path}: send raw Base64 without the data: prefix"
        return f"{field.path}: inline data is not accepted here; upload it and send an http(s) URL"
    if "://" in value[:16]:
        scheme = value.split("://", 1)[0]
        return f"{field.path}: {scheme}:// is not fetchable; use an http(s) URL"
    wanted = "an http(s) URL or raw Base64" if takes_base64 else "an http(s) URL"
    return f"{field.path} value {value_text(value)} is not {wanted}"


def accepted_values(field: Field) -> list[Any]:
    """The values a suggestion may name: known, and blocked by no status (a suggestion must
    not lead straight into another finding)."""
    known = list(field.enum or ())
    known += [v.value for v in field.values.values() if v.value not in known]
    return [v for v in known if _accepted(field, v)]


def _accepted(field: Field, value: Any) -> bool:
    info = field.value_info(value)
    return (info is None or not info.blocked) and (field.enum is None or value in field.enum)


def unknown_value(field: Field, value: Any) -> str:
    # The same wrong value recurs across a run's payloads; the suggestion search is the
    # costly part. Short scalars only: a cache entry holds its value.
    if (
        value is None
        or type(value) in (bool, int, float)
        or (type(value) is str and len(value) <= 256)
    ):
        return _unknown_value_cached(field, value)
    return _unknown_value(field, value)


@kept_on(1024, typed=True)
def _unknown_value_cached(field: Field, value: Any) -> str:
    return _unknown_value(field, value)


def _unknown_value(field: Field, value: Any) -> str:
    accepted = ", ".join(value_text(v) for v in field.enum or ())
    hint = ""
    if isinstance(value, str):
        import difflib  # only for suggestions: kept off the import path of clean runs

        choices = [str(v) for v in accepted_values(field)]
        close = difflib.get_close_matches(value, choices, 1, 0.6)
        hint = f"; did you mean {value_text(close[0])}?" if close else ""
    return (
        f"{field.path} value {value_text(value)} is not known to the register "
        f"(known: {accepted}){hint}"
    )


def unknown_field(
    endpoint_id: str, name: str, path: str, siblings: tuple[str, ...], use: str | None = None
) -> str:
    if type(name) is str and len(name) <= 256:  # the same stray key recurs across payloads
        return _unknown_field_cached(endpoint_id, name, path, siblings, use)
    return _unknown_field(endpoint_id, name, path, siblings, use)


@lru_cache(maxsize=1024)
def _unknown_field_cached(
    endpoint_id: str, name: str, path: str, siblings: tuple[str, ...], use: str | None
) -> str:
    return _unknown_field(endpoint_id, name, path, siblings, use)


def _unknown_field(
    endpoint_id: str, name: str, path: str, siblings: tuple[str, ...], use: str | None
) -> str:
    """`use`: the documented field the register says this misnomer stands for."""
    if use is not None:
        return f"{path} is not a field of {endpoint_id}; the documented field is {use}"
    import difflib

    close = difflib.get_close_matches(name, siblings, 1, 0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{path} is not a field of {endpoint_id} in the register{hint}"


def dropped_field(endpoint_id: str, path: str, use: str | None, why: str) -> str:
    """A field of the legacy design sent to an endpoint of the new one."""
    instead = f"use {use}" if use else "it has no replacement"
    return f"{path} is a legacy-design field that {endpoint_id} does not take; {instead} ({why})"


def wrong_type(path: str, expected: tuple[str, ...], value: Any, field: Field | None = None) -> str:
    hint = ""
    if "string" in expected and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(value)
        if field is None or _accepted(field, text):
            hint = f"; write it as a string: {value_text(text)}"
        elif field.enum:
            hint = f" (known: {', '.join(value_text(v) for v in accepted_values(field))})"
    if "boolean" in expected and value in ("true", "false"):
        hint = f"; write it without quotes: {value}"
    return f"{path} must be {' or '.join(expected)}, not {json_type(value)}{hint}"


def out_of_range(field: Field, value: Any, bounds: dict[str, Any]) -> str:
    number: float | None = None
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        number = float(value)
    low, high = bounds.get("minimum"), bounds.get("maximum")
    if number is not None and low is not None and number < low:
        return f"{field.path} is {value_text(value)}, below {low:g}"
    if number is not None and high is not None and number > high:
        return f"{field.path} is {value_text(value)}, above {high:g}"
    return f"{field.path} is {value_text(value)}, outside its range"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def bad_length(field: Field, value: Any) -> str:
    size = len(value) if isinstance(value, str) else 0
    if field.min_length is not None and size < field.min_length:
        if field.min_length == 1:
            return f"{field.path} must not be empty"
        return f"{field.path} has {_count(size, 'character')}; at least {field.min_length} needed"
    return f"{field.path} has {_count(size, 'character')}; at most {field.max_length} allowed"


def bad_count(field: Field, value: Any) -> str:
    size = len(value) if isinstance(value, list) else 0
    if field.min_items is not None and size < field.min_items:
        return f"{field.path} has {_count(size, 'item')}; at least {field.min_items} needed"
    return f"{field.path} has {_count(size, 'item')}; at most {field.max_items} allowed"


def bad_format(field: Field, value: Any) -> str:
    return f"{field.path} value {value_text(value)} does not match {field.pattern}"


def field_not_for_model(field: Field, model: str) -> str:
    return f"{field.path} is not supported by {model} (only {', '.join(field.models or ())})"


def value_not_for_model(field: Field, value: Any, model: str) -> str:
    info = field.value_info(value)
    only = ", ".join(info.models or ()) if info is not None else "other models"
    return f"{field.path} value {value_text(value)} is not supported by {model} (only {only})"
