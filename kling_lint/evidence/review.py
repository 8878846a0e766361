"""What exchanges show against the register, and the status change each would justify.

The reading follows the contract's error table (`kling-api-facts.md` §1.6):

- only parameter errors (1200-1203) are evidence against a field, value or form; an
  authentication, balance, rate, concurrency, content-policy or server error, a call
  kling-lint blocked, and a call without an answer are evidence of nothing, and are listed
  as skipped with why;
- a rejection is attributed when its message names one field the request sent (a media
  field written in another form than a URL: that form), or when it differs from an
  accepted call of the same endpoint and model in exactly one place; a message about what
  a model or mode supports is a capability limit, not a rejection of the field; anything
  else is unattributed, never guessed;
- an accepted create (code 0) is weaker than a task that succeeded (a later poll says
  `succeed`): a doc-derived field, value or form in a succeeded task may become
  live-confirmed; a hypothesis-only or unknown one that was accepted is "accepted live,
  effect not verified" (the API accepts and ignores some keys), proposed only for an
  explicit decision;
- a live-rejected one seen accepted, or a live-confirmed one seen rejected by an attributed
  parameter error, is a contradiction, and fails the review.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from kling_lint.diagnostics import Status
from kling_lint.register.model import Endpoint, Field, Register, Statused, child_path

VERSION = 1
PARAMETER_ERRORS = range(1200, 1204)
_SKIPPED_CODES = (
    (range(1000, 1005), "an authentication error says nothing about fields"),
    (range(1100, 1104), "an account or balance error says nothing about fields"),
    (range(1300, 1302), "a platform or content-safety policy says nothing about fields"),
    (range(1302, 1305), "a rate, concurrency or IP limit says nothing about fields"),
    (range(5000, 5003), "a server error says nothing about fields"),
)
# Words of a 1201 message that make it about what a model or mode supports.
_CAPABILITY = ("support",)


class Seen(NamedTuple):
    """One exchange, with where it was read (`runs.jsonl:12`)."""

    where: str
    record: dict[str, Any]


class Key(NamedTuple):
    """What an observation is about: a field, one of its values, or a form of its values."""

    endpoint: str
    path: str
    kind: str  # "field", "value" or "form"
    value: Any = None  # the value (kind "value") or the form's name (kind "form")

    @property
    def label(self) -> str:
        import json

        if self.kind == "value":
            return f"{self.path} = {json.dumps(self.value, ensure_ascii=False)}"
        return f"{self.path} as {self.value}" if self.kind == "form" else self.path


class Observation(NamedTuple):
    key: Key
    status: tuple[str, ...]  # the register's status now; () for what it does not know
    accepted: tuple[str, ...]  # where an accepted create sent it
    succeeded: tuple[str, ...]  # ... and the task succeeded
    rejected: tuple[str, ...]  # where an attributed parameter error named it
    proposal: tuple[str, ...]  # the status it would justify (empty: none)
    needs_accept: bool  # applied only when named with --accept
    contradiction: str | None
    why: str


class Review(NamedTuple):
    exchanges: int
    observations: tuple[Observation, ...]
    skipped: tuple[tuple[str, str], ...]  # (where, why)
    unattributed: tuple[tuple[str, str, str], ...]  # (where, endpoint, message)
    capability: tuple[tuple[str, str, str], ...]  # (where, field, message)

    @property
    def contradictions(self) -> tuple[Observation, ...]:
        return tuple(o for o in self.observations if o.contradiction)


def _code(response: dict[str, Any]) -> int | None:
    code = response.get("code")
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code)
    return None


def _skip_reason(record: dict[str, Any], register: Register) -> str | None:
    if record.get("blocked"):
        return "kling-lint blocked it, so the API never saw it"
    if record.get("endpoint") not in register.endpoints:
        return "the register has no endpoint for this route"
    response = record.get("response")
    if not isinstance(response, dict):
        return "no answer was recorded"
    code = _code(response)
    if code is None:
        return f"the answer (HTTP {response.get('http_status')}) carries no service code"
    for codes, why in _SKIPPED_CODES:
        if code in codes:
            return f"code {code}: {why}"
    if code != 0 and code not in PARAMETER_ERRORS:
        return f"code {code} is not a parameter error"
    return None


def _field(endpoint: Endpoint, path: str) -> Field | None:
    return endpoint.fields.get(path)


def _form(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("$media"), dict):
        form = value["$media"].get("form")
        return form if isinstance(form, str) else None
    if isinstance(value, str) and value[:8].lower().startswith(("http://", "https://")):
        return "url"
    return None


def _sent(endpoint: Endpoint, body: Any) -> Iterator[tuple[Key, Any]]:
    """Every field, value and form a body sends, as register keys."""

    def walk(node: Any, parent: str, in_array: bool) -> Iterator[tuple[Key, Any]]:
        if not isinstance(node, dict) or "$media" in node:
            return
        for name, value in node.items():
            if not isinstance(name, str):
                continue
            path = child_path(parent, name, in_array)
            yield Key(endpoint.id, path, "field"), value
            field = _field(endpoint, path)
            form = _form(value)
            if field is not None and form is not None and (field.forms or field.media):
                yield Key(endpoint.id, path, "form", form), value
            elif field is not None and _listed(field, value):
                yield Key(endpoint.id, path, "value", value), value
            if isinstance(value, dict):
                yield from walk(value, path, False)
            elif isinstance(value, list):
                for item in value:
                    yield from walk(item, path, True)

    yield from walk(body, "", False)


def _listed(field: Field, value: Any) -> bool:
    """Whether a value is one the register gives a status to (or could: a closed list)."""
    if not isinstance(value, str | int | float | bool):
        return False
    return field.value_info(value) is not None or field.enum is not None


def _flat(body: Any, prefix: str = "") -> dict[str, Any]:
    """A body as pointer -> leaf value, to find the one place two bodies differ."""
    import json

    if isinstance(body, dict) and "$media" not in body:
        out: dict[str, Any] = {}
        for key, value in body.items():
            out.update(_flat(value, f"{prefix}/{key}"))
        return out or {prefix: "{}"}
    if isinstance(body, list):
        out = {}
        for i, value in enumerate(body):
            out.update(_flat(value, f"{prefix}/{i}"))
        return out or {prefix: "[]"}
    return {prefix: json.dumps(body, sort_keys=True)}


def _attribute(
    endpoint: Endpoint, record: dict[str, Any], accepted: list[dict[str, Any]]
) -> tuple[list[Key], bool]:
    """The keys a parameter error is about, and whether it is a capability limit."""
    message = str(record.get("response", {}).get("message", "")).lower()
    sent = list(_sent(endpoint, record.get("body")))
    named = {k.path for k, _ in sent if k.kind == "field" and _names(message, k.path)}
    if len(named) == 1:
        (path,) = named
        if any(word in message for word in _CAPABILITY):
            return [Key(endpoint.id, path, "field")], True
        keys = [k for k, _ in sent if k.path == path and k.kind != "field"]
        forms = [k for k in keys if k.kind == "form" and k.value != "url"]
        values = [k for k in keys if k.kind == "value" and str(k.value).lower() in message]
        if forms:
            return forms[:1], False
        if values:
            return values[:1], False
        if keys:
            # A URL the API would not take, or a value the message does not name: the
            # value's fault, which says nothing about the field or its form.
            return [], False
        return [Key(endpoint.id, path, "field")], False
    return _by_difference(endpoint, record, accepted), False


def _names(message: str, path: str) -> bool:
    """Whether a (lower-case) message names a field as a word: "mode" is not in "model",
    and "video_url" is in "Video URL is invalid"."""
    import re

    leaf = path.rsplit(".", 1)[-1].removesuffix("[]").lower()
    spellings = {leaf, leaf.replace("_", " ")}
    return any(
        re.search(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])", message) for word in spellings
    )


def _register_path(body: Any, pointer: str) -> str:
    """The register path of the member a pointer into a body designates."""
    path, node, in_array = "", body, False
    for raw in pointer.split("/")[1:]:
        if isinstance(node, list):
            node, in_array = node[int(raw)], True
            continue
        path, in_array = child_path(path, raw, in_array), False
        node = node[raw]
    return path


def _by_difference(
    endpoint: Endpoint, record: dict[str, Any], accepted: list[dict[str, Any]]
) -> list[Key]:
    """The one place this rejected body differs from an accepted one of the same model."""
    body = record.get("body")
    if not isinstance(body, dict):
        return []
    mine = _flat(body)
    for other in accepted:
        theirs_body = other.get("body")
        if not isinstance(theirs_body, dict):
            continue
        if theirs_body.get("model_name") != body.get("model_name"):
            continue
        theirs = _flat(theirs_body)
        differs = {p for p in mine.keys() | theirs.keys() if mine.get(p) != theirs.get(p)}
        if len(differs) != 1 or next(iter(differs)) not in mine:
            continue  # several differences, or a member the rejected call lacks
        path = _register_path(body, next(iter(differs)))
        keys = [k for k, _ in _sent(endpoint, body) if k.path == path]
        specific = [k for k in keys if k.kind != "field"]
        return specific[:1] or [k for k in keys if k.kind == "field"][:1]
    return []


def _status(endpoint: Endpoint, key: Key) -> Statused | None:
    field = _field(endpoint, key.path)
    if field is None:
        return None
    if key.kind == "value":
        return field.value_info(key.value)
    if key.kind == "form":
        return field.forms.get(str(key.value))
    return field


# How a task says it succeeded: `succeed` in the legacy design, `succeeded` in the new one.
SUCCEEDED = frozenset({"succeed", "succeeded"})


def review(exchanges: Iterable[Seen], register: Register) -> Review:
    seen = list(exchanges)
    outcome: dict[str, str] = {}
    for item in seen:  # the latest poll of a task says how it ended
        response = item.record.get("response") or {}
        polled = [response] if item.record.get("method") == "GET" else []
        polled += [t for t in response.get("tasks") or () if isinstance(t, dict)]
        for task in polled:
            status = task.get("task_status")
            if isinstance(task.get("task_id"), str) and isinstance(status, str):
                outcome[task["task_id"]] = status
    skipped: list[tuple[str, str]] = []
    creates: list[Seen] = []
    for item in seen:
        if item.record.get("method") == "GET":
            continue  # a poll: read above for the outcome of its task
        why = _skip_reason(item.record, register)
        if why is not None:
            skipped.append((item.where, why))
        else:
            creates.append(item)
    accepted_by_endpoint: dict[str, list[dict[str, Any]]] = {}
    for item in creates:
        if _code(item.record["response"]) == 0:
            accepted_by_endpoint.setdefault(item.record["endpoint"], []).append(item.record)
    marks: dict[Key, dict[str, list[str]]] = {}
    unattributed: list[tuple[str, str, str]] = []
    capability: list[tuple[str, str, str]] = []
    for item in creates:
        endpoint = register.endpoints[item.record["endpoint"]]
        response = item.record["response"]
        if _code(response) == 0:
            task = response.get("task_id")
            done = outcome.get(task) if isinstance(task, str) else None
            for key, _ in _sent(endpoint, item.record.get("body")):
                slot = marks.setdefault(key, {"accepted": [], "succeeded": [], "rejected": []})
                slot["accepted"].append(item.where)
                if done in SUCCEEDED:
                    slot["succeeded"].append(item.where)
            continue
        keys, limit = _attribute(endpoint, item.record, accepted_by_endpoint.get(endpoint.id, []))
        message = str(response.get("message", ""))
        if limit:
            capability.append((item.where, keys[0].label, message))
        elif not keys:
            unattributed.append((item.where, endpoint.id, message))
        for key in [] if limit else keys:
            slot = marks.setdefault(key, {"accepted": [], "succeeded": [], "rejected": []})
            slot["rejected"].append(item.where)
    observations = tuple(
        _judge(register.endpoints[key.endpoint], key, marks[key])
        for key in sorted(marks, key=lambda k: (k.endpoint, k.path, k.kind, str(k.value)))
    )
    return Review(len(seen), observations, tuple(skipped), tuple(unattributed), tuple(capability))


_ORDER = [s.value for s in Status]


def _with(status: tuple[str, ...], new: str) -> tuple[str, ...]:
    """A status with one more entry: what the documents say stays, beside what live runs
    showed (a documented value rejected live is doc-derived + live-rejected); a hypothesis
    is replaced by what the runs showed."""
    kept = {s for s in status if s != Status.HYPOTHESIS_ONLY.value}
    return tuple(sorted({*kept, new}, key=_ORDER.index))


def _judge(endpoint: Endpoint, key: Key, marks: dict[str, list[str]]) -> Observation:
    entry = _status(endpoint, key)
    status = tuple(s.value for s in entry.status) if entry is not None else ()
    accepted, succeeded, rejected = (tuple(marks[k]) for k in ("accepted", "succeeded", "rejected"))
    has = set(entry.status) if entry is not None else set()
    proposal: tuple[str, ...] = ()
    needs_accept = False
    contradiction = None
    if rejected and accepted:
        why = "accepted in some calls and rejected in others: no change until they agree"
    elif rejected:
        if Status.LIVE_CONFIRMED in has:
            contradiction = "live-confirmed in the register, rejected live with a parameter error"
            why = contradiction
        elif Status.LIVE_REJECTED in has:
            why = "rejected live, as the register says"
        else:
            proposal, why = _with(status, "live-rejected"), "a parameter error names it"
    elif Status.LIVE_REJECTED in has:
        contradiction = "live-rejected in the register, accepted live"
        why = contradiction
    elif entry is None or has <= {Status.HYPOTHESIS_ONLY}:
        proposal, needs_accept = _with(status, "live-confirmed"), True
        what = "unknown to the register" if entry is None else "hypothesis-only"
        why = f"{what}; accepted live, effect not verified (the API accepts and ignores some keys)"
    elif Status.LIVE_CONFIRMED in has:
        why = "live-confirmed, as the register says"
    elif succeeded:
        proposal, why = (
            ("doc-derived", "live-confirmed"),
            "doc-derived, and sent in a task that succeeded",
        )
    else:
        why = "doc-derived; accepted, but no poll shows the task succeeded"
    return Observation(
        key, status, accepted, succeeded, rejected, proposal, needs_accept, contradiction, why
    )
