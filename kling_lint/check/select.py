"""`--select` and `--ignore`: which codes a run reports, by prefix (Ruff's reading)."""

from __future__ import annotations

from collections.abc import Iterable


def _matches(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix that selects `code` (0 when none does)."""
    best = 0
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 1)
        elif code.startswith(prefix):
            best = max(best, len(prefix) + 1)
    return best


def selected(code: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> bool:
    """Ruff's rule: the longer matching prefix wins; a tie goes to ignore."""
    chosen = _matches(code, select) if select is not None else 1
    dropped = _matches(code, ignore)
    return chosen > 0 and chosen > dropped
