"""Which endpoint a payload is for: named (id or route), or inferred from its shape."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from kling_lint.check.memo import kept_on
from kling_lint.check.routes import ROUTE_TEXT
from kling_lint.register.model import Endpoint, Register


def resolve(register: Register, name: str) -> Endpoint | None:
    """An endpoint by id (`omni-video.create`) or route (`POST /v1/videos/omni-video`, a
    full URL, or a path as a server would route it: see `kling_lint.check.routes`)."""
    if not isinstance(name, str):
        return None
    # Exactly a str (a subclass may compare strangely), and cached: a run resolves the same
    # --endpoint or envelope route for every file.
    return _resolve(register, str.__str__(name))


@kept_on(512)
def _resolve(register: Register, name: str) -> Endpoint | None:
    if name in register.endpoints:
        return register.endpoints[name]
    match = ROUTE_TEXT.match(name)
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
    """ "; did you mean 'omni-video.create'?" for a near miss of an id, else "".

    A route (`POST /v1/...`, a URL, a path) the register does not know gets no guess: a
    near route is another billable endpoint, so what is said is that the register does not
    cover it, and how to add it.
    """
    import difflib

    if not isinstance(name, str):
        return ""
    route = ROUTE_TEXT.match(name)
    if route or "/" in name:
        shown = f"{route.group(1).upper()} {route.group(2)}" if route else name.strip()
        return (
            "; the register does not cover this route: add it with a register overlay "
            f"(`kling-lint registry scaffold {shown!r} -o OVERLAY`)"
        )
    close = difflib.get_close_matches(name, list(register.endpoints), 1, 0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


@kept_on()
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


@kept_on(1024)
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
    # Every endpoint that fits as well as the best, and the next best up to a handful: a
    # list cut short among equals would hide the right one.
    ranked = sorted(scored, key=lambda s: (-s[0], s[1]))
    shown = max(_CANDIDATES, sum(1 for score, _ in ranked if score == best))
    return Inference(None, tuple(eid for _, eid in ranked[:shown]))


# How many candidates an unsure inference names at least.
_CANDIDATES = 4


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


# -- The choice for one payload, and what the choice itself finds (KL004/5/6/10) ---------


class Named(NamedTuple):
    """An endpoint a name gives a payload (--endpoint, a config `endpoints` pattern, the
    file's name), where from, and the pattern when one matched."""

    endpoint: Endpoint
    origin: str
    pattern: str | None = None


class Chosen(NamedTuple):
    """The endpoint a payload is checked against, why, and what the choice itself found
    (`code`, message) pairs for the caller to stamp."""

    endpoint: Endpoint
    why: str
    findings: tuple[tuple[str, str], ...] = ()


# Where to name an endpoint, for the messages that ask for one.
_HOW = (
    "--endpoint, the config's `endpoints` table (`[tool.kling-lint.endpoints]` in "
    'pyproject.toml), or an envelope {"endpoint": ..., "body": ...}'
)


def pattern_for(
    register: Register, patterns: tuple[tuple[str, str], ...], at: str, file: str
) -> tuple[str, str, str | None] | None:
    """(endpoint name, where from, pattern) a config `endpoints` pattern or the file's name
    gives a file: `at` is its path relative to the config's folder, `file` as walked."""
    if patterns:
        from kling_lint.config.paths import matches

        for pattern, endpoint_id in patterns:
            if matches(at, pattern):
                return endpoint_id, f"the config's endpoints pattern {pattern!r}", pattern
    named = from_file_name(register, file)
    return (named, "the file's name", None) if named else None


def choose(
    register: Register, named: Named | None, hint: str | None, data: Any
) -> Chosen | tuple[str, str]:
    """The endpoint a payload is checked against, from its name (`named`), its envelope
    (`hint`) or, failing both, its shape; or the (code, message) that says why none is."""
    envelope = None
    if hint is not None:
        envelope = resolve(register, hint)
        if envelope is None:
            return (
                "KL004",
                f"unknown endpoint {hint!r} (from the envelope){suggest_endpoint(register, hint)}; "
                "`kling-lint endpoints` lists them",
            )
    if named is not None:
        if envelope is not None and envelope.id != named.endpoint.id:
            return (
                "KL005",
                f"{named.origin} names {named.endpoint.id} but the envelope names {envelope.id}; "
                "the payload is not checked until they agree",
            )
        return Chosen(named.endpoint, named.origin)
    if envelope is not None:
        return Chosen(envelope, "the envelope's endpoint")
    if not isinstance(data, dict):
        many = isinstance(data, list)
        hint_text = "; a file of many payloads is JSON Lines (.jsonl), one object per line"
        return (
            "KL006",
            f"a payload is one JSON object, not {_json_type(data)}{hint_text if many else ''}",
        )
    return _by_shape(register, data)


def _by_shape(register: Register, data: dict[Any, Any]) -> Chosen | tuple[str, str]:
    guess = infer(register, data)
    if guess.endpoint is None and guess.ruled_out:
        model = str(data.get("model_name"))
        return (
            "KL005",
            f"model_name {model!r} is listed by none of the endpoints these fields fit "
            f"({', '.join(guess.ruled_out)}){suggest_model(register, guess.ruled_out, model)}",
        )
    if guess.endpoint is not None:
        findings: tuple[tuple[str, str], ...] = ()
        if guess.ruled_out:
            findings = (
                (
                    "KL010",
                    f"checked as {guess.endpoint.id} from the payload's shape, though "
                    f"{', '.join(guess.ruled_out)} fit its fields better and were ruled out "
                    f"only because their model lists lack {data.get('model_name')!r}; "
                    "name the endpoint to be sure",
                ),
            )
        return Chosen(guess.endpoint, "the payload's shape", findings)
    if guess.candidates:
        message = (
            "cannot tell the endpoint from the payload's shape; it could be "
            f"{', '.join(guess.candidates)}. Choose with {_HOW}"
        )
    elif not data:
        message = f"an empty payload names no endpoint; name it with {_HOW}"
    else:
        message = f"no endpoint knows these fields; name it with {_HOW}"
    return ("KL005", message)


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else f"a {type(value).__name__}"
