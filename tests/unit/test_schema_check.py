"""The generated schema is the structural checker: oracles that keep it so.

The reference is the Python `jsonschema` library run on the file in `schemas/`; the linter
runs jsonschema-rs on the same file. Whatever the reference rejects, the linter blocks,
with a finding at the place the reference names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, ValidationError, validators

from kling_lint import pointer as jp
from kling_lint.check.linter import Linter, Report
from kling_lint.check.rules import all_rules
from kling_lint.check.schema import KEYWORD_CODES, UNMAPPED
from kling_lint.diagnostics import Severity
from kling_lint.load import Payload, read_file, unwrap_envelope
from kling_lint.register import builtin_register, load_register
from kling_lint.register.model import child_path
from kling_lint.register.schemas import endpoint_schema
from kling_lint.run import Options, execute

from ..conftest import CLEAN_OMNI, EXAMPLES, REGISTRY, ROOT
from ..strategies import conforming_payloads

SCHEMAS = ROOT / "schemas"
LINTER = Linter()
REGISTER = builtin_register()
# Every endpoint that takes a body: creates, session steps, deletes, ledger queries.
CREATE = sorted(e.id for e in REGISTER.endpoints.values() if e.method == "POST")
# Codes whose finding sits above the place a deeper schema error names: the blocked field
# or the wrong-typed value that is the root cause of everything beneath it.
ROOT_CAUSES = {"KL101", "KL104", "KL201"}


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """`pattern` as JSON Schema defines it (ECMA-262): `$` is the end of the text. Python's
    `$` also matches before a final newline, which would let "5\n" pass the reference."""
    if isinstance(instance, str):
        translated = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
        if not re.search(translated, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")


Reference = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def reference(endpoint_id: str) -> Any:
    schema = json.loads((SCHEMAS / f"{endpoint_id}.schema.json").read_text(encoding="utf-8"))
    return Reference(schema)


@cache
def compiled(endpoint_id: str) -> Any:
    schema = json.loads((SCHEMAS / f"{endpoint_id}.schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft202012Validator(schema)


def _passing_payloads() -> list[tuple[str, dict[str, Any]]]:
    """Every bundled payload that passes: the good examples, the rule cases' passes, and
    the official examples that pass as printed."""
    folders = [EXAMPLES / "good", ROOT / "tests" / "official"]
    folders += sorted((ROOT / "tests" / "cases").glob("*/pass"))
    results = execute(Options(paths=tuple(str(f) for f in folders), isolated=True)).files
    out = []
    for result in results:
        if result.endpoint is None or result.blocked or result.endpoint not in CREATE:
            continue
        if any(d.suppressed for d in result.diagnostics):
            continue
        for loaded in read_file(Path(result.path), result.path):
            if isinstance(loaded, Payload) and loaded.record == result.record:
                out.append((result.endpoint, unwrap_envelope(loaded).data))
    return out


SEEDS = _passing_payloads()
REPLACEMENTS: list[Any] = [None, 0, -1, 1.5, "", "x", True, [], {}, ["x"], [{}], {"x": 1}]


def _near_misses(value: Any) -> list[Any]:
    """Strings a careless client produces from a good one: a trailing newline, padding,
    another case, a number where text was."""
    if not isinstance(value, str):
        return [str(value)] if isinstance(value, int) and not isinstance(value, bool) else []
    out: list[Any] = [value + "\n", " " + value, value.upper()]
    if value.isdigit():
        out.append(int(value))
    return out


def _locations(document: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield parts
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _locations(value, (*parts, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _locations(value, (*parts, i))


def _replace(document: Any, parts: tuple[Any, ...], value: Any) -> Any:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    copy: Any = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replace(document[head], rest, value)
    return copy


def _delete(document: Any, parts: tuple[Any, ...]) -> Any:
    parent = jp.resolve(document, jp.join(parts[:-1]))
    if isinstance(parent, dict):
        smaller = {k: v for k, v in parent.items() if k != parts[-1]}
    else:
        smaller = [v for i, v in enumerate(parent) if i != parts[-1]]
    return _replace(document, parts[:-1], smaller)


def mutants(payload: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """One change at one location: type swaps, nulls, deletions, unknown siblings and
    item swaps (a list item replaced by a scalar or by another item's shape)."""
    for parts in _locations(payload):
        here = jp.resolve(payload, jp.join(parts))
        for value in [*REPLACEMENTS, *_near_misses(here)]:
            if value != here or type(value) is not type(here):
                yield f"{jp.join(parts)} = {value!r}", _replace(payload, parts, value)
        if parts:
            yield f"del {jp.join(parts)}", _delete(payload, parts)
        if isinstance(here, dict):
            yield f"{jp.join(parts)}/zz_unknown", _replace(payload, parts, {**here, "zz": 1})
        if isinstance(here, list) and here:
            yield f"{jp.join(parts)} + item", _replace(payload, parts, [*here, here[0]])


def _related(finding: str, error: str) -> bool:
    return finding == error or finding.startswith(error + "/")


@cache
def _schema(endpoint_id: str) -> Any:
    return json.loads((SCHEMAS / f"{endpoint_id}.schema.json").read_text(encoding="utf-8"))


SEVERITY = {r.code: r.severity for r in all_rules(REGISTER)}


def _warns_only(endpoint_id: str, error: Any) -> bool:
    """Whether a schema error is a warning rule's (a declared `when` rule of severity
    warning: the schema says it, the linter reports it without blocking)."""
    node: Any = _schema(endpoint_id)
    tags = []
    for step in error.absolute_schema_path:
        node = node[step]
        if isinstance(node, dict) and "x-kling-rule" in node:
            tags.append(node["x-kling-rule"])
    return bool(tags) and SEVERITY.get(tags[-1], Severity.ERROR) < Severity.ERROR


def assert_blocked_where_the_schema_says(endpoint_id: str, payload: Any, label: str) -> None:
    errors = list(reference(endpoint_id).iter_errors(payload))
    if not errors:
        return
    report: Report = LINTER.lint(payload, endpoint_id)
    free = not REGISTER.endpoints[endpoint_id].billable
    if free or all(_warns_only(endpoint_id, e) for e in errors):
        # On free endpoints a status gate or an unknown field is a warning by design.
        shown = [d for d in report.diagnostics if d.severity >= Severity.WARNING]
        assert shown, (label, payload)
    else:
        assert report.blocked, (label, payload, [e.message for e in errors])
    findings = [d for d in report.diagnostics if d.severity >= Severity.WARNING]
    for error in errors:
        where = jp.join(error.absolute_path)
        assert any(
            _related(d.pointer, where)
            or (d.code in ROOT_CAUSES and where.startswith(d.pointer + "/"))
            or (not d.pointer and not where)
            for d in findings
        ), (label, where, error.message, [(d.code, d.pointer) for d in findings])
    assert UNMAPPED not in {d.code for d in findings}, (label, payload)


# Create endpoints every field of which is a hypothesis: no payload passes them, so they
# have no seed (their cases show them blocked).
NO_PASSING_PAYLOAD = {"lip-sync.create"}


def test_there_are_seeds_for_every_create_endpoint() -> None:
    assert {e for e, _ in SEEDS} == set(CREATE) - NO_PASSING_PAYLOAD
    for endpoint_id in NO_PASSING_PAYLOAD:
        fields = REGISTER.endpoints[endpoint_id].fields.values()
        assert all(f.hypothesis for f in fields if "." not in f.path), endpoint_id


@pytest.mark.parametrize(
    ("endpoint_id", "payload"), SEEDS, ids=[f"{e}-{i}" for i, (e, _) in enumerate(SEEDS)]
)
def test_every_single_mutant_the_schema_rejects_is_blocked(
    endpoint_id: str, payload: dict[str, Any]
) -> None:
    """The mutation oracle, exhaustively: every one-place change of every passing payload."""
    assert reference(endpoint_id).is_valid(payload)
    for label, mutant in mutants(payload):
        verdict = reference(endpoint_id).is_valid(mutant)
        assert compiled(endpoint_id).is_valid(mutant) is verdict, (label, "validators differ")
        assert_blocked_where_the_schema_says(endpoint_id, mutant, label)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """A seed or a schema-conforming payload, changed in one to three places."""
    if draw(st.booleans()):
        endpoint_id, payload = draw(st.sampled_from(SEEDS))
    else:
        endpoint_id = draw(st.sampled_from(CREATE))
        payload = draw(conforming_payloads(endpoint_id))
    for _ in range(draw(st.integers(1, 3))):
        options = list(mutants(payload)) if isinstance(payload, dict) else []
        if not options:
            break
        _, payload = draw(st.sampled_from(options))
    return endpoint_id, payload


@given(_mutated())
def test_mutants_the_schema_rejects_are_blocked(case: tuple[str, Any]) -> None:
    endpoint_id, payload = case
    assert_blocked_where_the_schema_says(endpoint_id, payload, "generated")


@given(_mutated())
def test_both_validators_agree(case: tuple[str, Any]) -> None:
    """jsonschema-rs (the linter's) and jsonschema (the reference) read the schemas alike."""
    endpoint_id, payload = case
    assert compiled(endpoint_id).is_valid(payload) is reference(endpoint_id).is_valid(payload)


@pytest.mark.parametrize("endpoint_id", sorted(REGISTER.endpoints))
def test_the_linter_checks_with_the_file_in_schemas(endpoint_id: str) -> None:
    plan = LINTER._plan(REGISTER.endpoints[endpoint_id])
    on_disk = json.loads((SCHEMAS / f"{endpoint_id}.schema.json").read_text(encoding="utf-8"))
    assert plan.schema.schema == on_disk


def test_a_register_folder_gets_the_schemas_make_schemas_would_write() -> None:
    register = load_register(REGISTRY)
    assert register.schemas is None
    for endpoint in register.endpoints.values():
        on_disk = json.loads((SCHEMAS / f"{endpoint.id}.schema.json").read_text())
        assert endpoint_schema(endpoint) == on_disk


# Keywords that never fail on their own: annotations, and the containers whose contents
# the walk below checks.
ANNOTATIONS = {
    "$schema",
    "$id",
    "title",
    "description",
    "markdownDescription",
    "default",
    "deprecated",
    "x-kling-field",
    "x-kling-status",
    "x-kling-endpoint",
    # what editors say about a field or a failing gate
    "deprecationMessage",
    "enumDescriptions",
    "markdownEnumDescriptions",
    "properties",
    "items",
    "allOf",
}


def _field_nodes(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for sub in schema.get("properties", {}).values():
        yield from _field_nodes(sub)
    if isinstance(schema.get("items"), dict):
        yield from _field_nodes(schema["items"])


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.create.schema.json")), ids=lambda p: p.name)
def test_every_constraint_names_its_rule(path: Path) -> None:
    """A keyword outside the code table sits under a node that names its rule, and every
    tag names a code the linter knows, so that no schema error falls through to KL200."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    codes = set(LINTER.rules_by_code)
    for node in _field_nodes(schema):
        for keyword in node:
            assert keyword in ANNOTATIONS or keyword in KEYWORD_CODES, (path.name, keyword)
        for entry in node.get("allOf", ()):
            assert entry.get("x-kling-rule") in codes, (path.name, entry)


@pytest.mark.parametrize("endpoint_id", CREATE)
def test_no_suggestion_leads_into_another_finding(endpoint_id: str) -> None:
    """ "did you mean" candidates never include a blocked field, and value suggestions never
    a live-rejected or hypothesis-only value."""
    from kling_lint.check.schema import suggestible
    from kling_lint.check.wording import accepted_values

    schema = json.loads((SCHEMAS / f"{endpoint_id}.schema.json").read_text(encoding="utf-8"))
    fields = REGISTER.endpoints[endpoint_id].fields
    objects = [n for n in _field_nodes(schema) if n.get("properties")]
    assert objects
    for node in objects:
        container = node.get("x-kling-field", "")
        for name in suggestible(node):
            path = child_path(container.removesuffix("[]"), name, container.endswith("[]"))
            assert not fields[path].blocked, path
    for field in fields.values():
        for value in accepted_values(field):
            info = field.value_info(value)
            assert info is None or not info.blocked, (field.path, value)


def _cyclic() -> dict[str, Any]:
    payload: dict[str, Any] = {**CLEAN_OMNI}
    payload["image_list"] = [payload]
    return payload


class _Text(str):
    pass


URL = "https://e.example/a.png"


# (name, payload, blocked?, code that must be among the findings or None)
HOSTILE_LIBRARY_INPUT = [
    ("cycle", _cyclic(), True, "KL003"),
    ("set value", {**CLEAN_OMNI, "mode": {"std"}}, True, "KL003"),
    ("bytes value", {**CLEAN_OMNI, "prompt": b"a cat"}, True, "KL003"),
    ("object value", {**CLEAN_OMNI, "prompt": object()}, True, "KL003"),
    ("integer past the digit limit", {**CLEAN_OMNI, "duration": 10**5000}, True, None),
    ("NaN", {**CLEAN_OMNI, "aspect_ratio": float("nan")}, True, "KL003"),
    ("str subclass", {**CLEAN_OMNI, "mode": _Text("std")}, False, None),
    (
        "tuple as array",
        {**CLEAN_OMNI, "image_list": ({"image_url": "https://e.example/a.png"},)},
        False,
        None,
    ),
]


@pytest.mark.parametrize(
    ("payload", "blocked", "code"),
    [pytest.param(p, b, c, id=n) for n, p, b, c in HOSTILE_LIBRARY_INPUT],
)
def test_library_input_that_is_not_plain_json(
    payload: Any, blocked: bool, code: str | None
) -> None:
    """Whatever a caller hands over, the verdict is what a JSON client would send, and
    what no client can send is blocked; nothing raises."""
    report = LINTER.lint(payload, "omni-video.create")
    assert report.blocked is blocked
    if code is not None:
        assert code in {d.code for d in report.diagnostics}
