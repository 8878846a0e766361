"""What a run produces: one result per payload, and the run's results together.

The reporters read these and nothing of the run or the checker, so a format never pulls
the checking machinery into its imports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint.diagnostics import Diagnostic, Severity, blocks

if TYPE_CHECKING:
    from kling_lint.check.rules._base import Rule


def report_path(path: str) -> str:
    """How reports name a file: relative to the working folder when it lies under it (an
    absolute input, a config file found by walking up), as given otherwise. SARIF then
    gives it relative to %SRCROOT%, as a code-scanning upload expects."""
    if not os.path.isabs(path):
        return path
    try:
        here = os.getcwd()
    except OSError:  # the working folder was deleted under the run
        return path
    for candidate in (path, os.path.realpath(path)):
        if candidate.startswith(here.rstrip(os.sep) + os.sep):
            return os.path.relpath(candidate, here)
    return path


class Used(NamedTuple):
    """What checking one payload drew on from the run's settings, carried on its result so
    that files can be checked anywhere and the run still tells what went unused: the
    allow entries that lifted a finding, the config `endpoints` pattern that named it, and
    the baseline entries its findings matched (or, writing one, would record)."""

    config: Any = None  # the config file (a Path) whose settings those are; None: none
    allow: frozenset[int] = frozenset()
    pattern: str | None = None
    baseline: tuple[Any, ...] = ()


NOTHING_USED = Used()


class FileResult(NamedTuple):
    """The outcome for one payload (a file, or one record of a .jsonl file)."""

    path: str
    record: int | None
    endpoint: str | None
    diagnostics: tuple[Diagnostic, ...]
    fail_on: Severity = Severity.ERROR
    # Why this endpoint: "--endpoint", "config endpoints 'glob'", "envelope", "shape".
    endpoint_from: str | None = None
    # Fixes the register's data gives for the findings (fix/propose.py `Edit`s, pointers
    # into the file's JSON), computed only when a run asks for them (--fix, --diff).
    fixes: tuple[Any, ...] = ()
    # What the findings are about: a "payload", or the run's "config" or "baseline" file,
    # which reports list too but do not count as payloads.
    subject: str = "payload"
    # (line, text) of the file's lines that findings point at, when a run asks for them
    # (`--format full` shows them); the reporters read no files.
    source: tuple[tuple[int, str], ...] = ()
    used: Used = NOTHING_USED

    @property
    def blocked(self) -> bool:
        return blocks(self.diagnostics, self.fail_on)

    def fails_on(self, d: Diagnostic) -> bool:
        """Whether this finding alone blocks the payload."""
        return d.counts and d.severity >= self.fail_on


class ConfigUse(NamedTuple):
    """A configuration a run applied: its file (None: the defaults and the command line),
    and the status gates its `select` left out (`selected_by` names that setting)."""

    path: str | None
    gates_off: tuple[str, ...] = ()
    selected_by: str = "--select"
    # `endpoints` patterns that named no file of the run's folder walks, and where they are.
    unmatched: tuple[str, ...] = ()
    endpoints_in: str = "endpoints"

    @property
    def notices(self) -> list[str]:
        """The warnings a report carries about this configuration: status gates its
        selection switched off, endpoint patterns that matched nothing."""
        out = []
        if self.gates_off:
            out.append(
                f"{self.selected_by} switches off the status gates "
                f"{', '.join(self.gates_off)}: payloads with those problems pass unreported"
            )
        out += [
            f"{self.endpoints_in}: the pattern {pattern!r} matched no payload file"
            for pattern in self.unmatched
        ]
        return out


@dataclass
class RunResult:
    files: list[FileResult] = field(default_factory=list)
    register_digest: str = ""
    rules: dict[str, Rule] = field(default_factory=dict)
    configs: list[ConfigUse] = field(default_factory=list)
    # (path, why) of what folder walks did not read.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # How many of those were skipped by their content (a log, a register file), not name.
    by_content: int = 0

    @property
    def notices(self) -> list[str]:
        """Warnings about the run itself, which every format shows."""
        notices = [n for c in self.configs for n in c.notices]
        if self.by_content:
            notices.append(
                f"skipped {self.by_content} file(s) by their content, not their name (exchange "
                "logs, register files, kling-lint's own output); --verbose lists them"
            )
        if not self.files:
            found = f"; skipped {len(self.skipped)} (--verbose lists them)" if self.skipped else ""
            notices.append(f"no payloads found{found}")
        return notices

    @property
    def failed(self) -> bool:
        return any(f.blocked for f in self.files)
