"""A progress bar for long runs, on a terminal only (never in CI or in a pipe)."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


class Progress:
    """Called with (done, total): click's progress bar on `stream`, cleared at the end so
    that the report starts on a clean line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        import click

        if self.bar is None:
            self.bar = click.progressbar(
                length=total, file=self.stream, label="checking", show_pos=True, width=30
            )
        self.bar.update(done - self.bar.pos)
        if done >= total:
            # Not click's own finish, which leaves the bar standing above the report.
            self.stream.write("\r\033[K\033[?25h")
            self.stream.flush()
            self.bar = None


def for_terminal(stream: TextIO | None = None) -> Progress | None:
    """A bar when stderr is a terminal and no CI is announced in the environment."""
    target = stream or sys.stderr
    if not target.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    return Progress(target)
