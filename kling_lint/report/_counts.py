"""Counting findings the same way in every format."""

from __future__ import annotations

from typing import NamedTuple

from kling_lint.diagnostics import Severity
from kling_lint.results import RunResult


class Summary(NamedTuple):
    files: int
    blocked: int
    errors: int
    warnings: int
    infos: int
    suppressed: int

    @classmethod
    def of(cls, result: RunResult) -> Summary:
        diags = [d for f in result.files for d in f.diagnostics]
        live = [d for d in diags if d.counts]
        return cls(
            files=sum(1 for f in result.files if f.subject == "payload"),
            blocked=sum(1 for f in result.files if f.blocked and f.subject == "payload"),
            errors=sum(1 for d in live if d.severity is Severity.ERROR),
            warnings=sum(1 for d in live if d.severity is Severity.WARNING),
            infos=sum(1 for d in live if d.severity is Severity.INFO),
            suppressed=sum(1 for d in diags if d.suppressed),
        )
