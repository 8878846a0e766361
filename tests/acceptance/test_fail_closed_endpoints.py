"""Which endpoint a payload is checked against: never a silent guess, never a silent typo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.check.linter import Linter
from kling_lint.config import ConfigError, parse_config

from ..conftest import CLEAN_OMNI

ALLOW = {"endpoint": "omni-video.create", "reason": "probe"}

# (config table, why it is refused)
REFUSED = [
    ({"endpoints": {"*.json": "omni.create"}}, "an endpoints mapping to an unknown id"),
    ({"endpoints": {"*.json": "POST /v1/videos/nothing"}}, "an endpoints mapping to no route"),
    (
        {"allow": [{**ALLOW, "endpoint": "omni-video.craete", "field": "voice_list"}]},
        "endpoint typo",
    ),
    ({"allow": [{**ALLOW, "field": "voice_lsit"}]}, "a field the register does not have"),
    ({"allow": [{**ALLOW, "field": "image_list[].imag"}]}, "a nested field typo"),
    ({"allow": [{**ALLOW, "field": "x", "unknown": "yes"}]}, "unknown must be a boolean"),
]


@pytest.mark.parametrize(("table", "why"), REFUSED, ids=[w for _, w in REFUSED])
def test_configs_naming_what_the_register_lacks_are_errors(table: dict[str, Any], why: str) -> None:
    with pytest.raises(ConfigError):
        Linter(config=parse_config(table))


def test_an_unknown_field_is_allowlisted_only_when_the_entry_says_so() -> None:
    payload = {**CLEAN_OMNI, "my_field": 1}
    entry = {**ALLOW, "field": "my_field", "unknown": True}
    report = Linter(config=parse_config({"allow": [entry]})).lint(payload, "omni-video.create")
    assert [(d.code, d.suppressed) for d in report.diagnostics] == [("KL106", True)]
    assert report.ok


@pytest.mark.parametrize("name", ["bogus", "omni-video.craete", "POST /v1/videos/omni"])
def test_an_unknown_endpoint_flag_is_a_usage_error(name: str, tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--isolated", "--endpoint", name, str(path))
    assert result.exit_code == 2
    assert result.stdout == ""


def test_a_typo_gets_the_nearest_endpoint(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--isolated", "-e", "omni-video.craete", str(path))
    assert "'omni-video.create'" in result.stderr


@pytest.mark.parametrize(
    ("flags", "envelope", "why"),
    [
        ((), None, "the payload's shape"),
        (("-e", "omni-video.create"), None, "--endpoint"),
        ((), "omni-video.create", "the envelope's endpoint"),
        (("-e", "POST /v1/videos/omni-video"), "omni-video.create", "--endpoint"),
    ],
)
def test_the_report_says_which_endpoint_and_why(
    flags: tuple[str, ...], envelope: str | None, why: str, tmp_path: Path, run_cli: Any
) -> None:
    path = tmp_path / "p.json"
    body = {"endpoint": envelope, "body": CLEAN_OMNI} if envelope else CLEAN_OMNI
    path.write_text(json.dumps(body))
    result = run_cli("check", "--isolated", "--format", "json", *flags, str(path))
    assert result.exit_code == 0
    (file,) = json.loads(result.stdout)["files"]
    assert (file["endpoint"], file["endpoint_from"]) == ("omni-video.create", why)


def test_a_named_endpoint_and_an_envelope_must_agree(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"endpoint": "text2video.create", "body": CLEAN_OMNI}))
    result = run_cli(
        "check", "--isolated", "--format", "json", "-e", "omni-video.create", str(path)
    )
    assert result.exit_code == 1
    (file,) = json.loads(result.stdout)["files"]
    assert [d["code"] for d in file["diagnostics"]] == ["KL005"]


def test_an_allow_entry_may_name_the_endpoint_by_route() -> None:
    entry = {**ALLOW, "endpoint": "POST /v1/videos/omni-video", "field": "voice_list"}
    linter = Linter(config=parse_config({"allow": [entry]}))
    probe = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}
    assert linter.lint(probe, "omni-video.create").ok
