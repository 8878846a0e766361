"""Small readers of a payload that several contract rules share."""

from __future__ import annotations

from typing import Any

from kling_lint.check.rules._base import Context


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return float(value)
    except (ValueError, OverflowError):  # not a number, or an integer past float's range
        return None
    return None


def items(payload: dict[str, Any], name: str) -> list[Any]:
    value = payload.get(name)
    return value if isinstance(value, list) else []


def task_duration(ctx: Context) -> float | None:
    raw = ctx.payload.get("duration")
    if raw is None:
        field = ctx.endpoint.fields.get("duration")
        raw = field.default if field is not None else None
    return number(raw)


def frame_types(payload: dict[str, Any]) -> set[str]:
    return {
        item["type"]
        for item in items(payload, "image_list")
        if isinstance(item, dict) and isinstance(item.get("type"), str)
    }
