"""kling-lint: check Kling API request payloads against a field-status register.

    >>> import kling_lint
    >>> report = kling_lint.lint({"model_name": "kling-v3-omni", "mode": "standard"}, "omni-video.create")
    >>> report.blocked
    True
"""

from __future__ import annotations

from kling_lint.__about__ import __version__
from kling_lint.api import PayloadBlocked, guard, lint
from kling_lint.config import Config, ConfigError, load_config
from kling_lint.diagnostics import Diagnostic, Severity, Status, Suppression
from kling_lint.engine import Linter, Report
from kling_lint.register import Register, RegisterError, load_register

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "Linter",
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
]
