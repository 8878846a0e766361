"""Which endpoint a payload is for: named (id or route), or inferred from its shape."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, NamedTuple

from kling_lint.register.model import Endpoint, Register

_ROUTE = re.compile(r"^\s*(GET|POST)\s+(\S+)\s*$", re.IGNORECASE)


def _template(path: str) -> re.Pattern[str]:
    parts = [re.escape(p) if not p.startswith("{") else "[^/]+" for p in path.split("/")]
    return re.compile("^" + "/".join(parts) + "/?$")


def resolve(register: Register, name: str) -> Endpoint | None:
    """An endpoint by id (`omni-video.create`) or route (`POST /v1/videos/omni-video`)."""
    if name in register.endpoints:
        return register.endpoints[name]
    match = _ROUTE.match(name)
    if not match:
        return None
    method, path = match.group(1).upper(), match.group(2).split("?", 1)[0]
    path = re.sub(r"^https?://[^/]+", "", path)
    exact = register.endpoint_by_route(method, path)
    if exact is not None:
        return exact
    for endpoint in register.endpoints.values():
        if endpoint.method == method and _template(endpoint.path).match(path):
            return endpoint
    return None


@cache
def _index(register: Register) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Per body-taking endpoint: its top-level field names and the model names it lists."""
    return tuple(
        (endpoint_id, top_level, models)
        for endpoint_id, has_body, top_level, models in register.endpoints.shapes
        if has_body
    )


class Inference(NamedTuple):
    endpoint: Endpoint | None
    candidates: tuple[str, ...]


def infer(register: Register, payload: Any) -> Inference:
    """The one body-taking endpoint this payload fits best, or the candidates when unsure.

    Candidates are the POST endpoints that know the most of the payload's top-level keys;
    a model_name value an endpoint does not list rules it out. Ties are not broken by
    guessing: the caller reports them.
    """
    if not isinstance(payload, dict) or not payload:
        return Inference(None, ())
    keys = payload.keys()
    model = payload.get("model_name")
    scored: list[tuple[int, str]] = []
    index = _index(register)
    if isinstance(model, str):
        index = tuple(entry for entry in index if model in entry[2])
    for endpoint_id, top_level, _ in index:
        known = len(keys & top_level)
        if known:
            scored.append((known, endpoint_id))
    if not scored:
        return Inference(None, ())
    best = max(score for score, _ in scored)
    top = sorted(eid for score, eid in scored if score == best)
    if len(top) == 1 and (best == len(keys) or best * 2 > len(keys)):
        return Inference(register.endpoints[top[0]], tuple(top))
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    return Inference(None, tuple(eid for _, eid in ranked[:4]))
