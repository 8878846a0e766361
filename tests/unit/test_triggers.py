"""Skipping is never a verdict: a rule left out because its trigger keys are absent (or
because the endpoint has none) would not have fired anyway.

The oracle runs every payload rule on every payload, with no skipping, and compares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint.check.linter import Linter, _EndpointPlan
from kling_lint.config import Config

from ..conftest import EXAMPLES
from ..strategies import conforming_payloads, endpoint_ids, near_payloads

CASES = Path(__file__).parent.parent / "cases"
LINTER = Linter(config=Config(select=("ALL",)))


def _unskipped(plan: _EndpointPlan) -> _EndpointPlan:
    every = tuple(
        (rule, frozenset()) for rule in LINTER.rules if rule.payload and rule.runs_on(plan.endpoint)
    )
    # Every rule on every payload: no key index, each one always runs.
    return plan._replace(payload_rules=every, by_key={}, always=frozenset(range(len(every))))


def _both(payload: Any, endpoint_id: str) -> tuple[list[Any], list[Any]]:
    LINTER.lint({}, endpoint_id)  # builds the plan
    plan = LINTER._plans[endpoint_id]

    def shown(found: list[Any]) -> list[Any]:
        return sorted((rule.code, finding.parts, finding.message) for rule, finding in found)

    return shown(LINTER._findings(plan, payload)), shown(
        LINTER._findings(_unskipped(plan), payload)
    )


def _files() -> list[tuple[str, Any]]:
    out = []
    for path in sorted([*CASES.rglob("*.json"), *EXAMPLES.rglob("*.json")]):
        if path.name == "expect.json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("body"), dict):
            data = data["body"]
        out.append((str(path.relative_to(path.parents[2])), data))
    return out


@pytest.mark.parametrize(("name", "payload"), _files(), ids=[n for n, _ in _files()])
def test_case_files_give_the_same_findings_unskipped(name: str, payload: Any) -> None:
    for endpoint_id in ("omni-video.create", "text2video.create", "image2video.create"):
        skipped, every = _both(payload, endpoint_id)
        assert skipped == every, (name, endpoint_id)


@given(st.data())
def test_generated_payloads_give_the_same_findings_unskipped(data: st.DataObject) -> None:
    endpoint_id = data.draw(endpoint_ids)
    payload = data.draw(
        st.one_of(conforming_payloads(endpoint_id), near_payloads(endpoint_id).map(lambda p: p[1]))
    )
    skipped, every = _both(payload, endpoint_id)
    assert skipped == every
