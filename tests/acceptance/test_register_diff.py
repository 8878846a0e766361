"""Register changes reviewed like code: `registry diff` and `registry stale`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kling_lint.register.diff import transition

from ..conftest import REGISTRY, registry_repo

OMNI = "endpoints/omni-video.create.yaml"


def _changed(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "registry"
    shutil.copytree(REGISTRY, folder)
    path = folder / OMNI
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (("doc-derived",), ("doc-derived", "live-confirmed"), "promoted"),
        (("hypothesis-only",), ("doc-derived",), "promoted"),
        (("doc-derived", "live-confirmed"), ("doc-derived",), "demoted"),
        (("doc-derived",), ("doc-derived", "live-rejected"), "demoted"),
        (("live-rejected",), ("doc-derived",), "promoted"),
        (("doc-derived",), ("hypothesis-only",), "demoted"),
    ],
)
def test_status_transitions(before: tuple[str, ...], after: tuple[str, ...], kind: str) -> None:
    assert transition(before, after) == kind


def test_a_demotion_is_listed_and_can_fail_the_review(tmp_path: Path, run_cli: Any) -> None:
    # std loses its live confirmation (and its evidence), which makes it weaker.
    old = "      std:\n        status: [doc-derived, live-confirmed]"
    folder = _changed(tmp_path, old, "      std:\n        status: [doc-derived]")
    text = (folder / OMNI).read_text()
    start = text.index("      std:\n")
    live = text.index("          - status: live-confirmed\n", start)
    end = text.index("        meaning: 720P", live)
    (folder / OMNI).write_text(text[:live] + text[end:])
    result = run_cli("registry", "diff", "--format", "json", str(REGISTRY), str(folder))
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [(c["what"], c["kind"]) for c in changes] == [("fields.mode.values.std", "demoted")]
    gate = run_cli("registry", "diff", "--fail-on-demotion", str(REGISTRY), str(folder))
    assert gate.exit_code == 1
    markdown = run_cli("registry", "diff", "--format", "markdown", str(REGISTRY), str(folder))
    assert "| omni-video.create | `fields.mode.values.std` | demoted |" in markdown.stdout
    same = run_cli("registry", "diff", "--fail-on-demotion", str(REGISTRY), str(REGISTRY))
    assert same.exit_code == 0


def test_a_folder_at_two_git_revisions(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, git = registry_repo(tmp_path)
    path = repo / "registry" / OMNI
    path.write_text(path.read_text().replace("    enum: [std, pro, 4k]", "    enum: [std]", 1))
    subprocess.run([*git, "commit", "-qam", "two"], check=True)
    monkeypatch.chdir(repo)
    result = run_cli("registry", "diff", "--format", "json", "HEAD~1:registry", "HEAD:registry")
    assert result.exit_code == 2  # pro is doc-derived: dropping it from the enum is invalid
    path.write_text(path.read_text().replace("    enum: [std]", "    enum: [std, pro, 4k]\n", 1))
    result = run_cli("registry", "diff", "HEAD~1:registry", "registry")
    assert result.exit_code == 0
    assert run_cli("registry", "diff", "nope:registry", "registry").exit_code == 2


def test_stale_live_statuses(run_cli: Any) -> None:
    assert run_cli("registry", "stale", "--older-than", "100000d").exit_code == 0
    found = run_cli("registry", "stale", "--older-than", "0", "--format", "json")
    assert found.exit_code == 1
    rows = json.loads(found.stdout)["stale"]
    assert rows
    assert {r["status"] for r in rows} <= {"live-confirmed", "live-rejected"}
    assert run_cli("registry", "stale", "--older-than", "soon").exit_code == 2
