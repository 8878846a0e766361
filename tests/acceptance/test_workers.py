"""Workers only from the command line, where the platform forks and sharing pays; a run
gives the same results, in the same order, however it was split."""

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

from kling_lint import run
from kling_lint.run import Options, execute
from kling_lint.run import parallel as workers

from ..conftest import CLEAN_OMNI

BLOCKED = {**CLEAN_OMNI, "mode": "standard", "extra": 1}


needs_fork = pytest.mark.skipif(not workers.fork_is_default(), reason="no fork by default here")


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
    """The span counts of every share_out a run makes."""
    shared: list[int] = []
    real = workers.share_out

    def share_out(count: int, *args: Any) -> None:
        shared.append(count)
        real(count, *args)

    monkeypatch.setattr(workers, "share_out", share_out)
    return shared


@pytest.mark.parametrize(
    ("fork", "jobs", "count", "threads", "shared"),
    [
        (False, 4, 5000, 1, False),  # a library host never forks
        (True, None, workers.SHARE_FROM - 1, 1, False),  # too few to pay
        (True, None, workers.SHARE_FROM, 1, True),
        (True, 2, 2, 1, True),  # asked for: shared however few
        (True, 1, 5000, 1, False),
        (True, 4, 1, 1, False),
        (True, 4, 5000, 2, False),  # another thread: a fork could copy a held lock
    ],
)
def test_who_shares_files_out(
    monkeypatch: pytest.MonkeyPatch,
    fork: bool,
    jobs: int | None,
    count: int,
    threads: int,
    shared: bool,
) -> None:
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(workers.threading, "active_count", lambda: threads)
    chosen = workers.jobs_for(Options(jobs=jobs, fork=fork), count)
    assert (chosen > 1) == (shared and workers.fork_is_default())


def test_only_a_platform_that_forks_by_default_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(workers.sys, "platform", platform)
        assert workers.jobs_for(Options(jobs=4, fork=True), 5000) == 1


@needs_fork
@pytest.mark.parametrize("jobs", [None, 2])
def test_results_do_not_depend_on_the_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int | None
) -> None:
    folder = _corpus(tmp_path, 600)
    alone = execute(Options(paths=(str(folder),), isolated=True, jobs=1, fork=True))
    shared = _spy(monkeypatch)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    split = execute(Options(paths=(str(folder),), isolated=True, jobs=jobs, fork=True))
    assert len(shared) == 1  # shared out, as the comparison needs
    assert _shown(split) == _shown(alone)
    assert split.failed
    assert alone.failed


# -- workers.share_out: every span done once, whatever happens to a forked process ----------


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
    spans = workers.spans(start, start + count, jobs, most)
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
        "from kling_lint.run import parallel as workers\n"
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


@needs_fork
def test_a_process_that_ended_with_its_pipe_held_open_is_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Something a forked process started may keep the result pipe open after it ended:
    the collector looks who ended instead of waiting for the pipe to close."""
    monkeypatch.setattr(workers, "_POLL_MS", 50)

    def there(k: int) -> int:
        if os.fork() == 0:  # a grandchild that holds every inherited pipe for a while
            time.sleep(3)
            os._exit(0)
        os._exit(0)  # the forked process ends without sending anything

    started = time.monotonic()
    came, here = _share(4, 2, there)
    assert came == {}
    assert sorted(here) == list(range(4))
    assert time.monotonic() - started < 2.5


@needs_fork
def test_a_fork_the_platform_warns_about_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    def warned() -> int:
        warnings.warn("multi-threaded, use of fork()", DeprecationWarning, stacklevel=2)
        return 0

    monkeypatch.setattr(workers.os, "fork", warned)
    came, here = _share(5, 3, lambda k: k)
    assert came == {}
    assert sorted(here) == list(range(5))
