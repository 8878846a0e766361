"""The one place a finding becomes a Diagnostic: code, rule name and severity, stamped once.

Checks yield what is wrong and where; the stamp adds what the rule table and the
configuration say about it. Severity is decided here and nowhere else: a configured
override first, then the free-endpoint relaxation of status gates, then the rule's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kling_lint.diagnostics import Diagnostic, Severity, Suppression

if TYPE_CHECKING:
    from kling_lint.check.rules._base import Rule
    from kling_lint.register.model import Endpoint


class Stamp:
    """Stamps findings for one rule table and one set of severity overrides."""

    def __init__(self, rules: Mapping[str, Rule], overrides: Mapping[str, Severity]) -> None:
        self.rules = rules
        self.overrides = overrides

    def severity(self, rule: Rule, endpoint: Endpoint | None = None) -> Severity:
        if rule.code in self.overrides:
            return self.overrides[rule.code]
        if rule.relaxed_on_free and endpoint is not None and not endpoint.billable:
            return Severity.WARNING
        return rule.severity

    def __call__(
        self,
        code: str,
        message: str,
        *,
        pointer: str = "",
        endpoint: Endpoint | None = None,
        field_path: str | None = None,
        status: tuple[str, ...] = (),
        position: tuple[int, int] | None = None,
        suppressed_by: Suppression | None = None,
    ) -> Diagnostic:
        rule = self.rules[code]
        line, column = position if position else (None, None)
        return Diagnostic(
            rule.code,
            rule.name,
            self.severity(rule, endpoint),
            message,
            pointer,
            field_path,
            status,
            line,
            column,
            suppressed_by,
        )


def closed(code: str, message: str, *, pointer: str = "") -> Diagnostic:
    """A finding that blocks whatever the configuration says: a guard that cannot check
    (KL004, KL007) or a body that is not JSON (KL001) fails closed, as an error."""
    from kling_lint.check.rules import BUILTIN_RULES

    rules = {r.code: r for r in BUILTIN_RULES}
    return Stamp(rules, {code: Severity.ERROR})(code, message, pointer=pointer)
