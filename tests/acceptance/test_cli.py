"""The CLI: exit codes, formats, inputs, selection; in-process and as an installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import CLEAN_OMNI as GOOD
from ..conftest import EXAMPLES, ROOT


def _json(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def test_good_examples_exit_0(run_cli: Any) -> None:
    result = run_cli("check", "--isolated", str(EXAMPLES / "good"))
    assert result.exit_code == 0


def test_blocked_examples_exit_1_with_every_file_reported(run_cli: Any) -> None:
    result = run_cli("check", "--isolated", "--format", "json", str(EXAMPLES / "blocked"))
    assert result.exit_code == 1
    doc = _json(result)
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "kling-lint"
    assert doc["tool"]["register"].startswith("sha256:")
    assert all(f["blocked"] for f in doc["files"])
    assert (
        doc["summary"]["blocked"]
        == len(doc["files"])
        == len(list((EXAMPLES / "blocked").iterdir())) - 0
    )
    codes = {d["code"] for f in doc["files"] for d in f["diagnostics"]}
    assert {
        "KL001",
        "KL002",
        "KL101",
        "KL102",
        "KL103",
        "KL104",
        "KL106",
        "KL201",
        "KL301",
        "KL308",
    } <= codes


def test_json_diagnostic_shape(run_cli: Any) -> None:
    result = run_cli(
        "check",
        "--isolated",
        "--format",
        "json",
        str(EXAMPLES / "blocked" / "omni-legacy-image.json"),
    )
    (file,) = _json(result)["files"]
    assert set(file) == {"path", "record", "endpoint", "endpoint_from", "blocked", "diagnostics"}
    first = file["diagnostics"][0]
    assert set(first) == {
        "code",
        "rule",
        "severity",
        "message",
        "pointer",
        "field",
        "status",
        "line",
        "column",
        "suppressed",
        "suppressed_by",
    }
    assert (first["code"], first["pointer"], first["field"], first["line"], first["column"]) == (
        "KL101",
        "/image_list/0/image",
        "image_list[].image",
        5,
        6,
    )
    assert first["status"] == ["live-rejected"]


def test_yaml_positions(run_cli: Any) -> None:
    result = run_cli(
        "check",
        "--isolated",
        "--format",
        "json",
        str(EXAMPLES / "blocked" / "image2video-element-and-voice.yaml"),
    )
    (diag,) = [d for d in _json(result)["files"][0]["diagnostics"] if d["severity"] == "error"]
    assert (diag["code"], diag["pointer"], diag["line"], diag["column"]) == (
        "KL308",
        "/voice_list",
        9,
        3,
    )


def test_stdin_and_endpoint_route(run_cli: Any) -> None:
    payload = json.dumps({**GOOD, "mode": "standard"})
    result = run_cli(
        "check",
        "--isolated",
        "--endpoint",
        "POST /v1/videos/omni-video",
        "-",
        "--format",
        "json",
        input=payload,
    )
    assert result.exit_code == 1
    errors = [
        d["code"] for d in _json(result)["files"][0]["diagnostics"] if d["severity"] == "error"
    ]
    assert errors == ["KL102"]


def test_jsonl_records_are_linted_on_their_own(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(
        json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "mode": "standard"}) + "\n{oops\n"
    )
    result = run_cli("check", "--isolated", "--format", "json", str(path))
    files = _json(result)["files"]
    assert [(f["record"], f["blocked"]) for f in files] == [(1, False), (3, True), (4, True)]
    assert files[1]["diagnostics"][0]["line"] == 3
    assert files[2]["diagnostics"][0]["code"] == "KL001"


def test_unreadable_files_do_not_stop_the_run(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    result = run_cli(
        "check", "--isolated", "--format", "json", str(tmp_path), str(tmp_path / "missing.json")
    )
    by_path = {Path(f["path"]).name: f for f in _json(result)["files"]}
    assert by_path["bad.json"]["diagnostics"][0]["code"] == "KL001"
    assert by_path["missing.json"]["diagnostics"][0]["code"] == "KL001"
    assert by_path["good.json"]["blocked"] is False
    assert result.exit_code == 1


def test_select_and_ignore_by_prefix(run_cli: Any) -> None:
    target = str(EXAMPLES / "blocked" / "omni-legacy-image.json")
    assert run_cli("check", "--isolated", "--select", "KL2", target).exit_code == 0
    assert run_cli("check", "--isolated", "--select", "KL1", target).exit_code == 1
    # Ignoring a status gate is refused (exit 2), even under a narrower select.
    assert (
        run_cli("check", "--isolated", "--select", "KL1", "--ignore", "KL102", target).exit_code
        == 2
    )


def test_fail_on_warning_and_verbose_infos(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({**GOOD, "image": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB", "sound": "off"})
    )
    assert run_cli("check", "--isolated", str(path)).exit_code == 0
    assert run_cli("check", "--isolated", "--fail-on", "warning", str(path)).exit_code == 1
    quiet = run_cli("check", "--isolated", str(path)).stdout
    notes = run_cli("check", "--isolated", "--extend-select", "KL108", str(path)).stdout
    assert "KL108" not in quiet  # the register's notes are opt-in
    assert "KL108" in notes
    assert "KL109" in quiet


def test_ambiguous_payload_names_candidates(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"prompt": "a cat", "duration": "5"}))
    result = run_cli("check", "--isolated", "--format", "json", str(path))
    (diag,) = _json(result)["files"][0]["diagnostics"]
    assert diag["code"] == "KL005"  # and nothing else: no guess was checked
    assert "omni-video.create" in diag["message"]
    assert "text2video.create" in diag["message"]


def test_run_made_findings_count_whatever_the_selection(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"prompt": "a cat", "duration": "5"}))
    assert run_cli("check", "--isolated", str(path)).exit_code == 1
    assert run_cli("check", "--isolated", "--select", "KL2", str(path)).exit_code == 1
    assert run_cli("check", "--isolated", "--ignore", "KL005", str(path)).exit_code == 2


def test_usage_errors_exit_2(run_cli: Any) -> None:
    assert run_cli("check", "--format", "xml", ".").exit_code == 2
    assert run_cli("check", "--isolated", "--policy", "nope", str(EXAMPLES / "good")).exit_code == 2
    assert run_cli("explain", "KL999").exit_code == 2


def test_rules_and_explain(run_cli: Any) -> None:
    rows = json.loads(run_cli("rules", "--format", "json").stdout)
    codes = [r["code"] for r in rows]
    assert codes == sorted(codes)
    assert {"KL101", "KL301", "KL501"} <= set(codes)
    text = run_cli("explain", "kl101").stdout
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in text


def test_field_view(run_cli: Any) -> None:
    result = run_cli("field", "omni-video.create", "video_list[].video_url", "--format", "json")
    data = json.loads(result.stdout)
    assert {f["form"]: f["status"] for f in data["forms"]} == {
        "url": ["doc-derived", "live-confirmed"],
        "base64": ["live-rejected"],
    }
    assert run_cli("field", "omni-video.create", "nope").exit_code == 2


def test_installed_console_script_on_examples(tmp_path: Path) -> None:
    """The real console script, in a folder without any config, on the bundled examples."""
    script = Path(sys.executable).parent / "kling-lint"
    env = {**os.environ, "NO_COLOR": "1"}
    good = subprocess.run(
        [str(script), "check", str(EXAMPLES / "good")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert good.returncode == 0, good.stderr
    blocked = subprocess.run(
        [str(script), "check", "--format", "json", str(EXAMPLES / "blocked")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert blocked.returncode == 1
    assert json.loads(blocked.stdout)["summary"]["blocked"] >= 10
    module = subprocess.run(
        [sys.executable, "-m", "kling_lint", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert module.returncode == 0
    assert "kling-lint" in module.stdout


def test_progress_bar_only_on_a_terminal(monkeypatch: Any) -> None:
    import io

    from kling_lint.report import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert progress.for_terminal(io.StringIO()) is None  # a pipe gets no bar
    screen = Terminal()
    bar = progress.for_terminal(screen)
    assert bar is not None
    bar(500, 1000)
    assert "500/1000" in screen.getvalue()
    bar(1000, 1000)
    assert screen.getvalue().endswith("\r\033[K\033[?25h")  # cleared, the cursor back
    monkeypatch.setenv("CI", "true")
    assert progress.for_terminal(Terminal()) is None


def test_large_runs_report_progress(tmp_path: Path) -> None:
    from kling_lint.run import Options, execute

    for i in range(250):
        (tmp_path / f"p{i:03d}.json").write_text(json.dumps(GOOD))
    seen: list[tuple[int, int]] = []
    result = execute(
        Options(paths=(str(tmp_path),), isolated=True, jobs=2),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert len(result.files) == 250
    assert seen[-1] == (250, 250)
    assert [f.path for f in result.files] == sorted(f.path for f in result.files)


def test_a_stale_register_names_the_command_that_freshens_it(
    tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    import shlex
    import shutil

    shutil.copytree(ROOT / "registry", tmp_path / "my register")
    shutil.copytree(ROOT / "schemas", tmp_path / "out")
    stale = tmp_path / "out" / "tts.create.schema.json"
    stale.write_text(stale.read_text().replace("TTS", "Text to speech", 1))
    monkeypatch.chdir(tmp_path)
    found = run_cli("registry", "check", "my register", "--schemas", "out")
    assert found.exit_code == 1
    [hint] = [line for line in found.stderr.splitlines() if "kling-lint " in line]
    command = shlex.split(hint[hint.index("kling-lint ") :])
    assert run_cli(*command[1:]).exit_code == 0  # what it names is a command that works
    assert run_cli("registry", "check", "my register", "--schemas", "out").exit_code == 0


def test_fields_shows_every_value_in_number_order_under_column_headers(run_cli: Any) -> None:
    by_route = run_cli("fields", "POST /v1/videos/omni-video")
    assert by_route.exit_code == 0
    assert by_route.stdout == run_cli("fields", "omni-video.create").stdout
    lines = by_route.stdout.splitlines()
    assert lines[2].split() == ["FIELD", "TYPE", "STATUS", "NOTES"]
    values = [line.split()[1] for line in lines if line.startswith("  = ")]
    assert '"std"' in values  # accepted values, whose status is the field's, are shown too
    assert '"16:9"' in values
    durations = [int(v.strip('"')) for v in values if v.strip('"').isdigit()]
    assert durations == sorted(durations)
    (prompt,) = [line for line in lines if line.split()[:1] == ["multi_prompt[].prompt"]]
    assert "required" in prompt
    assert "1 items" not in by_route.stdout


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("field", "omni-video.create", "voice_lst"), "voice_list"),
        (("field", "tts.create", "language"), "voice_language"),
        (("field", "POST /v1/audio/tts", "language"), "voice_language"),
        (("fields", "omni-vido.create"), "omni-video.create"),
        (("explain", "KL1011"), "KL101"),
    ],
)
def test_views_suggest_what_was_meant(args: tuple[str, ...], hint: str, run_cli: Any) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert hint in result.stderr
    assert result.stderr.startswith("kling-lint: ")  # one prefix for every usage problem


def test_rules_and_explain_know_the_configs_policy_files(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_policies import TEAM

    (tmp_path / "team.yaml").write_text(TEAM)
    (tmp_path / ".kling-lint.toml").write_text('policy-files = ["team.yaml"]\npolicy = ["team"]\n')
    monkeypatch.chdir(tmp_path)
    listed = json.loads(run_cli("rules", "--format", "json").stdout)
    assert "KL601" in {r["code"] for r in listed}
    assert run_cli("explain", "KL601").exit_code == 0
    assert run_cli("explain", "std-mode-only").exit_code == 0
    isolated = json.loads(run_cli("rules", "--isolated", "--format", "json").stdout)
    assert "KL601" not in {r["code"] for r in isolated}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_as_the_readme_gives_it(shell: str) -> None:
    script = Path(sys.executable).parent / "kling-lint"
    env = {**os.environ, "_KLING_LINT_COMPLETE": f"{shell}_source"}
    source = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=True)
    assert "_KLING_LINT_COMPLETE" in source.stdout
    asked = {**os.environ, "_KLING_LINT_COMPLETE": "bash_complete"}
    asked |= {"COMP_WORDS": "kling-lint check --for", "COMP_CWORD": "2"}
    words = subprocess.run([str(script)], env=asked, capture_output=True, text=True, check=True)
    assert "--format" in words.stdout


@pytest.mark.parametrize("flag", ["--register", "--registry"])
def test_schemas_take_the_register_flag_every_command_takes(run_cli: Any, flag: str) -> None:
    # The shipped register's schemas are current: both spellings name the same folder.
    assert run_cli("schemas", "check", flag, "registry").exit_code == 0
    assert run_cli("schemas", "check", flag, "no-such-folder").exit_code == 2


def test_every_command_declares_a_shared_option_the_same_way() -> None:
    import click

    from kling_lint.cli import main

    context = click.Context(main)
    commands = {name: main.get_command(context, name) for name in main.list_commands(context)}
    seen: dict[str, set[tuple[object, ...]]] = {}
    for command in commands.values():
        for sub in getattr(command, "commands", {}).values() or [command]:
            for param in sub.params:
                if param.name in ("config", "isolated", "register"):
                    seen.setdefault(param.name, set()).add(
                        (tuple(param.opts), type(param.type).__name__)
                    )
    assert {name: len(kinds) for name, kinds in seen.items()} == {
        "config": 1,
        "isolated": 1,
        "register": 1,
    }
