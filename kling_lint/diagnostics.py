"""The few types every stage shares: severities, statuses and the immutable Diagnostic."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple


class Severity(enum.IntEnum):
    """How much a finding matters; the order is the order of `--fail-on`."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _LABELS[self]  # (a lookup: every line of a report asks)

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


_LABELS = {severity: severity.name.lower() for severity in Severity}


class Status(str, enum.Enum):
    """What the register knows about a field, value or value form."""

    DOC_DERIVED = "doc-derived"
    LIVE_CONFIRMED = "live-confirmed"
    LIVE_REJECTED = "live-rejected"
    HYPOTHESIS_ONLY = "hypothesis-only"


class Suppression(NamedTuple):
    """What lifted a finding (an allowlist entry, or a baseline), kept on the finding as an
    audit trail."""

    reason: str
    owner: str | None = None
    expires: str | None = None
    source: str | None = None
    by: str = "allowlist"  # or "baseline"

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires,
            "source": self.source,
        }


class Diagnostic(NamedTuple):
    """One finding. Equal only when every field is (a finding whose severity, message or
    suppression drifts is a different finding); sorts by location, then code and message,
    so output order is deterministic."""

    code: str
    rule: str
    severity: Severity
    message: str
    pointer: str = ""
    field_path: str | None = None
    status: tuple[str, ...] = ()
    line: int | None = None
    column: int | None = None
    suppressed_by: Suppression | None = None

    @property
    def sort_key(self) -> tuple[int, int, str, str, str]:
        return (self.line or 0, self.column or 0, self.pointer, self.code, self.message)

    # Order by place, not field by field: a tuple's own order would compare the code
    # first and a line None with a number.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Diagnostic):
            return NotImplemented
        return self.sort_key >= other.sort_key

    def at(self, line: int, column: int) -> Diagnostic:
        """This finding placed at a line and column (what the loader knows of the text)."""
        return self._replace(line=line, column=column)

    def lifted(self, by: Suppression) -> Diagnostic:
        """This finding, suppressed by an allowlist entry or a baseline."""
        return self._replace(suppressed_by=by)

    @property
    def suppressed(self) -> bool:
        return self.suppressed_by is not None

    @property
    def counts(self) -> bool:
        """Whether the finding counts towards the verdict (suppressed ones do not)."""
        return self.suppressed_by is None

    def as_dict(self) -> dict[str, Any]:
        """The version-1 JSON shape of one diagnostic."""
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "pointer": self.pointer,
            "field": self.field_path,
            "status": list(self.status),
            "line": self.line,
            "column": self.column,
            "suppressed": self.suppressed,
            "suppressed_by": self.suppressed_by.as_dict() if self.suppressed_by else None,
        }


def blocks(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], fail_on: Severity) -> bool:
    """The verdict: whether an unsuppressed finding is at or above the failure threshold.

    The one place it is decided, for a `Report` and a `FileResult` alike."""
    # A loop, not `any` over a generator (at twice the cost): every payload asks.
    for d in diagnostics:  # noqa: SIM110
        if d.suppressed_by is None and d.severity >= fail_on:
            return True
    return False
