"""Hostile input: a located finding for that file, in bounded time and memory, and the
other files still linted.

Each case writes one bad file beside a clean one and runs the real command in a child
process, which reports its own peak memory; the run must finish in time, list both files
and give the bad one the expected code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import CLEAN_OMNI

# The child's own peak: Linux's VmHWM belongs to the process image, where ru_maxrss carries
# over the parent's peak across exec (a test run that has grown would count against it).
_CHILD = (
    "import atexit, resource, sys\n"
    "def peak():\n"
    "    try:\n"
    "        for line in open('/proc/self/status'):\n"
    "            if line.startswith('VmHWM:'):\n"
    "                return int(line.split()[1])\n"
    "    except OSError:\n"
    "        pass\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: print('MAXRSS', peak(), file=sys.stderr))\n"
    "from kling_lint.cli import main\n"
    "main()\n"
)


def _deep_json(levels: int) -> str:
    body = '{"a": ' * levels + "1" + "}" * levels
    return json.dumps({**CLEAN_OMNI, "mode": "standard"})[:-1] + f', "watermark_info": {body}}}'


def _alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _write(text: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / (
            "bad.yaml" if isinstance(text, str) and text.startswith("a: &a") else "bad.json"
        )
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return make


def _named(name: str, text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.json"
    os.mkfifo(path)
    return path


def _zero(folder: Path) -> Path:
    path = folder / "zero.json"
    path.symlink_to("/dev/zero")
    return path


def _dangling(folder: Path) -> Path:
    path = folder / "gone.json"
    path.symlink_to(folder / "nowhere" / "x.json")
    return folder  # found by walking the folder, then unreadable


def _big_file(folder: Path) -> Path:
    path = folder / "huge.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"prompt": "')
        chunk = "a" * (1 << 20)
        for _ in range(33):
            handle.write(chunk)
        handle.write('"}')
    return path


def _long_string(folder: Path) -> Path:
    path = folder / "long.json"
    path.write_text(json.dumps({**CLEAN_OMNI, "prompt": "a" * 20_000_000}), encoding="utf-8")
    return path


def _yaml_flow(folder: Path) -> Path:
    path = folder / "flow.yaml"
    path.write_text("prompt: " + "[" * 1500 + "]" * 1500 + "\n", encoding="utf-8")
    return path


# (name, make the bad file, code it gets, seconds, MiB of peak memory)
CASES = [
    ("integer of 5,000 digits", _write('{"duration": ' + "9" * 5000 + "}"), "KL001", 10, 150),
    ("JSON nested 500 deep under a finding", _write(_deep_json(500)), "KL001", 10, 150),
    (
        "JSON arrays nested 3,000 deep",
        _write('{"prompt": ' + "[" * 3000 + "]" * 3000 + "}"),
        "KL001",
        10,
        150,
    ),
    ("YAML alias bomb", _write(_alias_bomb()), "KL001", 10, 200),
    ("YAML flow nested 1,500 deep", _yaml_flow, "KL001", 20, 200),
    ("a FIFO named x.json", _fifo, "KL001", 10, 150),
    ("a symlink to /dev/zero", _zero, "KL001", 10, 150),
    ("a dangling symlink in a folder", _dangling, "KL001", 10, 150),
    ("a file past the size limit", _big_file, "KL001", 10, 150),
    ("a 20 MB string within the limit", _long_string, "KL203", 20, 450),
    ("not UTF-8", _write(b'{"prompt": "\xff"}'), "KL001", 10, 150),
]


def _run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    seconds = time.monotonic() - start
    rss = [line for line in done.stderr.splitlines() if line.startswith("MAXRSS")]
    mib = int(rss[-1].split()[1]) / 1024 if rss else float("inf")
    return done, seconds, mib


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, /dev/zero and symlinks")
@pytest.mark.parametrize(
    ("name", "make", "code", "seconds", "mib"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_input_is_a_located_finding_and_the_run_goes_on(
    name: str, make: Callable[[Path], Path], code: str, seconds: float, mib: float, tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(CLEAN_OMNI))
    bad = make(tmp_path)
    targets = [str(bad)] if bad == tmp_path else [str(bad), str(good)]
    done, took, peak = _run(
        "check", "--isolated", "--format", "json", "-e", "omni-video.create", *targets
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    files = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert "good.json" in files
    assert files["good.json"]["blocked"] is False
    bad_files = [f for n, f in files.items() if n != "good.json"]
    assert bad_files
    assert all(f["blocked"] for f in bad_files)
    assert code in {d["code"] for f in bad_files for d in f["diagnostics"]}
    assert took < seconds, f"{name}: {took:.1f} s"
    assert peak < mib, f"{name}: {peak:.0f} MiB"


def test_limits_are_settings(tmp_path: Path) -> None:
    (tmp_path / ".kling-lint.toml").write_text("[limits]\ninteger-digits = 3\ndepth = 2\n")
    (tmp_path / "p.json").write_text(
        json.dumps({**CLEAN_OMNI, "watermark_info": {"enabled": 1234}})
    )
    done, _, _ = _run("check", "--format", "json", str(tmp_path / "p.json"))
    (file,) = json.loads(done.stdout)["files"]
    assert [d["code"] for d in file["diagnostics"]] == ["KL001"]
    (tmp_path / ".kling-lint.toml").write_text("[limits]\ndepth = 0\n")
    assert _run("check", str(tmp_path / "p.json"))[0].returncode == 2
    (tmp_path / ".kling-lint.toml").write_text("[limits]\ndeep = 3\n")
    assert _run("check", str(tmp_path / "p.json"))[0].returncode == 2


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "gitlab", "junit"])
@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "utf-8"])
def test_text_the_terminal_cannot_show_is_escaped(fmt: str, encoding: str, tmp_path: Path) -> None:
    (tmp_path / "cjk.json").write_text(json.dumps({**CLEAN_OMNI, "mode": "标准"}), encoding="utf-8")
    (tmp_path / "lone.json").write_text(
        json.dumps({**CLEAN_OMNI, "mode": "standard"})[:-1] + ', "x\\ud800": 1}', encoding="utf-8"
    )
    done, _, _ = _run(
        "check",
        "--isolated",
        "-e",
        "omni-video.create",
        "--format",
        fmt,
        str(tmp_path),
        env={"PYTHONIOENCODING": encoding},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(done.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="file names of raw bytes")
def test_a_file_name_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad\xffname.json"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({**CLEAN_OMNI, "mode": "standard"}))
    for fmt in ("text", "json", "sarif", "junit"):
        done, _, _ = _run("check", "--isolated", "--format", fmt, str(tmp_path))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_jsonl_records_end_at_newlines_only(tmp_path: Path) -> None:
    record = json.dumps({**CLEAN_OMNI, "prompt": "a\u2028b\u0085c\u000bd"}, ensure_ascii=False)
    (tmp_path / "p.jsonl").write_text(record + "\n" + record + "\n", encoding="utf-8")
    done, _, _ = _run("check", "--isolated", "--format", "json", str(tmp_path / "p.jsonl"))
    files = json.loads(done.stdout)["files"]
    assert [(f["record"], f["blocked"]) for f in files] == [(1, False), (2, False)]


def test_a_fault_checking_one_file_blocks_it_and_the_run_goes_on(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kling_lint.check.linter import Linter

    real = Linter.lint_loaded

    def lint(self: Linter, payload: Any, endpoint: Any, **kwargs: Any) -> Any:
        if isinstance(payload, dict) and "boom" in payload.get("prompt", ""):
            raise RuntimeError("a bug")
        return real(self, payload, endpoint, **kwargs)

    monkeypatch.setattr(Linter, "lint_loaded", lint)
    (tmp_path / "a.json").write_text(json.dumps({**CLEAN_OMNI, "prompt": "boom"}))
    (tmp_path / "b.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--isolated", "--format", "json", str(tmp_path))
    assert result.exit_code == 2  # a check that failed is not a pass
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert [d["code"] for d in files["a.json"]["diagnostics"]] == ["KL008"]
    assert files["b.json"]["blocked"] is False


def test_a_fault_reading_one_file_blocks_it_and_the_run_goes_on(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kling_lint.run import file as run

    real = run.read_text

    def read_text(path: Any, display: str, limits: Any) -> Any:
        if str(path).endswith("b.json"):
            raise RuntimeError("a bug")
        return real(path, display, limits)

    monkeypatch.setattr(run, "read_text", read_text)
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--isolated", "-j", "1", "--format", "json", str(tmp_path))
    assert result.exit_code == 2
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert [d["code"] for d in files["b.json"]["diagnostics"]] == ["KL008"]
    assert [files[name]["blocked"] for name in ("a.json", "c.json")] == [False, False]


def test_an_alias_bomb_in_a_register_or_policy_file_is_bounded(tmp_path: Path) -> None:
    import shutil

    from ..conftest import REGISTRY

    register = tmp_path / "register"
    shutil.copytree(REGISTRY, register)
    (register / "policies" / "bomb.yaml").write_text(_alias_bomb(), encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(CLEAN_OMNI))
    done, took, _ = _run("check", "--isolated", "--register", str(register), str(good))
    assert done.returncode == 2
    assert "bomb.yaml" in done.stderr
    assert "Traceback" not in done.stderr
    assert took < 30
    policy = tmp_path / "team.yaml"
    policy.write_text(_alias_bomb(), encoding="utf-8")
    (tmp_path / ".kling-lint.toml").write_text('policy-files = ["team.yaml"]\n')
    done, took, _ = _run("check", str(good))
    assert done.returncode == 2
    assert "team.yaml" in done.stderr
    assert took < 30


def test_an_unreadable_file_is_a_located_finding(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads anything, so the refusal is simulated where the file is opened."""
    from kling_lint.load import read as load

    real = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith("secret.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(load.os, "open", deny)
    (tmp_path / "secret.json").write_text(json.dumps(CLEAN_OMNI))
    (tmp_path / "good.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", "--isolated", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert [d["code"] for d in files["secret.json"]["diagnostics"]] == ["KL001"]
    assert files["good.json"]["blocked"] is False
