"""Workers only where they pay: the choice follows what files cost, and a run gives the
same results, in the same order, however it was split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint import run
from kling_lint.run import Options, execute

from .conftest import CLEAN_OMNI

BLOCKED = {**CLEAN_OMNI, "mode": "standard", "extra": 1}


def _corpus(folder: Path, count: int) -> Path:
    for number in range(count):
        payload = BLOCKED if number % 3 == 0 else CLEAN_OMNI
        (folder / f"p{number:04}.json").write_text(json.dumps(payload, indent=2))
    (folder / "many.jsonl").write_text(
        "\n".join(json.dumps(p) for p in (CLEAN_OMNI, BLOCKED, CLEAN_OMNI)) + "\n"
    )
    return folder


def _shown(result: run.RunResult) -> list[Any]:
    return [
        (
            f.path,
            f.record,
            f.endpoint,
            [(d.code, d.pointer, d.line, d.column) for d in f.diagnostics],
        )
        for f in result.files
    ]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    real = run._in_workers

    def in_workers(session: Any, files: Any, start: int, jobs: int, progress: Any) -> Any:
        started.append(start)
        return real(session, files, start, jobs, progress)

    monkeypatch.setattr(run, "_in_workers", in_workers)
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    return started


def test_cheap_work_stays_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _spy(monkeypatch)
    monkeypatch.setattr(run, "PARALLEL_PAYS_FROM", 1e9)
    execute(Options(paths=(str(_corpus(tmp_path, 300)),), isolated=True))
    assert started == []


def test_costly_work_goes_to_workers_after_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    monkeypatch.setattr(run, "PARALLEL_PAYS_FROM", 0.0)
    monkeypatch.setattr(run, "SAMPLE_SECONDS", 0.0)
    result = execute(Options(paths=(str(_corpus(tmp_path, 300)),), isolated=True))
    assert len(started) == 1
    assert 0 < started[0] < 301  # the sampled files were linted here, the rest there
    assert len(result.files) == 303


def test_asked_for_jobs_start_workers_from_the_first_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    execute(Options(paths=(str(_corpus(tmp_path, 40)),), isolated=True, jobs=2))
    assert started == [0]


@pytest.mark.parametrize("pays_from", [0.0, 1e9])
def test_results_do_not_depend_on_the_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pays_from: float
) -> None:
    folder = _corpus(tmp_path, 300)
    alone = execute(Options(paths=(str(folder),), isolated=True, jobs=1))
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(run, "PARALLEL_PAYS_FROM", pays_from)
    monkeypatch.setattr(run, "SAMPLE_SECONDS", 0.0)
    split = execute(Options(paths=(str(folder),), isolated=True))
    assert _shown(split) == _shown(alone)
    assert split.failed
    assert alone.failed
