"""Fixes: what the register's data says to send instead (`propose`), made in the file
with its formatting kept (`apply`), pass after pass until none is left (`run_fixes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Fixes are made pass after pass until none is left; a bound, should two ever undo each other.
PASSES = 5


def run_fixes(options: Any, unsafe: bool) -> tuple[list[tuple[str, Any]], Any]:
    """--fix: make the fixes, pass after pass (one can make way for another). What was
    made, and the run of the files as they now are (None if the passes ran out first)."""
    from kling_lint.files import refuse_package_write
    from kling_lint.fix import apply
    from kling_lint.run import execute

    made: list[tuple[str, Any]] = []
    for _ in range(PASSES):
        result = execute(options._replace(fixes=True))
        changes = apply.plan(result.files, unsafe)
        if not changes:
            return made, result  # nothing left to fix: this run is the report
        for change in changes:
            refuse_package_write(Path(change.path), "a fixed payload")
        apply.write(changes)
        made += [(c.path, e) for c in changes for e in c.made]
    return made, None


def planned(options: Any, unsafe: bool) -> list[Any]:
    """--diff: what --fix would change, file by file (nothing is written)."""
    from kling_lint.fix import apply
    from kling_lint.run import execute

    return apply.plan(execute(options._replace(fixes=True)).files, unsafe)
