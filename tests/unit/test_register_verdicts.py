"""Every status, value, form and limit in the register produces the documented verdict.

The payloads here are built from the register itself, so a field added to the YAML is
covered without touching this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from kling_lint.check.linter import Linter
from kling_lint.config import Config
from kling_lint.diagnostics import Severity, Status
from kling_lint.register import builtin_register
from kling_lint.register.model import Endpoint, Field

# The register's notes (KL108) are opt-in; the verdicts table checks them too.
LINTER = Linter(config=Config(extend_select=("KL108",)))
REGISTER = builtin_register()
STATUS_CODES = {"KL101", "KL102", "KL103", "KL104", "KL105", "KL106", "KL107", "KL108", "KL109"}
SAMPLE = {
    "string": "x",
    "integer": 1,
    "number": 1,
    "boolean": True,
    "object": {},
    "array": [],
}


def _sample(field: Field) -> Any:
    """A value the field accepts; a live-confirmed one where the register has it."""
    usable = [
        v
        for v in field.enum or ()
        if not (field.value_info(v) and field.value_info(v).models)  # type: ignore[union-attr]
    ]
    live = [v for v in usable if (info := field.value_info(v)) is not None and info.live_confirmed]
    if live or usable:
        return (live or usable)[0]
    if field.forms:
        return "https://cdn.example.com/a.png"
    if field.pattern:
        return "1"
    if field.minimum is not None:
        return field.minimum
    return SAMPLE[field.type[0]]


def _place(endpoint: Endpoint, path: str, value: Any) -> tuple[dict[str, Any], str]:
    """A payload holding `value` at the stored register path, and the value's pointer."""
    segments = path.split(".")
    payload: dict[str, Any] = {}
    node = payload
    pointer = ""
    for segment in segments[:-1]:
        name = segment.removesuffix("[]")
        child: dict[str, Any] = {}
        if segment.endswith("[]"):
            node[name] = [child]
            pointer += f"/{name}/0"
        else:
            node[name] = child
            pointer += f"/{name}"
        node = child
    node[segments[-1]] = value
    return payload, pointer + "/" + segments[-1]


def _blocked_ancestor(endpoint: Endpoint, path: str) -> bool:
    """Findings inside a blocked field are reported once, on the field itself."""
    segments = path.split(".")
    for i in range(1, len(segments)):
        parent = endpoint.fields[".".join(segments[:i]).removesuffix("[]")]
        if parent.rejected or parent.hypothesis:
            return True
    return False


def _fields() -> list[Any]:
    return [
        pytest.param(e, f, id=f"{e.id}:{f.path}")
        for e in REGISTER.endpoints.values()
        for f in e.fields.values()
    ]


def _at(payload: dict[str, Any], endpoint: Endpoint, pointer: str) -> dict[str, Severity]:
    report = LINTER.lint(payload, endpoint.id)
    return {
        d.code: d.severity
        for d in report.diagnostics
        if d.pointer == pointer and d.code in STATUS_CODES
    }


def _relaxed(endpoint: Endpoint) -> Severity:
    return Severity.ERROR if endpoint.billable else Severity.WARNING


@pytest.mark.parametrize(("endpoint", "field"), _fields())
def test_field_status_verdict(endpoint: Endpoint, field: Field) -> None:
    payload, pointer = _place(endpoint, field.path, _sample(field))
    found = _at(payload, endpoint, pointer)
    if _blocked_ancestor(endpoint, field.path):
        assert not found
        return
    if field.rejected:
        assert found.get("KL101") is Severity.ERROR
    elif field.hypothesis:
        assert found.get("KL104") is _relaxed(endpoint)
    elif "caution" in field.qualifiers:
        assert found.get("KL109") is Severity.WARNING
    elif field.status == (Status.DOC_DERIVED,):
        assert found.get("KL108") is Severity.INFO
    else:  # live-confirmed
        assert not {"KL101", "KL104", "KL108"} & set(found)


@pytest.mark.parametrize(("endpoint", "field"), [p for p in _fields() if p.values[1].values])
def test_value_status_verdict(endpoint: Endpoint, field: Field) -> None:
    stored = field.path
    for info in field.values.values():
        payload, pointer = _place(endpoint, stored, info.value)
        if field.models:
            payload["model_name"] = field.models[0]
        if info.models:
            payload["model_name"] = info.models[0]
        found = _at(payload, endpoint, pointer)
        if info.rejected:
            assert found.get("KL102") is Severity.ERROR, info.value
        elif info.hypothesis:
            assert found.get("KL105") is _relaxed(endpoint), info.value
        else:
            assert not {"KL102", "KL105", "KL107"} & set(found), info.value
    unknown, pointer = _place(endpoint, stored, "not-a-known-value")
    if "string" in field.type and field.enum is not None:
        assert _at(unknown, endpoint, pointer).get("KL107") is _relaxed(endpoint)


@pytest.mark.parametrize(("endpoint", "field"), [p for p in _fields() if p.values[1].forms])
def test_form_status_verdict(endpoint: Endpoint, field: Field) -> None:
    stored = field.path
    samples = {"url": "https://cdn.example.com/a.png", "base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}
    for form, info in field.forms.items():
        payload, pointer = _place(endpoint, stored, samples[form])
        found = _at(payload, endpoint, pointer)
        assert ("KL103" in found) is info.rejected, form


@pytest.mark.parametrize(("endpoint", "field"), _fields())
def test_limits_verdict(endpoint: Endpoint, field: Field) -> None:
    if field.rejected or field.hypothesis:
        return
    stored = field.path
    cases: list[tuple[Any, str]] = []
    if field.maximum is not None:
        cases.append((field.maximum + 1, "KL202"))
    if field.minimum is not None:
        cases.append((field.minimum - 1, "KL202"))
    if field.max_length is not None:
        cases.append(("y" * (field.max_length + 1), "KL203"))
    if field.min_length:
        cases.append(("", "KL203"))
    if field.max_items is not None:
        cases.append(([{}] * (field.max_items + 1), "KL204"))
    if field.min_items:
        cases.append(([], "KL204"))
    for value, code in cases:
        payload, pointer = _place(endpoint, stored, value)
        codes = {
            d.code for d in LINTER.lint(payload, endpoint.id).diagnostics if d.pointer == pointer
        }
        assert code in codes, (value, code)
