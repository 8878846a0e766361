"""Deprecated: the checker moved to `kling_lint.check.linter`; import `Linter` and `Report`
from `kling_lint` itself."""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = {"Linter", "Report", "selected"}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module 'kling_lint.engine' has no attribute {name!r}")
    warnings.warn(
        "kling_lint.engine is deprecated; import Linter and Report from kling_lint",
        DeprecationWarning,
        stacklevel=2,
    )
    from kling_lint.check import linter

    return getattr(linter, name)
