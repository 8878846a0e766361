"""What `guard` raises: the verdict of a payload that must not be sent."""

from __future__ import annotations

from kling_lint.diagnostics import Diagnostic, Severity


class PayloadBlocked(Exception):
    """Raised by `guard` when a payload would be blocked; carries the diagnostics."""

    def __init__(self, endpoint: str | None, diagnostics: tuple[Diagnostic, ...]) -> None:
        shown = [d for d in diagnostics if d.counts and d.severity >= Severity.ERROR] or list(
            diagnostics
        )
        summary = "; ".join(f"{d.code} {d.pointer or '/'}: {d.message}" for d in shown[:3])
        more = f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""
        super().__init__(f"{endpoint or 'payload'} blocked: {summary}{more}")
        self.endpoint = endpoint
        self.diagnostics = diagnostics
