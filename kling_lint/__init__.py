"""kling-lint: check Kling API request payloads against a field-status register.

>>> import kling_lint
>>> payload = {"model_name": "kling-v3-omni", "mode": "standard"}
>>> report = kling_lint.lint(payload, "omni-video.create")
>>> report.blocked
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kling_lint.__about__ import __version__

if TYPE_CHECKING:
    from kling_lint.api import PayloadBlocked, guard, lint
    from kling_lint.check.linter import Linter, Report
    from kling_lint.config import Config, ConfigError, load_config
    from kling_lint.diagnostics import Diagnostic, Severity, Status, Suppression
    from kling_lint.migration import Migration, migrate
    from kling_lint.register import Register, RegisterError, load_register

# The public names load on first use, so that `kling-lint` starts fast (PEP 562).
_EXPORTS = {
    "PayloadBlocked": "kling_lint.api",
    "guard": "kling_lint.api",
    "lint": "kling_lint.api",
    "Config": "kling_lint.config",
    "ConfigError": "kling_lint.config",
    "load_config": "kling_lint.config",
    "Diagnostic": "kling_lint.diagnostics",
    "Severity": "kling_lint.diagnostics",
    "Status": "kling_lint.diagnostics",
    "Suppression": "kling_lint.diagnostics",
    "Linter": "kling_lint.check.linter",
    "Report": "kling_lint.check.linter",
    "Migration": "kling_lint.migration",
    "migrate": "kling_lint.migration",
    "Register": "kling_lint.register",
    "RegisterError": "kling_lint.register",
    "load_register": "kling_lint.register",
}

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "Linter",
    "Migration",
    "PayloadBlocked",
    "Register",
    "RegisterError",
    "Report",
    "Severity",
    "Status",
    "Suppression",
    "__version__",
    "guard",
    "lint",
    "load_config",
    "load_register",
    "migrate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kling_lint' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
