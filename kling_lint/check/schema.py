"""The structural check: an endpoint's generated JSON Schema, compiled with jsonschema-rs.

A payload the schema accepts costs one `is_valid` call. For one it rejects, each error
becomes a finding through the schema itself: the failing keyword's node and the nodes
above it carry `x-kling-field` (the register field) and `x-kling-rule` (the code of a
status gate, value gate, media form or declared rule); plain keywords (type, enum, limits,
required, additionalProperties) map to their codes by `KEYWORD_CODES`. The validator's
own message is never shown: the wording comes from the register (`check.wording`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.check import wording
from kling_lint.check.rules._base import Finding, value_text
from kling_lint.check.values import as_sent, foreign_at, is_present, value_at, values_at
from kling_lint.register.forms import form_of
from kling_lint.register.model import DeclaredRule, Endpoint, Field, child_path

Parts = tuple[str | int, ...]
Schema = dict[str, Any]
Coded = tuple[str, Finding]

KEYWORD_CODES = {
    "additionalProperties": "KL106",
    "enum": "KL107",
    "type": "KL201",
    "minimum": "KL202",
    "maximum": "KL202",
    "minLength": "KL203",
    "maxLength": "KL203",
    "minItems": "KL204",
    "maxItems": "KL204",
    "required": "KL205",
    "pattern": "KL206",
}
#: Schema errors explained per payload; past this the payload is blocked with one more
#: finding, so that a list of a million bad items costs no more than a thousand.
MAX_ERRORS = 1000
#: A code that no tag and no keyword explains: the schema rejected the payload for a reason
#: this table does not name. It still blocks (fail closed); a test keeps it unreachable.
UNMAPPED = "KL200"
# A blocked field is one root cause: nothing at or under it is reported again.
_FIELD_GATES = frozenset({"KL101", "KL104"})
# At one location, the first finding makes these others restatements of it.
_SHADOWS = {
    "KL201": frozenset({"KL102", "KL103", "KL105", "KL107", "KL202", "KL203", "KL206", "KL414"}),
    "KL102": frozenset({"KL107"}),
    "KL105": frozenset({"KL107"}),
    "KL203": frozenset({"KL414", "KL206"}),
    "KL103": frozenset({"KL206", "KL414"}),
    "KL414": frozenset({"KL206"}),
}


# A bound on the routes kept, in case a validator ever put instance data in a path.
_MAX_ROUTES = 4096


class _Route(NamedTuple):
    node: Any
    field_path: str
    code: str | None
    at: list[str] | None
    keyword: Any


class SchemaCheck:
    """One endpoint's schema, compiled once; `findings` is safe to call from any thread."""

    def __init__(self, endpoint: Endpoint, schema: Schema) -> None:
        from kling_lint.validator_lib import jsonschema_rs

        self.endpoint = endpoint
        self.schema = schema
        self._validator = jsonschema_rs().Draft202012Validator(schema)
        self._declared = {r.code: r for r in endpoint.rules}
        self._suggestible: dict[int, tuple[str, ...]] = {}
        self._routes: dict[tuple[Any, ...], _Route] = {}
        model = endpoint.fields.get("model_name")
        self._default_model = model.default if model is not None else None

    def findings(self, payload: Any) -> list[Coded]:
        """The payload's structural and status findings, one per root cause."""
        try:
            return self._findings(payload)
        except (ValueError, RecursionError):
            pass
        # Library callers can hand over what the validator does not take (str subclasses,
        # cycles, sets, integers past Python's digit limit): check what a JSON client would
        # send, and block what no client can send at all.
        sent = as_sent(payload)
        if sent is not None:
            try:
                return self._findings(sent)
            except (ValueError, RecursionError):
                pass
        message = "not a JSON value: a client cannot send this payload as JSON"
        return [("KL003", Finding(foreign_at(payload), message))]

    def _findings(self, payload: Any) -> list[Coded]:
        if self._validator.is_valid(payload):
            return []
        found: list[Coded] = []
        for count, error in enumerate(self._validator.iter_errors(payload)):
            if count == MAX_ERRORS:
                # The verdict is already made; the rest would only cost time and memory.
                message = f"more than {MAX_ERRORS} schema errors; the rest are not listed"
                found.append((UNMAPPED, Finding((), message)))
                break
            found.extend(self._explain(error, payload))
        return _root_causes(found)

    # -- one validator error -> findings -------------------------------------------------

    def _route(self, schema_path: list[Any]) -> _Route:
        """What the schema says where an error arose: the node above the failing keyword,
        the innermost field, rule and `x-kling-at` on the way, and the keyword. Kept per
        path (a schema has finitely many), as the same errors recur payload after payload."""
        key = tuple(schema_path)
        route = self._routes.get(key)
        if route is not None:
            return route
        node: Any = self.schema
        field_path, code, at = "", None, None
        for step in key[:-1]:
            node = node[step]
            if isinstance(node, dict):
                field_path = node.get("x-kling-field", field_path)
                code = node.get("x-kling-rule", code)
                at = node.get("x-kling-at", at)
        route = _Route(node, field_path, code, at, key[-1] if key else "")
        if len(self._routes) < _MAX_ROUTES:
            self._routes[key] = route
        return route

    def _explain(self, error: Any, payload: Any) -> Iterator[Coded]:
        node, field_path, code, at, keyword = self._route(error.schema_path)
        parts: Parts = tuple(error.instance_path)
        # The payload's own value: the validator's copy turns NaN into null.
        value = value_at(payload, parts)
        missing = getattr(error.kind, "property", None) if keyword == "required" else None
        if isinstance(value, float) and not math.isfinite(value):
            # NaN and Infinity are not JSON: that is the finding, not their type.
            where = jp.register_path(parts) or "payload"
            yield "KL003", Finding(parts, f"{where} is {value!r}, which JSON cannot carry")
            return
        if code in self._declared:
            rule = self._declared[code]
            yield from self._declared_finding(rule, keyword, parts, value, at, payload, missing)
            return
        if code is None:
            code = KEYWORD_CODES.get(str(keyword), UNMAPPED)
        field = self._field(field_path)
        if code in ("KL102", "KL105") and missing is not None and field is not None:
            # The field is left out and its default is blocked (a retired model).
            info = field.value_info(field.default)
            labels = info.status_labels if info is not None else ()
            said = wording.blocked_default(field, code)
            yield code, Finding(parts, said, field.path, labels, field.default, True)
            return
        if code in ("KL211", "KL212"):
            yield from self._variant(code, field_path, parts, value, missing, payload)
        elif code == "KL106":
            yield from self._unknown_fields(node, field_path, parts, value)
        elif code == "KL205":
            yield from self._missing(field_path, parts, value, missing)
        elif code in ("KL207", "KL208"):
            yield from self._model(code, at, parts, value, payload)
        elif field is None:
            yield code, Finding(parts, f"{jp.register_path(parts) or 'payload'}: {error.message}")
        else:
            yield code, self._field_finding(code, field, field_path, parts, value, keyword)

    def _field(self, path: str) -> Field | None:
        return self.endpoint.fields.get(path.removesuffix("[]"))

    def _field_finding(
        self, code: str, field: Field, path: str, parts: Parts, value: Any, keyword: Any
    ) -> Finding:
        labels = field.status_labels
        if code == "KL101":
            return Finding(parts, wording.rejected_field(field), field.path, labels)
        if code == "KL104":
            return Finding(parts, wording.hypothesis_field(field), field.path, labels)
        info = field.value_info(value)
        value_labels = info.status_labels if info is not None else ()
        if code == "KL102":
            return Finding(
                parts, wording.rejected_value(field, value), field.path, value_labels, value, True
            )
        if code == "KL105":
            return Finding(
                parts, wording.hypothesis_value(field, value), field.path, value_labels, value, True
            )
        if code == "KL107":
            return Finding(parts, wording.unknown_value(field, value), field.path, (), value, True)
        if code == "KL103":
            form = form_of(value)
            form_labels = field.forms[form].status_labels if form in field.forms else ()
            message = (
                wording.rejected_form(field, form)
                if form in field.forms
                else wording.media_value(field, value)
            )
            return Finding(parts, message, field.path, form_labels, form, True)
        if code == "KL414":
            return Finding(parts, wording.media_value(field, value), field.path)
        if code == "KL201":
            if path.endswith("[]"):  # the items of an array of objects
                return Finding(parts, wording.wrong_type(path, ("object",), value), path, labels)
            return Finding(parts, wording.wrong_type(path, field.type, value, field), path, labels)
        if code == "KL202":
            bounds = field.numeric_string if isinstance(value, str) else None
            limits: dict[str, Any] = bounds or {"minimum": field.minimum, "maximum": field.maximum}
            return Finding(parts, wording.out_of_range(field, value, limits), field.path)
        if code == "KL203":
            return Finding(parts, wording.bad_length(field, value), field.path)
        if code == "KL204":
            return Finding(parts, wording.bad_count(field, value), field.path)
        if code == "KL206":
            return Finding(parts, wording.bad_format(field, value), field.path)
        return Finding(parts, f"{field.path}: the schema rejects {value_text(value)} ({keyword})")

    def _unknown_fields(
        self, node: Schema, container: str, parts: Parts, value: Any
    ) -> Iterator[Coded]:
        if not isinstance(value, dict):
            return
        known = node.get("properties", {})
        is_array = container.endswith("[]")
        base = container.removesuffix("[]")
        names = self._suggestible.get(id(node))
        if names is None:  # per schema node, which lives as long as this check
            names = self._suggestible.setdefault(id(node), tuple(suggestible(node)))
        for key in sorted(k for k in value if k not in known):
            path = child_path(base, key, is_array)
            dropped = self.endpoint.dropped.get(path)
            if dropped is not None:
                message = wording.dropped_field(self.endpoint.id, path, *dropped)
                yield "KL112", Finding((*parts, key), message, path, ())
                continue
            use = self.endpoint.misnomers.get(path)
            message = wording.unknown_field(self.endpoint.id, key, path, names, use)
            yield "KL106", Finding((*parts, key), message, path, ())

    def _missing(
        self, container: str, parts: Parts, value: Any, name: str | None
    ) -> Iterator[Coded]:
        if not isinstance(value, dict) or name is None:
            return
        is_array = container.endswith("[]")
        base = container.removesuffix("[]")
        # A known-wrong name sent in place of its replacement is reported once, as itself.
        replaced = set()
        for key in value:
            sent = self.endpoint.fields.get(child_path(base, key, is_array))
            if sent is not None and sent.replaced_by:
                replaced.add(sent.replaced_by)
        path = child_path(base, name, is_array)
        if path not in replaced:
            info = self.endpoint.fields.get(path)
            labels = info.status_labels if info is not None else ()
            yield "KL205", Finding(parts, f"{path} is required", path, labels)

    def _variant(
        self, code: str, field_path: str, parts: Parts, value: Any, missing: Any, payload: Any
    ) -> Iterator[Coded]:
        """A typed item without a member its type needs (KL211), or with one its type does
        not take (KL212)."""
        base = field_path.removesuffix("[]")
        if code == "KL211":
            item, member = value, missing
        else:
            item, member = value_at(payload, parts[:-1]), parts[-1] if parts else None
        field = self._field(base)
        variants = field.variants if field is not None else None
        if variants is None or not isinstance(item, dict) or not isinstance(member, str):
            # The schema refused the item; whatever the reason, it is said (fail closed).
            where = jp.register_path(parts) or "payload"
            yield code, Finding(parts, f"{where}: the item's members do not fit its type", base)
            return
        kind = item.get(variants.by)
        path = child_path(base, member, True)
        index = parts[-1] if code == "KL211" else parts[-2] if len(parts) > 1 else "?"
        where = f"{base}[{index}] (type {kind})"
        if code == "KL211":
            yield code, Finding(parts, f"{where} needs {member}", path, ())
        else:
            allowed = ", ".join(variants.allowed(str(kind))) or "no other member"
            yield code, Finding(parts, f"{where} takes no {member}; it takes {allowed}", path, ())

    def _model(
        self, code: str, at: list[str] | None, parts: Parts, value: Any, payload: Any
    ) -> Iterator[Coded]:
        sent = payload.get("model_name", self._default_model) if isinstance(payload, dict) else None
        model = sent if isinstance(sent, str) else str(self._default_model)
        if code == "KL207":
            for path in at or ():
                gated = self.endpoint.fields[path]
                for where, _ in values_at(payload, path):
                    message = wording.field_not_for_model(gated, model)
                    yield code, Finding(where, message, path, gated.status_labels)
            return
        path = jp.register_path(parts)
        field = self.endpoint.fields.get(path)
        if field is None:  # model gates sit on top-level fields; this is only a safeguard
            yield code, Finding(parts, f"{path}: not supported by {model}")
            return
        info = field.value_info(value)
        labels = info.status_labels if info is not None else ()
        message = wording.value_not_for_model(field, value, model)
        yield code, Finding(parts, message, path, labels, value, True)

    def _declared_finding(
        self,
        rule: DeclaredRule,
        keyword: Any,
        parts: Parts,
        value: Any,
        at: list[str] | None,
        payload: Any,
        missing: str | None,
    ) -> Iterator[Coded]:
        base = rule.message or rule.name
        labels = rule.status_labels
        if at:
            here = value_at(payload, parts)
            for sent in at:
                for where, _ in (m for m in values_at(here, sent) if is_present(m[1])):
                    yield (
                        rule.code,
                        Finding((*parts, *where), f"{base}: remove {sent}", sent, labels),
                    )
                    return
        if keyword == "required":
            needed = jp.register_path((*parts, missing or ""))
            yield rule.code, Finding(parts, f"{base}: {needed} is missing or empty", needed, labels)
            return
        path = jp.register_path(parts) or None
        if keyword == "not" and parts and not is_present(value):
            # `present` failed on a value sent empty: it counts as missing.
            message = f"{base}: {path} is missing or empty"
            yield rule.code, Finding(parts, message, path, labels)
            return
        if keyword == "enum":
            yield rule.code, Finding(parts, f"{base} (found {value_text(value)})", path, labels)
            return
        if keyword == "maxContains" and rule.path is not None and isinstance(value, list):
            member = rule.path.rpartition("[].")[2]
            count = sum(1 for i in value if isinstance(i, dict) and i.get(member) in rule.values)
            yield rule.code, Finding(parts, f"{base} (found {count})", rule.path, labels)
            return
        yield rule.code, Finding(parts, base, path, labels)


def suggestible(node: Schema) -> list[str]:
    """The members of an object node a "did you mean" may name: those no gate blocks, so
    that a suggestion never leads straight into another finding."""
    return sorted(
        name
        for name, sub in node.get("properties", {}).items()
        if not any(g.get("x-kling-rule") in _FIELD_GATES for g in sub.get("allOf", ()))
    )


def _restates(code: str) -> bool:
    """Whether a finding under a blocked field only restates that the field is wrong."""
    return code.startswith("KL2") or code in ("KL102", "KL103", "KL105", "KL106", "KL107")


def _root_causes(found: list[Coded]) -> list[Coded]:
    """One root cause, one finding: drop what a blocked field or a more basic problem at
    the same location already says, and exact repeats."""
    if len(found) < 2:  # nothing to restate, shadow or repeat
        return found
    gates = [f.parts for code, f in found if code in _FIELD_GATES]
    by_place: dict[Parts, set[str]] = {}
    for code, f in found:
        by_place.setdefault(f.parts, set()).add(code)
    out: list[Coded] = []
    seen: set[tuple[str, Parts, str | None]] = set()
    for code, f in found:
        if _restates(code) and any(f.parts[: len(g)] == g for g in gates):
            continue
        here = by_place[f.parts]
        if any(code in _SHADOWS.get(other, ()) for other in here):
            continue
        key = (code, f.parts, f.field_path)
        if key not in seen:
            seen.add(key)
            out.append((code, f))
    return out
