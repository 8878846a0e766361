"""Shared fixtures: an in-process CLI runner and paths to the project's data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from kling_lint.cli import main

# `make test` runs the quick profile; `make fuzz` (HYPOTHESIS_PROFILE=long) digs deeper.
settings.register_profile("quick", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
#: An Omni payload whose every field is live-confirmed: no finding at all.
CLEAN_OMNI = {
    "model_name": "kling-v3-omni",
    "prompt": "a cat",
    "duration": "5",
    "mode": "std",
    "aspect_ratio": "16:9",
}


def pip_install(source: Path, target: Path) -> None:
    """Install a wheel or a project folder into `target`, offline (no deps, no isolation)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )


EXAMPLES = ROOT / "examples"
REGISTRY = ROOT / "registry"


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def registry_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """A git repository holding a copy of the register, committed once, and the git
    command that works in it."""
    repo = tmp_path / "repo"
    import shutil

    shutil.copytree(REGISTRY, repo / "registry")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    return repo, git
