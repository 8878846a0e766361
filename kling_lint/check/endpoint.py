"""Which endpoint a payload is for: named (id or route), or inferred from its shape."""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

from kling_lint.register.model import Endpoint, Register

_ROUTE = re.compile(r"^\s*(GET|POST)\s+(\S+)\s*$", re.IGNORECASE)


def resolve(register: Register, name: str) -> Endpoint | None:
    """An endpoint by id (`omni-video.create`) or route (`POST /v1/videos/omni-video`, a
    full URL, or a path as a server would route it: see `kling_lint.check.routes`)."""
    if not isinstance(name, str):
        return None
    # Exactly a str (a subclass may compare strangely), and cached: a run resolves the same
    # --endpoint or envelope route for every file.
    return _resolve(register, str.__str__(name))


@lru_cache(maxsize=512)
def _resolve(register: Register, name: str) -> Endpoint | None:
    if name in register.endpoints:
        return register.endpoints[name]
    match = _ROUTE.match(name)
    if not match:
        return None
    from kling_lint.check.routes import route_of, split_target

    found = route_of(register, match.group(1), split_target(match.group(2))[0])
    return register.endpoints[found[0]] if found else None


def suggest_model(register: Register, endpoint_ids: tuple[str, ...], model: str) -> str:
    """ "; did you mean 'kling-v3-omni'?" among the models those endpoints list, else ""."""
    import difflib

    models = sorted({m for eid, _, ms in _index(register) if eid in endpoint_ids for m in ms})
    lowered = {m.lower(): m for m in models}
    close = [lowered[model.lower()]] if model.lower() in lowered else []
    close = close or difflib.get_close_matches(model, models, 1, 0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def suggest_endpoint(register: Register, name: object) -> str:
    """ "; did you mean 'omni-video.create'?" for a near miss of an id or route, else ""."""
    import difflib

    if not isinstance(name, str):
        return ""
    routes = {f"{e.method} {e.path}": e.id for e in register.endpoints.values()}
    close = difflib.get_close_matches(name, list(register.endpoints), 1, 0.7)
    if not close:
        close = [routes[r] for r in difflib.get_close_matches(name, list(routes), 1, 0.7)]
    return f"; did you mean {close[0]!r}?" if close else ""


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
    # Endpoints that fit the keys better and were set aside only because they do not list
    # the payload's model_name: the guess then rests on the register's model lists.
    ruled_out: tuple[str, ...] = ()


def infer(register: Register, payload: Any) -> Inference:
    """The one body-taking endpoint this payload fits best, or the candidates when unsure.

    Candidates are the POST endpoints that know the most of the payload's top-level keys;
    a model_name value an endpoint does not list rules it out (and the inference says so).
    Ties are not broken by guessing: the caller reports them.
    """
    if not isinstance(payload, dict) or not payload:
        return Inference(None, ())
    model = payload.get("model_name")
    # Exactly a str (as a JSON client sends it): a subclass may compare strangely.
    model = str.__str__(model) if isinstance(model, str) else None
    if len(payload) > _CACHED_KEYS:
        return _infer(register, frozenset(payload), model)
    # Payloads of a run share a few shapes: the answer is looked up, not worked out again.
    return _infer_cached(register, frozenset(payload), model)


# Shapes with more keys than this are worked out each time: a cache entry holds its keys.
_CACHED_KEYS = 64


@lru_cache(maxsize=1024)
def _infer_cached(register: Register, keys: frozenset[Any], model: str | None) -> Inference:
    return _infer(register, keys, model)


def _infer(register: Register, keys: frozenset[Any], model: str | None) -> Inference:
    index = _index(register)
    kept = index
    if isinstance(model, str):
        kept = tuple(entry for entry in index if model in entry[2])
    scored = [(len(keys & top), eid) for eid, top, _ in kept if keys & top]
    if not scored:
        # The fields fit endpoints that do not list this model: say which.
        fits = (
            tuple(sorted(eid for eid, top, _ in index if keys & top)) if kept is not index else ()
        )
        return Inference(None, (), fits)
    best = max(score for score, _ in scored)
    top = sorted(eid for score, eid in scored if score == best)
    if len(top) == 1 and (best == len(keys) or best * 2 > len(keys)):
        ruled_out: tuple[str, ...] = ()
        if best < len(keys) and kept is not index:  # could a set-aside endpoint fit better?
            ruled_out = tuple(
                sorted(
                    eid
                    for eid, top_level, models in index
                    if model not in models and len(keys & top_level) > best
                )
            )
        return Inference(register.endpoints[top[0]], tuple(top), ruled_out)
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    return Inference(None, tuple(eid for _, eid in ranked[:4]))


def from_file_name(register: Register, file: str) -> str | None:
    """The endpoint a file's name gives, as the editor schemas are mapped to names:
    `<endpoint-id>/x.json` (the folder) or `x.<endpoint-id>.json`."""
    folder, name = os.path.split(file)
    folder = os.path.basename(folder)
    if folder in register.endpoints:
        return folder
    parts = name.split(".")[:-1]  # "x.omni-video.create.json" -> x, omni-video, create
    for start in range(1, len(parts)):
        candidate = ".".join(parts[start:])
        if candidate in register.endpoints:
            return candidate
    return None
