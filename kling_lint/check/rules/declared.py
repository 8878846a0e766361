"""Rules written as data: the register's declared rules and the policies' rules.

Declared rules are cross-field conditions; the schema generator turns them into `if`/`then`
and friends, so the schema reports them. Policy rules are team choices about values
(allowed sets, ceilings, notes) that stay out of the contract schema, so they run here.
"""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.check.rules._base import Context, Finding, Rule, RuleDoc, value_text
from kling_lint.check.values import is_present, values_at
from kling_lint.diagnostics import Severity
from kling_lint.register.model import DeclaredRule, PolicyRule

_POLICY = (
    "A policy rule, not a schema constraint: it is a team's choice, not the API's contract, so "
    "it stays out of the generated schemas and applies only where the policy is enabled."
)


def _doc(raw: RuleDoc | None, fallback: str) -> RuleDoc:
    return raw if raw is not None else RuleDoc(fallback, fallback, "{}", fallback)


def declared_rules(rules: list[DeclaredRule]) -> list[Rule]:
    """One Rule per code; a rule written on several endpoints applies to all of them.

    Declared rules are conditions of the generated schemas, which report them; the Rule
    carries their metadata, severity and documentation.
    """
    by_code: dict[str, list[DeclaredRule]] = {}
    for rule in rules:
        by_code.setdefault(rule.code, []).append(rule)
    out = []
    for code, group in sorted(by_code.items()):
        first = group[0]
        out.append(
            Rule(
                code,
                first.name,
                Severity.parse(first.severity),
                _doc(first.doc, first.message or first.name),
                endpoints=tuple(sorted({r.endpoint for r in group})),
                origin="register",
            )
        )
    return out


def _policy_check(rule: PolicyRule, ctx: Context) -> Iterator[Finding]:
    endpoint = ctx.endpoint
    for path, allowed in rule.allow_values.items():
        matches = values_at(ctx.payload, path)
        field = endpoint.fields.get(path)
        if not matches and field is not None and field.has_default:
            if field.default not in allowed:
                message = f"{rule.message}: {path} defaults to {value_text(field.default)}"
                yield Finding((), message, path)
            continue
        for parts, value in matches:
            if value not in allowed:
                yield Finding(
                    parts, f"{rule.message} (found {value_text(value)})", path, (), value, True
                )
    for path, ceiling in rule.max_number.items():
        for parts, value in values_at(ctx.payload, path):
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                continue
            if number > ceiling:
                yield Finding(parts, f"{rule.message} (found {value_text(value)})", path)
    for path in rule.note_when_present:
        for parts, _ in [m for m in values_at(ctx.payload, path) if is_present(m[1])][:1]:
            yield Finding(parts, rule.message or rule.name, path)


def policy_rules(rules: list[PolicyRule]) -> list[Rule]:
    out = []
    for rule in rules:

        def check(ctx: Context, _rule: PolicyRule = rule) -> Iterator[Finding]:
            yield from _policy_check(_rule, ctx)

        out.append(
            Rule(
                rule.code,
                rule.name,
                Severity.parse(rule.severity),
                _doc(rule.doc, rule.message or rule.name)._replace(not_in_schema=_POLICY),
                endpoints=rule.endpoints,
                payload=check,
                origin=f"policy {rule.policy}",
            )
        )
    return out
