"""The plugin API: what an outside rule is made of.

An outside rule is written as the built-in ones are: a check that yields `Finding`s for a
`Context`, made a `Rule` by `@rule(code, name, severity, requires=..., ...)` with its
docstring as its documentation (`Rule(...)` itself works too). A package offers a list of
them through the `kling_lint.rules` entry-point group. The built-in rules live in
`kling_lint.check.rules`.
"""

from __future__ import annotations

from kling_lint.check.rules._base import Context, Finding, Rule, RuleDoc, rule
from kling_lint.diagnostics import Severity

__all__ = ["Context", "Finding", "Rule", "RuleDoc", "Severity", "rule"]
