"""Omni-Video references: counts, frames, editing and elements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import (
    frame_types,
    items,
)
from kling_lint.diagnostics import Severity


@rule(
    "KL407",
    "omni-reference-count",
    Severity.ERROR,
    # Omni-Video's caps (7, or 4 with a video): Omni-Image, with no video_list, has its own.
    requires=("image_list", "video_list"),
    triggers=("element_list", "image_list"),
)
def omni_reference_count(ctx: Context) -> Iterator[Finding]:
    """Flags more than 7 references (images plus elements), or more than 4 with a reference
    video.

    ## Why is this bad?
    Both official copies cap the references; a request over the cap fails.

    ## Why not in the schema
    A rule, not a schema constraint: it adds the lengths of two lists, which JSON Schema
    cannot do.

    ## Example
    ```
    {"image_list": [{"image_url": "https://e.com/1.png"}, {"image_url": "https://e.com/2.png"}, {"image_url": "https://e.com/3.png"}, {"image_url": "https://e.com/4.png"}, {"image_url": "https://e.com/5.png"}, {"image_url": "https://e.com/6.png"}, {"image_url": "https://e.com/7.png"}, {"image_url": "https://e.com/8.png"}]}
    ```

    ## Use instead
    Keep images + elements at 7 or fewer (4 or fewer with video_list).
    """
    images = len(items(ctx.payload, "image_list"))
    elements = len(items(ctx.payload, "element_list"))
    with_video = bool(items(ctx.payload, "video_list"))
    ceiling = 4 if with_video else 7
    if images + elements > ceiling:
        where = "element_list" if elements else "image_list"
        video = " with a reference video" if with_video else ""
        yield Finding(
            (where,),
            f"{images} images + {elements} elements = {images + elements} references; "
            f"at most {ceiling}{video}",
            where,
        )


@rule(
    "KL408",
    "omni-end-frame-many-images",
    Severity.ERROR,
    requires=("image_list[].type",),
    triggers=("image_list",),
)
def omni_end_frame_many_images(ctx: Context) -> Iterator[Finding]:
    """Flags an end frame in an image_list of more than 2 images.

    ## Why is this bad?
    S3 forbids it for every model; SN restricts the ban to kling-video-o1. The linter
    follows S3 until a live run settles the conflict.

    ## Why not in the schema
    A rule, not a schema constraint: it combines the count of a list with the types of its
    items, which JSON Schema cannot relate.

    ## Example
    ```
    {"image_list": [{"image_url": "a", "type": "first_frame"}, {"image_url": "b"}, {"image_url": "c", "type": "end_frame"}]}
    ```

    ## Use instead
    Use at most two images with an end frame (the first and the last frame).
    """
    images = items(ctx.payload, "image_list")
    if "end_frame" in frame_types(ctx.payload) and len(images) > 2:
        yield Finding(
            ("image_list",),
            f"an end frame cannot be used with {len(images)} images (at most 2)",
            "image_list[].type",
        )


def _edits(payload: dict[str, Any]) -> bool:
    """A video to edit: refer_type base, which is also the default."""
    return any(
        isinstance(v, dict) and v.get("refer_type", "base") == "base"
        for v in items(payload, "video_list")
    )


@rule(
    "KL409",
    "omni-frames-with-video-edit",
    Severity.ERROR,
    requires=("video_list", "image_list"),
    triggers=("video_list",),
)
def omni_frames_with_video_edit(ctx: Context) -> Iterator[Finding]:
    """Flags start or end frames combined with a video to edit (refer_type base, the default).

    ## Why is this bad?
    Frame generation and video editing cannot be combined; the request fails.

    ## Why not in the schema
    A rule, not a schema constraint: an absent refer_type counts as base (its default), and
    the frame types span every item; a schema condition for it would be unreadable.

    ## Example
    ```
    {"image_list": [{"image_url": "https://e.com/a.png", "type": "first_frame"}], "video_list": [{"video_url": "https://e.com/v.mp4"}]}
    ```

    ## Use instead
    Use refer_type "feature" to take the video as a reference, or drop the frame type.
    """
    frames = frame_types(ctx.payload) & {"first_frame", "end_frame"}
    if frames and _edits(ctx.payload):
        yield Finding(
            ("image_list",),
            "start/end frames cannot be combined with video editing (refer_type base)",
            "image_list[].type",
        )


@rule(
    "KL411",
    "omni-duration-ignored-in-edit",
    Severity.WARNING,
    requires=("video_list",),
    triggers=("video_list",),
)
def omni_duration_ignored_in_edit(ctx: Context) -> Iterator[Finding]:
    """Warns that duration is ignored when a video is edited (refer_type base).

    ## Why is this bad?
    The output is as long as the input video and billing rounds the input length; the
    duration sent does nothing and may mislead whoever reads the payload.

    ## Why not in the schema
    A rule, not a schema constraint: it is a warning about a value the API ignores, and
    relies on the default of refer_type when it is absent.

    ## Example
    ```
    {"video_list": [{"video_url": "https://e.com/v.mp4", "refer_type": "base"}], "duration": "10"}
    ```

    ## Use instead
    Leave duration out of editing requests.
    """
    if "duration" in ctx.payload and _edits(ctx.payload):
        yield Finding(
            ("duration",),
            "duration is ignored when editing a video: the output is as long as the input",
            "duration",
        )


@rule(
    "KL412",
    "omni-elements-with-frames",
    Severity.ERROR,
    requires=("element_list", "image_list[].type"),
    triggers=("element_list",),
)
def omni_elements_with_frames(ctx: Context) -> Iterator[Finding]:
    """Flags more than 3 elements with frame generation, and elements with first and last
    frames on kling-video-o1.

    ## Why is this bad?
    Frame generation caps elements at 3; SN says kling-video-o1 does not support elements
    with first+last frames at all.

    ## Why not in the schema
    A rule, not a schema constraint: it counts elements only when frame generation is used
    and depends on the model, across two lists.

    ## Example
    ```
    {"image_list": [{"image_url": "a", "type": "first_frame"}], "element_list": [{"element_id": 1}, {"element_id": 2}, {"element_id": 3}, {"element_id": 4}]}
    ```

    ## Use instead
    Keep 3 elements or fewer; use kling-v3-omni for elements with first and last frames.
    """
    frames = frame_types(ctx.payload)
    elements = len(items(ctx.payload, "element_list"))
    if "first_frame" not in frames or not elements:
        return
    if elements > 3:
        yield Finding(
            ("element_list",),
            f"{elements} elements with frame generation; at most 3",
            "element_list",
        )
    model = ctx.model
    if "end_frame" in frames and model == "kling-video-o1":
        yield Finding(
            ("element_list",),
            "kling-video-o1 does not support elements with first and last frames",
            "element_list",
        )


RULES = (
    omni_reference_count,
    omni_end_frame_many_images,
    omni_frames_with_video_edit,
    omni_duration_ignored_in_edit,
    omni_elements_with_frames,
)
