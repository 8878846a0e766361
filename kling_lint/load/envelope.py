"""Request-log envelopes: `{"endpoint": ..., "body": {...}}` (or `params` for a GET)."""

from __future__ import annotations

from typing import Any

from kling_lint.load import LoadProblem, Payload
from kling_lint.load.problems import Problem

ENVELOPE_BODY_KEYS = ("body", "params")
ENVELOPE_KEYS = ("endpoint", *ENVELOPE_BODY_KEYS)


def is_envelope(data: Any) -> bool:
    """An object with an `endpoint` and a `body` (or `params`): a request-log envelope."""
    return (
        isinstance(data, dict)
        and "endpoint" in data
        and any(key in data for key in ENVELOPE_BODY_KEYS)
    )


def unwrap_envelope(payload: Payload) -> Payload:
    """A request-log envelope `{"endpoint": ..., "body": {...}}` becomes its body.

    Only the body is sent, so whatever else the envelope holds is a problem rather than
    silently dropped: a key beside the body, a second body, an endpoint that is not a
    string, a body that is not an object.
    """
    data = payload.data
    if not is_envelope(data):
        return payload
    present = [key for key in ENVELOPE_BODY_KEYS if key in data]
    key = present[0]
    envelope_problems: list[LoadProblem] = []

    def problem(kind: Problem, message: str, at: str) -> None:
        envelope_problems.append(LoadProblem(kind, message, "", payload.locate("/" + at)))

    for extra in [k for k in data if k not in ENVELOPE_KEYS] + present[1:]:
        problem(
            Problem.ENVELOPE_KEY,
            f"envelope key {extra!r} is not sent with the request (only {key!r} is) and is not "
            "checked; move it into the body or remove it",
            extra,
        )
    hint = data["endpoint"]
    if not isinstance(hint, str):
        problem(
            Problem.ENVELOPE_ENDPOINT,
            f"the envelope's endpoint must be a string, not {type(hint).__name__}",
            "endpoint",
        )
        hint = None
    body = data[key]
    if not isinstance(body, dict):
        problem(
            Problem.ENVELOPE_BODY,
            f"the envelope's {key!r} must be an object, not {type(body).__name__}",
            key,
        )
    base = "/" + key
    # Problems inside the body keep their place, re-pointed into the body; those of the
    # envelope itself (a duplicated endpoint key) keep their position.
    inside = [
        p._replace(pointer=p.pointer[len(base) :])
        for p in payload.problems
        if p.pointer == base or p.pointer.startswith(base + "/")
    ]
    outside = [
        p._replace(pointer="", position=p.position or payload.locate(p.pointer))
        for p in payload.problems
        if not (p.pointer == base or p.pointer.startswith(base + "/"))
    ]
    payload.data = body
    payload.endpoint_hint = hint
    payload.base = base
    payload.problems = [*outside, *envelope_problems, *inside]
    return payload
