"""Data-driven rule cases: tests/cases/<CODE>/{pass,fail}/* with expected (code, pointer) pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.check.rules import all_rules
from kling_lint.diagnostics import Severity
from kling_lint.register import builtin_register
from kling_lint.run import Options, execute

CASES = Path(__file__).parent.parent / "cases"
# Rules no payload file can trigger on its own: KL007 comes from guard() (test_library),
# KL008 from a broken plugin (test_plugins); KL200 is the schema's catch-all, which the
# tag-completeness test in test_schema_check keeps unreachable.
GUARD_ONLY = {"KL007", "KL008", "KL200"}


def _cases() -> list[Any]:
    out = []
    for code_dir in sorted(p for p in CASES.iterdir() if p.is_dir()):
        expect = json.loads((code_dir / "expect.json").read_text(encoding="utf-8"))
        for name, spec in sorted(expect.items()):
            out.append(pytest.param(code_dir.name, name, spec, id=f"{code_dir.name}/{name}"))
    return out


def run_case(code: str, name: str, spec: dict[str, Any]) -> list[tuple[str, str]]:
    config = spec.get("config")
    options = Options(
        paths=(str(CASES / code / name),),
        endpoint=spec.get("endpoint"),
        isolated=config is None,
        config=CASES / code / config if config else None,
        policies=tuple(spec["policy"]) if "policy" in spec else None,
        extend_select=(code,),  # a case's own rule runs even when it is off by default
        baseline=CASES / code / spec["baseline"] if "baseline" in spec else None,
    )
    result = execute(options)
    return sorted(
        (d.code, d.pointer)
        for f in result.files
        for d in f.diagnostics
        if d.counts and (d.severity >= Severity.WARNING or d.code == code)
    )


@pytest.mark.parametrize(("code", "name", "spec"), _cases())
def test_case(code: str, name: str, spec: dict[str, Any]) -> None:
    assert run_case(code, name, spec) == sorted(tuple(pair) for pair in spec["expect"])


def test_fail_cases_fire_their_own_code() -> None:
    for param in _cases():
        code, name, spec = param.values
        if name.startswith("fail/"):
            assert any(c == code for c, _ in spec["expect"]), f"{code}/{name} expects no {code}"


def test_every_rule_has_cases_and_docs() -> None:
    """Guards the table: a rule without a pass case, a fail case or its docs fails here."""
    rules = all_rules(builtin_register())
    with_cases = {p.name for p in CASES.iterdir() if p.is_dir()}
    for rule in rules:
        for part in (rule.doc.what, rule.doc.why, rule.doc.example, rule.doc.fix):
            assert part.strip(), f"{rule.code} has an empty doc section"
        # A check that runs as code says why the schema cannot say it; the rest are
        # reported by the schema, the loader or the allowlist.
        assert bool(rule.payload) is bool(rule.doc.not_in_schema), rule.code
        stages = {"rule", "schema", "loader", "run", "linter", "guard", "allowlist", "baseline"}
        assert rule.checked_by in stages, rule.code
        if rule.code in GUARD_ONLY:
            continue
        assert rule.code in with_cases, f"{rule.code} has no cases"
        kinds = {p.parent.name for p in (CASES / rule.code).glob("*/*") if p.suffix != ".toml"}
        assert kinds == {"pass", "fail"}, f"{rule.code} needs pass and fail cases"
    assert with_cases <= {r.code for r in rules}, "cases for a code that no rule has"


def _case_endpoint(code: str, name: str, spec: dict[str, Any]) -> str | None:
    if spec.get("endpoint"):
        return str(spec["endpoint"])
    try:
        document = json.loads((CASES / code / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None  # a folder, a YAML or JSON Lines case, or one broken on purpose
    return document.get("endpoint") if isinstance(document, dict) else None


# Create endpoints every field of which is a hypothesis: no payload passes them.
NO_PASSING_PAYLOAD = {"lip-sync.create"}


def test_every_create_endpoint_has_a_passing_and_a_failing_case() -> None:
    seen: dict[str, set[str]] = {"pass": set(), "fail": set()}
    for case in _cases():
        code, name, spec = case.values
        endpoint = _case_endpoint(code, name, spec)
        if endpoint is not None:
            seen[name.split("/", 1)[0]].add(endpoint)
    creates = {e for e in builtin_register().endpoints if e.endswith(".create")}
    assert creates - seen["fail"] == set()
    assert creates - seen["pass"] == NO_PASSING_PAYLOAD
