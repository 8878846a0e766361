"""Fields the API accepts and ignores: what the request silently becomes without them.

This is a rule, not a schema constraint, because the verdict compares two values of the
payload (the ignored field and the one the API uses instead), which JSON Schema cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import Context, Finding, rule, value_text
from kling_lint.check.values import is_present
from kling_lint.diagnostics import Severity
from kling_lint.register.model import Endpoint, Field


@kept_on()
def _ignored(endpoint: Endpoint) -> tuple[tuple[Field, Field], ...]:
    """(ignored top-level field, the field the API falls back to) pairs of an endpoint."""
    out = []
    for path, field in endpoint.fields.items():
        target = (field.ignored or {}).get("falls_back_to")
        if target and "." not in path and target in endpoint.fields:
            out.append((field, endpoint.fields[target]))
    return tuple(out)


def _ignored_keys(endpoint: Endpoint) -> frozenset[str]:
    return frozenset(field.path for field, _ in _ignored(endpoint))


def _effective(payload: dict[str, Any], fallback: Field) -> tuple[Any, str]:
    sent = payload.get(fallback.path)
    if is_present(sent):
        return sent, f"{fallback.path} as sent"
    return fallback.default, f"the default {fallback.path}"


def _accepted(field: Field, value: Any) -> bool:
    from kling_lint.check.wording import accepted_values  # wording imports this package

    return value in accepted_values(field) if field.enum is not None else isinstance(value, str)


@rule(
    "KL110",
    "ignored-field-changes-request",
    Severity.ERROR,
    keys=_ignored_keys,
    example_endpoint="text2video.create",
)
def ignored_field_changes_request(ctx: Context) -> Iterator[Finding]:
    """Flags a field the API accepts but ignores, when what the API uses instead differs from
    what the field asks for, such as model on Text-to-Video without a matching
    model_name.

    ## Why is this bad?
    The request succeeds and is billed, but not for what it asks: the old key model behaves
    like an empty model_name, so the task runs on kling-v1.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema cannot compare two values of a payload.

    ## Example
    ```
    {"model": "kling-v3", "prompt": "a cat"}
    ```

    ## Use instead
    {"model_name": "kling-v3", "prompt": "a cat"}
    """
    for field, fallback in _ignored(ctx.endpoint):
        if field.path not in ctx.payload:
            continue
        asked = ctx.payload[field.path]
        used, source = _effective(ctx.payload, fallback)
        if asked != used:
            # Advise sending the value under the right name only where that is accepted.
            if fallback.path not in ctx.payload and _accepted(fallback, asked):
                fix = f"send {fallback.path} {value_text(asked)} instead"
            else:
                fix = f"drop {field.path}: {fallback.path} decides"
            yield Finding(
                (field.path,),
                f"{field.path} {value_text(asked)} is ignored by the API: the task runs with "
                f"{source}, {value_text(used)}; {fix}",
                field.path,
                field.status_labels,
            )


@rule(
    "KL111",
    "ignored-field",
    Severity.WARNING,
    keys=_ignored_keys,
    example_endpoint="text2video.create",
)
def ignored_field(ctx: Context) -> Iterator[Finding]:
    """Warns about a field the API accepts but ignores, where dropping it changes nothing
    because it repeats the field the API uses.

    ## Why is this bad?
    The field does nothing; it misleads the next reader into thinking it does.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema cannot compare two values of a payload.

    ## Example
    ```
    {"model": "kling-v3", "model_name": "kling-v3", "prompt": "a cat"}
    ```

    ## Use instead
    {"model_name": "kling-v3", "prompt": "a cat"}
    """
    for field, fallback in _ignored(ctx.endpoint):
        if field.path in ctx.payload:
            asked = ctx.payload[field.path]
            if asked == _effective(ctx.payload, fallback)[0]:
                yield Finding(
                    (field.path,),
                    f"{field.path} is ignored by the API and only repeats {fallback.path}; drop it",
                    field.path,
                    field.status_labels,
                )


RULES = (
    ignored_field_changes_request,
    ignored_field,
)
