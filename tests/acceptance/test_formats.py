"""Every output format on the same multi-file run with known findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft4Validator

from ..conftest import CLEAN_OMNI, EXAMPLES

SARIF_SCHEMA = Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"

# (file, payload or text) -> the findings below (code, pointer) at or above warning
PROJECT = {
    "payloads/standard.json": json.dumps({**CLEAN_OMNI, "mode": "standard"}, indent=2),
    "payloads/legacy.yaml": "model_name: kling-v3-omni\nprompt: a cat\nduration: '5'\n"
    "mode: std\naspect_ratio: '16:9'\nimage_list:\n  - image: https://cdn.example.com/a.png\n",
    "payloads/log.jsonl": json.dumps(CLEAN_OMNI)
    + "\n"
    + json.dumps({**CLEAN_OMNI, "duration": 5})
    + "\n",
    "payloads/probe.json": json.dumps(
        {
            **CLEAN_OMNI,
            "prompt": "<<<voice_1>>> hi",
            "voice_list": [{"voice_id": "v1"}],
            "image": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
        }
    ),
    ".kling-lint.toml": '[[allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\n'
    'reason = "voice probe, review 2026-11-20"\n',
}
BLOCKED = {"payloads/standard.json", "payloads/legacy.yaml", "payloads/log.jsonl:2"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(run_cli: Any, *args: str) -> Any:
    return run_cli("check", "payloads", *args)


def test_text(project: Path, run_cli: Any) -> None:
    result = _run(run_cli)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "payloads/standard.json:5:3: KL102 error" in result.stdout
    assert any(line.startswith("payloads/legacy.yaml:7:5: KL101 error") for line in lines)
    assert any("KL104 allowed" in line and "voice probe" in line for line in lines)
    assert lines[-1].startswith("3 of 5 payloads blocked")


def test_concise(project: Path, run_cli: Any) -> None:
    result = _run(run_cli, "--format", "concise")
    lines = result.stdout.splitlines()
    assert lines[-1] == f"Found {len(lines) - 1} findings."
    assert any(line.startswith("payloads/log.jsonl:2:") and " KL201 " in line for line in lines)


def test_json(project: Path, run_cli: Any) -> None:
    doc = json.loads(_run(run_cli, "--format", "json").stdout)
    blocked = {
        f["path"] + (f":{f['record']}" if f["record"] else "") for f in doc["files"] if f["blocked"]
    }
    assert blocked == BLOCKED
    assert doc["summary"]["suppressed"] == 1


def test_sarif_is_valid_and_carries_suppressions(project: Path, run_cli: Any) -> None:
    doc = json.loads(_run(run_cli, "--format", "sarif").stdout)
    Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"KL101", "KL102", "KL104", "KL201"} <= set(rules)
    assert all(r["helpUri"] and r["fullDescription"]["text"] for r in rules.values())
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in run["results"]
    }
    assert results[("KL102", "payloads/standard.json")]["level"] == "error"
    assert results[("KL102", "payloads/standard.json")]["locations"][0]["physicalLocation"][
        "region"
    ] == {"startLine": 5, "startColumn": 3}
    suppressed = results[("KL104", "payloads/probe.json")]
    assert suppressed["suppressions"][0]["justification"] == "voice probe, review 2026-11-20"
    assert all(r["ruleIndex"] == list(rules).index(r["ruleId"]) for r in run["results"])


def test_github_annotations(project: Path, run_cli: Any) -> None:
    lines = _run(run_cli, "--format", "github").stdout.splitlines()
    assert (
        "::error file=payloads/standard.json,line=5,col=3,title=KL102 live-rejected-value::"
        in "\n".join(line[: line.index("::", 2) + 2] for line in lines)
    )
    assert any(
        line.startswith("::warning file=payloads/probe.json") and "KL109" in line for line in lines
    )
    assert not any("KL104" in line for line in lines)  # allowlisted findings are not annotated


def test_junit(project: Path, run_cli: Any) -> None:
    root = ET.fromstring(_run(run_cli, "--format", "junit").stdout)
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 5
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == BLOCKED
    assert suite.get("failures") == "3"


def test_gitlab(project: Path, run_cli: Any) -> None:
    issues = json.loads(_run(run_cli, "--format", "gitlab").stdout)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_check = {(i["check_name"].split()[0], i["location"]["path"]): i for i in issues}
    assert by_check[("KL102", "payloads/standard.json")]["severity"] == "critical"
    assert by_check[("KL102", "payloads/standard.json")]["location"]["lines"]["begin"] == 5
    again = json.loads(_run(run_cli, "--format", "gitlab").stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_output_file_keeps_the_summary_on_the_terminal(project: Path, run_cli: Any) -> None:
    result = _run(run_cli, "--format", "sarif", "--output-file", "out/report.sarif")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]
    assert result.stdout.startswith("3 of 5 payloads blocked")
    assert json.loads((project / "out" / "report.sarif").read_text())["version"] == "2.1.0"


def test_statistics_and_exit_zero(project: Path, run_cli: Any) -> None:
    result = _run(run_cli, "--statistics", "--exit-zero")
    assert result.exit_code == 0
    text = result.stdout
    by_rule, by_status = text.split("Findings by rule:\n")[1].split("Findings by the register")
    counts = {line.split()[1]: int(line.split()[0]) for line in by_rule.splitlines()}
    assert counts["KL102"] == 1
    assert counts["KL201"] == 1
    # Both tables count each finding once, so they add up to the same total.
    status_counts = [int(line.split()[0]) for line in by_status.splitlines()[1:]]
    assert counts.pop("in") == status_counts[-1] == sum(counts.values())
    assert sum(status_counts[:-1]) == status_counts[-1]
    machine = _run(run_cli, "--format", "json", "--statistics")
    json.loads(machine.stdout)  # the counts went to stderr
    assert "Findings by rule:" in machine.stderr


def _counts(run_cli: Any, target: str, *flags: str) -> dict[str, int]:
    def out(fmt: str) -> str:
        return str(run_cli("check", "--isolated", "--format", fmt, *flags, target).stdout)

    document = json.loads(out("json"))
    return {
        "json": sum(1 for f in document["files"] for d in f["diagnostics"] if not d["suppressed"]),
        "sarif": len(json.loads(out("sarif"))["runs"][0]["results"]),
        "gitlab": len(json.loads(out("gitlab"))),
        "github": sum(1 for line in out("github").splitlines() if line.startswith("::")),
        "concise": len(out("concise").splitlines()) - 1,
    }


@pytest.mark.parametrize("flags", [(), ("--extend-select", "KL108")])
@pytest.mark.parametrize("folder", ["good", "blocked"])
def test_every_format_reports_the_same_findings(
    flags: tuple[str, ...], folder: str, run_cli: Any
) -> None:
    counts = _counts(run_cli, str(EXAMPLES / folder), *flags)
    assert len(set(counts.values())) == 1, counts
    if folder == "good" and not flags:
        assert counts["sarif"] == 0  # a clean run fills no code-scanning list


def test_quiet_prints_the_findings_and_nothing_else(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({**CLEAN_OMNI, "mode": "standard"}))
    (tmp_path / "good.json").write_text(json.dumps(CLEAN_OMNI))
    for fmt in ("text", "concise"):
        loud = run_cli("check", "--format", fmt, str(tmp_path))
        quiet = run_cli("check", "--format", fmt, "-q", str(tmp_path))
        assert quiet.exit_code == loud.exit_code == 1
        lines = [line for line in quiet.stdout.splitlines() if line.strip()]
        assert len(lines) == 1  # the one finding
        assert "KL102" in lines[0]
        assert len(loud.stdout.splitlines()) > len(quiet.stdout.splitlines())
    for fmt in ("json", "sarif"):  # machine formats are the same either way
        plain = run_cli("check", "--format", fmt, str(tmp_path)).stdout
        assert run_cli("check", "--format", fmt, "-q", str(tmp_path)).stdout == plain
    gates_off = run_cli("check", "-q", "--select", "KL2", str(tmp_path))
    assert "KL10" in gates_off.stdout  # the warning that gates are off is never silenced


def test_full_shows_each_finding_with_its_line(tmp_path: Path, run_cli: Any) -> None:
    long_value = "x" * 5000
    (tmp_path / "a.json").write_text(
        '{\n  "model_name": "kling-v3-omni",\n  "prompt": "a",\n'
        '  "duration": "5", "mode": "standard",\n  "aspect_ratio": "16:9"\n}\n'
    )
    (tmp_path / "b.jsonl").write_text(
        json.dumps(CLEAN_OMNI)
        + "\n"
        + json.dumps({**CLEAN_OMNI, "prompt": long_value, "mode": "x"})
        + "\n"
    )
    result = run_cli("check", "--format", "full", str(tmp_path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "a.json:4:" in line and "KL102" in line)
    assert lines[at + 2].startswith("4 | ")
    caret = lines[at + 3].index("^") - len("  | ")
    assert lines[at + 2][len("4 | ") + caret :].startswith('"mode"')  # the member, at its key
    framed = next(i for i, line in enumerate(lines) if "b.jsonl:2:" in line)
    assert lines[framed + 2].startswith("2 | ")
    assert len(lines[framed + 2]) < 200  # a long line is cut around the column
    same = {
        (d["code"])
        for f in json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)["files"]
        for d in f["diagnostics"]
    }
    assert {
        line.split(": ")[1].split()[0] for line in lines if ".json" in line and ": KL" in line
    } == same
