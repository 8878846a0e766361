"""The allowlist, through real config files: audit trail, expiry, unused entries, limits."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.check.linter import Linter
from kling_lint.config import ConfigError, find_config, load_config

BASE = {
    "model_name": "kling-v3-omni",
    "prompt": "hi",
    "duration": "5",
    "mode": "std",
    "aspect_ratio": "16:9",
}
PROBE = {**BASE, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}


def _project(
    tmp_path: Path, config: str, payload: dict[str, Any], *, pyproject: bool = True
) -> Path:
    name = "pyproject.toml" if pyproject else ".kling-lint.toml"
    (tmp_path / name).write_text(config)
    folder = tmp_path / "payloads" / "omni"
    folder.mkdir(parents=True)
    (folder / "p.json").write_text(json.dumps(payload, indent=2))
    return folder / "p.json"


ENTRY = """
[[tool.kling-lint.allow]]
endpoint = "omni-video.create"
field = "voice_list"
reason = "probing whether Omni honours voice_list, approved in review 2026-11-20"
owner = "video-pipeline"
"""


def _diags(run_cli: Any, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", "--format", "json", *args)
    doc = json.loads(result.stdout)
    return result.exit_code, [d for f in doc["files"] for d in f["diagnostics"]]


def test_allowed_finding_is_suppressed_with_its_reason(tmp_path: Path, run_cli: Any) -> None:
    path = _project(tmp_path, "[project]\nname = 'x'\n" + ENTRY, PROBE)
    code, diags = _diags(run_cli, str(path))
    assert code == 0
    (finding,) = [d for d in diags if d["code"] == "KL104"]
    assert finding["suppressed"] is True
    assert finding["suppressed_by"]["reason"].startswith("probing whether Omni")
    assert finding["suppressed_by"]["owner"] == "video-pipeline"
    assert finding["suppressed_by"]["source"].endswith("pyproject.toml:4")
    text = run_cli("check", str(path)).stdout
    assert "KL104 allowed" in text
    assert "1 allowed by the allowlist" in text


def test_standalone_file_and_children_of_an_allowed_field(tmp_path: Path, run_cli: Any) -> None:
    config = ENTRY.replace("tool.kling-lint.allow", "allow")
    path = _project(tmp_path, config, PROBE, pyproject=False)
    assert find_config(path) == tmp_path / ".kling-lint.toml"
    code, diags = _diags(run_cli, str(path))
    assert code == 0
    assert all(d["suppressed"] for d in diags if d["severity"] == "error")


def test_expired_entry_is_an_error_and_lifts_nothing(tmp_path: Path, run_cli: Any) -> None:
    path = _project(tmp_path, ENTRY + "expires = 2020-01-31\n", PROBE)
    code, diags = _diags(run_cli, str(path))
    assert code == 1
    codes = {(d["code"], d["suppressed"]) for d in diags}
    assert ("KL901", False) in codes
    assert ("KL104", False) in codes
    (expired,) = [d for d in diags if d["code"] == "KL901"]
    assert expired["line"] == 2


def test_expiry_is_inclusive() -> None:
    entry = load_config_from_text(ENTRY + "expires = 2026-12-31\n").allow[0]
    assert not entry.expired(dt.date(2026, 12, 31))
    assert entry.expired(dt.date(2027, 1, 1))


def load_config_from_text(text: str) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pyproject.toml"
        path.write_text(text)
        return load_config(path)


def test_unused_entry_is_a_warning(tmp_path: Path, run_cli: Any) -> None:
    path = _project(tmp_path, ENTRY, BASE)
    code, diags = _diags(run_cli, str(path.parent))  # a walk: the entry could have been used
    assert code == 0
    assert [(d["code"], d["severity"]) for d in diags if d["code"].startswith("KL9")] == [
        ("KL902", "warning")
    ]
    assert run_cli("check", "--fail-on", "warning", str(path.parent)).exit_code == 1


def test_severity_override_reaches_allowlist_findings(tmp_path: Path, run_cli: Any) -> None:
    """Findings about the allowlist are stamped like every other: the override applies."""
    config = '[tool.kling-lint]\nseverity = {KL902 = "error"}\n' + ENTRY
    path = _project(tmp_path, config, BASE)
    code, diags = _diags(run_cli, str(path.parent))
    assert [(d["code"], d["severity"]) for d in diags if d["code"].startswith("KL9")] == [
        ("KL902", "error")
    ]
    assert code == 1


def test_value_narrows_an_entry(tmp_path: Path, run_cli: Any) -> None:
    config = """
[[tool.kling-lint.allow]]
endpoint = "text2video.create"
field = "mode"
value = "standard"
reason = "standard probe"
"""
    t2v = {"model_name": "kling-v3", "prompt": "a fox", "duration": "5", "aspect_ratio": "16:9"}
    path = _project(tmp_path, config, {**t2v, "mode": "standard"})
    assert run_cli("check", "-e", "text2video.create", str(path)).exit_code == 0
    path.write_text(json.dumps({**t2v, "mode": "8k"}))
    code, diags = _diags(run_cli, "-e", "text2video.create", str(path.parent))
    assert code == 1
    assert {d["code"] for d in diags if not d["suppressed"]} >= {"KL107", "KL902"}


def test_structural_errors_cannot_be_allowlisted(tmp_path: Path, run_cli: Any) -> None:
    config = ENTRY.replace('field = "voice_list"', 'field = "duration"')
    path = _project(tmp_path, config, {**BASE, "duration": 5})
    code, diags = _diags(run_cli, str(path))
    assert code == 1
    assert [d["code"] for d in diags if d["code"] == "KL201" and not d["suppressed"]] == ["KL201"]


def test_config_maps_paths_to_endpoints(tmp_path: Path, run_cli: Any) -> None:
    config = '[tool.kling-lint.endpoints]\n"payloads/omni/*.json" = "omni-video.create"\n'
    path = _project(tmp_path, config, {"prompt": "a cat", "duration": "5", "aspect_ratio": "16:9"})
    result = run_cli("check", "--format", "json", str(path))
    assert json.loads(result.stdout)["files"][0]["endpoint"] == "omni-video.create"


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("[tool.kling-lint]\nselcet = ['KL1']\n", "did you mean 'select'"),
        (
            "[[tool.kling-lint.allow]]\nendpoint = 'omni-video.create'\nfield = 'voice_list'\n",
            "reason is required",
        ),
        (
            "[[tool.kling-lint.allow]]\nendpoint = 'omni-video.create'\nfield = 'x'\n"
            "reason = 'r'\nowners = 'a'\n",
            "did you mean 'owner'",
        ),
        (
            "[[tool.kling-lint.allow]]\nendpoint = 'omni.create'\nfield = 'x'\nreason = 'r'\n",
            "unknown endpoint",
        ),
        ("[tool.kling-lint]\nseverity = {KL101 = 'warning'}\n", "allowlist the field"),
        ("[tool.kling-lint]\nfail-on = 'fatal'\n", "unknown severity"),
        ("[tool.kling-lint\n", "invalid TOML"),
    ],
)
def test_bad_config_exits_2_with_a_message(
    tmp_path: Path, run_cli: Any, config: str, words: str
) -> None:
    path = _project(tmp_path, config, BASE)
    result = run_cli("check", str(path))
    assert result.exit_code == 2
    assert words in result.stderr


def test_cli_config_flag_and_isolated(tmp_path: Path, run_cli: Any) -> None:
    path = _project(tmp_path, ENTRY, PROBE)
    other = tmp_path / "other.toml"
    other.write_text(ENTRY.replace("tool.kling-lint.", ""))
    assert run_cli("check", "--config", str(other), str(path)).exit_code == 0
    assert run_cli("check", "--isolated", str(path)).exit_code == 1


def test_linter_rejects_unknown_severity_code() -> None:
    from kling_lint.config import parse_config

    with pytest.raises(ConfigError):
        Linter(config=parse_config({"severity": {"KL999": "warning"}}))


def test_a_run_of_named_files_judges_only_the_entries_it_could_use(
    tmp_path: Path, run_cli: Any
) -> None:
    """pre-commit lints the staged files: an entry for other files is not "unused", an
    expired entry fails only the runs that lint its endpoint, and the config is no payload."""
    expired = ENTRY.replace('owner = "video-pipeline"', 'owner = "x"\nexpires = 2020-01-01')
    t2v = expired.replace('endpoint = "omni-video.create"', 'endpoint = "text2video.create"')
    path = _project(tmp_path, ENTRY + t2v, BASE)
    result = run_cli("check", "--format", "json", str(path))
    document = json.loads(result.stdout)
    assert result.exit_code == 0
    assert not [
        d for f in document["files"] for d in f["diagnostics"] if d["code"].startswith("KL9")
    ]
    walked = run_cli("check", "--format", "json", str(path.parent))
    found = json.loads(walked.stdout)
    codes = sorted(d["code"] for f in found["files"] for d in f["diagnostics"])
    assert codes == ["KL902", "KL902"]  # no omni payload uses either; t2v's expiry: not linted
    assert found["summary"]["files"] == 1  # the config's findings are not a payload
    (path.parent / "t.json").write_text(
        json.dumps(
            {"model_name": "kling-v2-6", "prompt": "a", "duration": "5", "aspect_ratio": "16:9"}
        )
    )
    named = run_cli("check", "--format", "json", str(path.parent / "t.json"))
    assert named.exit_code == 1  # an expired entry for what this run lints fails it
    assert "KL901" in {
        d["code"] for f in json.loads(named.stdout)["files"] for d in f["diagnostics"]
    }


def test_entry_lines_are_right_when_a_comment_follows_a_header(tmp_path: Path) -> None:
    from kling_lint.config import load_config

    text = (
        "[tool.kling-lint]\n"
        "[[tool.kling-lint.allow]]  # the first probe\n"
        'endpoint = "omni-video.create"\nfield = "voice_list"\nreason = "a"\n'
        "[[ tool.kling-lint.allow ]]\n"
        'endpoint = "omni-video.create"\nfield = "image"\nreason = "b"\n'
    )
    (tmp_path / "pyproject.toml").write_text(text)
    config = load_config(tmp_path / "pyproject.toml")
    assert [e.line for e in config.allow] == [2, 6]
