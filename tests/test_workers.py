"""Workers only where they pay: the choice follows what files cost, and a run gives the
same results, in the same order, however it was split."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint import run, workers
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


# -- workers.share_out: every span done once, whatever happens to a forked process ----------

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _share(count: int, jobs: int, there: Any) -> tuple[dict[int, Any], list[int]]:
    """Run share_out; what came back from forked processes, and the spans done here."""
    came: dict[int, Any] = {}
    here: list[int] = []
    workers.share_out(count, jobs, here.append, there, came.__setitem__)
    return came, here


@needs_fork
@pytest.mark.parametrize(("count", "jobs"), [(1, 2), (2, 2), (50, 2), (50, 4), (7, 8)])
def test_every_span_is_done_once(count: int, jobs: int) -> None:
    came, here = _share(count, jobs, lambda k: ("from", os.getpid(), k))
    assert sorted([*came, *here]) == list(range(count))
    assert all(result[2] == k and result[1] != os.getpid() for k, result in came.items())


@needs_fork
def test_results_larger_than_a_pipe_come_back_whole() -> None:
    came, here = _share(6, 2, lambda k: str(k) * 300_000)
    assert sorted([*came, *here]) == list(range(6))
    assert all(result == str(k) * 300_000 for k, result in came.items())


@needs_fork
@pytest.mark.parametrize("how", ["raises", "exits", "killed"])
def test_spans_a_dead_process_took_are_done_here(
    how: str, capfd: pytest.CaptureFixture[str]
) -> None:
    parent = os.getpid()

    def there(k: int) -> int:
        if k % 3 == 1:  # a forked process ends at its first such span
            if how == "raises":
                raise RuntimeError("boom")
            if how == "exits":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return k

    came, here = _share(30, 3, there)
    assert os.getpid() == parent
    assert sorted([*came, *here]) == list(range(30))  # none lost, none twice
    assert all(k % 3 != 1 for k in came)
    assert "Traceback" not in capfd.readouterr().err  # a forked process prints nothing


@needs_fork
def test_an_interrupted_run_stops_and_reaps_its_forked_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(workers.os, "fork", fork)
    seen: list[int] = []

    def here(k: int) -> None:
        seen.append(k)
        if len(seen) == 2:
            raise KeyboardInterrupt

    def there(k: int) -> int:
        time.sleep(0.05)
        return k

    with pytest.raises(KeyboardInterrupt):
        workers.share_out(200, 3, here, there, lambda k, r: None)
    assert len(forked) == 2
    for pid in forked:  # each one ended and reaped: none left running or a zombie
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_more_spans_than_tickets_are_refused() -> None:
    with pytest.raises(ValueError, match="spans"):
        workers.share_out(workers.MAX_SPANS + 1, 2, print, print, print)


@given(
    st.integers(0, 5_000),
    st.integers(0, 300_000),
    st.integers(2, 8),
    st.sampled_from([1, 7, workers.MAX_SPANS]),
)
def test_spans_cover_the_files_once_and_shrink_toward_the_end(
    start: int, count: int, jobs: int, most: int
) -> None:
    spans = run._spans(start, start + count, jobs, most)
    assert [n for low, high in spans for n in range(low, high)] == list(range(start, start + count))
    assert len(spans) <= most
    sizes = [high - low for low, high in spans]
    assert sizes == sorted(sizes, reverse=True)  # the last taken is the shortest


@needs_fork
def test_what_is_printed_around_a_fork_is_written_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import time\n"
        "from kling_lint import workers\n"
        "print('before')\n"  # still in the buffer: stdout is a pipe
        "def here(k):\n"
        "    time.sleep(0.05)\n"  # so that the forked process takes spans too
        "    print('here', k)\n"
        "def there(k):\n"
        "    print('there', k)\n"
        "    return k\n"
        "workers.share_out(6, 2, here, there, lambda k, r: None)\n"
    )
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=buffered,
    )
    lines = done.stdout.splitlines()
    assert lines.count("before") == 1
    assert sorted(line.split()[1] for line in lines if line != "before") == list("012345")
    assert any(line.startswith("there") for line in lines)


@needs_fork
@pytest.mark.parametrize("frozen_before", [False, True])
def test_sharing_leaves_the_collector_as_it_found_it(frozen_before: bool) -> None:
    import gc

    if frozen_before:
        gc.freeze()
    try:
        before = gc.get_freeze_count()
        _share(4, 2, lambda k: k)
        if frozen_before:
            assert gc.get_freeze_count() >= before  # what the host froze stays frozen
        else:
            assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


@needs_fork
@pytest.mark.parametrize("failing", ["fork", "pipe"])
def test_a_process_that_cannot_be_forked_leaves_the_work_here(
    failing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_pipe = os.pipe
    pipes = []

    def refuse() -> Any:
        raise OSError(11, "Resource temporarily unavailable")

    def pipe() -> tuple[int, int]:
        pipes.append(1)
        if failing == "pipe" and len(pipes) > 1:  # the first is the tickets' pipe
            refuse()
        return real_pipe()

    monkeypatch.setattr(workers.os, "pipe", pipe)
    if failing == "fork":
        monkeypatch.setattr(workers.os, "fork", refuse)
    came, here = _share(9, 3, lambda k: k)
    assert came == {}
    assert sorted(here) == list(range(9))
