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
from collections.abc import Callable
from typing import Any, NoReturn

# Tickets fill one pipe before anyone reads it: this many four-byte tickets fill one page,
# which every pipe holds. (Tickets that did not fit would be done here at the end.)
MAX_SPANS = 1024
_TICKET = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")


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
                pid = os.fork()
            except OSError:  # no process to spare (a limit, memory): the same
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
        for k in _taken(tickets):
            here(k)
            given.add(k)
            _collect(children, back, given, wait=False)
        while children:
            _collect(children, back, given, wait=True)
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
) -> None:
    """Take in what the forked processes sent; with `wait`, wait until one sends something
    or ends. A process ends its pipe when it exits; what it sent only in part is dropped."""
    poll = select.poll()  # not select.select: a host may hold file numbers past 1024
    for reader in children:
        poll.register(reader, select.POLLIN)
    for reader, _ in poll.poll(None if wait else 0):
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


def _end(pid: int, stop: bool) -> None:
    """Wait for a forked process to end; with `stop`, end it first."""
    with contextlib.suppress(ProcessLookupError, ChildProcessError):
        if stop:
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
