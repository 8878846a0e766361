"""Leaving the process: once the report is written and flushed, exit without teardown.

A one-file check spends about as long tearing the interpreter down (freeing every module,
unloading jsonschema-rs) as it spends checking. When nothing can still run at exit (no
other thread, no `atexit` callback, no tracer or profiler, no interactive prompt), the
process ends with `os._exit` after flushing its streams; otherwise it exits the usual way.
A stream that cannot be flushed is reported, never silently dropped.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

from kling_lint.exit_codes import ERROR


def leave(code: object) -> NoReturn:
    """End the process with `code` (what `SystemExit` carried)."""
    if not isinstance(code, int) or not _nothing_runs_at_exit():
        raise SystemExit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader went away (`| head`): nobody is left to tell
    except (OSError, ValueError, AttributeError) as exc:  # AttributeError: no stdout at all
        _say(f"kling-lint: cannot write the report: {getattr(exc, 'strerror', None) or exc}")
        code = ERROR
    with contextlib.suppress(OSError, ValueError, AttributeError):  # the last channel too
        sys.stderr.flush()
    os._exit(code)


def _nothing_runs_at_exit() -> bool:
    callbacks = getattr(atexit, "_ncallbacks", None)
    return (
        callbacks is not None
        and callbacks() == 0
        and threading.active_count() == 1
        and sys.gettrace() is None
        and sys.getprofile() is None
        and not sys.flags.inspect
    )


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(message, file=sys.stderr)
