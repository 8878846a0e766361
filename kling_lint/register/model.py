"""The register as typed, immutable objects, built from its compiled (JSON) form.

The classes are plain (not frozen) dataclasses without generated equality or repr: every
generated method costs import time on each run, and the model is built once per process
and only ever read, also when a Linter is shared between threads. Treat it as read-only.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.diagnostics import Status

LIMIT_NAMES = (
    "minimum",
    "maximum",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "pattern",
    "numeric_string",
)
ACCEPTED = frozenset({Status.DOC_DERIVED, Status.LIVE_CONFIRMED})
BLOCKED = frozenset({Status.LIVE_REJECTED, Status.HYPOTHESIS_ONLY})


def child_path(parent: str, name: str, parent_is_array: bool) -> str:
    """The register path of a member of a container field (`image_list` + `type`)."""
    if not parent:
        return name
    return f"{parent}[].{name}" if parent_is_array else f"{parent}.{name}"


def top_key(path: str) -> str:
    """The top-level key a register path sits under (`image_list[].type` -> `image_list`)."""
    return path.split(".", 1)[0].removesuffix("[]")


def _statuses(raw: dict[str, Any]) -> tuple[Status, ...]:
    return tuple(Status(s) for s in raw.get("status", ()))


class Evidence(NamedTuple):
    status: Status
    source: str
    date: str
    observed: str
    ref: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Evidence:
        return cls(
            Status(raw["status"]), raw["source"], raw["date"], raw["observed"], raw.get("ref")
        )


class Conflict(NamedTuple):
    topic: str
    readings: tuple[tuple[str, str], ...]
    enforced: str
    why: str
    id: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Conflict:
        readings = tuple((r["source"], r["reading"]) for r in raw["readings"])
        return cls(raw["topic"], readings, raw["enforced"], raw["why"], raw.get("id"))


@dataclass(eq=False, repr=False)
class Statused:
    """What fields, values, forms, rules and unknowns share: a status and its support."""

    status: tuple[Status, ...]
    qualifiers: tuple[str, ...] = ()
    caution: str | None = None
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    # The overlay that set this status (its folder's name); None: the register's own.
    overlay: str | None = None

    @staticmethod
    def common(raw: dict[str, Any]) -> dict[str, Any]:
        return {
            "status": _statuses(raw),
            "qualifiers": tuple(raw.get("qualifiers", ())),
            "caution": raw.get("caution"),
            "evidence": tuple(Evidence.from_dict(e) for e in raw.get("evidence", ())),
            "notes": tuple(raw.get("notes", ())),
            "conflicts": tuple(Conflict.from_dict(c) for c in raw.get("conflicts", ())),
            "overlay": raw.get("overlay"),
        }

    @property
    def rejected(self) -> bool:
        return Status.LIVE_REJECTED in self.status

    @property
    def hypothesis(self) -> bool:
        return Status.HYPOTHESIS_ONLY in self.status and not (set(self.status) & ACCEPTED)

    @property
    def blocked(self) -> bool:
        """Live-rejected or hypothesis-only: a gate blocks it unless allowlisted."""
        return self.rejected or self.hypothesis

    @property
    def live_confirmed(self) -> bool:
        return Status.LIVE_CONFIRMED in self.status

    @cached_property
    def status_labels(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.status)


@dataclass(eq=False, repr=False)
class ValueInfo(Statused):
    value: Any = None
    replaced_by: Any = None
    models: tuple[str, ...] | None = None
    meaning: str | None = None
    # The day the service stops taking the value (past: retired; future: announced).
    retires: _dt.date | None = None

    @classmethod
    def from_dict(cls, value: Any, raw: dict[str, Any]) -> ValueInfo:
        models = raw.get("models")
        retires = raw.get("retires")
        return cls(
            **cls.common(raw),
            value=value,
            replaced_by=raw.get("replaced_by"),
            models=tuple(models) if models else None,
            meaning=raw.get("meaning"),
            retires=_dt.date.fromisoformat(retires) if retires else None,
        )


@dataclass(eq=False, repr=False)
class FormInfo(Statused):
    form: str = ""
    replaced_by: str | None = None

    @classmethod
    def from_dict(cls, form: str, raw: dict[str, Any]) -> FormInfo:
        return cls(**cls.common(raw), form=form, replaced_by=raw.get("replaced_by"))


@dataclass(eq=False, repr=False)
class Field(Statused):
    path: str = ""
    type: tuple[str, ...] = ()
    location: str = "body"
    required: str = "never"
    required_when: str | None = None
    default: Any = None
    has_default: bool = False
    enum: tuple[Any, ...] | None = None
    values: dict[str, ValueInfo] = field(default_factory=dict)
    forms: dict[str, FormInfo] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    numeric_string: dict[str, float] | None = None
    media: dict[str, Any] | None = None
    replaced_by: str | None = None
    # Accepted but without effect: {"falls_back_to": field, "observed": text}.
    ignored: dict[str, str] | None = None
    models: tuple[str, ...] | None = None
    open: bool = False
    description: str | None = None
    children: tuple[str, ...] = ()
    # Template tokens this text may hold that name what the request works on rather than a
    # list item (multi-elements' <<<video_1>>>: the session's video).
    tokens: tuple[str, ...] = ()
    # A list of typed items: the member that names an item's type, and per type the
    # members it must have and those it may have besides.
    variants: Variants | None = None
    # Prompt text that names items of the request as @name (the register path of the ids),
    # and writes a multi-shot plan as "shot n, m, words;" ({max_shots, max_words}).
    mentions: str | None = None
    shot_syntax: dict[str, int] | None = None

    @classmethod
    def from_dict(cls, path: str, raw: dict[str, Any]) -> Field:
        kind = raw["type"]
        models = raw.get("models")
        enum = raw.get("enum")
        return cls(
            **cls.common(raw),
            path=path,
            type=tuple(kind) if isinstance(kind, list) else (kind,),
            location=raw.get("in", "body"),
            required=raw.get("required", "never"),
            required_when=raw.get("required_when"),
            default=raw.get("default"),
            has_default="default" in raw,
            enum=tuple(enum) if enum is not None else None,
            values={
                _value_key(v): ValueInfo.from_dict(v, info)
                for v, info in _value_items(raw.get("values", {}))
            },
            forms={f: FormInfo.from_dict(f, info) for f, info in raw.get("forms", {}).items()},
            minimum=raw.get("minimum"),
            maximum=raw.get("maximum"),
            min_length=raw.get("min_length"),
            max_length=raw.get("max_length"),
            min_items=raw.get("min_items"),
            max_items=raw.get("max_items"),
            pattern=raw.get("pattern"),
            numeric_string=raw.get("numeric_string"),
            media=raw.get("media"),
            replaced_by=raw.get("replaced_by"),
            ignored=raw.get("ignored"),
            models=tuple(models) if models else None,
            open=raw.get("open", False),
            description=raw.get("description"),
            children=tuple(raw.get("children", ())),
            tokens=tuple(raw.get("tokens", ())),
            variants=Variants.from_dict(raw["variants"]) if "variants" in raw else None,
            mentions=raw.get("mentions"),
            shot_syntax=raw.get("shot_syntax"),
        )

    def limits(self) -> dict[str, Any]:
        """The numeric, length, count and pattern limits that are set, by register name."""
        return {k: getattr(self, k) for k in LIMIT_NAMES if getattr(self, k) is not None}

    def value_info(self, value: Any) -> ValueInfo | None:
        return self.values.get(_value_key(value))

    @property
    def known_values(self) -> tuple[Any, ...] | None:
        """The enum, and the dated values beside it (a retired effect the enum dropped is
        still known: sending it is its retirement's finding, not an unknown value's)."""
        if self.enum is None:
            return None
        dated = [v.value for v in self.values.values() if v.retires and v.value not in self.enum]
        return (*self.enum, *dated)

    @property
    def is_array(self) -> bool:
        return "array" in self.type

    @property
    def is_object(self) -> bool:
        return "object" in self.type


class Variants(NamedTuple):
    """The members of a typed list's items, per type (the new design's `contents[]`)."""

    by: str
    required: dict[str, tuple[str, ...]]
    optional: dict[str, tuple[str, ...]]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Variants:
        members = raw["members"]
        return cls(
            raw["by"],
            {t: tuple(m.get("required", ())) for t, m in members.items()},
            {t: tuple(m.get("optional", ())) for t, m in members.items()},
        )

    def allowed(self, kind: str) -> tuple[str, ...]:
        return (*self.required.get(kind, ()), *self.optional.get(kind, ()))


def _value_items(values: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    # Value keys are text in YAML; `value` inside the entry keeps a non-string literal.
    return [(info.get("value", key), info) for key, info in values.items()]


def _value_key(value: Any) -> str:
    """Values are compared by their JSON spelling, so `true` and "true" stay apart."""
    if isinstance(value, str):
        return value
    kind = type(value)
    try:
        if kind is bool or value is None:
            return "json:" + ("null" if value is None else "true" if value else "false")
        # An exact int spells the same in JSON and in Python: no need to encode it.
        return "json:" + (str(value) if kind is int else json.dumps(value))
    except (TypeError, ValueError):  # not JSON at all: it matches no listed value
        return "unlisted:"


class RuleDoc(NamedTuple):
    """The user documentation of a rule, in Ruff's four headings."""

    what: str
    why: str
    example: str
    fix: str
    # For a check that runs as code: why the generated schema cannot say it.
    not_in_schema: str | None = None
    # The endpoint the example is a payload of, when it is not the rule's only endpoint
    # (or Omni-Video, for a rule of every endpoint).
    endpoint: str | None = None


@dataclass(eq=False, repr=False)
class DeclaredRule(Statused):
    """A cross-field constraint written as data in the register."""

    code: str = ""
    name: str = ""
    kind: str = ""
    severity: str = "error"
    endpoint: str = ""
    message: str | None = None
    fields: tuple[str, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    condition: dict[str, Any] | None = None
    then: dict[str, Any] | None = None
    doc: RuleDoc | None = None
    # items-at-most, product-at-most and count-at-most: the bound.
    maximum: float | None = None
    # count-at-most: the list member counted (`contents[].type`) and the values that count.
    path: str | None = None
    values: tuple[Any, ...] = ()

    @property
    def field_groups(self) -> tuple[tuple[str, ...], ...]:
        """The groups a group rule compares; plain `fields` are groups of one."""
        return self.groups or tuple((f,) for f in self.fields)

    @classmethod
    def from_dict(cls, endpoint: str, raw: dict[str, Any]) -> DeclaredRule:
        doc = raw.get("doc")
        return cls(
            **cls.common(raw),
            code=raw["code"],
            name=raw["name"],
            kind=raw["kind"],
            severity=raw["severity"],
            endpoint=endpoint,
            message=raw.get("message"),
            fields=tuple(raw.get("fields", ())),
            groups=tuple(tuple(g) for g in raw.get("groups", ())),
            condition=raw.get("if"),
            then=raw.get("then"),
            doc=RuleDoc(**doc) if doc else None,
            maximum=raw.get("max"),
            path=raw.get("path"),
            values=tuple(raw.get("in", ())),
        )


@dataclass(eq=False, repr=False)
class Unknown(Statused):
    id: str = ""
    text: str = ""
    fields: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Unknown:
        return cls(
            **cls.common(raw), id=raw["id"], text=raw["text"], fields=tuple(raw.get("fields", ()))
        )


@dataclass(eq=False, repr=False)
class Endpoint(Statused):
    id: str = ""
    title: str = ""
    method: str = "POST"
    path: str = "/"
    billable: bool = True
    billing: str | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    rules: tuple[DeclaredRule, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    top_level: tuple[str, ...] = ()
    # Names the API does not have that payloads send instead of a documented field:
    # misnomer -> the field to use (hints for KL106 and its fix, not statuses).
    misnomers: dict[str, str] = field(default_factory=dict)
    # Fields of the legacy design that this design dropped: name -> (what replaces it, why).
    dropped: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    @classmethod
    def from_dict(
        cls, raw: dict[str, Any], rules: tuple[DeclaredRule, ...] | None = None
    ) -> Endpoint:
        fields = {path: Field.from_dict(path, info) for path, info in raw["fields"].items()}
        if rules is None:
            rules = tuple(DeclaredRule.from_dict(raw["id"], r) for r in raw.get("rules", ()))
        return cls(
            **cls.common(raw),
            id=raw["id"],
            title=raw["title"],
            method=raw["method"],
            path=raw["path"],
            billable=raw["billable"],
            billing=raw.get("billing"),
            fields=fields,
            rules=rules,
            unknowns=tuple(Unknown.from_dict(u) for u in raw.get("unknowns", ())),
            top_level=tuple(raw.get("top_level", ())),
            misnomers={name: m["use"] for name, m in raw.get("misnomers", {}).items()},
            dropped={n: (d.get("use"), d["why"]) for n, d in raw.get("dropped", {}).items()},
        )

    @property
    def has_body(self) -> bool:
        return takes_body(self.method)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


class Source(NamedTuple):
    id: str
    title: str
    kind: str
    captured: str
    standing: str | None = None
    where: str | None = None


class PolicyRule(NamedTuple):
    code: str
    name: str
    endpoints: tuple[str, ...]
    severity: str
    doc: RuleDoc
    message: str | None = None
    allow_values: dict[str, tuple[Any, ...]] = {}  # noqa: RUF012 - never mutated
    max_number: dict[str, float] = {}  # noqa: RUF012 - never mutated
    note_when_present: tuple[str, ...] = ()
    policy: str = ""


class Policy(NamedTuple):
    id: str
    title: str
    description: str
    rules: tuple[PolicyRule, ...]

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Policy:
        rules = tuple(
            PolicyRule(
                code=r["code"],
                name=r["name"],
                endpoints=tuple(r["endpoints"]),
                severity=r["severity"],
                doc=RuleDoc(**r["doc"]),
                message=r.get("message"),
                allow_values={k: tuple(v) for k, v in r.get("allow_values", {}).items()},
                max_number=dict(r.get("max_number", {})),
                note_when_present=tuple(r.get("note_when_present", ())),
                policy=raw["id"],
            )
            for r in raw["rules"]
        )
        return cls(raw["id"], raw["title"], raw.get("description", ""), rules)


def takes_body(method: str) -> bool:
    """Whether requests of this method carry a JSON body (the others send parameters)."""
    return method == "POST"


def numeric_range(bounds: dict[str, Any]) -> range | None:
    """The whole numbers a numeric string may spell, or None when the bounds are not whole
    numbers at most 1000 apart (the generated schema lists them one by one)."""
    low, high = bounds.get("minimum", 0), bounds.get("maximum")
    if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
        return None
    if low != int(low) or high != int(high) or not 0 <= high - low <= 1000:
        return None
    return range(int(low), int(high) + 1)


def endpoint_index(endpoint: dict[str, Any]) -> dict[str, Any]:
    """What is read across a compiled register's endpoints without building them: the
    method, the top-level field names, the model names listed, and the declared rules."""
    model = endpoint["fields"].get("model_name", {})
    return {
        "method": endpoint["method"],
        "top_level": endpoint.get("top_level", []),
        "models": model.get("enum") or [],
        "rules": endpoint.get("rules", []),
    }


class Endpoints(Mapping[str, Endpoint]):
    """The register's endpoints by id, each built from its compiled form on first use.

    Most runs check one or two endpoints; building all of them would cost every run.
    The summaries that look across endpoints (their shapes, their declared rules) are read
    from the compiled form without building anything, or, for the shipped register, from
    its index without even parsing the endpoints (`EndpointLines`).
    """

    def __init__(
        self,
        compiled: list[dict[str, Any]] | Mapping[str, dict[str, Any]],
        index: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        self._raw: Mapping[str, dict[str, Any]] = (
            compiled if isinstance(compiled, Mapping) else {e["id"]: e for e in compiled}
        )
        self._index = index
        self._built: dict[str, Endpoint] = {}

    def __getitem__(self, endpoint_id: str) -> Endpoint:
        built = self._built.get(endpoint_id)
        if built is None:
            # Two threads may build the same endpoint; setdefault keeps one of them. The
            # declared rules are the ones the rule table already holds, not a second copy.
            endpoint = Endpoint.from_dict(self._raw[endpoint_id], self._rules[endpoint_id])
            built = self._built.setdefault(endpoint_id, endpoint)
        return built

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def _summary(self, endpoint_id: str) -> dict[str, Any]:
        if self._index is not None:
            return self._index[endpoint_id]
        return endpoint_index(self._raw[endpoint_id])

    @cached_property
    def _rules(self) -> dict[str, tuple[DeclaredRule, ...]]:
        return {
            endpoint_id: tuple(
                DeclaredRule.from_dict(endpoint_id, r) for r in self._summary(endpoint_id)["rules"]
            )
            for endpoint_id in self._raw
        }

    @property
    def declared_rules(self) -> tuple[DeclaredRule, ...]:
        """Every endpoint's declared rules, in endpoint order."""
        return tuple(rule for rules in self._rules.values() for rule in rules)

    @cached_property
    def shapes(self) -> tuple[tuple[str, bool, frozenset[str], frozenset[str]], ...]:
        """Per endpoint: id, whether it takes a body, top-level field names, and the model
        names it lists."""
        out = []
        for endpoint_id in self._raw:
            summary = self._summary(endpoint_id)
            out.append(
                (
                    endpoint_id,
                    takes_body(summary["method"]),
                    frozenset(summary["top_level"]),
                    frozenset(summary["models"]),
                )
            )
        return tuple(out)


# The line that opens the endpoints of a shipped compiled register; each endpoint follows on
# a line of its own, and a line holding "]}" ends the file (`compile.dumps_compiled`).
ENDPOINTS_LINE = '"endpoints": ['


class EndpointLines(Mapping[str, dict[str, Any]]):
    """Compiled endpoints kept as their JSON text, each parsed on first use."""

    def __init__(self, lines: dict[str, bytes]) -> None:
        self._lines = lines
        self._parsed: dict[str, dict[str, Any]] = {}

    def __getitem__(self, endpoint_id: str) -> dict[str, Any]:
        parsed = self._parsed.get(endpoint_id)
        if parsed is None:
            parsed = self._parsed.setdefault(endpoint_id, json.loads(self._lines[endpoint_id]))
        return parsed

    def __contains__(self, endpoint_id: object) -> bool:
        return endpoint_id in self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


@dataclass(eq=False, repr=False)
class Register:
    digest: str
    sources: dict[str, Source]
    endpoints: Endpoints
    policies: dict[str, Policy]
    # The folder of this register's generated endpoint schemas, when they are on disk
    # (the built-in register); otherwise they are generated in memory on first use.
    schemas: Path | None = None

    @classmethod
    def from_compiled(
        cls, raw: dict[str, Any], endpoints: Mapping[str, dict[str, Any]] | None = None
    ) -> Register:
        """The register of a compiled form; `endpoints` (with the form's `index`) stands in
        for its list of endpoints when they are read lazily."""
        if endpoints is None:
            found = Endpoints(raw["endpoints"])
        else:
            found = Endpoints(endpoints, raw["index"])
        return cls(
            digest=raw["digest"],
            sources={k: Source(id=k, **v) for k, v in raw["sources"].items()},
            endpoints=found,
            policies={p["id"]: Policy.from_dict(p) for p in raw["policies"]},
        )
