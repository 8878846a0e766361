"""Exceptions limited to some files (per-file-ignores, allow `paths`) and allowlist hygiene
(entries about to expire, lifetimes, entries the register no longer needs)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.check.linter import Linter
from kling_lint.config import parse_config
from kling_lint.config.paths import matches

from ..conftest import CLEAN_OMNI

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5Erk"
    "Jggg=="
)
CAUTION = {**CLEAN_OMNI, "image": PNG}  # KL109, a warning
PROBE = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}  # KL104
TODAY = dt.date.today()


def _project(tmp_path: Path, config: str, files: dict[str, dict[str, Any]]) -> Path:
    (tmp_path / ".kling-lint.toml").write_text(config)
    for name, payload in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload))
    return tmp_path


def _findings(run_cli: Any, *args: str) -> tuple[int, dict[str, list[tuple[str, bool]]]]:
    result = run_cli("check", "--format", "json", "-e", "omni-video.create", *args)
    assert result.exit_code in (0, 1), result.stderr
    by_file: dict[str, list[tuple[str, bool]]] = {}
    for f in json.loads(result.stdout)["files"]:
        name = Path(f["path"]).name
        by_file[name] = [(d["code"], d["suppressed"]) for d in f["diagnostics"]]
    return result.exit_code, by_file


MATCHES = [
    ("payloads/experiments/a.json", "payloads/experiments/**", True),
    ("payloads/experiments/deep/a.json", "payloads/experiments/**", True),
    ("payloads/experiments/a.json", "./payloads/experiments/*", True),
    ("payloads/experiments/a.json", "payloads/experiments", True),
    ("payloads/experiments/a.json", "payloads/experiments/", True),
    ("payloads/experiments/a.json", "experiments", True),
    ("payloads/experiments/a.json", "a.json", True),
    ("payloads/experiments/a.json", "*.json", True),
    ("payloads/experiments/a.json", "payloads/exp*", True),
    ("payloads/experimental/a.json", "payloads/experiments", False),
    ("payloads/a.json", "payloads/experiments/**", False),
    ("payloads/a.json", "b.json", False),
    ("payloads/a.json", "A.json", False),
    ("other/payloads/a.json", "payloads/*.json", False),
]


@pytest.mark.parametrize(("path", "pattern", "expected"), MATCHES)
def test_one_reading_of_config_path_patterns(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_per_file_ignores_drop_a_code_in_the_files_they_name(tmp_path: Path, run_cli: Any) -> None:
    config = '[per-file-ignores]\n"payloads/experiments/**" = ["KL109"]\n'
    root = _project(
        tmp_path, config, {"payloads/experiments/a.json": CAUTION, "payloads/b.json": CAUTION}
    )
    _, found = _findings(run_cli, str(root / "payloads"))
    assert found["a.json"] == []
    assert found["b.json"] == [("KL109", False)]


def test_per_file_ignores_follow_the_stdin_filename(tmp_path: Path, run_cli: Any) -> None:
    _project(tmp_path, '[per-file-ignores]\n"experiments/*" = ["KL109"]\n', {})
    for name, expected in (("experiments/a.json", []), ("other/a.json", ["KL109"])):
        result = run_cli(
            "check",
            "--format",
            "json",
            "-e",
            "omni-video.create",
            "--config",
            str(tmp_path / ".kling-lint.toml"),
            "--stdin-filename",
            str(tmp_path / name),
            "-",
            input=json.dumps(CAUTION),
        )
        (only,) = json.loads(result.stdout)["files"]
        assert [d["code"] for d in only["diagnostics"]] == expected


@pytest.mark.parametrize(
    "table",
    [
        '"a/**" = ["KL104"]',  # a status gate
        '"a/**" = ["KL10"]',  # a prefix that covers the gates
        '"a/**" = ["ALL"]',
        '"a/**" = ["KL001"]',  # always on
        '"a/**" = ["KL999"]',  # no such rule
        '"a/**" = "KL109x"',
        '"" = ["KL109"]',
    ],
)
def test_per_file_ignores_never_switch_a_gate_off(table: str, tmp_path: Path, run_cli: Any) -> None:
    root = _project(tmp_path, f"[per-file-ignores]\n{table}\n", {"a/p.json": PROBE})
    result = run_cli("check", str(root / "a"))
    assert result.exit_code == 2
    assert result.stdout == ""


ENTRY = """
[[allow]]
endpoint = "omni-video.create"
field = "voice_list"
reason = "voice probe in the experiments folder"
"""


def test_an_allow_entry_with_paths_lifts_only_in_those_files(tmp_path: Path, run_cli: Any) -> None:
    config = ENTRY + 'paths = ["payloads/experiments/**"]\n'
    root = _project(
        tmp_path, config, {"payloads/experiments/a.json": PROBE, "payloads/b.json": PROBE}
    )
    code, found = _findings(run_cli, str(root / "payloads"))
    assert code == 1
    assert found["a.json"] == [("KL104", True)]
    assert found["b.json"] == [("KL104", False)]


def test_a_path_limited_entry_lifts_nothing_for_a_caller_that_names_no_file() -> None:
    entry = {"endpoint": "omni-video.create", "field": "voice_list", "reason": "r"}
    config = parse_config({"allow": [{**entry, "paths": ["exp/**"]}]})
    linter = Linter(config=config)
    assert linter.lint(PROBE, "omni-video.create").blocked
    assert linter.lint(PROBE, "omni-video.create", path="other/p.json").blocked
    assert linter.lint(PROBE, "omni-video.create", path="exp/p.json").ok


def test_an_empty_paths_list_is_refused(tmp_path: Path, run_cli: Any) -> None:
    root = _project(tmp_path, ENTRY + "paths = []\n", {"p.json": PROBE})
    assert run_cli("check", str(root)).exit_code == 2


def _allow_codes(run_cli: Any, root: Path, *args: str) -> list[str]:
    result = run_cli("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    files = json.loads(result.stdout)["files"]
    return [d["code"] for f in files for d in f["diagnostics"] if d["code"].startswith("KL9")]


@pytest.mark.parametrize(
    ("days", "settings", "expected"),
    [
        (5, "", ["KL904"]),  # within the default 14 days
        (0, "", ["KL904"]),  # expires today: still lifts, and says so
        (20, "", []),
        (20, "allow-warn-days = 30\n", ["KL904"]),
        (5, "allow-warn-days = 0\n", []),
        (-1, "", ["KL901"]),
        # Past the cap the entry lifts nothing, so a walk also finds it matched nothing.
        (100, "allow-max-days = 90\n", ["KL902", "KL905"]),
        (60, "allow-max-days = 90\n", []),
        (None, "allow-max-days = 90\n", ["KL902", "KL905"]),
    ],
)
def test_entries_near_their_end_or_beyond_the_lifetime(
    days: int | None, settings: str, expected: list[str], tmp_path: Path, run_cli: Any
) -> None:
    entry = ENTRY
    if days is not None:
        entry += f"expires = {(TODAY + dt.timedelta(days=days)).isoformat()}\n"
    root = _project(tmp_path, settings + entry, {"p.json": PROBE})
    assert _allow_codes(run_cli, root, str(root)) == expected


def test_lifetime_findings_fail_only_runs_that_lint_the_endpoint(
    tmp_path: Path, run_cli: Any
) -> None:
    entry = ENTRY + f"expires = {(TODAY + dt.timedelta(days=3)).isoformat()}\n"
    tts = {"text": "hello", "voice_id": "v1", "voice_language": "en"}
    root = _project(tmp_path, "allow-max-days = 1\n" + entry, {"p.json": PROBE, "t.json": tts})
    assert _allow_codes(run_cli, root, str(root / "p.json")) == ["KL905"]
    assert _allow_codes(run_cli, root, "-e", "tts.create", str(root / "t.json")) == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('field = "mode"\nvalue = "std"', ["KL906"]),  # live-confirmed since
        ('field = "callback_url"', ["KL906"]),  # doc-derived, no value list
        ('field = "mode"\nvalue = "standard"', ["KL902"]),  # still live-rejected
        ('field = "mode"', ["KL902"]),  # a closed value list: a value may still be gated
        ('field = "mode"\nvalue = "ultra"', ["KL902"]),  # unknown value: KL107 still fires
        ('field = "voice_list"', []),  # still hypothesis-only, and used
        ('field = "callback_url"\nunknown = true', ["KL906"]),  # known to the register now
        ('field = "voice_list"\nunknown = true', []),  # known now, still gated: still lifts
    ],
)
def test_entries_the_register_no_longer_needs(
    entry: str, expected: list[str], tmp_path: Path, run_cli: Any
) -> None:
    config = f'[[allow]]\nendpoint = "omni-video.create"\n{entry}\nreason = "probe"\n'
    root = _project(tmp_path, config, {"p.json": PROBE})
    assert _allow_codes(run_cli, root, str(root)) == expected


def test_the_library_places_a_file_as_the_command_line_does(tmp_path: Path) -> None:
    import kling_lint

    root = _project(tmp_path, ENTRY + 'paths = ["experiments/**"]\n', {})
    config = root / ".kling-lint.toml"
    inside, outside = root / "experiments" / "p.json", root / "p.json"
    assert kling_lint.lint(PROBE, "omni-video.create", config=config, file=inside).ok
    assert kling_lint.lint(PROBE, "omni-video.create", config=config, file=outside).blocked
    assert kling_lint.lint(PROBE, "omni-video.create", config=config).blocked
    kling_lint.guard(PROBE, "omni-video.create", config=config, file=str(inside))
    with pytest.raises(kling_lint.PayloadBlocked):
        kling_lint.guard(PROBE, "omni-video.create", config=config, file=outside)


@pytest.mark.parametrize("absolute", [False, True])
def test_config_and_payload_findings_name_files_relative_to_the_working_folder(
    absolute: bool, tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.kling-lint]\n"
        + ENTRY.replace("[[allow]]", "[[tool.kling-lint.allow]]")
        + "expires = 2020-01-01\n"
    )
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "p.json").write_text(json.dumps(PROBE))
    monkeypatch.chdir(tmp_path)
    target = str(tmp_path / "payloads") if absolute else "payloads"
    doc = json.loads(run_cli("check", "--format", "json", target).stdout)
    paths = {f["path"] for f in doc["files"]}
    assert paths == {"pyproject.toml", str(Path("payloads") / "p.json")}
    assert [c["path"] for c in doc["configs"]] == ["pyproject.toml"]
    sarif = json.loads(run_cli("check", "--format", "sarif", target).stdout)
    locations = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in sarif["runs"][0]["results"]
    ]
    assert {(a["uri"], a.get("uriBaseId")) for a in locations} == {
        ("pyproject.toml", "%SRCROOT%"),
        ("payloads/p.json", "%SRCROOT%"),
    }
