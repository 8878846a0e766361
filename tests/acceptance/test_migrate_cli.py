"""`kling-lint migrate` on files: the report, --write, --diff and the exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

OFFICIAL = Path(__file__).parent.parent / "official"


def _files(tmp_path: Path) -> list[str]:
    good = tmp_path / "text2video.create.json"
    shutil.copy(OFFICIAL / "E24.json", good)
    refused = tmp_path / "legacy-v1.text2video.create.json"
    refused.write_text(json.dumps({"model_name": "kling-v1-6", "prompt": "a cat"}))
    return [str(good), str(refused)]


def test_json_lists_route_body_and_notes(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("migrate", "--isolated", "--format", "json", *_files(tmp_path))
    assert result.exit_code == 1  # one payload is refused
    rows = json.loads(result.stdout)
    assert [r["refused"] for r in rows] == [False, True]
    good, refused = rows
    assert good["route"] == "POST /text-to-video/kling-3.0"
    assert good["from"] == "text2video.create"
    assert good["body"]["settings"]["duration"] == 5
    assert good["notes"]
    assert refused["body"] is None
    assert refused["route"] is None
    assert any("kling-v1-6" in n for n in refused["notes"])


def test_every_payload_migrated_exits_0(tmp_path: Path, run_cli: Any) -> None:
    good = _files(tmp_path)[0]
    result = run_cli("migrate", "--isolated", good)
    assert result.exit_code == 0
    assert "POST /text-to-video/kling-3.0" in result.stdout


def test_write_puts_new_files_and_never_replaces_one(tmp_path: Path, run_cli: Any) -> None:
    files = _files(tmp_path)
    before = Path(files[0]).read_text()
    out = tmp_path / "new"
    assert run_cli("migrate", "--isolated", "--write", str(out), *files).exit_code == 1
    written = json.loads((out / "text2video.create.json").read_text())
    assert written["prompt"]
    assert Path(files[0]).read_text() == before  # the input is untouched
    assert not (out / "legacy-v1.text2video.create.json").exists()  # refused: nothing written
    again = run_cli("migrate", "--isolated", "--write", str(out), files[0])
    assert again.exit_code == 2  # the file exists: it is not replaced
    assert json.loads((out / "text2video.create.json").read_text()) == written


def test_diff_shows_the_rewrite(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("migrate", "--isolated", "--diff", _files(tmp_path)[0])
    assert result.exit_code == 0
    assert '-  "mode": "std",' in result.stdout
    assert '+    "resolution": "720p",' in result.stdout


def test_write_and_diff_are_alternatives(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("migrate", "--diff", "--write", str(tmp_path / "o"), _files(tmp_path)[0])
    assert result.exit_code == 2


def test_a_payload_of_no_known_endpoint_is_refused_not_dropped(
    tmp_path: Path, run_cli: Any
) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"nothing": "known"}))
    result = run_cli("migrate", "--isolated", "--format", "json", str(odd))
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert row["refused"]
    assert row["notes"]


def test_standard_input_is_refused_with_a_message(run_cli: Any) -> None:
    result = run_cli("migrate", "-", input='{"model_name": "kling-v3", "prompt": "a"}')
    assert result.exit_code == 2


def test_write_refuses_before_it_writes_anything(tmp_path: Path, run_cli: Any) -> None:
    first, _ = _files(tmp_path)
    second = tmp_path / "other"
    second.mkdir()
    shutil.copy(OFFICIAL / "E03.json", second / "text2video.create.json")
    out = tmp_path / "new"
    out.mkdir()
    (out / "text2video.create.json").write_text("mine\n")
    result = run_cli("migrate", "--isolated", "--write", str(out), first, str(second))
    assert result.exit_code == 2
    assert (out / "text2video.create.json").read_text() == "mine\n"  # never replaced
    assert sorted(p.name for p in out.iterdir()) == ["text2video.create.json"]
    # Two inputs of one name cannot both be written: nothing is.
    empty = tmp_path / "empty"
    result = run_cli("migrate", "--isolated", "--write", str(empty), first, str(second))
    assert result.exit_code == 2
    assert not empty.exists() or not any(empty.iterdir())
