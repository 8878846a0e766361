"""`guard` ends in PayloadBlocked or a clean return, whatever it is given, and a shared
Linter offers the same fail-closed verdict as the module functions."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kling_lint
from kling_lint.check.linter import Linter
from kling_lint.config import parse_config

from ..conftest import CLEAN_OMNI


class EqRaises:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparison")

    __hash__ = object.__hash__


class StrEqRaises(str):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparison")

    __hash__ = str.__hash__


class KeysRaise(dict):  # type: ignore[type-arg]
    def keys(self) -> Any:
        raise RuntimeError("no keys")

    def __iter__(self) -> Any:
        raise RuntimeError("no iteration")

    def items(self) -> Any:
        raise RuntimeError("no items")


class ItemsLiar(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        return [*dict.items(self), ("voice_list", [{"voice_id": "x"}])]


class ValueLiar(collections.OrderedDict):  # type: ignore[type-arg]
    def items(self) -> Any:
        return [(k, "standard" if k == "mode" else v) for k, v in dict.items(self)]


class ReprRaises:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _recursive_dict() -> dict[str, Any]:
    payload: dict[str, Any] = dict(CLEAN_OMNI)
    payload["watermark_info"] = payload
    return payload


def _recursive_list() -> dict[str, Any]:
    items: list[Any] = []
    items.append(items)
    return {**CLEAN_OMNI, "image_list": items}


def _deep(levels: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels):
        node["a"] = {}
        node = node["a"]
    return {**CLEAN_OMNI, "watermark_info": root}


HOSTILE_PAYLOADS = {
    "none": lambda: None,
    "list": list,
    "text": lambda: "x",
    "integer key": lambda: {**CLEAN_OMNI, 1: "a"},
    "tuple key": lambda: {**CLEAN_OMNI, (1, 2): 1},
    "recursive dict": _recursive_dict,
    "recursive list": _recursive_list,
    "value that raises on ==": lambda: {**CLEAN_OMNI, "mode": EqRaises()},
    "str subclass that raises on ==": lambda: {**CLEAN_OMNI, "mode": StrEqRaises("std")},
    "key that raises on ==": lambda: {
        **{k: v for k, v in CLEAN_OMNI.items() if k != "mode"},
        StrEqRaises("mode"): "std",
    },
    "dict whose keys raise": lambda: KeysRaise(CLEAN_OMNI),
    "value whose repr raises": lambda: {**CLEAN_OMNI, "mode": ReprRaises()},
    "NaN": lambda: {**CLEAN_OMNI, "duration": math.nan},
    "integer past the digit limit": lambda: {**CLEAN_OMNI, "duration": 10**5000},
    "100,000 levels deep": lambda: _deep(100_000),
    "bytes": lambda: {**CLEAN_OMNI, "prompt": b"a cat"},
    "set": lambda: {**CLEAN_OMNI, "prompt": {"a cat"}},
    # Stores a clean payload, sends more: json.dumps (every HTTP client) reads items().
    "dict whose items() adds a member": lambda: ItemsLiar(CLEAN_OMNI),
    "dict whose items() changes a value": lambda: ValueLiar(CLEAN_OMNI),
    "nested dict whose items() lies": lambda: {
        **CLEAN_OMNI,
        "image_list": [ItemsLiar({"image_url": "https://x.test/a.png"})],
    },
}
HOSTILE_ENDPOINTS = [None, 123, ["omni-video.create"], b"omni-video.create", object()]


# A str subclass is sent as the text it holds: a clean return is the right verdict there,
# as long as nothing but PayloadBlocked ever leaves guard.
SENT_AS_TEXT = {"str subclass that raises on ==", "key that raises on =="}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAYLOADS))
def test_guard_blocks_every_hostile_payload(name: str) -> None:
    payload = HOSTILE_PAYLOADS[name]()
    for guard in (kling_lint.guard, Linter().guard):
        if name in SENT_AS_TEXT:
            with contextlib.suppress(kling_lint.PayloadBlocked):
                guard(payload, "omni-video.create")
            continue
        with pytest.raises(kling_lint.PayloadBlocked) as blocked:
            guard(payload, "omni-video.create")
        assert any(d.counts and d.severity.label == "error" for d in blocked.value.diagnostics)


@pytest.mark.parametrize("endpoint", HOSTILE_ENDPOINTS, ids=repr)
def test_guard_blocks_an_endpoint_that_is_not_one(endpoint: Any) -> None:
    with pytest.raises(kling_lint.PayloadBlocked) as blocked:
        kling_lint.guard(CLEAN_OMNI, endpoint)
    assert [d.code for d in blocked.value.diagnostics] == ["KL004"]
    with pytest.raises(kling_lint.PayloadBlocked):
        Linter().guard(CLEAN_OMNI, endpoint)


def test_a_shared_linter_takes_routes_and_guards() -> None:
    linter = Linter()
    by_route = linter.lint(CLEAN_OMNI, "POST /v1/videos/omni-video")
    assert by_route.endpoint == "omni-video.create"
    assert by_route.ok
    assert linter.guard(CLEAN_OMNI, "POST /v1/videos/omni-video").ok
    with pytest.raises(kling_lint.PayloadBlocked):
        linter.guard({**CLEAN_OMNI, "mode": "standard"}, "omni-video.create")
    with pytest.raises(KeyError):
        linter.lint(CLEAN_OMNI, "POST /v1/videos/nothing")


class _Clock(dt.date):
    now = dt.date(2026, 1, 1)

    @classmethod
    def today(cls) -> _Clock:
        return cls.now  # type: ignore[return-value]


def test_allowlist_expiry_is_evaluated_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Linter that lives in a service stops honouring an entry the day after it expires."""
    from kling_lint.check import linter as module

    monkeypatch.setattr(module._dt, "date", _Clock)
    entry = {
        "endpoint": "omni-video.create",
        "field": "voice_list",
        "reason": "probe",
        "expires": "2026-01-01",
    }
    shared = Linter(config=parse_config({"allow": [entry]}))
    probe = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}
    assert shared.guard(probe, "omni-video.create").ok
    _Clock.now = dt.date(2026, 1, 2)
    with pytest.raises(kling_lint.PayloadBlocked):
        shared.guard(probe, "omni-video.create")
    assert [d.code for d in shared.allow_diagnostics(set())] == ["KL901"]


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12) | st.integers(), inner, max_size=5)
    ),
    max_leaves=25,
)
KEYS = st.sampled_from([*sorted(CLEAN_OMNI), "image_list", "voice_list", "multi_prompt", "x"])


@given(st.dictionaries(KEYS, JSONISH, max_size=6), st.booleans())
def test_guard_never_returns_for_what_lint_blocks(extra: dict[str, Any], merge: bool) -> None:
    payload = {**CLEAN_OMNI, **extra} if merge else extra
    report = kling_lint.lint(payload, "omni-video.create")
    if report.blocked:
        with pytest.raises(kling_lint.PayloadBlocked):
            kling_lint.guard(payload, "omni-video.create")
    else:
        assert kling_lint.guard(payload, "omni-video.create").ok


_VOICE_PROBE = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}


@pytest.mark.parametrize(
    ("expires", "lifts"),
    [
        (None, False),  # the cap asks every entry for an end
        ("2099-12-31", False),  # past the cap
        ("2026-01-20", True),  # within 30 days of the run
    ],
)
def test_an_entry_that_breaks_allow_max_days_lifts_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, run_cli: Any, expires: str | None, lifts: bool
) -> None:
    from kling_lint.check import linter as module

    monkeypatch.setattr(module._dt, "date", _Clock)
    _Clock.now = dt.date(2026, 1, 1)
    entry: dict[str, Any] = {"endpoint": "omni-video.create", "field": "voice_list"}
    entry["reason"] = "probe"
    if expires:
        entry["expires"] = expires
    shared = Linter(config=parse_config({"allow-max-days": 30, "allow": [entry]}))
    if lifts:
        assert shared.guard(_VOICE_PROBE, "omni-video.create").ok
    else:
        with pytest.raises(kling_lint.PayloadBlocked):
            shared.guard(_VOICE_PROBE, "omni-video.create")


_COLD_THREADS = """
import sys, threading
import kling_lint
shared = kling_lint.Linter()
clean = {clean!r}
wrong = []
start = threading.Barrier(8)
def work():
    start.wait()
    for _ in range(200):
        try:
            shared.guard(clean, "omni-video.create")
        except Exception as exc:
            wrong.append(repr(exc)[:200])
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(wrong), wrong[:1])
sys.exit(1 if wrong else 0)
"""


@pytest.mark.parametrize("attempt", range(3))
def test_a_cold_linter_shared_by_threads_passes_clean_payloads(attempt: int) -> None:
    # From a cold start, eight threads check at once: none may see the validator library
    # half-imported by another (which blocked clean payloads with KL007).
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _COLD_THREADS.format(clean=CLEAN_OMNI)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


_ODD = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=4)
    | st.decimals(allow_nan=False, places=2)
    | st.sampled_from(["std", "5", "16:9", "kling-v3-omni"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(KEYS, inner, max_size=4)
        | st.dictionaries(KEYS, inner, max_size=4).map(ItemsLiar)
        | st.dictionaries(KEYS, inner, max_size=4).map(ValueLiar)
        | st.dictionaries(KEYS, inner, max_size=4).map(collections.OrderedDict)
    ),
    max_leaves=15,
)


@given(st.dictionaries(KEYS, _ODD, max_size=6), st.booleans())
def test_what_guard_passes_is_what_a_json_client_sends(extra: dict[str, Any], merge: bool) -> None:
    # Whatever the objects: guard raises PayloadBlocked or returns, and when it returns,
    # the JSON a client would send for the payload passes too.
    _passes_only_what_is_sent({**CLEAN_OMNI, **extra} if merge else extra)


def _passes_only_what_is_sent(payload: Any) -> None:
    try:
        kling_lint.guard(payload, "omni-video.create")
    except kling_lint.PayloadBlocked:
        return
    sent = json.loads(json.dumps(payload))
    assert kling_lint.lint(sent, "omni-video.create").ok


def test_numpy_scalars_are_checked_as_sent() -> None:
    numpy = pytest.importorskip("numpy")
    for odd in (numpy.int64(5), numpy.bool_(True), numpy.float64(5.0), numpy.str_("std")):
        _passes_only_what_is_sent({**CLEAN_OMNI, "mode": odd})


def test_a_long_lived_process_sees_its_config_and_overlays_change(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kling_lint import api

    monkeypatch.setattr(api, "RECHECK_SECONDS", 0.0)
    config = tmp_path / ".kling-lint.toml"
    allow = '[[allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\nreason = "probe"\n'
    config.write_text('overlays = ["team"]\n' + allow)
    (tmp_path / "team" / "endpoints").mkdir(parents=True)
    (tmp_path / "team" / "sources.yaml").write_text(
        "sources:\n  TEAM-1:\n    title: Our runs\n    kind: live\n    captured: '2026-12-01'\n"
    )
    assert kling_lint.guard(_VOICE_PROBE, "omni-video.create", config=config).ok
    config.write_text('overlays = ["team"]\n')  # the entry is revoked
    with pytest.raises(kling_lint.PayloadBlocked):
        kling_lint.guard(_VOICE_PROBE, "omni-video.create", config=config)
    sent = {**CLEAN_OMNI, "callback_url": "https://x.test/cb"}
    assert kling_lint.guard(sent, "omni-video.create", config=config).ok
    # The team learns that callback_url is rejected: an overlay file appears.
    (tmp_path / "team" / "endpoints" / "omni-video.create.yaml").write_text(
        "id: omni-video.create\nfields:\n  callback_url:\n"
        "    status: [doc-derived, live-rejected]\n    evidence:\n"
        "      - {status: live-rejected, source: TEAM-1, date: '2026-12-01', observed: x}\n"
    )
    with pytest.raises(kling_lint.PayloadBlocked):
        kling_lint.guard(sent, "omni-video.create", config=config)
