"""What a run produces: one result per payload, and the run's results together.

The reporters read these and nothing of the run or the checker, so a format never pulls
the checking machinery into its imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from kling_lint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from kling_lint.check.rules._base import Rule


class FileResult(NamedTuple):
    """The outcome for one payload (a file, or one record of a .jsonl file)."""

    path: str
    record: int | None
    endpoint: str | None
    diagnostics: tuple[Diagnostic, ...]
    fail_on: Severity = Severity.ERROR

    @property
    def blocked(self) -> bool:
        return any(d.counts and d.severity >= self.fail_on for d in self.diagnostics)


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    register_digest: str = ""
    rules: dict[str, Rule] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(f.blocked for f in self.files)
