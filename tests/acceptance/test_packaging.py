"""The wheel carries the register and the schemas, and an installed copy works on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, ROOT, pip_install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kling_lint-*.whl")
    return built


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_wheel_data_equals_the_repository(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packed = {name: archive.read(name) for name in archive.namelist()}
    for folder in ("registry", "schemas"):
        prefix = f"kling_lint/_data/{folder}/"
        inside = {
            name[len(prefix) :]: data for name, data in packed.items() if name.startswith(prefix)
        }
        assert inside == _tree(ROOT / folder), folder


def test_installed_copy_lints_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    pip_install(wheel, target)
    installed = target / "kling_lint" / "_data"
    assert _tree(installed / "registry") == _tree(ROOT / "registry")
    assert _tree(installed / "schemas") == _tree(ROOT / "schemas")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kling_lint",
            "check",
            "--format",
            "json",
            str(EXAMPLES / "blocked" / "omni-mode-standard.json"),
        ],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["files"][0]["diagnostics"][0]["code"] == "KL102"
    where = subprocess.run(
        [sys.executable, "-c", "import kling_lint._resources as r; print(r.data_root())"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == installed
