"""The few types every stage shares: severities, statuses and the immutable Diagnostic."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
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


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. Sorts by location, then code, so output order is deterministic."""

    sort_key: tuple[int, int, str, str] = field(init=False, repr=False, compare=True)
    code: str = field(compare=False)
    rule: str = field(compare=False)
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    pointer: str = field(default="", compare=False)
    field_path: str | None = field(default=None, compare=False)
    status: tuple[str, ...] = field(default=(), compare=False)
    line: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)
    suppressed_by: Suppression | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        key = (self.line or 0, self.column or 0, self.pointer, self.code)
        object.__setattr__(self, "sort_key", key)

    def at(self, line: int, column: int) -> Diagnostic:
        """This finding placed at a line and column (what the loader knows of the text).

        A copy made field by field, without `dataclasses.replace` re-running `__init__`:
        every finding of a run is placed this way."""
        placed = object.__new__(Diagnostic)
        state = placed.__dict__
        state.update(self.__dict__)
        state["line"], state["column"] = line, column
        state["sort_key"] = (line or 0, column or 0, self.pointer, self.code)
        return placed

    @classmethod
    def made(
        cls,
        code: str,
        rule: str,
        severity: Severity,
        message: str,
        pointer: str,
        field_path: str | None,
        status: tuple[str, ...],
        line: int | None,
        column: int | None,
        suppressed_by: Suppression | None,
    ) -> Diagnostic:
        """What `Diagnostic(...)` makes, with every field given, at a third of the cost: the
        frozen `__init__` sets its fields one by one through `object.__setattr__`, and
        the stamp makes one per finding."""
        made = object.__new__(cls)
        made.__dict__.update(
            {
                "sort_key": (line or 0, column or 0, pointer, code),
                "code": code,
                "rule": rule,
                "severity": severity,
                "message": message,
                "pointer": pointer,
                "field_path": field_path,
                "status": status,
                "line": line,
                "column": column,
                "suppressed_by": suppressed_by,
            }
        )
        return made

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
