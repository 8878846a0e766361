"""No selection, ignore, severity or fail-on setting switches the gate off silently.

Each row is a way a command line or a config file could let blocked payloads through. It
either is refused as a configuration error (exit 2) or still blocks, with the reason listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kling_lint
from kling_lint.check.linter import Linter
from kling_lint.config import Config, ConfigError, parse_config

from ..conftest import CLEAN_OMNI, EXAMPLES

BLOCKED = str(EXAMPLES / "blocked")
STANDARD = {**CLEAN_OMNI, "mode": "standard"}

# (flags, why it must not pass)
REFUSED_FLAGS = [
    (("--select", ""), "an empty selection checks nothing"),
    (("--select", " , "), "only separators"),
    (("--select", "KL02"), "a prefix that matches no code"),
    (("--select", "KL999"), "a code no rule has"),
    (("--select", "live-rejected-value"), "a rule name is not a code"),
    (("--select", "KL102,bogus"), "one bad entry among good ones"),
    (("--ignore", "KL1"), "a prefix covering every status gate"),
    (("--ignore", "KL101,KL102"), "status gates by code"),
    (("--ignore", "kl102"), "a status gate in lower case"),
    (("--extend-ignore", "KL104"), "a relaxed status gate"),
    (("--ignore", "ALL"), "everything"),
    (("--ignore", "KL"), "the shortest prefix"),
    (("--ignore", "KL001"), "a load failure"),
    (("--ignore", "KL00"), "every load failure"),
    (("--ignore", "KL200"), "the schema's catch-all"),
    (("--ignore", "KL008"), "a rule that raised"),
    (("--select", "KL2", "--ignore", "KL102"), "an ignored gate under a narrower select"),
]


@pytest.mark.parametrize(("flags", "why"), REFUSED_FLAGS, ids=[w for _, w in REFUSED_FLAGS])
def test_flags_that_would_open_the_gate_are_usage_errors(
    flags: tuple[str, ...], why: str, run_cli: Any
) -> None:
    result = run_cli("check", "--isolated", *flags, BLOCKED)
    assert result.exit_code == 2, why
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


# (config table, why)
REFUSED_CONFIGS = [
    ({"select": []}, "an empty select list"),
    ({"select": [""]}, "an empty code"),
    ({"ignore": ["KL"]}, "ignore everything"),
    ({"ignore": ["KL101", "KL102"]}, "ignored gates"),
    *[
        ({"severity": {code: level}}, f"{code} lowered to {level}")
        for code in ("KL101", "KL103", "KL104", "KL105", "KL106", "KL107")
        for level in ("warning", "info")
    ],
    *[
        ({"severity": {f"KL00{n}": "warning"}}, f"load failure KL00{n} lowered")
        for n in range(1, 9)
    ],
    ({"severity": {"kl104": "info"}}, "a lowered gate in lower case"),
    ({"severity": {"KL200": "info"}}, "the catch-all lowered"),
    ({"severity": {"KL999": "error"}}, "an unknown code"),
    ({"severity": {"KL1": "error"}}, "a prefix is not a code"),
]


@pytest.mark.parametrize(("table", "why"), REFUSED_CONFIGS, ids=[w for _, w in REFUSED_CONFIGS])
def test_configs_that_would_open_the_gate_are_errors(
    table: dict[str, Any], why: str, tmp_path: Path, run_cli: Any
) -> None:
    with pytest.raises(ConfigError):
        Linter(config=parse_config(table))
    with pytest.raises(kling_lint.PayloadBlocked) as blocked:
        kling_lint.guard(CLEAN_OMNI, "omni-video.create", config=parse_config(table))
    assert [d.code for d in blocked.value.diagnostics] == ["KL007"]
    # A nested config file found by walking up from the payload is checked the same way.
    folder = tmp_path / "nested" / "deeper"
    folder.mkdir(parents=True)
    (folder / ".kling-lint.toml").write_text(_toml(table))
    (folder / "p.json").write_text(json.dumps(STANDARD))
    result = run_cli("check", str(folder / "p.json"))
    assert result.exit_code == 2, why
    assert str(folder / ".kling-lint.toml") in result.stderr


def _toml(table: dict[str, Any]) -> str:
    lines = []
    for key, value in table.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
            lines.append(f"{key} = {{{inner}}}")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def test_load_failures_count_under_any_selection(tmp_path: Path, run_cli: Any) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"prompt": ')
    result = run_cli("check", "--isolated", "--select", "KL102", "--format", "json", str(broken))
    assert result.exit_code == 1
    (file,) = json.loads(result.stdout)["files"]
    assert [d["code"] for d in file["diagnostics"]] == ["KL001"]


def test_a_select_that_leaves_gates_out_says_so_in_every_format(run_cli: Any) -> None:
    target = str(EXAMPLES / "blocked" / "omni-mode-standard.json")
    texts = {}
    for fmt in ("text", "concise", "github", "json", "sarif", "junit"):
        result = run_cli("check", "--isolated", "--select", "KL2", "--format", fmt, target)
        assert result.exit_code == 0, fmt
        texts[fmt] = result.stdout
        assert "KL102" in result.stdout, fmt  # the switched-off gate is named
    document = json.loads(texts["json"])
    assert document["configs"] == [
        {"path": None, "gates_off": [*(f"KL10{n}" for n in range(1, 8)), "KL112"]}
    ]
    (invocation,) = json.loads(texts["sarif"])["runs"][0]["invocations"]
    (notice,) = invocation["toolConfigurationNotifications"]
    assert notice["level"] == "warning"
    full = run_cli("check", "--isolated", "--format", "json", target)
    assert json.loads(full.stdout)["configs"] == [{"path": None, "gates_off": []}]
    assert json.loads(full.stdout)["notices"] == []


def test_the_report_names_the_config_files_that_applied(tmp_path: Path, run_cli: Any) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".kling-lint.toml").write_text("ignore = ['KL108']\n")
        (tmp_path / name / "p.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--format", "json", str(tmp_path))
    paths = {c["path"] for c in json.loads(result.stdout)["configs"]}
    assert paths == {str(tmp_path / n / ".kling-lint.toml") for n in ("a", "b")}
    verbose = run_cli("check", "-v", str(tmp_path)).stdout
    assert all(str(tmp_path / n / ".kling-lint.toml") in verbose for n in ("a", "b"))


def test_raising_a_severity_takes_effect(tmp_path: Path, run_cli: Any) -> None:
    """An accepted setting is never inert: KL902 raised to an error fails the run."""
    (tmp_path / ".kling-lint.toml").write_text(
        'severity = {KL902 = "error"}\n[[allow]]\nendpoint = "omni-video.create"\n'
        'field = "voice_list"\nreason = "probe"\n'
    )
    (tmp_path / "p.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    codes = [
        (d["code"], d["severity"])
        for f in json.loads(result.stdout)["files"]
        for d in f["diagnostics"]
    ]
    assert ("KL902", "error") in codes
    # Raising a gate is allowed: an unknown field on a free endpoint becomes an error.
    strict = Linter(config=Config(severity={"KL106": kling_lint.Severity.ERROR}))
    report = strict.lint({"text": "hi", "voice_id": "v", "bogus": 1}, "tts.create")
    assert [(d.code, d.severity.label) for d in report.diagnostics if d.code == "KL106"] == [
        ("KL106", "error")
    ]


INFO_ONLY = {**CLEAN_OMNI, "sound": "off"}  # sound is doc-derived: one KL108 info


@pytest.mark.parametrize("fmt", ["text", "concise", "github", "gitlab", "json", "sarif", "junit"])
def test_whatever_fails_the_run_is_listed(fmt: str, tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(INFO_ONLY))
    notes = ("--extend-select", "KL108")
    quiet = run_cli("check", "--isolated", *notes, "--format", fmt, str(path))
    assert quiet.exit_code == 0
    failing = run_cli(
        "check", "--isolated", *notes, "--fail-on", "info", "--format", fmt, str(path)
    )
    assert failing.exit_code == 1
    assert "KL108" in failing.stdout


def test_each_register_problem_is_a_line_of_its_own(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tmp_path / "ov" / "endpoints"
    overlay.mkdir(parents=True)
    (tmp_path / ".kling-lint.toml").write_text('overlays = ["ov"]\n')
    (tmp_path / "ov" / "sources.yaml").write_text("sources: {}\n")
    (overlay / "omni-video.create.yaml").write_text(
        "id: omni-video.create\nfields:\n  mode:\n    status: [live-confirmed]\n"
        "  prompt:\n    status: [live-rejected]\n"
    )
    (tmp_path / "p.json").write_text('{"prompt": "x"}')
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "p.json")
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "omni-video.create.yaml" in line]
    assert [line.split(":")[2] for line in lines] == ["4", "6"]
    assert "\\n" not in result.stderr
