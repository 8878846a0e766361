"""Baselines: existing findings recorded, new ones fail, fixed ones are stale and pruned,
and no status gate is ever recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.run import parallel

from ..conftest import CLEAN_OMNI

SHOTS = {**CLEAN_OMNI, "multi_prompt": [{"index": 1, "prompt": "x", "duration": "5"}]}  # KL301
GATE = {**CLEAN_OMNI, "mode": "standard"}  # KL102, a status gate


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "p").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _put(here: Path, name: str, payload: Any, indent: int | None = 2) -> None:
    (here / "p" / name).write_text(json.dumps(payload, indent=indent))


def _check(run_cli: Any, *args: str) -> tuple[int, list[tuple[str, str, bool]]]:
    result = run_cli("check", "--format", "json", *args)
    found = [
        (f["path"], d["code"], d["suppressed"])
        for f in json.loads(result.stdout)["files"]
        for d in f["diagnostics"]
    ]
    return result.exit_code, sorted(found)


def test_recorded_findings_pass_and_gates_are_never_recorded(here: Path, run_cli: Any) -> None:
    _put(here, "shots.json", SHOTS)
    _put(here, "gate.json", GATE)
    code, found = _check(run_cli, "--write-baseline", "base.json", "p")
    assert code == 1  # the gate still fails the run that wrote the baseline
    assert found == [("p/gate.json", "KL102", False), ("p/shots.json", "KL301", True)]
    entries = json.loads((here / "base.json").read_text())["entries"]
    assert [(e["path"], e["code"], e["pointer"]) for e in entries] == [
        ("p/shots.json", "KL301", "/multi_prompt")
    ]
    (here / "p" / "gate.json").unlink()
    assert _check(run_cli, "--baseline", "base.json", "p")[0] == 0


def test_reformatting_keeps_a_finding_recorded_and_a_new_value_does_not(
    here: Path, run_cli: Any
) -> None:
    _put(here, "shots.json", SHOTS)
    run_cli("check", "--write-baseline", "base.json", "p")
    _put(here, "shots.json", SHOTS, indent=None)  # every line and column moves
    assert _check(run_cli, "--baseline", "base.json", "p") == (
        0,
        [("p/shots.json", "KL301", True)],
    )
    changed = {**SHOTS, "multi_prompt": [{"index": 1, "prompt": "y", "duration": "5"}]}
    _put(here, "shots.json", changed)
    code, found = _check(run_cli, "--baseline", "base.json", "p")
    assert code == 1
    assert ("p/shots.json", "KL301", False) in found
    assert ("base.json", "KL903", False) in found  # the old value's entry is stale


def test_fixed_findings_are_stale_and_pruning_keeps_what_the_run_did_not_see(
    here: Path, run_cli: Any
) -> None:
    _put(here, "a.json", SHOTS)
    _put(here, "b.json", SHOTS)
    run_cli("check", "--write-baseline", "base.json", "p")
    _put(here, "a.json", CLEAN_OMNI)
    code, found = _check(run_cli, "--baseline", "base.json", "p/a.json")
    assert code == 0  # a stale entry is a warning
    assert found == [("base.json", "KL903", False)]
    run_cli("check", "--baseline", "base.json", "--prune-baseline", "p/a.json")
    entries = json.loads((here / "base.json").read_text())["entries"]
    assert [e["path"] for e in entries] == ["p/b.json"]  # not linted: kept
    assert _check(run_cli, "--baseline", "base.json", "p") == (0, [("p/b.json", "KL301", True)])


def test_a_baseline_read_in_workers_is_read_as_in_one_process(
    here: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(60):
        _put(here, f"s{number:02}.json", SHOTS if number % 2 else CLEAN_OMNI)
    run_cli("check", "--write-baseline", "base.json", "p")
    _put(here, "s01.json", CLEAN_OMNI)  # one entry goes stale
    alone = _check(run_cli, "--baseline", "base.json", "-j", "1", "p")
    shared: list[int] = []
    real = parallel.share_out
    monkeypatch.setattr(parallel, "share_out", lambda n, *a: (shared.append(n), real(n, *a)))
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    split = _check(run_cli, "--baseline", "base.json", "-j", "2", "p")
    assert shared or not parallel.fork_is_default()  # shared out where the platform forks
    assert split == alone
    assert [f for f in alone[1] if f[1] == "KL903"] == [("base.json", "KL903", False)]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--baseline", "missing.json"), None),
        (("--baseline", "bad.json"), "{"),
        (("--baseline", "bad.json"), '{"version": 2, "entries": []}'),
        (("--baseline", "bad.json"), '{"version": 1, "entries": [{"path": "x"}]}'),
        (("--prune-baseline",), None),
        (("--baseline", "a.json", "--write-baseline", "b.json"), None),
    ],
)
def test_a_baseline_that_cannot_be_used_stops_the_run(
    here: Path, run_cli: Any, args: tuple[str, ...], text: str | None
) -> None:
    if text is not None:
        (here / "bad.json").write_text(text)
    _put(here, "a.json", CLEAN_OMNI)
    assert run_cli("check", *args, "p").exit_code == 2


def test_a_baseline_is_never_written_onto_an_input(here: Path, run_cli: Any) -> None:
    _put(here, "a.json", SHOTS)
    before = (here / "p" / "a.json").read_text()
    assert run_cli("check", "--write-baseline", "p/a.json", "p").exit_code == 2
    assert (here / "p" / "a.json").read_text() == before


def test_how_a_file_was_read_is_never_recorded(here: Path, run_cli: Any) -> None:
    # KL011: PyYAML would send `sound: true`; KL010: the endpoint was a guess. Neither is
    # a finding about the payload as the API gets it, so no baseline vouches for them.
    (here / "p" / "a.omni-video.create.yaml").write_text(
        'model_name: kling-v3-omni\nprompt: a cat\nduration: "5"\nmode: std\n'
        'aspect_ratio: "16:9"\nsound: on\n'
    )
    _put(here, "guess.json", {**CLEAN_OMNI, "negative_prompt": "dogs"})
    code, found = _check(run_cli, "--write-baseline", "base.json", "p")
    assert code == 1
    assert {c for _, c, suppressed in found if suppressed} == set()
    assert {"KL011", "KL010"} <= {c for _, c, _ in found}
    assert json.loads((here / "base.json").read_text())["entries"] == []


def test_a_baseline_too_deep_to_read_is_a_configuration_error(here: Path, run_cli: Any) -> None:
    _put(here, "shots.json", SHOTS)
    (here / "base.json").write_text("[" * 50_000)
    result = run_cli("check", "--baseline", "base.json", "p")
    assert result.exit_code == 2
    assert "internal error" not in result.output
