"""The prompt rules' shared gate (`Rule.when`): it may say "nothing to check" only when no
rule of the family would have found anything, and a gate that fails lets the rules run."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kling_lint.check.linter import Linter
from kling_lint.check.rules import prompt_syntax
from kling_lint.check.rules._base import Context
from kling_lint.register import builtin_register

REGISTER = builtin_register()
ENDPOINTS = sorted(
    e
    for e in REGISTER.endpoints
    if any(f.mentions or f.shot_syntax for f in REGISTER.endpoints[e].fields.values())
)
WORDS = st.sampled_from(
    ["a", "@a", "@ab", "x@a.com", "shot 1, 2, a;", "shot 2, 3, b;", "；", "cat", "@"]
)
TEXTS = st.lists(WORDS, max_size=5).map(" ".join)
ITEMS = st.one_of(
    st.builds(lambda t: {"type": "prompt", "text": t}, TEXTS),
    st.builds(
        lambda i: {"type": "element", "element_id": "1", "id": i}, st.sampled_from(["a", "ab", "b"])
    ),
    st.builds(
        lambda i: {"type": "refer_image", "url": "https://e.com/a.png", "id": i},
        st.sampled_from(["a", "image_1"]),
    ),
)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    endpoint = draw(st.sampled_from(ENDPOINTS))
    body: dict[str, Any] = {"contents": draw(st.lists(ITEMS, max_size=4)), "prompt": draw(TEXTS)}
    body["settings"] = draw(
        st.fixed_dictionaries(
            {}, optional={"multi_shot": st.booleans(), "duration": st.integers(1, 15)}
        )
    )
    return endpoint, body


@settings(deadline=None)
@given(payloads())
def test_the_gate_says_no_only_when_no_rule_would_fire(case: tuple[str, dict[str, Any]]) -> None:
    endpoint, body = case
    target = REGISTER.endpoints[endpoint]
    ctx = Context(REGISTER, target, body, None)
    running = [r for r in prompt_syntax.RULES if r.runs_on(target)]
    found = [f for r in running for f in r.payload(ctx)]  # type: ignore[misc]
    if not prompt_syntax.RULES[0].when(ctx):  # type: ignore[misc]
        assert found == []


def test_every_rule_of_the_family_shares_one_gate() -> None:
    assert {r.when for r in prompt_syntax.RULES} == {prompt_syntax._anything_to_check}


def test_a_gate_that_fails_lets_its_rule_run() -> None:
    def broken(ctx: Context) -> bool:
        raise RuntimeError("gate")

    linter = Linter()
    # Rules are frozen; this one is changed in place for this linter's table only.
    object.__setattr__(linter.rules_by_code["KL417"], "when", broken)
    try:
        items = [
            {"type": "refer_image", "url": "https://e.com/a.png", "id": "a"},
            {"type": "refer_image", "url": "https://e.com/b.png", "id": "a"},
        ]
        body = {"contents": items, "settings": {"aspect_ratio": "16:9"}}
        codes = {d.code for d in linter.lint(body, "omni-video-3-0.create").diagnostics}
        assert "KL417" in codes
    finally:
        object.__setattr__(linter.rules_by_code["KL417"], "when", prompt_syntax._anything_to_check)


def test_a_typed_item_finding_that_cannot_be_explained_still_blocks() -> None:
    """The schema refused an item for its type; even when the item cannot be read back (a
    validator path that does not lead to an object), a finding is made: never none."""
    import json
    from pathlib import Path

    from kling_lint.check.schema import SchemaCheck

    schemas = Path(__file__).parent.parent.parent / "schemas"
    endpoint = REGISTER.endpoints["omni-video-3-0.create"]
    schema = json.loads((schemas / "omni-video-3-0.create.schema.json").read_text())
    check = SchemaCheck(endpoint, schema)
    for code in ("KL211", "KL212"):
        found = list(check._variant(code, "contents[]", ("contents",), None, None, {}))
        assert [c for c, _ in found] == [code]
