"""Generating one JSON Schema (draft 2020-12) per endpoint from the register."""

from __future__ import annotations

import json
from typing import Any

from kling_lint.register.forms import FORM_PATTERNS, MEDIA_FORMS
from kling_lint.register.hover import describe, markdown
from kling_lint.register.model import DeclaredRule, Endpoint, Field, numeric_range
from kling_lint.register.wording import status_text

DIALECT = "https://json-schema.org/draft/2020-12/schema"
EMPTY: list[Any] = [None, "", [], {}]
# Register limits and the schema keywords that state them (numeric_string is a tagged
# pattern, see _numeric_text).
_KEYWORD = {
    "minimum": "minimum",
    "maximum": "maximum",
    "min_length": "minLength",
    "max_length": "maxLength",
    "min_items": "minItems",
    "max_items": "maxItems",
    "pattern": "pattern",
}
Schema = dict[str, Any]


def schema_id(endpoint_id: str) -> str:
    return f"urn:kling-lint:schema:{endpoint_id}"


def file_name(endpoint_id: str) -> str:
    return f"{endpoint_id}.schema.json"


def _tagged(code: str, body: Schema, at: str | list[str] | None = None) -> Schema:
    """A constraint that names its rule (and, when the failing value is not where the schema
    applies, the register paths to point at)."""
    out: Schema = {"x-kling-rule": code, **body}
    if at is not None:
        out["x-kling-at"] = [at] if isinstance(at, str) else at
    return out


def _value_gates(f: Field) -> list[Schema]:
    gates = []
    for code, blocked, why in (
        ("KL102", [v for v in f.values.values() if v.rejected], "live-rejected"),
        ("KL105", [v for v in f.values.values() if v.hypothesis], "hypothesis-only"),
    ):
        if blocked:
            # What an editor says when the gate fails (VS Code's `errorMessage`), instead of
            # "matches a schema that is not allowed".
            said = "; ".join(_value_and_use(v.value, v.replaced_by) for v in blocked)
            message = f"{f.path}: {why} value: {said}"
            gates.append(
                _tagged(
                    code, {"not": {"enum": [v.value for v in blocked]}, "errorMessage": message}
                )
            )
    return gates


def _value_and_use(value: Any, use: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if use is None else f"{shown} (use {json.dumps(use, ensure_ascii=False)})"


def blocked_message(f: Field) -> str:
    """Why a blocked field is refused, for editors (`errorMessage`, `deprecationMessage`)."""
    status = status_text(f)
    if f.replaced_by:
        return f"{f.path} is {status}: use {f.replaced_by}"
    if f.rejected:
        return f"{f.path} is {status}: the API rejected it in live runs"
    return f"{f.path} is {status}: no document or live run supports it; blocked unless allowlisted"


def enum_descriptions(f: Field) -> list[tuple[str, str]]:
    """(plain, Markdown) per enum value: its status, what it does, what replaces it."""
    out = []
    for value in f.known_values or ():
        info = f.value_info(value)
        status = status_text(info or f)
        meaning = f": {info.meaning}" if info is not None and info.meaning else ""
        if info is not None and info.retires is not None:
            meaning += f"; retires {info.retires.isoformat()}"
        use = info.replaced_by if info is not None else None
        plain = f"{status}{meaning}" + (f"; use {json.dumps(use)}" if use is not None else "")
        rich = f"**{status}**{meaning}" + (f"; use `{json.dumps(use)}`" if use is not None else "")
        out.append((plain, rich))
    return out


def _numeric_text(f: Field, bounds: dict[str, float]) -> Schema:
    """A whole-number string within bounds, as a pattern listing the numbers (they are few).

    When the field has a pattern of its own, text that is not a number is that pattern's
    finding (KL206); without one, it fails the range too.
    """
    numbers = numeric_range(bounds)
    if numbers is None:  # `registry validate` reports it; a register in use has passed
        raise ValueError(f"{f.path}: numeric_string bounds cannot be listed")
    choices = "|".join(map(str, numbers))
    in_range: Schema = {"pattern": f"^0*(?:{choices})$"}
    if f.pattern:
        return _tagged("KL202", {"anyOf": [{"not": {"pattern": "^[0-9]+$"}}, in_range]})
    return _tagged("KL202", in_range)


def is_media(f: Field) -> bool:
    return bool(f.media or f.forms) and "string" in f.type


def _form_gates(f: Field) -> list[Schema]:
    gates = [
        _tagged(
            "KL414",
            {
                "anyOf": [{"pattern": FORM_PATTERNS[m]} for m in MEDIA_FORMS],
                "errorMessage": f"{f.path} must be an http(s) URL or raw Base64",
            },
        )
    ]
    for form, info in sorted(f.forms.items()):
        if info.rejected and form in FORM_PATTERNS:
            use = f": use {info.replaced_by}" if info.replaced_by else ""
            message = f"{f.path} written as {form} is {status_text(info)}{use}"
            gates.append(
                _tagged("KL103", {"not": {"pattern": FORM_PATTERNS[form]}, "errorMessage": message})
            )
    return gates


def _field_schema(f: Field, children: dict[str, Schema], required: list[str]) -> Schema:
    s: Schema = {
        "description": describe(f),
        "markdownDescription": markdown(f),
        "x-kling-field": f.path,
        "x-kling-status": list(f.status_labels),
    }
    s["type"] = list(f.type) if len(f.type) > 1 else f.type[0]
    if f.rejected:
        s["deprecated"] = True
    if f.blocked:
        message = blocked_message(f)
        s["deprecationMessage"] = message
        tagged = _tagged("KL101" if f.rejected else "KL104", {"not": {}, "errorMessage": message})
        s["allOf"] = [tagged]
        return s
    if f.has_default:
        s["default"] = f.default
    if f.enum is not None:
        s["enum"] = list(f.known_values or ())
        described = enum_descriptions(f)
        s["enumDescriptions"] = [plain for plain, _ in described]
        s["markdownEnumDescriptions"] = [rich for _, rich in described]
    for name, value in f.limits().items():
        if name in _KEYWORD:
            s[_KEYWORD[name]] = value
    gates = _value_gates(f)
    if f.numeric_string:
        gates.append(_numeric_text(f, f.numeric_string))
    if is_media(f):
        gates += _form_gates(f)
    if gates:
        s["allOf"] = gates
    if f.children:
        body: Schema = {"type": "object", "properties": children, "additionalProperties": False}
        if required:
            body["required"] = required
        if f.is_array:
            if f.variants is not None:
                body["allOf"] = _variant_schemas(f)
            s["items"] = {"x-kling-field": f.path + "[]", **body}
        else:
            s.update({k: v for k, v in body.items() if k != "type"})
    return s


def _variant_schemas(f: Field) -> list[Schema]:
    """Per item type, the members it must have (KL211) and those it may not (KL212)."""
    variants = f.variants
    assert variants is not None
    out = []
    for kind in variants.required:
        allowed = {variants.by, *variants.allowed(kind)}
        then: Schema = {"x-kling-rule": "KL211"}
        if variants.required[kind]:
            then["required"] = list(variants.required[kind])
        refused = [m for m in f.children if m not in allowed]
        if refused:
            then["properties"] = {m: {"x-kling-rule": "KL212", "not": {}} for m in refused}
        case = {"properties": {variants.by: {"const": kind}}, "required": [variants.by]}
        out.append(_tagged("KL211", {"if": case, "then": then}))
    return out


def _object_for(endpoint: Endpoint, container: str) -> tuple[Schema, list[str]]:
    props: Schema = {}
    required: list[str] = []
    prefix = (
        container
        + (
            "[]."
            if endpoint.fields.get(container, None) and endpoint.fields[container].is_array
            else "."
        )
        if container
        else ""
    )
    for path, f in endpoint.fields.items():
        if not path.startswith(prefix) or "." in path[len(prefix) :] or path == container:
            continue
        name = path[len(prefix) :]
        kids, kid_required = _object_for(endpoint, path) if f.children else ({}, [])
        props[name] = _field_schema(f, kids, kid_required)
        if f.required == "always" and not f.blocked:
            required.append(name)
    return props, sorted(required)


def _at(path: str, leaf: Schema, *, contains: bool = True, need: bool = True) -> Schema:
    """A schema that applies `leaf` to the value at a register path: to some array item
    (`contains`) or to each (`contains=False`); `need=False` lets the path be absent."""
    segments = path.split(".")
    head, rest = segments[0], ".".join(segments[1:])
    is_array = head.endswith("[]")
    name = head[:-2] if is_array else head
    inner = _at(rest, leaf, contains=contains, need=need) if rest else leaf
    if is_array:
        inner = {"contains": inner} if contains else {"items": inner}
    out: Schema = {"properties": {name: inner}}
    if need:
        out["required"] = [name]
    return out


def _present(path: str) -> Schema:
    """Sent with content: null, "", [] and {} count as absent."""
    return _at(path, {"not": {"enum": EMPTY}})


def _condition(cond: dict[str, Any]) -> Schema:
    if "all" in cond:
        return {"allOf": [_condition(c) for c in cond["all"]]}
    if "any" in cond:
        return {"anyOf": [_condition(c) for c in cond["any"]]}
    if "not" in cond:
        return {"not": _condition(cond["not"])}
    path = cond["path"]
    if "present" in cond:
        return _present(path) if cond["present"] else {"not": _present(path)}
    if "is" in cond or "has" in cond:
        return _at(path, {"const": cond.get("is", cond.get("has"))})
    if "is_not" in cond:
        return {"not": _at(path, {"const": cond["is_not"]})}
    return _at(path, {"enum": cond["in"]})


def _then(rule: DeclaredRule) -> list[Schema]:
    then = rule.then or {}
    out: list[Schema] = [_present(p) for p in then.get("required", ())]
    out += [{"not": _present(p), "x-kling-at": [p]} for p in then.get("forbidden", ())]
    if "in" in then:
        out.append(_at(then["path"], {"enum": then["in"]}, contains=False, need=False))
    if "has" in then:
        out.append(_at(then["path"], {"const": then["has"]}))
    return out


def _rule_schema(rule: DeclaredRule) -> Schema | None:
    groups = rule.field_groups

    def any_present(group: tuple[str, ...]) -> Schema:
        return {"anyOf": [_present(p) for p in group]} if len(group) > 1 else _present(group[0])

    body: Schema
    at: list[str] | None = None
    if rule.kind == "when" and rule.condition is not None and rule.then is not None:
        body = {"if": _condition(rule.condition), "then": {"allOf": _then(rule)}}
    elif rule.kind == "excludes":
        pairs = [
            {"not": {"allOf": [any_present(a), any_present(b)]}, "x-kling-at": list(b)}
            for i, a in enumerate(groups)
            for b in groups[i + 1 :]
        ]
        body = {"allOf": pairs}
    elif rule.kind == "one-of":
        body = {"oneOf": [any_present(g) for g in groups]}
        at = [p for g in groups[1:] for p in g]
    elif rule.kind == "any-of":
        body = {"anyOf": [any_present(g) for g in groups]}
    elif rule.kind == "count-at-most" and rule.path is not None:
        body = _count_schema(rule)
    elif rule.kind == "requires":
        first, rest = groups[0], [p for g in groups[1:] for p in g]
        body = {"if": any_present(first), "then": {"allOf": [_present(p) for p in rest]}}
    else:
        return None
    return _tagged(rule.code, body, at)


def _count_schema(rule: DeclaredRule) -> Schema:
    """At most `max` items of a top-level list whose member is one of `in` (when `if`
    holds): `contains` with `maxContains`."""
    assert rule.path is not None
    head, _, member = rule.path.rpartition("[].")
    counted: Schema = {
        "contains": {"properties": {member: {"enum": list(rule.values)}}, "required": [member]},
        "minContains": 0,
        "maxContains": int(rule.maximum or 0),
    }
    body: Schema = {"properties": {head: counted}}
    if rule.condition is not None:
        return {"if": _condition(rule.condition), "then": body}
    return body


def _model_rules(endpoint: Endpoint) -> list[Schema]:
    model = endpoint.fields.get("model_name")
    if model is None:
        return []
    out = []

    def unsupported(models: tuple[str, ...]) -> Schema:
        branches: list[Schema] = [
            {
                "properties": {"model_name": {"not": {"enum": list(models)}}},
                "required": ["model_name"],
            }
        ]
        if model.default not in models:
            branches.append({"not": {"required": ["model_name"]}})
        return {"anyOf": branches} if len(branches) > 1 else branches[0]

    for path, f in endpoint.fields.items():
        if f.models and "." not in path:
            out.append(
                _tagged(
                    "KL207",
                    {"if": unsupported(f.models), "then": {"not": {"required": [path]}}},
                    path,
                )
            )
        for info in f.values.values():
            if info.models and "." not in path and not info.blocked:
                out.append(
                    _tagged(
                        "KL208",
                        {
                            "if": unsupported(info.models),
                            "then": {"properties": {path: {"not": {"const": info.value}}}},
                        },
                    )
                )
    return out


def _blocked_defaults(endpoint: Endpoint) -> list[Schema]:
    """A field left out is sent as its default: where the register blocks that default (a
    retired model), leaving the field out is the blocked value's finding."""
    out = []
    for path, f in endpoint.fields.items():
        info = f.value_info(f.default) if f.has_default and "." not in path else None
        if info is None or not info.blocked or f.blocked:
            continue
        shown = json.dumps(f.default, ensure_ascii=False)
        message = f"{path} is left out, so the service uses its default {shown}, which is blocked"
        code = "KL102" if info.rejected else "KL105"
        out.append(
            _tagged(code, {"required": [path], "x-kling-field": path, "errorMessage": message})
        )
    return out


def endpoint_schema(endpoint: Endpoint) -> Schema:
    props, required = _object_for(endpoint, "")
    schema: Schema = {
        "$schema": DIALECT,
        "$id": schema_id(endpoint.id),
        "title": f"{endpoint.id}: {endpoint.route}",
        "description": f"{endpoint.title}. Status: {status_text(endpoint)}. "
        f"{'Billable' if endpoint.billable else 'Free'} endpoint. "
        "Generated from the kling-lint register.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "x-kling-endpoint": {
            "id": endpoint.id,
            "method": endpoint.method,
            "path": endpoint.path,
            "billable": endpoint.billable,
            "status": list(endpoint.status_labels),
        },
    }
    if required:
        schema["required"] = required
    conditions = [s for s in (_rule_schema(r) for r in endpoint.rules) if s]
    conditions += _model_rules(endpoint) + _blocked_defaults(endpoint)
    if conditions:
        schema["allOf"] = conditions
    return schema
