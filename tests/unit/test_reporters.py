"""Reporters take results and a stream, nothing else: each format is tested on a StringIO."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from kling_lint.check.rules import BUILTIN_RULES
from kling_lint.diagnostics import Diagnostic, Severity, Suppression
from kling_lint.report import FORMATS, reporter
from kling_lint.results import FileResult, RunResult

RULES = {r.code: r for r in BUILTIN_RULES}
BLOCKED = Diagnostic(
    "KL102",
    RULES["KL102"].name,
    Severity.ERROR,
    "mode 'standard' is live-rejected",
    "/mode",
    "mode",
    ("live-rejected",),
    3,
    12,
)
LIFTED = BLOCKED._replace(
    code="KL101",
    rule=RULES["KL101"].name,
    pointer="/voice_list",
    field_path="voice_list",
    line=5,
    column=3,
    suppressed_by=Suppression("probe", "qa", "2027-01-01", "pyproject.toml:9"),
)


def _result(*files: FileResult) -> RunResult:
    return RunResult(list(files), register_digest="d" * 64, rules=dict(RULES))


def _written(name: str, result: RunResult) -> str:
    stream = io.StringIO()
    reporter(name)(result, stream, verbose=True, color=False)
    return stream.getvalue()


FOUND = _result(
    FileResult("p/a.json", None, "omni-video.create", (BLOCKED, LIFTED)),
    FileResult("p/b.json", None, "omni-video.create", ()),
)


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_writes_an_empty_run_and_a_run_with_findings(name: str) -> None:
    assert isinstance(_written(name, _result()), str)
    assert "p/a.json" in _written(name, FOUND)


def test_the_json_report_carries_each_finding_and_its_suppression() -> None:
    document = json.loads(_written("json", FOUND))
    (first, second) = document["files"]
    assert first["blocked"] is True
    assert [(d["code"], d["pointer"], d["suppressed"]) for d in first["diagnostics"]] == [
        ("KL102", "/mode", False),
        ("KL101", "/voice_list", True),
    ]
    assert second["blocked"] is False


def test_sarif_names_rules_and_places() -> None:
    document = json.loads(_written("sarif", FOUND))
    (run,) = document["runs"]
    results = {(r["ruleId"], "suppressions" in r) for r in run["results"]}
    assert results == {("KL102", False), ("KL101", True)}
    (blocked,) = [r for r in run["results"] if r["ruleId"] == "KL102"]
    (place,) = blocked["locations"]
    region = place["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 12)


def test_junit_counts_the_blocked_payload() -> None:
    suite = ET.fromstring(_written("junit", FOUND))
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == 1


def test_gitlab_and_github_list_the_unsuppressed_finding() -> None:
    issues = json.loads(_written("gitlab", FOUND))
    assert [i["check_name"].split()[0] for i in issues] == ["KL102"]
    lines = _written("github", FOUND).splitlines()
    assert any(line.startswith("::error") and "KL102" in line for line in lines)
