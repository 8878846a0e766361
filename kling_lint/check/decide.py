"""What becomes of a finding once a check has found it: one step, in one order.

1. **select** (`select`, `ignore`, `extend-select`): a code the run does not report is
   dropped (`reports`);
2. **per-file ignores**: a code the file's `per-file-ignores` leave out is dropped
   (`ignored_at`);
3. **the allowlist**: a status-gate finding an entry covers is kept, suppressed, with the
   entry as its audit trail (`allowed`);
4. **the baseline** (`kling-lint check --baseline` only): a finding the baseline records
   is kept, suppressed (`kling_lint.run.baseline.apply`, the one step that needs the run's
   file).

What the configuration may not do (switch off or lower a gate, or a rule that always
counts) is refused when the decisions are built (`check.select`), so the steps here can
only drop what may be dropped.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

from kling_lint import pointer as jp
from kling_lint.check import allowlist
from kling_lint.check.rules import Finding, Rule
from kling_lint.check.select import Selection, choose, per_file_ignores, selected
from kling_lint.config import AllowEntry, Config
from kling_lint.config.paths import matches
from kling_lint.diagnostics import Suppression
from kling_lint.register import Register
from kling_lint.results import report_path

_NO_CODES: frozenset[str] = frozenset()


class Decisions:
    """A config's selection, per-file ignores and allowlist, checked against a rule table."""

    def __init__(self, register: Register, config: Config, rules: Mapping[str, Rule]) -> None:
        self.config = config
        self.selection: Selection = choose(
            rules,
            config.select,
            config.ignore,
            config.severity,
            config.where,
            config.extend_select,
        )
        self.per_file = per_file_ignores(rules, config.per_file_ignores, config.where)
        self.allow = tuple(allowlist.checked(register, e) for e in config.allow)
        # Whether a decision can depend on the file's path (callers skip working it out).
        self.per_file_paths = bool(self.per_file) or any(e.paths for e in self.allow)
        self._ignored_at: dict[tuple[int, ...], frozenset[str]] = {}
        self._active: tuple[_dt.date, tuple[AllowEntry, ...]] | None = None

    # 1. select
    def reports(self, code: str) -> bool:
        """Whether the selection reports `code`."""
        return code in self.selection.codes

    # 2. per-file ignores
    def ignored_at(self, path: str | None) -> frozenset[str]:
        """The codes `per-file-ignores` leave out for the file at `path` (relative to the
        config's folder; None: no file, so none)."""
        if not self.per_file or path is None:
            return _NO_CODES
        hits = tuple(i for i, (pattern, _) in enumerate(self.per_file) if matches(path, pattern))
        found = self._ignored_at.get(hits)
        if found is None:
            prefixes = tuple(p for i in hits for p in self.per_file[i][1])
            found = frozenset(c for c in self.selection.codes if selected(c, prefixes, ()))
            self._ignored_at[hits] = found
        return found

    # 3. the allowlist
    def active_allow(self, today: _dt.date) -> tuple[AllowEntry, ...]:
        """The entries that may lift a finding on `today` (not expired, within
        `allow-max-days`), worked out again when the day changes."""
        active = self._active
        if active is None or active[0] != today:
            active = (today, tuple(e for e in self.allow if allowlist.lifts(self.config, e, today)))
            self._active = active
        return active[1]

    def allowed(
        self, endpoint_id: str, finding: Finding, file: str | None, today: _dt.date
    ) -> AllowEntry | None:
        """The entry that lifts this finding of a status gate, if one does."""
        if finding.field_path is None or not self.allow:
            return None
        path = jp.normalise_path(finding.field_path)
        for entry in self.active_allow(today):
            if entry.endpoint != endpoint_id or jp.normalise_path(entry.field) != path:
                continue
            if entry.has_value and not (finding.has_value and entry.value == finding.value):
                continue
            if not allowlist.covers(entry, file):
                continue
            return entry
        return None


def lifted_by(entry: AllowEntry) -> Suppression:
    """The audit trail an allow entry leaves on the finding it lifts."""
    where = None
    if entry.source is not None:
        source = report_path(entry.source)
        where = f"{source}:{entry.line}" if entry.line else source
    return Suppression(
        entry.reason, entry.owner, entry.expires.isoformat() if entry.expires else None, where
    )
