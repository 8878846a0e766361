"""Policies: the built-in `pipeline` policy, and a team's own policy file without code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TEAM = """
id: team
title: Our team's rules
rules:
  - code: KL601
    name: std-mode-only
    endpoints: [omni-video.create]
    severity: error
    allow_values:
      mode: [std]
    message: the team renders drafts in std mode only
    doc:
      what: Flags Omni requests in a mode other than std.
      why: Drafts are rendered in std; pro doubles the cost.
      example: '{"mode": "pro"}'
      fix: 'Send "mode": "std".'
"""
PAYLOAD = {
    "model_name": "kling-v3-omni",
    "prompt": "a cat",
    "duration": "5",
    "mode": "pro",
    "aspect_ratio": "16:9",
}


def _project(tmp_path: Path, policy: str, switched_on: bool = True) -> Path:
    (tmp_path / "team-policy.yaml").write_text(policy)
    lines = ['policy-files = ["team-policy.yaml"]']
    if switched_on:
        lines.append('policy = ["team"]')
    (tmp_path / ".kling-lint.toml").write_text("\n".join(lines) + "\n")
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(PAYLOAD))
    return payload


def test_team_policy_file_adds_rules(tmp_path: Path, run_cli: Any) -> None:
    payload = _project(tmp_path, TEAM)
    result = run_cli("check", "--format", "json", str(payload))
    assert result.exit_code == 1
    codes = [
        (d["code"], d["pointer"]) for d in json.loads(result.stdout)["files"][0]["diagnostics"]
    ]
    assert ("KL601", "/mode") in codes


def test_policy_is_off_until_switched_on(tmp_path: Path, run_cli: Any) -> None:
    payload = _project(tmp_path, TEAM, switched_on=False)
    assert run_cli("check", str(payload)).exit_code == 0
    assert run_cli("check", "--policy", "team", str(payload)).exit_code == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("omni-video.create", "omni.create"), "unknown endpoint"),
        (("KL601", "KL101"), "already used"),
        (("KL601", "K601"), "does not match"),
        (("mode: [std]", "moed: [std]"), "has no field"),
    ],
)
def test_broken_policy_file_exits_2_located(
    tmp_path: Path, run_cli: Any, change: tuple[str, str], words: str
) -> None:
    payload = _project(tmp_path, TEAM.replace(*change))
    result = run_cli("check", str(payload))
    assert result.exit_code == 2
    assert "team-policy.yaml:" in result.stderr
    assert words in result.stderr


def test_pipeline_policy_uses_the_default_model(run_cli: Any, tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({k: v for k, v in PAYLOAD.items() if k != "model_name"}))
    result = run_cli(
        "check",
        "--isolated",
        "--policy",
        "pipeline",
        "-e",
        "omni-video.create",
        "--format",
        "json",
        str(payload),
    )
    diags = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert [d["code"] for d in diags if d["code"].startswith("KL5")] == ["KL501"]
