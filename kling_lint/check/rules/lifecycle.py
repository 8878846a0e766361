"""Values the register dates for retirement (a model, a video effect): sending one after
its date is refused, and in the days before it a warning says when it goes.

A rule, not a schema constraint, because the verdict depends on the day of the run, and a
generated schema is the same on every day.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import Context, Finding, rule, value_text
from kling_lint.check.values import values_at
from kling_lint.diagnostics import Severity
from kling_lint.register.model import Endpoint, Field, ValueInfo, top_key


@kept_on()
def _dated(endpoint: Endpoint) -> tuple[Field, ...]:
    """The endpoint's fields with at least one dated value."""
    return tuple(f for f in endpoint.fields.values() if any(v.retires for v in f.values.values()))


def _defaults_to_dated(field: Field) -> bool:
    if not field.has_default or top_key(field.path) != field.path:
        return False
    info = field.value_info(field.default)
    return info is not None and info.retires is not None


def _keys(endpoint: Endpoint) -> frozenset[str] | None:
    fields = _dated(endpoint)
    if any(_defaults_to_dated(f) for f in fields):
        return None  # leaving the field out sends the dated default: every payload counts
    return frozenset(top_key(f.path) for f in fields)


def _sent(ctx: Context) -> Iterator[tuple[tuple[str | int, ...], Field, Any, ValueInfo, bool]]:
    """(pointer parts, field, value, its dating, whether it was sent) for each dated value
    the request carries, the defaults of fields it leaves out included."""
    for field in _dated(ctx.endpoint):
        matches = values_at(ctx.payload, field.path)
        if not matches and _defaults_to_dated(field):
            matches = [((), field.default)]
            sent = False
        else:
            sent = True
        for parts, value in matches:
            info = field.value_info(value) if _plain(value) else None
            if info is not None and info.retires is not None and not info.blocked:
                yield parts, field, value, info, sent


def _plain(value: Any) -> bool:
    # Only scalars are dated; a list or object in their place is the schema's finding.
    return isinstance(value, str | int | float | bool) or value is None


def _days_left(ctx: Context, info: ValueInfo) -> int:
    today = ctx.today or _dt.date.today()
    assert info.retires is not None
    return (info.retires - today).days


def _said(field: Field, value: Any, info: ValueInfo, sent: bool) -> tuple[str, str]:
    """What is sent, as a message opens, and what to use instead (or "")."""
    shown = f"{field.path} {value_text(value)}"
    if not sent:
        shown = f"{field.path} is left out, so its default {value_text(value)} is sent; it"
    use = f"; use {value_text(info.replaced_by)}" if info.replaced_by is not None else ""
    return shown, use


@rule(
    "KL209",
    "retired-value",
    Severity.ERROR,
    keys=_keys,
    example_endpoint="video-effects.create",
)
def retired_value(ctx: Context) -> Iterator[Finding]:
    """Flags a value (a model, a video effect) sent on or after the day the register says the
    service stopped taking it, or left to a default that has.

    ## Why is this bad?
    A retired value is refused (or, worse, quietly served by something else); the request
    fails after the caller has waited for it.

    ## Why not in the schema
    A rule, not a schema constraint: whether a value is retired depends on the day of the
    run, and a generated schema is the same on every day.

    ## Example
    ```
    {"effect_scene": "kiss", "input": {"images": ["https://e.com/a.png", "https://e.com/b.png"]}}
    ```

    ## Use instead
    A current value: {"effect_scene": "kiss_pro", ...}
    """
    for parts, field, value, info, sent in _sent(ctx):
        if _days_left(ctx, info) <= 0:
            shown, use = _said(field, value, info, sent)
            yield Finding(
                parts, f"{shown} was retired on {info.retires}{use}", field.path, (), value, sent
            )


@rule(
    "KL210",
    "retiring-value",
    Severity.WARNING,
    keys=_keys,
    example_endpoint="video-effects.create",
)
def retiring_value(ctx: Context) -> Iterator[Finding]:
    """Flags a value (a model, a video effect) the register says the service stops taking
    within the next days (`retire-warn-days`, 30 by default).

    ## Why is this bad?
    A pipeline that sends it will start failing on that day; the warning gives the time to
    move to another value first.

    ## Why not in the schema
    A rule, not a schema constraint: it compares a date with the day of the run, which a
    generated schema cannot know.

    ## Example
    ```
    {"effect_scene": "a_scene_retiring_next_week", "input": {"image": "https://e.com/a.png"}}
    ```

    ## Use instead
    Move to a value the register does not date before the day it goes.
    """
    window = ctx.retire_warn_days
    for parts, field, value, info, sent in _sent(ctx):
        left = _days_left(ctx, info)
        if 0 < left <= window:
            shown, use = _said(field, value, info, sent)
            when = f"in {left} day{'s' if left != 1 else ''}"
            yield Finding(
                parts,
                f"{shown} retires on {info.retires} ({when}){use}",
                field.path,
                (),
                value,
                sent,
            )


RULES = (retired_value, retiring_value)
