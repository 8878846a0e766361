"""Checking a register: against its meta-schema, then for consistency across files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from kling_lint import pointer as jp
from kling_lint._resources import META_SCHEMA_FILE, schemas_dir
from kling_lint.register.errors import RegisterProblem
from kling_lint.register.model import numeric_range
from kling_lint.register.source import RegisterFile

_ACCEPTED = {"doc-derived", "live-confirmed"}
_SOURCE_KIND = {"doc-derived": "doc", "live-confirmed": "live", "live-rejected": "live"}


@cache
def validators() -> dict[str, Draft202012Validator]:
    """The register's file schemas by kind (endpoint, sources, policy), compiled once."""
    meta = json.loads((schemas_dir() / META_SCHEMA_FILE).read_text(encoding="utf-8"))
    out = {}
    for kind in ("endpoint", "sources", "policy"):
        schema = {"$ref": f"#/$defs/{kind}", "$defs": meta["$defs"]}
        out[kind] = Draft202012Validator(schema)
    return out


def _schema_problems(file: RegisterFile) -> Iterator[RegisterProblem]:
    validator = validators()[file.kind]
    errors = list(validator.iter_errors(file.doc.data))
    # One problem per location: the most relevant error there, not the whole cascade.
    by_location: dict[str, list[Any]] = {}
    for error in errors:
        by_location.setdefault(jp.join(error.absolute_path), []).append(error)
    for pointer, group in sorted(by_location.items()):
        error = best_match(group)
        where = pointer or "/"
        yield file.problem(pointer, f"{error.message} (at {where})")


def validate_files(files: list[RegisterFile], reserved_codes: set[str]) -> list[RegisterProblem]:
    """All problems of a parsed register; an empty list means it can be compiled."""
    problems = [p for f in files for p in _schema_problems(f)]
    if problems:
        return sorted(problems)
    checker = _Consistency(files, reserved_codes)
    checker.run()
    return sorted(checker.problems)


class _Consistency:
    def __init__(self, files: list[RegisterFile], reserved_codes: set[str]) -> None:
        self.files = files
        self.problems: list[RegisterProblem] = []
        self.reserved = reserved_codes
        sources = [f for f in files if f.kind == "sources"]
        self.sources: dict[str, Any] = sources[0].doc.data["sources"] if sources else {}
        self.codes: dict[str, tuple[str, str]] = {}
        self.seen_here: set[str] = set()

    def run(self) -> None:
        endpoints: dict[str, RegisterFile] = {}
        for file in self.files:
            if file.kind == "endpoint":
                self._endpoint(file, endpoints)
        for file in self.files:
            if file.kind == "policy":
                self._policy(file, endpoints)

    def _add(self, file: RegisterFile, pointer: str, message: str) -> None:
        self.problems.append(file.problem(pointer, message))

    def _code(self, file: RegisterFile, pointer: str, code: str, name: str) -> None:
        # One rule may be written on several endpoints; a code never names two rules.
        if code in self.reserved:
            self._add(file, pointer, f"rule code {code} is taken by a built-in rule")
        elif code in self.codes and self.codes[code][0] != name:
            where = self.codes[code][1]
            self._add(
                file, pointer, f"rule code {code} already names {self.codes[code][0]} ({where})"
            )
        elif code in self.seen_here:
            self._add(file, pointer, f"rule code {code} appears twice in this file")
        else:
            self.codes.setdefault(code, (name, file.display))
        self.seen_here.add(code)

    def _statused(self, file: RegisterFile, pointer: str, entry: dict[str, Any]) -> None:
        statuses = set(entry.get("status", ()))
        if "hypothesis-only" in statuses and len(statuses) > 1:
            self._add(file, pointer + "/status", "hypothesis-only cannot be combined")
        if {"live-confirmed", "live-rejected"} <= statuses:
            self._add(
                file,
                pointer + "/status",
                "live-confirmed and live-rejected on one entry: split by value or form",
            )
        qualifiers = set(entry.get("qualifiers", ()))
        if ("caution" in qualifiers) != ("caution" in entry):
            self._add(file, pointer, "the caution qualifier and the caution text go together")
        if "methodology" in qualifiers and "live-rejected" not in statuses:
            self._add(file, pointer, "the methodology qualifier qualifies a live-rejected status")
        if "partial" in qualifiers and "live-confirmed" not in statuses:
            self._add(file, pointer, "the partial qualifier qualifies a live-confirmed status")
        cited = set()
        for i, ev in enumerate(entry.get("evidence", ())):
            where = f"{pointer}/evidence/{i}"
            cited.add(ev["status"])
            source = self.sources.get(ev["source"])
            if source is None:
                self._add(file, where + "/source", f"unknown source {ev['source']!r}")
            elif source["kind"] != _SOURCE_KIND[ev["status"]]:
                self._add(
                    file,
                    where + "/source",
                    f"{ev['status']} needs a {_SOURCE_KIND[ev['status']]} source; "
                    f"{ev['source']} is {source['kind']}",
                )
            if ev["status"] not in statuses:
                self._add(
                    file, where + "/status", f"evidence for {ev['status']}, not a status here"
                )
        for status in sorted(statuses - {"hypothesis-only"} - cited):
            self._add(file, pointer + "/status", f"status {status} cites no evidence")
        for i, conflict in enumerate(entry.get("conflicts", ())):
            for j, reading in enumerate(conflict["readings"]):
                if reading["source"] not in self.sources:
                    where = f"{pointer}/conflicts/{i}/readings/{j}/source"
                    self._add(file, where, f"unknown source {reading['source']!r}")

    def _endpoint(self, file: RegisterFile, seen: dict[str, RegisterFile]) -> None:
        data = file.doc.data
        self.seen_here = set()
        if file.path.stem != data["id"]:
            self._add(file, "/id", f"id {data['id']!r} does not match the file name")
        if data["id"] in seen:
            self._add(
                file, "/id", f"endpoint {data['id']} is also defined in {seen[data['id']].display}"
            )
        seen[data["id"]] = file
        self._statused(file, "", data)
        fields: dict[str, Any] = data["fields"]
        normal: dict[str, str] = {}
        for path, info in fields.items():
            where = "/fields/" + jp.escape(path)
            key = jp.normalise_path(path)
            if key in normal:
                self._add(file, where, f"duplicate field path: {path!r} and {normal[key]!r}")
            normal[key] = path
            self._field(file, where, path, info, fields, data)
        for i, rule in enumerate(data.get("rules", ())):
            where = f"/rules/{i}"
            self._code(file, where + "/code", rule["code"], rule["name"])
            self._statused(file, where, rule)
            for path in _rule_paths(rule):
                if jp.normalise_path(path) not in normal:
                    self._add(file, where, f"rule {rule['code']} names unknown field {path!r}")
            for problem in _counted_problems(rule, data.get("fields") or {}):
                self._add(file, where, f"rule {rule['code']}: {problem}")
            for problem in _count_problems(rule, fields):
                self._add(file, where, f"rule {rule['code']}: {problem}")
        for name, misnomer in data.get("misnomers", {}).items():
            where = "/misnomers/" + jp.escape(name)
            if jp.normalise_path(name) in normal:
                self._add(file, where, f"misnomer {name!r} is a field of the register")
            if jp.normalise_path(misnomer["use"]) not in normal:
                self._add(file, where, f"misnomer {name!r} names unknown field {misnomer['use']!r}")
        for name in data.get("dropped", {}):
            if jp.normalise_path(name) in normal:
                self._add(file, "/dropped/" + jp.escape(name), f"dropped {name!r} is a field here")
        for i, unknown in enumerate(data.get("unknowns", ())):
            self._statused(file, f"/unknowns/{i}", unknown)
            for path in unknown.get("fields", ()):
                if jp.normalise_path(path) not in normal:
                    self._add(file, f"/unknowns/{i}", f"unknown field {path!r}")

    def _field(
        self,
        file: RegisterFile,
        where: str,
        path: str,
        info: dict[str, Any],
        fields: dict[str, Any],
        endpoint: dict[str, Any],
    ) -> None:
        self._statused(file, where, info)
        parent = _parent(path)
        if parent is not None:
            parent_path, needs = parent
            parent_info = _lookup(fields, parent_path)
            if parent_info is None:
                self._add(file, where, f"{path!r} has no parent field {parent_path!r}")
            elif needs not in _types(parent_info):
                self._add(file, where, f"{path!r} needs {parent_path!r} to be an {needs}")
        target = info.get("replaced_by")
        if target is not None and _lookup(fields, target) is None:
            self._add(file, where + "/replaced_by", f"replacement {target!r} is not a field here")
        bounds = info.get("numeric_string")
        if bounds is not None and numeric_range(bounds) is None:
            self._add(
                file,
                where + "/numeric_string",
                "numeric_string needs whole-number minimum and maximum at most 1000 apart "
                "(the schema lists the numbers)",
            )
        fallback = info.get("ignored", {}).get("falls_back_to")
        if fallback is not None and _lookup(fields, fallback) is None:
            self._add(
                file, where + "/ignored/falls_back_to", f"fallback {fallback!r} is not a field here"
            )
        enum = info.get("enum")
        values = info.get("values", {})
        for key, value_info in values.items():
            vwhere = f"{where}/values/{jp.escape(key)}"
            self._statused(file, vwhere, value_info)
            literal = value_info.get("value", key)
            accepted = _accepted(value_info["status"])
            # A dated value may have left the enum: it is known, and its retirement says why.
            dated = "retires" in value_info
            if enum is not None and accepted and literal not in enum and not dated:
                self._add(file, vwhere, f"value {literal!r} is accepted but missing from the enum")
            if enum is not None and not accepted and literal in enum:
                self._add(file, vwhere, f"value {literal!r} is blocked but listed in the enum")
            replacement = value_info.get("replaced_by")
            if replacement is not None and enum is not None and replacement not in enum:
                self._add(file, vwhere, f"replacement value {replacement!r} is not in the enum")
            self._models(file, vwhere, value_info, fields, endpoint)
        for form, form_info in info.get("forms", {}).items():
            self._statused(file, f"{where}/forms/{form}", form_info)
        # A documented default the register blocks (a retired model) stays the default: what
        # the service fills in is what a payload without the field is checked as.
        default = info.get("default")
        listed = enum is None or "default" not in info or default in enum
        if not listed and not _value_blocked(info, default):
            self._add(file, where + "/default", f"default {default!r} is not in the enum")
        self._models(file, where, info, fields, endpoint)
        for problem in _variant_problems(path, info, fields):
            self._add(file, where + "/variants", problem)
        mentions = info.get("mentions")
        if mentions is not None and _lookup(fields, mentions) is None:
            self._add(file, where + "/mentions", f"mentions names unknown field {mentions!r}")

    def _models(
        self,
        file: RegisterFile,
        where: str,
        info: dict[str, Any],
        fields: dict[str, Any],
        endpoint: dict[str, Any],
    ) -> None:
        models = info.get("models")
        if not models:
            return
        model_field = fields.get(endpoint.get("model_field", "model_name"))
        known = set(model_field.get("enum", ())) if model_field else set()
        known |= set(model_field.get("values", {})) if model_field else set()  # retired ones too
        for model in models:
            if model not in known:
                self._add(
                    file, where + "/models", f"model {model!r} is not a known model_name value"
                )

    def _policy(self, file: RegisterFile, endpoints: dict[str, RegisterFile]) -> None:
        self.seen_here = set()
        for i, rule in enumerate(file.doc.data["rules"]):
            where = f"/rules/{i}"
            self._code(file, where + "/code", rule["code"], rule["name"])
            for endpoint in rule["endpoints"]:
                target = endpoints.get(endpoint)
                if target is None:
                    self._add(file, where + "/endpoints", f"unknown endpoint {endpoint!r}")
                    continue
                fields = target.doc.data["fields"]
                for path in [*rule.get("allow_values", {}), *rule.get("max_number", {})]:
                    if _lookup(fields, path) is None:
                        self._add(file, where, f"{endpoint} has no field {path!r}")
            for i_ev, ev in enumerate(rule.get("evidence", ())):
                if ev["source"] not in self.sources:
                    self._add(file, f"{where}/evidence/{i_ev}/source", "unknown source")


def _types(info: dict[str, Any]) -> set[str]:
    kind = info["type"]
    return set(kind) if isinstance(kind, list) else {kind}


def _lookup(fields: dict[str, Any], path: str) -> dict[str, Any] | None:
    key = jp.normalise_path(path)
    for candidate, info in fields.items():
        if jp.normalise_path(candidate) == key:
            return dict(info)
    return None


def _parent(path: str) -> tuple[str, str] | None:
    """The parent path of a nested field and what the parent must be (array or object)."""
    path = jp.normalise_path(path)
    cut = max(path.rfind("."), path.rfind("[]"))
    if cut < 0:
        return None
    if path[cut] == "[":
        return path[:cut], "array"
    head = path[:cut]
    if head.endswith("[]"):
        return head[:-2], "array"
    return head, "object"


# What a counted rule kind counts: the field type each of its paths must have.
_COUNTED_TYPES = {"items-at-most": ("array",), "product-at-most": ("number", "integer")}


def _counted_problems(rule: dict[str, Any], fields: dict[str, Any]) -> Iterator[str]:
    """A counted rule reads top-level fields of the type it counts, and nothing else."""
    wanted = _COUNTED_TYPES.get(rule.get("kind", ""))
    if wanted is None:
        return
    paths = [*rule.get("fields", ()), *(p for g in rule.get("groups", ()) for p in g)]
    for path in paths:
        info = fields.get(path)
        if info is None:
            continue  # reported as an unknown field
        types = info.get("type")
        types = types if isinstance(types, list) else [types]
        if "." in path or "[" in path or not set(types) <= set(wanted):
            yield f"{rule['kind']} counts top-level {' or '.join(wanted)} fields, not {path!r}"


def _count_problems(rule: dict[str, Any], fields: dict[str, Any]) -> Iterator[str]:
    """count-at-most counts a member of a top-level list, by values that member may take."""
    if rule.get("kind") != "count-at-most":
        return
    path = rule["path"]
    head, sep, member = path.rpartition("[].")
    if not sep or "." in head or "[" in head or "." in member or "[" in member:
        yield f"count-at-most counts a member of a top-level list (a[].b), not {path!r}"
        return
    info = _lookup(fields, path)
    enum = info.get("enum") if info is not None else None
    for value in rule["in"]:
        if enum is not None and value not in enum:
            yield f"{value!r} is not a value of {path}"


def _variant_problems(path: str, info: dict[str, Any], fields: dict[str, Any]) -> Iterator[str]:
    """A typed list's types are the values of its `by` member, and its members are fields."""
    variants = info.get("variants")
    if variants is None:
        return
    if "array" not in _types(info):
        yield "variants describe the items of an array"
        return
    by = _lookup(fields, f"{path}[].{variants['by']}")
    if by is None:
        yield f"variants are told apart by {variants['by']!r}, which is not a member"
        return
    kinds = set(by.get("enum") or ()) | set(by.get("values", {}))
    for kind, members in variants["members"].items():
        if kinds and kind not in kinds:
            yield f"type {kind!r} is not a value of {path}[].{variants['by']}"
        for member in (*members.get("required", ()), *members.get("optional", ())):
            if _lookup(fields, f"{path}[].{member}") is None:
                yield f"type {kind!r} names {member!r}, which is not a member of {path}"
    missing = sorted(set(by.get("enum") or ()) - set(variants["members"]))
    if missing:
        yield f"no members are given for type(s) {', '.join(map(str, missing))}"


def _rule_paths(rule: dict[str, Any]) -> Iterator[str]:
    yield from rule.get("fields", ())
    for group in rule.get("groups", ()):
        yield from group
    yield from _condition_paths(rule.get("if"))
    then = rule.get("then") or {}
    yield from then.get("required", ())
    yield from then.get("forbidden", ())
    if "path" in then:
        yield then["path"]
    if rule.get("kind") == "count-at-most":
        yield rule["path"]


def _condition_paths(cond: dict[str, Any] | None) -> Iterator[str]:
    if not cond:
        return
    if "path" in cond:
        yield cond["path"]
    for sub in (
        *cond.get("all", ()),
        *cond.get("any", ()),
        *([cond["not"]] if "not" in cond else []),
    ):
        yield from _condition_paths(sub)


def _accepted(status: Any) -> bool:
    """As the model reads a status: a live rejection blocks, whatever else is known."""
    return bool(set(status) & _ACCEPTED) and "live-rejected" not in status


def _value_blocked(info: dict[str, Any], value: Any) -> bool:
    """Whether the register lists `value` of a field, and not as accepted."""
    listed = info.get("values", {}).get(value) if isinstance(value, str) else None
    return isinstance(listed, dict) and not _accepted(listed.get("status", ()))
