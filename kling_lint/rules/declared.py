"""The generic engine for cross-field rules written as data in the register."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kling_lint.diagnostics import Severity
from kling_lint.register.model import DeclaredRule, PolicyRule
from kling_lint.rules._base import Context, Finding, Rule, RuleDoc, display

Parts = tuple[str | int, ...]
Match = tuple[Parts, Any]
_MISSING = object()  # what the lookup of an absent top-level field gives


def values_at(document: Any, path: str) -> list[Match]:
    """Every value at a register path (`image_list[].type`), with where it sits."""
    if "." not in path and not path.endswith("[]"):  # the common case: a top-level field
        found_here = isinstance(document, dict) and path in document
        return [((path,), document[path])] if found_here else []
    found: list[Match] = [((), document)]
    for segment in path.split("."):
        is_array = segment.endswith("[]")
        name = segment[:-2] if is_array else segment
        step: list[Match] = []
        for parts, node in found:
            if isinstance(node, dict) and name in node:
                step.append(((*parts, name), node[name]))
        if is_array:
            step = [
                ((*parts, i), item)
                for parts, node in step
                if isinstance(node, list)
                for i, item in enumerate(node)
            ]
        found = step
    return found


def is_present(value: Any) -> bool:
    """Present means sent with content: null, "", [] and {} count as absent."""
    return (
        value is not _MISSING and value is not None and value != "" and value != [] and value != {}
    )


def _present(document: Any, path: str) -> list[Match]:
    return [(p, v) for p, v in values_at(document, path) if is_present(v)]


def holds(document: Any, cond: dict[str, Any]) -> bool:
    """Evaluate a register condition against a payload."""
    if "all" in cond:
        return all(holds(document, c) for c in cond["all"])
    if "any" in cond:
        return any(holds(document, c) for c in cond["any"])
    if "not" in cond:
        return not holds(document, cond["not"])
    matches = values_at(document, cond["path"])
    values = [v for _, v in matches]
    if "present" in cond:
        return any(is_present(v) for v in values) is bool(cond["present"])
    if "is" in cond:
        return any(_same(v, cond["is"]) for v in values)
    if "has" in cond:
        return any(_same(v, cond["has"]) for v in values)
    if "is_not" in cond:
        return not any(_same(v, cond["is_not"]) for v in values)
    if "in" in cond:
        return any(any(_same(v, x) for x in cond["in"]) for v in values)
    return False


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


Predicate = Callable[[Any], bool]


def compile_condition(cond: dict[str, Any]) -> Predicate:
    """A condition as a function, built once: the same answers as `holds`, without
    re-reading the condition for every payload. Top-level paths take a direct lookup."""
    if "all" in cond:
        parts = [compile_condition(c) for c in cond["all"]]
        return lambda doc: all(p(doc) for p in parts)
    if "any" in cond:
        parts = [compile_condition(c) for c in cond["any"]]
        return lambda doc: any(p(doc) for p in parts)
    if "not" in cond:
        inner = compile_condition(cond["not"])
        return lambda doc: not inner(doc)
    path = cond["path"]
    if "." in path or path.endswith("[]"):
        return lambda doc: holds(doc, cond)
    if "present" in cond:
        want = bool(cond["present"])
        return lambda doc: is_present(_top(doc, path)) is want
    if "is" in cond or "has" in cond:
        value = cond.get("is", cond.get("has"))
        return lambda doc: _same(_top(doc, path), value)
    if "is_not" in cond:
        value = cond["is_not"]
        return lambda doc: not _same(_top(doc, path), value)
    if "in" in cond:
        choices = cond["in"]
        return lambda doc: any(_same(_top(doc, path), c) for c in choices)
    return lambda doc: False


def _top(doc: Any, name: str) -> Any:
    return doc.get(name, _MISSING) if isinstance(doc, dict) else _MISSING


def _parent(path: str) -> Parts:
    """Where to point for a missing field: its container if that is a single object."""
    head = path.rsplit(".", 1)[0] if "." in path else ""
    if not head or "[]" in head:
        return ()
    return tuple(head.split("."))


def _check(rule: DeclaredRule, condition: Predicate | None, ctx: Context) -> Iterator[Finding]:
    doc = ctx.payload
    base = rule.message or rule.name
    labels = rule.status_labels
    if rule.kind == "when":
        assert condition is not None
        assert rule.then is not None
        if not condition(doc):
            return
        then = rule.then
        for path in then.get("required", ()):
            if not _present(doc, path):
                yield Finding(_parent(path), f"{base}: {path} is missing or empty", path, labels)
        for path in then.get("forbidden", ()):
            for parts, _ in _present(doc, path):
                yield Finding(parts, f"{base}: remove {path}", path, labels)
        if "in" in then:
            for parts, value in values_at(doc, then["path"]):
                if not any(_same(value, x) for x in then["in"]):
                    yield Finding(parts, f"{base} (found {display(value)})", then["path"], labels)
        elif "has" in then and not holds(doc, {"path": then["path"], "has": then["has"]}):
            yield Finding(_parent(then["path"]), base, then["path"], labels)
        return
    groups = rule.field_groups
    # Per group, where its fields were sent (with content); each group is looked up once.
    sent = [(g, [hit for f in g for hit in _present(doc, f)]) for g in groups]
    present = [(g, hits) for g, hits in sent if hits]
    if rule.kind == "excludes" and len(present) > 1:
        names = " and ".join("/".join(g) for g, _ in present)
        (second, hits) = present[1]
        yield Finding(hits[0][0], f"{base} (sent: {names})", "/".join(second), labels)
    elif rule.kind == "one-of" and len(present) != 1:
        where = present[1][1][0][0] if len(present) > 1 else ()
        yield Finding(where, base, None, labels)
    elif rule.kind == "any-of" and not present:
        yield Finding((), base, None, labels)
    elif rule.kind == "requires" and sent[0][1]:
        for group in groups[1:]:
            for path in group:
                if not _present(doc, path):
                    yield Finding(_parent(path), f"{base}: {path} is missing", path, labels)


def _head(path: str) -> str:
    return path.split(".", 1)[0].removesuffix("[]")


def _needs(cond: dict[str, Any]) -> frozenset[str] | None:
    """Top-level keys of which one must be sent for `cond` to hold (None: it can hold
    with none of them, e.g. `present: false`)."""
    if "all" in cond:
        found = [n for n in (_needs(c) for c in cond["all"]) if n is not None]
        return min(found, key=len) if found else None
    if "any" in cond:
        parts = [_needs(c) for c in cond["any"]]
        return None if any(p is None for p in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
    if "not" in cond or "is_not" in cond or cond.get("present") is False:
        return None
    return frozenset({_head(cond["path"])})


def triggers(rule: DeclaredRule) -> frozenset[str]:
    """Keys of which one must be sent for the rule to find anything; empty means always run."""
    groups = rule.field_groups
    if rule.kind == "excludes":
        return frozenset(_head(p) for g in groups for p in g)
    if rule.kind == "requires":
        return frozenset(_head(p) for p in groups[0])
    if rule.kind != "when" or rule.condition is None or rule.then is None:
        return frozenset()  # one-of and any-of fire when nothing is sent
    needed = _needs(rule.condition)
    if needed is not None:
        return needed
    then = rule.then
    if set(then) == {"forbidden"}:
        return frozenset(_head(p) for p in then["forbidden"])
    if set(then) == {"path", "in"}:
        return frozenset({_head(then["path"])})
    return frozenset()


def _doc(raw: RuleDoc | None, fallback: str) -> RuleDoc:
    return raw if raw is not None else RuleDoc(fallback, fallback, "{}", fallback)


def declared_rules(rules: list[DeclaredRule]) -> list[Rule]:
    """One Rule per code; a rule written on several endpoints applies to all of them."""
    by_code: dict[str, list[DeclaredRule]] = {}
    for rule in rules:
        by_code.setdefault(rule.code, []).append(rule)
    out = []
    for code, group in sorted(by_code.items()):
        first = group[0]
        per_endpoint = {
            r.endpoint: (r, compile_condition(r.condition) if r.condition else None) for r in group
        }

        def check(
            ctx: Context, _rules: dict[str, tuple[DeclaredRule, Predicate | None]] = per_endpoint
        ) -> Iterator[Finding]:
            rule, condition = _rules[ctx.endpoint.id]
            yield from _check(rule, condition, ctx)

        out.append(
            Rule(
                code,
                first.name,
                Severity.parse(first.severity),
                _doc(first.doc, first.message or first.name),
                endpoints=tuple(sorted(per_endpoint)),
                payload=check,
                origin="register",
                # Shared by every endpoint the rule is written on, so only what all agree on.
                triggers=_common(triggers(r) for r in group),
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
                message = f"{rule.message}: {path} defaults to {display(field.default)}"
                yield Finding((), message, path)
            continue
        for parts, value in matches:
            if value not in allowed:
                yield Finding(
                    parts, f"{rule.message} (found {display(value)})", path, (), value, True
                )
    for path, ceiling in rule.max_number.items():
        for parts, value in values_at(ctx.payload, path):
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if number > ceiling:
                yield Finding(parts, f"{rule.message} (found {display(value)})", path)
    for path in rule.note_when_present:
        for parts, _ in _present(ctx.payload, path)[:1]:
            yield Finding(parts, rule.message or rule.name, path)


def _common(sets: Any) -> frozenset[str]:
    found = list(sets)
    if not found or any(not s for s in found):
        return frozenset()
    return frozenset().union(*found)


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
                _doc(rule.doc, rule.message or rule.name),
                endpoints=rule.endpoints,
                payload=check,
                origin=f"policy {rule.policy}",
            )
        )
    return out
