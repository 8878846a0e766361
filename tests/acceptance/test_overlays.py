"""Register overlays: a team's layer over the register, checked, and used by every verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.register import load_register, validate_directory

from ..conftest import CLEAN_OMNI, REGISTRY

SOURCE = "sources:\n  TEAM-1:\n    title: Our runs\n    kind: live\n    captured: '2026-12-01'\n"
CONFIRM = """id: omni-video.create
fields:
  callback_url:
    status: [doc-derived, live-confirmed]
    evidence:
      - {status: live-confirmed, source: TEAM-1, date: '2026-12-01', observed: callback seen}
"""


def _overlay(tmp_path: Path, endpoint: str, sources: str = SOURCE) -> Path:
    folder = tmp_path / "team"
    (folder / "endpoints").mkdir(parents=True)
    (folder / "sources.yaml").write_text(sources)
    (folder / "endpoints" / "omni-video.create.yaml").write_text(endpoint)
    return folder


def test_an_overlay_sets_statuses_and_keeps_the_bases_evidence(tmp_path: Path) -> None:
    folder = _overlay(tmp_path, CONFIRM)
    assert validate_directory(REGISTRY, (folder,)) == []
    base = load_register().endpoints["omni-video.create"].fields["callback_url"]
    layered = load_register(None, (folder,)).endpoints["omni-video.create"].fields["callback_url"]
    assert layered.status_labels == ("doc-derived", "live-confirmed")
    assert layered.overlay == "team"
    assert base.overlay is None
    assert layered.evidence[: len(base.evidence)] == base.evidence  # added to, never replaced
    assert len(layered.evidence) == len(base.evidence) + 1


@pytest.mark.parametrize(
    ("endpoint", "sources", "why"),
    [
        (CONFIRM.replace("source: TEAM-1", "source: S3"), SOURCE, "a live status cites a doc"),
        (CONFIRM.replace("TEAM-1", "NOWHERE"), SOURCE, "an unknown source"),
        (CONFIRM + "method: GET\n", SOURCE, "the base's route changed"),
        (CONFIRM, SOURCE.replace("TEAM-1", "S3"), "a base source redefined"),
        (CONFIRM.split("    evidence:")[0], SOURCE, "a live status without evidence"),
    ],
)
def test_an_overlay_that_breaks_the_rules_is_located(
    endpoint: str, sources: str, why: str, tmp_path: Path, run_cli: Any
) -> None:
    folder = _overlay(tmp_path, endpoint, sources)
    problems = validate_directory(REGISTRY, (folder,))
    assert problems, why
    # Located in the overlay, or in the base file marked as layered with it.
    assert all("team" in p.file for p in problems), problems
    result = run_cli("registry", "validate", "--overlay", str(folder))
    assert result.exit_code == 2
    path = tmp_path / "p.json"
    path.write_text(json.dumps(CLEAN_OMNI))
    assert run_cli("check", "--isolated", "--overlay", str(folder), str(path)).exit_code == 2


def test_the_config_names_overlays(tmp_path: Path, run_cli: Any) -> None:
    rejected = CONFIRM.replace("doc-derived, live-confirmed", "doc-derived, live-rejected")
    rejected = rejected.replace("status: live-confirmed", "status: live-rejected")
    _overlay(tmp_path, rejected)
    (tmp_path / ".kling-lint.toml").write_text('overlays = ["team"]\n')
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**CLEAN_OMNI, "callback_url": "https://x.test/cb"}))
    result = run_cli("check", "--format", "json", "-e", "omni-video.create", str(path))
    codes = [d["code"] for d in json.loads(result.stdout)["files"][0]["diagnostics"]]
    assert codes == ["KL101"]  # rejected live by the team: blocked
    assert run_cli("check", "--isolated", "-e", "omni-video.create", str(path)).exit_code == 0


def test_register_and_overlay_files_are_no_payload_files(tmp_path: Path, run_cli: Any) -> None:
    folder = _overlay(tmp_path, CONFIRM)
    (tmp_path / "p.json").write_text(json.dumps(CLEAN_OMNI))
    walked = json.loads(run_cli("check", "--isolated", "--format", "json", str(tmp_path)).stdout)
    assert [Path(f["path"]).name for f in walked["files"]] == ["p.json"]
    skipped = {Path(s["path"]).name for s in walked["skipped"]}
    assert skipped == {"sources.yaml", "omni-video.create.yaml"}
    named = run_cli("check", "--isolated", str(folder / "sources.yaml"))
    assert named.exit_code == 1  # named, it is a finding (KL012), as a README would be
