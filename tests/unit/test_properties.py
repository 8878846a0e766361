"""Properties of the engine over generated input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kling_lint import pointer as jp
from kling_lint.check.linter import Linter
from kling_lint.diagnostics import Diagnostic, Severity, Suppression

from ..strategies import conforming_payloads, endpoint_ids, json_values, near_payloads

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

    endpoint = data.draw(st.sampled_from([e for e in rule.scope_in(LINTER.register) if e != "*"]))
    _, payload = data.draw(near_payloads(endpoint))
    for key in rule.triggers:
        payload.pop(key, None)
    ctx = Context(LINTER.register, LINTER.register.endpoints[endpoint], payload, None)
    assert list(rule.payload(ctx)) == []


_FINDINGS = st.builds(
    Diagnostic,
    st.sampled_from(["KL101", "KL102", "KL106"]),
    st.sampled_from(["a-rule", "another-rule"]),
    st.sampled_from(list(Severity)),
    st.text(max_size=8),
    st.sampled_from(["", "/mode", "/image_list/0/image"]),
    st.none() | st.sampled_from(["mode", "image_list[].image"]),
    st.sampled_from([(), ("live-rejected",)]),
    st.none() | st.integers(1, 50),
    st.none() | st.integers(1, 50),
    st.none() | st.builds(Suppression, st.sampled_from(["why", "because"])),
)
_CHANGES = {
    "code": "KL999",
    "rule": "changed-rule",
    "severity": Severity.INFO,
    "message": "a changed message",
    "pointer": "/changed",
    "field_path": "changed",
    "status": ("changed",),
    "line": 999,
    "column": 999,
    "suppressed_by": Suppression("a changed reason", by="baseline"),
}


@given(_FINDINGS, st.sampled_from(sorted(_CHANGES)))
def test_findings_compare_on_every_field(found: Diagnostic, name: str) -> None:
    assert set(_CHANGES) == set(Diagnostic._fields)  # a new field joins the table
    if getattr(found, name) == _CHANGES[name]:
        return  # (drawn already changed)
    changed = found._replace(**{name: _CHANGES[name]})
    assert changed != found
    assert found == Diagnostic(*found)
    assert hash(found) == hash(Diagnostic(*found))
    assert len({found, changed}) == 2


@given(st.lists(_FINDINGS, max_size=8))
def test_findings_sort_by_place_then_code(found: list[Diagnostic]) -> None:
    keys = [((d.line or 0), (d.column or 0), d.pointer, d.code) for d in sorted(found)]
    assert keys == sorted(keys)
