"""Structural rules: type, range, length, count, pattern, required fields, models."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from kling_lint.diagnostics import Severity
from kling_lint.register.model import Field
from kling_lint.rules._base import Context, Finding, Rule, RuleDoc, display

Parts = tuple[str | int, ...]

_TYPE_TEST = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}

_JSON_NAME = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    return _JSON_NAME.get(type(value), type(value).__name__)


def type_ok(field: Field, value: Any) -> bool:
    return any(_TYPE_TEST[t](value) for t in field.type)


def _type(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if not type_ok(field, value):
        expected = " or ".join(field.type)
        hint = ""
        if (
            "string" in field.type
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            hint = f"; write it as a string: {display(str(value))}"
        if "boolean" in field.type and value in ("true", "false"):
            hint = f"; write it without quotes: {value}"
        yield Finding(
            parts,
            f"{field.path} must be {expected}, not {json_type(value)}{hint}",
            field.path,
            field.status_labels,
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _range(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    number = _number(value)
    low, high = field.minimum, field.maximum
    if number is None and field.numeric_string and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return  # the pattern rule reports text that is not a number
        low, high = field.numeric_string.get("minimum"), field.numeric_string.get("maximum")
    if number is None or not math.isfinite(number):
        return  # NaN and Infinity are reported once, as non-JSON values
    if low is not None and number < low:
        yield Finding(parts, f"{field.path} is {display(value)}, below {low:g}", field.path)
    elif high is not None and number > high:
        yield Finding(parts, f"{field.path} is {display(value)}, above {high:g}", field.path)


def _length(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if not isinstance(value, str):
        return
    size = len(value)
    if field.min_length is not None and size < field.min_length:
        what = "must not be empty" if field.min_length == 1 else f"needs {field.min_length}+ chars"
        yield Finding(parts, f"{field.path} {what}", field.path)
    elif field.max_length is not None and size > field.max_length:
        yield Finding(
            parts,
            f"{field.path} has {size} characters; at most {field.max_length} are allowed",
            field.path,
        )


def _count(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if not isinstance(value, list):
        return
    size = len(value)
    if field.min_items is not None and size < field.min_items:
        yield Finding(
            parts, f"{field.path} has {size} items; at least {field.min_items} needed", field.path
        )
    elif field.max_items is not None and size > field.max_items:
        yield Finding(
            parts, f"{field.path} has {size} items; at most {field.max_items} allowed", field.path
        )


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if isinstance(value, str) and field.pattern and not _compiled(field.pattern).search(value):
        yield Finding(
            parts, f"{field.path} value {display(value)} does not match {field.pattern}", field.path
        )


def _model_field(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if field.models and ctx.model is not None and ctx.model not in field.models:
        yield Finding(
            parts,
            f"{field.path} is not supported by {ctx.model} (only {', '.join(field.models)})",
            field.path,
            field.status_labels,
        )


def _model_value(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    info = field.value_info(value)
    if info is None or not info.models or ctx.model is None or ctx.model in info.models:
        return
    yield Finding(
        parts,
        f"{field.path} value {display(value)} is not supported by {ctx.model} "
        f"(only {', '.join(info.models)})",
        field.path,
        info.status_labels,
        value,
        True,
    )


RULES = (
    Rule(
        "KL201",
        "wrong-type",
        Severity.ERROR,
        RuleDoc(
            "Flags a value of the wrong JSON type, such as duration 5 where the contract "
            'wants the string "5", or multi_shot "true" where it wants a boolean.',
            "The API rejects type mismatches (code 1201) after the request is sent.",
            '{"multi_shot": "true", "duration": 5}',
            '{"multi_shot": true, "duration": "5"}',
        ),
        node=_type,
        applies=lambda f: True,
    ),
    Rule(
        "KL202",
        "out-of-range",
        Severity.ERROR,
        RuleDoc(
            "Flags a number (or a numeric string such as a shot duration) outside its range.",
            "Out-of-range values are rejected or rounded by the service.",
            '{"text": "hi", "voice_id": "oversea_male1", "voice_language": "en", "voice_speed": 3}',
            '{"text": "hi", "voice_id": "oversea_male1", "voice_language": "en", '
            '"voice_speed": 2.0}',
        ),
        node=_range,
        applies=lambda f: f.minimum is not None or f.maximum is not None or bool(f.numeric_string),
    ),
    Rule(
        "KL203",
        "bad-length",
        Severity.ERROR,
        RuleDoc(
            "Flags a string longer (or shorter) than the contract allows, such as a prompt "
            "over 2500 characters or an empty image_url.",
            "The service rejects such text, or cuts it where you did not choose.",
            '{"element_name": "a name far longer than twenty characters"}',
            '{"element_name": "short name"}',
        ),
        node=_length,
        applies=lambda f: f.min_length is not None or f.max_length is not None,
    ),
    Rule(
        "KL204",
        "bad-count",
        Severity.ERROR,
        RuleDoc(
            "Flags a list with too many or too few items, such as more than one reference "
            "video or more than six shots.",
            "The contract caps these lists; a longer one is rejected.",
            '{"video_list": [{"video_url": "https://e.com/a.mp4"}, '
            '{"video_url": "https://e.com/b.mp4"}]}',
            '{"video_list": [{"video_url": "https://e.com/a.mp4"}]}',
        ),
        node=_count,
        applies=lambda f: f.min_items is not None or f.max_items is not None,
    ),
    Rule(
        "KL205",
        "missing-required",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the contract always requires that is missing, such as "
            "image_list[].image_url or the text of a TTS request.",
            "The request is rejected without it.",
            '{"image_list": [{"type": "first_frame"}]}',
            '{"image_list": [{"image_url": "https://example.com/a.png", "type": "first_frame"}]}',
        ),
    ),
    Rule(
        "KL206",
        "bad-format",
        Severity.ERROR,
        RuleDoc(
            "Flags text that does not match the form the contract gives, such as a shot "
            "duration that is not a whole number.",
            "The service parses these strings; a value it cannot parse fails the request.",
            '{"multi_prompt": [{"index": 1, "prompt": "a", "duration": "2.5s"}]}',
            '{"multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}]}',
        ),
        node=_pattern,
        applies=lambda f: f.pattern is not None,
    ),
    Rule(
        "KL207",
        "field-not-for-model",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the chosen model_name does not support (an absent model_name means "
            "the endpoint's default model), such as sound before V2.6 or cfg_scale on v2 and "
            "later.",
            "The service rejects the field for that model, or ignores it while billing.",
            '{"model_name": "kling-v1", "prompt": "a cat", "sound": "on"}',
            '{"model_name": "kling-v2-6", "prompt": "a cat", "sound": "on"}',
        ),
        node=_model_field,
        applies=lambda f: f.models is not None,
    ),
    Rule(
        "KL208",
        "value-not-for-model",
        Severity.ERROR,
        RuleDoc(
            'Flags a value the chosen model_name does not support, such as duration "15" '
            "with kling-video-o1.",
            "Capability differs per model; the request fails or is cut short.",
            '{"model_name": "kling-video-o1", "prompt": "a cat", "duration": "15"}',
            '{"model_name": "kling-v3-omni", "prompt": "a cat", "duration": "15"}',
        ),
        node=_model_value,
        applies=lambda f: any(v.models for v in f.values.values()),
    ),
)
