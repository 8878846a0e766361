"""Where a file's endpoint comes from: the file names the editor schemas are mapped to, the
config's patterns (which see --stdin-filename too), and patterns that match nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import CLEAN_OMNI

# Fits Text-to-Video and Omni alike by its keys: only a name can tell them apart.
AMBIGUOUS = {"prompt": "a cat", "duration": "5", "aspect_ratio": "16:9"}


def _files(result: Any) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads(result.stdout)["files"]
    return files


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "name",
    ["text2video.create/scene.json", "scene.text2video.create.json", "a/b.text2video.create.yaml"],
)
def test_the_file_name_gives_the_endpoint(here: Path, run_cli: Any, name: str) -> None:
    path = here / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(AMBIGUOUS))
    [found] = _files(run_cli("check", "--format", "json", name))
    assert found["endpoint"] == "text2video.create"
    assert found["endpoint_from"] == "the file's name"


def test_a_name_and_an_envelope_that_disagree_block(here: Path, run_cli: Any) -> None:
    (here / "omni-video.create").mkdir()
    envelope = {"endpoint": "text2video.create", "body": AMBIGUOUS}
    (here / "omni-video.create" / "x.json").write_text(json.dumps(envelope))
    result = run_cli("check", "--format", "json", "omni-video.create/x.json")
    assert result.exit_code == 1
    assert [d["code"] for d in _files(result)[0]["diagnostics"]] == ["KL005"]


def test_config_patterns_see_the_stdin_filename(here: Path, run_cli: Any) -> None:
    (here / ".kling-lint.toml").write_text('[endpoints]\n"./t2v/*.json" = "text2video.create"\n')
    result = run_cli(
        "check",
        "--format",
        "json",
        "-",
        "--stdin-filename",
        "t2v/x.json",
        input=json.dumps(AMBIGUOUS),
    )
    [found] = _files(result)
    assert found["endpoint"] == "text2video.create"
    assert "pattern" in found["endpoint_from"]


def test_a_pattern_that_matches_nothing_in_a_walk_is_a_warning(here: Path, run_cli: Any) -> None:
    (here / ".kling-lint.toml").write_text(
        "[endpoints]\n"
        '"paylods/*.json" = "omni-video.create"\n'
        '"payloads/*.json" = "omni-video.create"\n'
    )
    (here / "payloads").mkdir()
    (here / "payloads" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    walked = json.loads(run_cli("check", "--format", "json", ".").stdout)
    assert [n for n in walked["notices"] if "paylods" in n]
    assert not [n for n in walked["notices"] if "'payloads/" in n]
    named = json.loads(run_cli("check", "--format", "json", "payloads/p.json").stdout)
    assert named["notices"] == []  # a partial run says nothing about the other patterns
