"""Work shared out to forked copies of this process, a span at a time.

A run with many files lints them here and in `jobs - 1` forked processes. Each process
takes the next span number from one pipe of tickets, written in full before any fork, so
that no process waits while another has work left and none needs a lock: a read of four
bytes from a pipe takes four bytes or none. This process works like the others instead of
only collecting, so no core idles and its own results are never pickled. A forked process
sends each span's result back, pickled, on a pipe of its own, and ends with `os._exit`:
it runs nothing of its parent's at exit, and as this process writes out its buffers before
forking, what a forked one writes out is only what it printed itself. A span that a forked
process took but did not send back (it died) is done here, so nothing is left undone.

Only a run from the command line shares files out (`Options.fork`), only where fork is how
the platform starts processes (Linux before Python 3.14), and only from a process with one
thread: a library host keeps its one process. A fork the platform warns about (threads it
cannot see from Python) is refused, and the work done here.

Only `os`, `pickle` and `select` are used. With `multiprocessing`, a run that forks would
pay about 15 ms for its import, and the exit handler it registers would keep the program
from ending without teardown (`cli/_exit.py`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    from kling_lint.run.options import Options

_R = TypeVar("_R")

# Tickets fill one pipe before anyone reads it: this many four-byte tickets fill one page,
# which every pipe holds. (Tickets that did not fit would be done here at the end.)
MAX_SPANS = 1024
_TICKET = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
# Files are shared out from this many on, unless --jobs asks for it: on two cores 500
# bench files took as long in one process as shared, 1,000 a tenth less shared.
SHARE_FROM = 500
# The fewest and the most files a process takes at once: small enough that the last span
# ends soon after the others, large enough that taking one costs nothing.
_STEP = 16
_SPAN = 128
# How long the collector waits on the forked processes before it looks whether one ended
# without closing its pipe (a process it started may hold the pipe open), in ms.
_POLL_MS = 1000


def fork_is_default() -> bool:
    """Whether this platform starts processes by forking: Linux before Python 3.14
    (macOS and 3.14 start them afresh, where a fork is not safe to rely on)."""
    return sys.platform.startswith("linux") and sys.version_info < (3, 14) and hasattr(os, "fork")


def jobs_for(options: Options, count: int) -> int:
    """How many processes check `count` files: one unless the run may fork (the command
    line), the platform forks by default, no other thread runs, and sharing pays."""
    if not options.fork or count < 2:
        return 1
    wanted = options.jobs if options.jobs is not None else (os.cpu_count() or 1)
    if wanted < 2 or (options.jobs is None and count < SHARE_FROM):
        return 1
    if not fork_is_default() or threading.active_count() > 1:
        # A forked child would inherit locks the other threads hold, and could hang.
        return 1
    return min(wanted, 8)


def spans(start: int, stop: int, jobs: int, most: int = MAX_SPANS) -> list[tuple[int, int]]:
    """[start, stop) cut into at most `most` spans that grow smaller toward the end, so
    that the processes finish together: the last span taken is short."""
    least = max(_STEP, -(-(stop - start) // most))
    out = []
    while start < stop:
        size = max(least, min(_SPAN, (stop - start) // (jobs * 8)))
        out.append((start, min(start + size, stop)))
        start += size
    return out


def mapped(
    work: Callable[[int, int], list[_R]],
    count: int,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> list[_R]:
    """`work(start, stop)` over [0, count) in `jobs` processes, the lists concatenated in
    order: the same list as `work(0, count)` when `work` depends on nothing but its span.
    `progress` hears how many of the `count` are done, as spans end."""
    if jobs < 2:
        return work(0, count)
    cut = spans(0, count, jobs)
    done: dict[int, list[_R]] = {}
    finished = 0

    def keep(k: int, results: list[_R]) -> None:
        nonlocal finished
        done[k] = results
        finished += cut[k][1] - cut[k][0]
        if progress is not None:
            progress(finished)

    share_out(len(cut), jobs, lambda k: keep(k, work(*cut[k])), lambda k: work(*cut[k]), keep)
    return [item for k in range(len(cut)) for item in done[k]]


def share_out(
    count: int,
    jobs: int,
    here: Callable[[int], None],
    there: Callable[[int], Any],
    back: Callable[[int, Any], None],
) -> None:
    """Do spans 0 to count-1: `here(k)` in this process, or `there(k)` in a forked one,
    whose (picklable) result comes back as `back(k, result)`. Returns when every span is
    done here or given back."""
    if count > MAX_SPANS:
        raise ValueError(f"at most {MAX_SPANS} spans, not {count}")
    tickets, writer = os.pipe()
    os.set_blocking(writer, False)
    with contextlib.suppress(BlockingIOError):  # a pipe under a page: all done here, last
        os.write(writer, b"".join(_TICKET.pack(k) for k in range(count)))
    os.close(writer)  # once empty, the pipe reads as its end: no process waits on it
    parent = os.getpid()
    children: dict[int, bytearray] = {}  # a forked process's pipe, and what it sent so far
    pids: list[int] = []
    owners: dict[int, int] = {}  # pipe -> the process that writes it
    given: set[int] = set()
    # What exists now is set aside from the collector while files are shared, so that no
    # collection in a forked process touches (and so copies) its pages. Afterwards it is
    # given back, unless something else had frozen objects too: unfreezing is all or none.
    thawed = gc.get_freeze_count() == 0
    gc.freeze()
    _flush()  # a forked copy of a buffer not yet written would be written twice
    try:
        for _ in range(min(jobs, count) - 1):
            try:
                reader, writer = os.pipe()
            except OSError:  # no file numbers to spare: the processes started do it all
                break
            try:
                pid = _fork()
            except Exception:  # no process to spare (a limit, memory), or not safe: the same
                os.close(reader)
                os.close(writer)
                break
            if pid == 0:
                os.close(reader)
                for other in children:
                    os.close(other)
                _forked(tickets, writer, there, parent)
            os.close(writer)
            children[reader] = bytearray()
            pids.append(pid)
            owners[reader] = pid
        for k in _taken(tickets):
            here(k)
            given.add(k)
            _collect(children, back, given, wait=False)
        while children:
            if not _collect(children, back, given, wait=True):
                _drop_ended(children, owners)
    finally:
        if thawed:
            gc.unfreeze()
        os.close(tickets)
        for reader in children:  # left only when this process was interrupted
            os.close(reader)
        for pid in pids:
            _end(pid, stop=bool(children))
    for k in range(count):
        if k not in given:  # taken by a process that ended before sending it back
            here(k)


def _forked(tickets: int, writer: int, there: Callable[[int], Any], parent: int) -> NoReturn:
    """The life of a forked process: spans until the tickets run out, or until the process
    that forked it is gone (no one would read the results), then `os._exit`, with what it
    printed (a plugin may print) written out first."""
    code = 1
    try:
        for k in _taken(tickets):
            if os.getppid() != parent:
                break
            data = pickle.dumps((k, there(k)), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(writer, _LENGTH.pack(len(data)) + data)
        code = 0
    except BaseException:  # its spans are done by the parent instead
        pass
    finally:
        _flush()
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # closed, detached or gone: nothing to keep
            stream.flush()


def _taken(tickets: int) -> Any:
    while len(ticket := os.read(tickets, _TICKET.size)) == _TICKET.size:
        yield _TICKET.unpack(ticket)[0]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _collect(
    children: dict[int, bytearray], back: Callable[[int, Any], None], given: set[int], wait: bool
) -> bool:
    """Take in what the forked processes sent; with `wait`, wait until one sends something
    or ends. A process ends its pipe when it exits; what it sent only in part is dropped."""
    poll = select.poll()  # not select.select: a host may hold file numbers past 1024
    for reader in children:
        poll.register(reader, select.POLLIN)
    ready = poll.poll(_POLL_MS if wait else 0)
    for reader, _ in ready:
        chunk = os.read(reader, 1 << 20)
        if not chunk:
            os.close(reader)
            del children[reader]
            continue
        buffer = children[reader]
        buffer += chunk
        while len(buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer)
            end = _LENGTH.size + length
            if len(buffer) < end:
                break
            k, result = pickle.loads(buffer[_LENGTH.size : end])
            del buffer[:end]
            back(k, result)
            given.add(k)
    return bool(ready)


def _fork() -> int:
    """`os.fork`, refused (raised) where the platform warns that it is unsafe: threads it
    sees that Python does not (3.12 and later warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return os.fork()


def _drop_ended(children: dict[int, bytearray], owners: dict[int, int]) -> None:
    """Stop waiting on the pipe of a process that has ended: something it started may
    still hold the pipe open, and its spans are redone here."""
    for reader in list(children):
        try:
            ended, _ = os.waitpid(owners[reader], os.WNOHANG)
        except ChildProcessError:
            ended = owners[reader]
        if ended:
            os.close(reader)
            del children[reader]


def _end(pid: int, stop: bool) -> None:
    """Wait for a forked process to end; with `stop`, end it first."""
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        if stop:
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
