"""The stages do not know each other: importing one never pulls in another."""

from __future__ import annotations

import subprocess
import sys

import pytest

# module -> packages it must not import (directly or through anything it imports)
BOUNDARIES = {
    "kling_lint.load": ("kling_lint.check", "kling_lint.report", "kling_lint.run", "click"),
    "kling_lint.check.linter": ("kling_lint.load", "kling_lint.report", "kling_lint.run", "click"),
    "kling_lint.report.text": ("kling_lint.check", "kling_lint.load", "kling_lint.run"),
    "kling_lint.report.json_report": ("kling_lint.check", "kling_lint.load", "kling_lint.run"),
    "kling_lint.report.sarif": ("kling_lint.check", "kling_lint.load", "kling_lint.run"),
    "kling_lint.api": ("kling_lint.report", "kling_lint.run", "click"),
}


@pytest.mark.parametrize("module", sorted(BOUNDARIES))
def test_a_stage_imports_no_other(module: str) -> None:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    for banned in BOUNDARIES[module]:
        assert not [m for m in loaded if m == banned or m.startswith(banned + ".")], banned
