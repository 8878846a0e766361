"""Rules written as data: the register's declared rules and the policies' rules.

Declared rules are cross-field conditions; the schema generator turns them into `if`/`then`
and friends, so the schema reports them. Two kinds count across fields, which JSON Schema
cannot: `items-at-most` (the arrays of `fields` hold at most `max` items together) and
`product-at-most` (the product over `groups` of 1 plus the sum of the group's numbers is at
most `max`: outpainting's area bound), so they run here. Policy rules are team choices
about values (allowed sets, ceilings, notes) that stay out of the contract schema, so they
run here too.
"""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.check.rules._base import Context, Finding, Rule, RuleDoc, value_text
from kling_lint.check.values import is_number, is_present, values_at
from kling_lint.diagnostics import Severity
from kling_lint.register.model import DeclaredRule, PolicyRule

_POLICY = (
    "A policy rule, not a schema constraint: it is a team's choice, not the API's contract, so "
    "it stays out of the generated schemas and applies only where the policy is enabled."
)


def _doc(raw: RuleDoc | None, fallback: str) -> RuleDoc:
    return raw if raw is not None else RuleDoc(fallback, fallback, "{}", fallback)


# Declared kinds that are counted here rather than said by the schema.
COUNTED = ("items-at-most", "product-at-most")
_COUNTED_WHY = (
    "JSON Schema bounds one array's length or one number, never a sum or product across "
    "fields, so this declared rule is counted in code."
)


def declared_rules(rules: list[DeclaredRule]) -> list[Rule]:
    """One Rule per code; a rule written on several endpoints applies to all of them.

    Declared rules are conditions of the generated schemas, which report them; the Rule
    carries their metadata, severity and documentation. The counted kinds run as checks.
    """
    by_code: dict[str, list[DeclaredRule]] = {}
    for rule in rules:
        by_code.setdefault(rule.code, []).append(rule)
    out = []
    for code, group in sorted(by_code.items()):
        first = group[0]
        counted = {r.endpoint: r for r in group if r.kind in COUNTED}
        doc = _doc(first.doc, first.message or first.name)
        check = None
        if counted:
            doc = doc._replace(not_in_schema=doc.not_in_schema or _COUNTED_WHY)

            def check(ctx: Context, _by: dict[str, DeclaredRule] = counted) -> Iterator[Finding]:
                found = _by.get(ctx.endpoint.id)
                if found is not None:
                    yield from _counted(found, ctx)

        out.append(
            Rule(
                code,
                first.name,
                Severity.parse(first.severity),
                doc,
                endpoints=tuple(sorted({r.endpoint for r in group})),
                payload=check,
                origin="register",
            )
        )
    return out


def _counted(rule: DeclaredRule, ctx: Context) -> Iterator[Finding]:
    """An items-at-most or product-at-most rule on one payload (values of the wrong type are
    the schema's findings, and count as nothing here)."""
    if not isinstance(ctx.payload, dict) or rule.maximum is None:
        return
    if rule.kind == "items-at-most":
        sizes = [(p, ctx.payload.get(p)) for p in rule.fields]
        total = sum(len(v) for _, v in sizes if isinstance(v, list))
        if total > rule.maximum:
            at = next((p for p, v in reversed(sizes) if isinstance(v, list) and v), rule.fields[0])
            said = " + ".join(rule.fields)
            yield Finding((at,), f"{rule.message or rule.name}: {said} hold {total}", at)
        return
    product = 1.0
    for group in rule.field_groups:
        numbers = [ctx.payload.get(p) for p in group]
        product *= 1.0 + sum(float(n) for n in numbers if is_number(n))
    if product > rule.maximum:
        # At the first number that counts (one does, or the product would be 1).
        sent = [p for g in rule.field_groups for p in g if is_number(ctx.payload.get(p))]
        parts: tuple[str, ...] = (sent[0],) if sent else ()
        yield Finding(
            parts, f"{rule.message or rule.name} (it is {product:.4g})", sent[0] if sent else None
        )


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
