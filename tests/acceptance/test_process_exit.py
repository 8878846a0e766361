"""How the `kling-lint` process ends: the verdict's exit code, the whole report, and
nothing that should still run at exit skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CLEAN_OMNI

SCRIPT = Path(sys.executable).parent / "kling-lint"
BLOCKED = {**CLEAN_OMNI, "mode": "standard"}


def _corpus(folder: Path, count: int, payload: dict[str, object]) -> Path:
    folder.mkdir()
    text = json.dumps(payload, indent=2)
    for number in range(count):
        (folder / f"p{number:04}.json").write_text(text)
    return folder


def _run(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [str(SCRIPT), *args], stdout=stdout, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.mark.parametrize(("payload", "code"), [(CLEAN_OMNI, 0), (BLOCKED, 1)])
def test_a_report_larger_than_a_pipe_arrives_whole(
    tmp_path: Path, payload: dict[str, object], code: int
) -> None:
    folder = _corpus(tmp_path / "p", 600, payload)
    done = _run("check", "--format", "json", str(folder))
    assert done.returncode == code, done.stderr
    assert len(done.stdout) > 100_000  # past any pipe buffer (64 KiB)
    assert len(json.loads(done.stdout)["files"]) == 600
    assert done.stderr == ""


def test_a_closed_pipe_keeps_the_verdict(tmp_path: Path) -> None:
    """`kling-lint check . | head` under `set -o pipefail` still fails on findings."""
    folder = _corpus(tmp_path / "p", 600, BLOCKED)
    env = {**os.environ, "NO_COLOR": "1"}
    with subprocess.Popen(
        [str(SCRIPT), "check", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # the reader goes away with most of the report unread
        errors = proc.stderr.read()
        assert proc.wait(timeout=60) == 1
    assert errors == b""  # no traceback, no "Exception ignored"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_the_disk_refuses_is_an_error(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "p", 3, CLEAN_OMNI)
    with open("/dev/full", "w") as full:
        done = _run("check", "--format", "json", str(folder), stdout=full)
    assert done.returncode == 2
    assert "kling-lint:" in done.stderr


def test_exit_callbacks_still_run(tmp_path: Path) -> None:
    """A host (or plugin) that registered an `atexit` callback gets it called."""
    folder = _corpus(tmp_path / "p", 1, BLOCKED)
    marker = tmp_path / "ran"
    program = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "from kling_lint.__main__ import run\n"
        "sys.argv[1:] = ['check', sys.argv[1]]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert marker.read_text() == "yes"


def test_python_dash_m_exits_with_the_verdict(tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "p", 1, BLOCKED)
    done = subprocess.run(
        [sys.executable, "-m", "kling_lint", "check", str(folder)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "KL102" in done.stdout  # mode "standard": live-rejected
