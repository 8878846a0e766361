"""Cross-field rules of the contract that data cannot say: sums, counts across lists,
template tokens, camera axes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kling_lint.diagnostics import Severity
from kling_lint.rules._base import Context, Finding, Rule, RuleDoc
from kling_lint.rules.declared import is_present

VIDEO_CREATE = ("omni-video.create", "text2video.create", "image2video.create")
OMNI = ("omni-video.create",)
CAMERA = ("text2video.create", "image2video.create")
TOKEN = re.compile(r"<<<(image|element|video|voice)_([1-9][0-9]*)>>>")
# Anything that looks like a token: 1 to 4 angle brackets around kind_N (or nothing).
NEAR_TOKEN = re.compile(r"<{1,4}\s*(?:(image|element|video|voice)\s*_?\s*([0-9]*))?\s*>{1,4}")
LISTS = {
    "image": "image_list",
    "element": "element_list",
    "video": "video_list",
    "voice": "voice_list",
}
AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _items(payload: dict[str, Any], name: str) -> list[Any]:
    value = payload.get(name)
    return value if isinstance(value, list) else []


def _task_duration(ctx: Context) -> float | None:
    raw = ctx.payload.get("duration")
    if raw is None:
        field = ctx.endpoint.fields.get("duration")
        raw = field.default if field is not None else None
    return _number(raw)


def _shots(ctx: Context) -> list[tuple[int, dict[str, Any]]]:
    if ctx.payload.get("multi_shot") is not True:
        return []
    return [
        (i, s) for i, s in enumerate(_items(ctx.payload, "multi_prompt")) if isinstance(s, dict)
    ]


def _shot_durations(ctx: Context) -> Iterator[Finding]:
    total = _task_duration(ctx)
    shots = _shots(ctx)
    durations = [(i, _number(s.get("duration"))) for i, s in shots]
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


def _shot_indexes(ctx: Context) -> Iterator[Finding]:
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


def _frame_types(payload: dict[str, Any]) -> set[str]:
    return {
        item["type"]
        for item in _items(payload, "image_list")
        if isinstance(item, dict) and isinstance(item.get("type"), str)
    }


def _frames_with_multi_shot(ctx: Context) -> Iterator[Finding]:
    if ctx.payload.get("multi_shot") is not True:
        return
    if ctx.endpoint.id == "image2video.create":
        if is_present(ctx.payload.get("image_tail")):
            yield Finding(
                ("image_tail",), "multi_shot true does not support an end frame", "image_tail"
            )
        return
    frames = _frame_types(ctx.payload) & {"first_frame", "end_frame"}
    if frames:
        yield Finding(
            ("image_list",),
            f"multi_shot true does not support start or end frames ({', '.join(sorted(frames))})",
            "image_list[].type",
        )


def _prompts(payload: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(payload.get("prompt"), str):
        yield ("prompt",), payload["prompt"]
    for i, shot in enumerate(_items(payload, "multi_prompt")):
        if isinstance(shot, dict) and isinstance(shot.get("prompt"), str):
            yield ("multi_prompt", i, "prompt"), shot["prompt"]


def _malformed_tokens(ctx: Context) -> Iterator[Finding]:
    for parts, text in _prompts(ctx.payload):
        for match in NEAR_TOKEN.finditer(text):
            if not TOKEN.fullmatch(match.group(0)):
                kind, number = match.group(1), match.group(2)
                hint = f"; write <<<{kind}_{number}>>>" if kind and number else ""
                yield Finding(parts, f"malformed template token {match.group(0)!r}{hint}", None)


def _dangling_tokens(ctx: Context) -> Iterator[Finding]:
    for parts, text in _prompts(ctx.payload):
        for match in TOKEN.finditer(text):
            kind, number = match.group(1), int(match.group(2))
            name = LISTS[kind]
            count = len(_items(ctx.payload, name))
            if number > count:
                has = (
                    f"has {count} item{'s' if count != 1 else ''}"
                    if count
                    else "is absent or empty"
                )
                yield Finding(parts, f"{match.group(0)} points past {name}, which {has}", name)


def _voice_tokens(ctx: Context) -> Iterator[Finding]:
    # A missing or short voice_list is KL405's finding; this one is about sound only.
    voiced = [
        parts for parts, text in _prompts(ctx.payload) if TOKEN.search(text) and "<<<voice_" in text
    ]
    if voiced and ctx.payload.get("sound") != "on":
        yield Finding(voiced[0], 'a voice token needs "sound": "on"', "sound")


def _reference_count(ctx: Context) -> Iterator[Finding]:
    images = len(_items(ctx.payload, "image_list"))
    elements = len(_items(ctx.payload, "element_list"))
    with_video = bool(_items(ctx.payload, "video_list"))
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


def _end_frame_many_images(ctx: Context) -> Iterator[Finding]:
    images = _items(ctx.payload, "image_list")
    if "end_frame" in _frame_types(ctx.payload) and len(images) > 2:
        yield Finding(
            ("image_list",),
            f"an end frame cannot be used with {len(images)} images (at most 2)",
            "image_list[].type",
        )


def _edits(payload: dict[str, Any]) -> bool:
    """A video to edit: refer_type base, which is also the default."""
    return any(
        isinstance(v, dict) and v.get("refer_type", "base") == "base"
        for v in _items(payload, "video_list")
    )


def _frames_with_edit(ctx: Context) -> Iterator[Finding]:
    frames = _frame_types(ctx.payload) & {"first_frame", "end_frame"}
    if frames and _edits(ctx.payload):
        yield Finding(
            ("image_list",),
            "start/end frames cannot be combined with video editing (refer_type base)",
            "image_list[].type",
        )


def _duration_in_edit(ctx: Context) -> Iterator[Finding]:
    if "duration" in ctx.payload and _edits(ctx.payload):
        yield Finding(
            ("duration",),
            "duration is ignored when editing a video: the output is as long as the input",
            "duration",
        )


def _elements_with_frames(ctx: Context) -> Iterator[Finding]:
    frames = _frame_types(ctx.payload)
    elements = len(_items(ctx.payload, "element_list"))
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


def _camera(ctx: Context) -> Iterator[Finding]:
    camera = ctx.payload.get("camera_control")
    if not isinstance(camera, dict):
        return
    kind = camera.get("type")
    config = camera.get("config")
    if kind == "simple":
        if not isinstance(config, dict) or not config:
            yield Finding(
                ("camera_control",),
                "type simple needs config with one axis",
                "camera_control.config",
            )
            return
        moving = [a for a in AXES if _number(config.get(a)) not in (None, 0.0)]
        if len(moving) != 1:
            yield Finding(
                ("camera_control", "config"),
                f"exactly one axis may be non-zero; found {len(moving)}: "
                f"{', '.join(moving) or 'none'}",
                "camera_control.config",
            )
    elif kind is not None and config not in (None, {}):
        yield Finding(
            ("camera_control", "config"),
            f"type {kind} takes no config (only simple does)",
            "camera_control.config",
        )


def _doc(what: str, why: str, example: str, fix: str) -> RuleDoc:
    return RuleDoc(what, why, example, fix)


RULES = (
    Rule(
        "KL401",
        "shot-durations",
        Severity.ERROR,
        _doc(
            "Flags multi-shot plans whose shot durations exceed the task duration or do not add "
            "up to it.",
            "The contract requires each shot to last at least 1 s and at most the task duration, "
            "and the "
            "shots to sum to the task duration; otherwise the request fails after it is billed or "
            "queued.",
            '{"multi_shot": true, "shot_type": "customize", "duration": "5", "multi_prompt": '
            '[{"index": 1, "prompt": "a", "duration": "2"}, {"index": 2, "prompt": "b", '
            '"duration": "2"}]}',
            "Make the shot durations add up to duration (2 + 3 for 5 s).",
        ),
        endpoints=VIDEO_CREATE,
        payload=_shot_durations,
        triggers=frozenset({"multi_prompt"}),
    ),
    Rule(
        "KL402",
        "shot-index-unique",
        Severity.ERROR,
        _doc(
            "Flags two shots with the same index.",
            "The index orders the shots; a repeated index makes the order ambiguous.",
            '{"multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}, '
            '{"index": 1, "prompt": "b", "duration": "3"}]}',
            "Number the shots 1, 2, 3 ...",
        ),
        endpoints=VIDEO_CREATE,
        payload=_shot_indexes,
        triggers=frozenset({"multi_prompt"}),
    ),
    Rule(
        "KL403",
        "frames-with-multi-shot",
        Severity.ERROR,
        _doc(
            "Flags start or end frames in a multi-shot request (image_list types on Omni, "
            "image_tail on Image-to-Video).",
            "SN: with multi_shot true, start and end frame generation is not supported.",
            '{"multi_shot": true, "shot_type": "customize", "image_list": [{"image_url": '
            '"https://e.com/a.png", "type": "first_frame"}]}',
            "Drop the frame types (use the images as plain references), or make it a single-shot "
            "request.",
        ),
        endpoints=("omni-video.create", "image2video.create"),
        payload=_frames_with_multi_shot,
        triggers=frozenset({"multi_shot"}),
    ),
    Rule(
        "KL404",
        "malformed-template-token",
        Severity.ERROR,
        _doc(
            "Flags template tokens that are almost right, such as <<image_1>> or <<<image_1>>.",
            "Only <<<image_N>>>, <<<element_N>>>, <<<video_N>>> and <<<voice_N>>> are tokens; a "
            "malformed one is sent as plain text and the reference is silently lost.",
            '{"prompt": "Make the person in <<image_1>> wave"}',
            '{"prompt": "Make the person in <<<image_1>>> wave"}',
        ),
        endpoints=VIDEO_CREATE,
        payload=_malformed_tokens,
        triggers=frozenset({"prompt", "multi_prompt"}),
    ),
    Rule(
        "KL405",
        "dangling-template-token",
        Severity.ERROR,
        _doc(
            "Flags a token that points past the end of its list, such as <<<image_2>>> with one "
            "image.",
            "N is the 1-based position in the matching list; a token with no item refers to "
            "nothing.",
            '{"prompt": "<<<image_2>>> waves", "image_list": [{"image_url": '
            '"https://e.com/a.png"}]}',
            "Point at an existing item, or add the missing one to the list.",
        ),
        endpoints=VIDEO_CREATE,
        payload=_dangling_tokens,
        triggers=frozenset({"prompt", "multi_prompt"}),
    ),
    Rule(
        "KL406",
        "voice-token-needs-voice",
        Severity.ERROR,
        _doc(
            'Flags a <<<voice_N>>> token in a request whose sound is not "on".',
            "A voice reference in the prompt requires sound on; without it no voice is generated "
            "(a token past the end of voice_list is KL405).",
            '{"model_name": "kling-v2-6", "prompt": "<<<voice_1>>> says hello", '
            '"voice_list": [{"voice_id": "v1"}], "sound": "off"}',
            'Set "sound": "on".',
        ),
        endpoints=CAMERA,
        payload=_voice_tokens,
        triggers=frozenset({"prompt", "multi_prompt"}),
    ),
    Rule(
        "KL407",
        "omni-reference-count",
        Severity.ERROR,
        _doc(
            "Flags more than 7 references (images plus elements), or more than 4 with a reference "
            "video.",
            "Both official copies cap the references; a request over the cap fails.",
            '{"image_list": [{"image_url": "https://e.com/1.png"}, ...8 images...]}',
            "Keep images + elements at 7 or fewer (4 or fewer with video_list).",
        ),
        endpoints=OMNI,
        payload=_reference_count,
        triggers=frozenset({"image_list", "element_list"}),
    ),
    Rule(
        "KL408",
        "omni-end-frame-many-images",
        Severity.ERROR,
        _doc(
            "Flags an end frame in an image_list of more than 2 images.",
            "S3 forbids it for every model; SN restricts the ban to kling-video-o1. The linter "
            "follows S3 until a live run settles the conflict.",
            '{"image_list": [{"image_url": "a", "type": "first_frame"}, {"image_url": "b"}, '
            '{"image_url": "c", "type": "end_frame"}]}',
            "Use at most two images with an end frame (the first and the last frame).",
        ),
        endpoints=OMNI,
        payload=_end_frame_many_images,
        triggers=frozenset({"image_list"}),
    ),
    Rule(
        "KL409",
        "omni-frames-with-video-edit",
        Severity.ERROR,
        _doc(
            "Flags start or end frames combined with a video to edit (refer_type base, the "
            "default).",
            "Frame generation and video editing cannot be combined; the request fails.",
            '{"image_list": [{"image_url": "https://e.com/a.png", "type": "first_frame"}], '
            '"video_list": [{"video_url": "https://e.com/v.mp4"}]}',
            'Use refer_type "feature" to take the video as a reference, or drop the frame type.',
        ),
        endpoints=OMNI,
        payload=_frames_with_edit,
        triggers=frozenset({"image_list"}),
    ),
    Rule(
        "KL411",
        "omni-duration-ignored-in-edit",
        Severity.WARNING,
        _doc(
            "Warns that duration is ignored when a video is edited (refer_type base).",
            "The output is as long as the input video and billing rounds the input length; the "
            "duration sent does nothing and may mislead whoever reads the payload.",
            '{"video_list": [{"video_url": "https://e.com/v.mp4", "refer_type": "base"}], '
            '"duration": "10"}',
            "Leave duration out of editing requests.",
        ),
        endpoints=OMNI,
        payload=_duration_in_edit,
        triggers=frozenset({"duration"}),
    ),
    Rule(
        "KL412",
        "omni-elements-with-frames",
        Severity.ERROR,
        _doc(
            "Flags more than 3 elements with frame generation, and elements with first and last "
            "frames on kling-video-o1.",
            "Frame generation caps elements at 3; SN says kling-video-o1 does not support elements "
            "with first+last frames at all.",
            '{"image_list": [{"image_url": "a", "type": "first_frame"}], "element_list": '
            '[{"element_id": 1}, {"element_id": 2}, {"element_id": 3}, {"element_id": 4}]}',
            "Keep 3 elements or fewer; use kling-v3-omni for elements with first and last frames.",
        ),
        endpoints=OMNI,
        payload=_elements_with_frames,
        triggers=frozenset({"element_list"}),
    ),
    Rule(
        "KL413",
        "camera-control-config",
        Severity.ERROR,
        _doc(
            "Flags camera_control whose config does not fit its type: simple needs a config with "
            "exactly one non-zero axis; the other types take no config.",
            "The service rejects a camera move it cannot read.",
            '{"camera_control": {"type": "simple", "config": {"pan": 2, "zoom": 3}}}',
            '{"camera_control": {"type": "simple", "config": {"zoom": 3}}}',
        ),
        endpoints=CAMERA,
        payload=_camera,
        triggers=frozenset({"camera_control"}),
    ),
)
