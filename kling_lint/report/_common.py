"""What several reporters share: each finding with its file, in output order."""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.diagnostics import Diagnostic, Severity
from kling_lint.results import FileResult, RunResult


def findings(
    result: RunResult, *, verbose: bool, suppressed: bool = False
) -> Iterator[tuple[FileResult, Diagnostic]]:
    """Findings to show (see `shown`); allowlisted ones only when asked."""
    for file in result.files:
        for d in file.diagnostics:
            if d.suppressed and not suppressed:
                continue
            if shown(file, d, verbose):
                yield file, d


def shown(file: FileResult, d: Diagnostic, verbose: bool) -> bool:
    """Infos only when verbose, unless they fail the run: whatever fails a run is listed."""
    return verbose or d.severity > Severity.INFO or d.suppressed or file.fails_on(d)


def label(file: FileResult) -> str:
    """A payload's name: its path, with the record line for JSONL."""
    return f"{file.path}:{file.record}" if file.record is not None else file.path
