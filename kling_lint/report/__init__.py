"""Reporters turn a run's results into text; the name map feeds `--format`.

Each module is imported only when its format is chosen, so a run pays for one reporter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from kling_lint.results import RunResult


class Reporter(Protocol):
    # `quiet`: the findings and nothing else (the human formats drop their summary line;
    # the machine formats are the same either way).
    def __call__(
        self, result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
    ) -> None: ...


_MODULES = {
    "text": "text",
    "full": "full",
    "concise": "concise",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}
FORMATS = tuple(_MODULES)


def reporter(name: str) -> Reporter:
    module = importlib.import_module(f"kling_lint.report.{_MODULES[name]}")
    report: Reporter = module.report
    return report
