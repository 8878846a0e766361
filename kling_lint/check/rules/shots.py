"""Multi-shot plans: shot durations, shot indexes, frames with multi-shot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import (
    items,
    number,
    task_duration,
)
from kling_lint.diagnostics import Severity


def _shots(ctx: Context) -> list[tuple[int, dict[str, Any]]]:
    if ctx.payload.get("multi_shot") is not True:
        return []
    return [(i, s) for i, s in enumerate(items(ctx.payload, "multi_prompt")) if isinstance(s, dict)]


@rule(
    "KL401",
    "shot-durations",
    Severity.ERROR,
    requires=("multi_prompt",),
    triggers=("multi_prompt",),
)
def shot_durations(ctx: Context) -> Iterator[Finding]:
    """Flags multi-shot plans whose shot durations exceed the task duration or do not add up to
    it.

    ## Why is this bad?
    The contract requires each shot to last at least 1 s and at most the task duration, and
    the shots to sum to the task duration; otherwise the request fails after it is billed or
    queued.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema cannot add up the shot durations and
    compare the sum with another field.

    ## Example
    ```
    {"multi_shot": true, "shot_type": "customize", "duration": "5", "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}, {"index": 2, "prompt": "b", "duration": "2"}]}
    ```

    ## Use instead
    Make the shot durations add up to duration (2 + 3 for 5 s).
    """
    total = task_duration(ctx)
    shots = _shots(ctx)
    durations = [(i, number(s.get("duration"))) for i, s in shots]
    if total is None or not durations or any(d is None or d < 1 for _, d in durations):
        return  # type, format and range rules report durations that are not whole seconds
    for i, d in durations:
        if d is not None and d > total:
            yield Finding(
                ("multi_prompt", i, "duration"),
                f"shot {i + 1} lasts {d:g} s, longer than the task duration {total:g} s",
                "multi_prompt[].duration",
            )
    summed = sum(d for _, d in durations if d is not None)
    if summed != total:
        yield Finding(
            ("multi_prompt",),
            f"shot durations add up to {summed:g} s; the task duration is {total:g} s",
            "multi_prompt[].duration",
        )


@rule(
    "KL402",
    "shot-index-unique",
    Severity.ERROR,
    requires=("multi_prompt",),
    triggers=("multi_prompt",),
)
def shot_index_unique(ctx: Context) -> Iterator[Finding]:
    """Flags two shots with the same index.

    ## Why is this bad?
    The index orders the shots; a repeated index makes the order ambiguous.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema cannot say that one member is unique across
    the items of a list.

    ## Example
    ```
    {"multi_shot": true, "shot_type": "customize", "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}, {"index": 1, "prompt": "b", "duration": "3"}]}
    ```

    ## Use instead
    Number the shots 1, 2, 3 ...
    """
    seen: set[Any] = set()
    for i, shot in _shots(ctx):
        index = shot.get("index")
        if index is None or isinstance(index, (dict, list)):
            continue
        if index in seen:
            yield Finding(
                ("multi_prompt", i, "index"),
                f"shot index {index} is used twice",
                "multi_prompt[].index",
            )
        seen.add(index)


RULES = (
    shot_durations,
    shot_index_unique,
)
