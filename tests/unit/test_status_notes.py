"""The notes rules (KL108, KL109) read only fields a payload sends, never under a blocked one."""

from __future__ import annotations

from kling_lint.check.rules import Context
from kling_lint.check.rules.status import RULES
from kling_lint.diagnostics import Status
from kling_lint.register.model import Endpoint, Field

DOC = (Status.DOC_DERIVED,)


def _endpoint(**fields: Field) -> Endpoint:
    return Endpoint(status=DOC, id="x.create", fields=dict(fields))


def _doc_notes(endpoint: Endpoint, payload: dict[str, object]) -> list[tuple[object, ...]]:
    (rule,) = [r for r in RULES if r.code == "KL108"]
    assert rule.payload is not None
    return [f.parts for f in rule.payload(Context(None, endpoint, payload, None))]


def test_a_note_for_each_sent_doc_derived_field_at_any_depth() -> None:
    endpoint = _endpoint(
        **{
            "a": Field(status=DOC, path="a", type=("array",)),
            "a[].b": Field(status=DOC, path="a[].b", type=("object",)),
            "a[].b.c": Field(status=DOC, path="a[].b.c", type=("string",)),
        }
    )
    payload = {"a": [{"b": {"c": "x"}}, {"b": {}}], "other": 1}
    assert _doc_notes(endpoint, payload) == [
        ("a",),
        ("a", 0, "b"),
        ("a", 0, "b", "c"),
        ("a", 1, "b"),
    ]


def test_nothing_under_a_blocked_field_gets_a_note() -> None:
    endpoint = _endpoint(
        **{
            "a": Field(status=DOC, path="a", type=("array",)),
            "a[].b": Field(status=(Status.HYPOTHESIS_ONLY,), path="a[].b", type=("object",)),
            "a[].b.c": Field(status=DOC, path="a[].b.c", type=("string",)),
        }
    )
    assert _doc_notes(endpoint, {"a": [{"b": {"c": "x"}}]}) == [("a",)]
