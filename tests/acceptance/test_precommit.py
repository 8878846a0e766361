"""The real pre-commit, pointed at this checkout with `try-repo`, in a throwaway git repository.

The hook's environment is installed by pre-commit itself from the package index, as it
would be for any user of the hook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import CLEAN_OMNI, ROOT

pytestmark = pytest.mark.hook


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "ci@example.com")
    _git(repo, "config", "user.name", "ci")
    return repo


def _try(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_payload_hook_blocks_a_bad_commit_and_passes_a_clean_one(
    tmp_path: Path, home: Path
) -> None:
    repo = _repo(tmp_path)
    (repo / "payloads").mkdir()
    (repo / "payloads" / "scene.json").write_text(json.dumps({**CLEAN_OMNI, "mode": "standard"}))
    (repo / "payloads" / "log.jsonl").write_text(json.dumps(CLEAN_OMNI) + "\n")
    _git(repo, "add", "-A")
    blocked = _try(repo, home, "kling-lint")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "payloads/scene.json:1:" in blocked.stdout
    assert "KL102" in blocked.stdout
    (repo / "payloads" / "scene.json").write_text(json.dumps(CLEAN_OMNI))
    _git(repo, "add", "-A")
    clean = _try(repo, home, "kling-lint")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_payload_hook_leaves_the_rest_of_a_repository_alone(tmp_path: Path, home: Path) -> None:
    """CI workflows, package.json, READMEs and gitignored output are not payloads."""
    repo = _repo(tmp_path)
    files = {
        ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        "package.json": json.dumps({"name": "app"}),
        "tsconfig.json": '{"compilerOptions": {}, // JSONC\n}',
        "README.md": "# app\n",
        "payloads/scene.json": json.dumps(CLEAN_OMNI),
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    _git(repo, "add", "-A")
    done = _try(repo, home, "kling-lint")
    assert done.returncode == 0, done.stdout + done.stderr


def test_register_hook_checks_a_teams_register(tmp_path: Path, home: Path) -> None:
    repo = _repo(tmp_path)
    shutil.copytree(ROOT / "registry", repo / "registry")
    shutil.copytree(ROOT / "schemas", repo / "schemas")
    _git(repo, "add", "-A")
    fresh = _try(repo, home, "kling-lint-register")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    schema = repo / "schemas" / "tts.create.schema.json"
    schema.write_text(schema.read_text().replace("TTS", "Text to speech", 1))
    _git(repo, "add", "-A")
    stale = _try(repo, home, "kling-lint-register")
    assert stale.returncode == 1
    assert "tts.create.schema.json" in stale.stdout
