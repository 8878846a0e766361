"""Reporters turn a run's results into text; the name map feeds `--format`."""

from __future__ import annotations

from typing import Protocol, TextIO

from kling_lint.reporters import json_report, text
from kling_lint.run import RunResult


class Reporter(Protocol):
    def __call__(
        self, result: RunResult, stream: TextIO, *, verbose: bool, color: bool
    ) -> None: ...


REPORTERS: dict[str, Reporter] = {
    "text": text.report,
    "json": json_report.report,
}
