"""A progress bar for long runs, on a terminal only (never in CI or in a pipe)."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Progress:
    """Called with (done, total); redraws at most ten times a second, on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done >= total:
            self.stream.write("\r" + " " * (width + 30) + "\r")
        self.stream.flush()


def for_terminal(stream: TextIO | None = None) -> Progress | None:
    """A bar when stderr is a terminal and no CI is announced in the environment."""
    target = stream or sys.stderr
    if not target.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    return Progress(target)
