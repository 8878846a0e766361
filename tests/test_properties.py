"""Properties of the engine over generated input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kling_lint import pointer as jp
from kling_lint.check.linter import Linter

from .strategies import conforming_payloads, endpoint_ids, json_values, near_payloads

LINTER = Linter()
STRUCTURAL = {"KL201", "KL202", "KL203", "KL204", "KL205", "KL206"}


@settings(max_examples=300, deadline=None)
@given(endpoint_ids, json_values)
def test_engine_never_raises_on_any_json(endpoint: str, payload: Any) -> None:
    LINTER.lint(payload, endpoint)


@settings(max_examples=300, deadline=None)
@given(near_payloads())
def test_every_pointer_resolves_and_order_is_stable(case: tuple[str, dict[str, Any]]) -> None:
    endpoint, payload = case
    first = LINTER.lint(payload, endpoint).diagnostics
    assert LINTER.lint(payload, endpoint).diagnostics == first
    assert list(first) == sorted(first)
    for d in first:
        jp.resolve(payload, d.pointer)


@settings(max_examples=200, deadline=None)
@given(st.data(), endpoint_ids)
def test_conforming_payloads_have_no_structural_findings(
    data: st.DataObject, endpoint: str
) -> None:
    payload = data.draw(conforming_payloads(endpoint))
    codes = {d.code for d in LINTER.lint(payload, endpoint).diagnostics}
    assert not codes & STRUCTURAL, payload


def test_pointer_escaping_round_trips() -> None:
    parts = ["a/b", "c~d", 0, ""]
    pointer = jp.join(parts)
    assert pointer == "/a~1b/c~0d/0/"
    assert jp.split(pointer) == ["a/b", "c~d", "0", ""]


TRIGGERED = [r for r in LINTER.rules if r.triggers]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(TRIGGERED), st.data())
def test_skipped_rules_would_have_found_nothing(rule: Any, data: st.DataObject) -> None:
    """A rule is skipped when none of its trigger keys is sent; it must then find nothing."""
    from kling_lint.check.rules import Context

    endpoint = data.draw(st.sampled_from([e for e in rule.endpoints if e != "*"]))
    _, payload = data.draw(near_payloads(endpoint))
    for key in rule.triggers:
        payload.pop(key, None)
    ctx = Context(LINTER.register, LINTER.register.endpoints[endpoint], payload, None)
    assert list(rule.payload(ctx)) == []
