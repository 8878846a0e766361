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
        files = blocked = 0
        for f in result.files:  # one pass: a run may hold many thousand payloads
            if f.subject == "payload":
                files += 1
                blocked += bool(f.diagnostics) and f.blocked
        diags = [d for f in result.files if f.diagnostics for d in f.diagnostics]
        live = [d for d in diags if d.counts]
        return cls(
            files=files,
            blocked=blocked,
            errors=sum(1 for d in live if d.severity is Severity.ERROR),
            warnings=sum(1 for d in live if d.severity is Severity.WARNING),
            infos=sum(1 for d in live if d.severity is Severity.INFO),
            suppressed=len(diags) - len(live),
        )
