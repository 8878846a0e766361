"""Multi-shot plans: shot durations, shot indexes, frames with multi-shot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import (
    frame_types,
    items,
    number,
    task_duration,
)
from kling_lint.check.values import is_present
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


@rule(
    "KL403",
    "frames-with-multi-shot",
    Severity.ERROR,
    requires=("multi_shot",),
    any_of=("image_list", "image_tail"),
    triggers=("multi_shot",),
)
def frames_with_multi_shot(ctx: Context) -> Iterator[Finding]:
    """Flags start or end frames in a multi-shot request (image_list types on Omni, image_tail
    on Image-to-Video).

    ## Why is this bad?
    SN: with multi_shot true, start and end frame generation is not supported.

    ## Why not in the schema
    A rule, not a schema constraint: the frames are read from the types of every image_list
    item and the check differs per endpoint; as a schema condition it would be unreadable.

    ## Example
    ```
    {"multi_shot": true, "shot_type": "customize", "image_list": [{"image_url": "https://e.com/a.png", "type": "first_frame"}]}
    ```

    ## Use instead
    Drop the frame types (use the images as plain references), or make it a single-shot
    request.
    """
    if ctx.payload.get("multi_shot") is not True:
        return
    if ctx.endpoint.id == "image2video.create":
        if is_present(ctx.payload.get("image_tail")):
            yield Finding(
                ("image_tail",), "multi_shot true does not support an end frame", "image_tail"
            )
        return
    frames = frame_types(ctx.payload) & {"first_frame", "end_frame"}
    if frames:
        yield Finding(
            ("image_list",),
            f"multi_shot true does not support start or end frames ({', '.join(sorted(frames))})",
            "image_list[].type",
        )


RULES = (
    shot_durations,
    shot_index_unique,
    frames_with_multi_shot,
)
