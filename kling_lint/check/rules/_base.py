"""What a rule is: metadata beside a check, and the findings a check yields."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint.config import DEFAULT_RETIRE_WARN_DAYS
from kling_lint.diagnostics import Severity
from kling_lint.register.model import RuleDoc
from kling_lint.register.wording import rule_doc_markdown

if TYPE_CHECKING:
    from kling_lint.register.model import Endpoint, Register

__all__ = ["Context", "Finding", "Rule", "RuleDoc", "doc_of", "rule", "value_text"]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_code(code: str) -> bool:
    return len(code) == 5 and code.startswith("KL") and code[2:].isdigit() and code[2:].isascii()


def _is_kebab(name: str) -> bool:
    return (
        bool(name) and set(name) <= _NAME_CHARS and "--" not in name and name[0] != "-" != name[-1]
    )


class Finding(NamedTuple):
    """What a check yields; the engine stamps code, rule name and severity."""

    parts: tuple[str | int, ...]
    message: str
    field_path: str | None = None
    status: tuple[str, ...] = ()
    value: Any = None
    has_value: bool = False


class Context(NamedTuple):
    """Everything a check may read about the payload at hand."""

    register: Register
    endpoint: Endpoint
    payload: Any
    model: str | None
    # The day of the run (the linter's, so that tests can fix it), and how many days ahead
    # a value's retirement is a warning.
    today: _dt.date | None = None
    retire_warn_days: int = DEFAULT_RETIRE_WARN_DAYS


PayloadCheck = Callable[[Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule: stable code, kebab-case name, default severity, scope and documentation.

    A rule with a `payload` check runs once per payload. A rule without one names what
    another stage reports: the endpoint's generated schema (structure, statuses, the
    register's declared rules), the loader, or the allowlist.
    """

    code: str
    name: str
    severity: Severity
    doc: RuleDoc
    endpoints: tuple[str, ...] = ("*",)
    payload: PayloadCheck | None = None
    # Status gates (hypothesis-only, unknown) drop to a warning on free endpoints.
    relaxed_on_free: bool = False
    # Only status gates may be lifted by an allowlist entry.
    liftable: bool = False
    origin: str = "built-in"
    # A payload check that can only fire when one of these top-level keys is sent; the
    # engine skips it otherwise. Empty means it always runs.
    triggers: frozenset[str] = frozenset()
    # The same, read from an endpoint (once per endpoint): the top-level keys under which
    # the rule's fields sit there. An endpoint with none never runs the rule; None runs it
    # on every payload there (a rule about what a payload leaves out).
    keys: Callable[[Endpoint], frozenset[str] | None] | None = None
    # Who reports a rule without a payload check: the generated schema unless said here
    # ("loader", "run", "guard", "linter", "allowlist").
    reported_by: str = "schema"
    # A finding that always counts: no selection, ignore or severity turns it off or
    # lowers it (a payload that could not be checked, the schema's catch-all).
    always_on: bool = False
    # Off unless selected (`--extend-select`, a `select`): notes that restate the register
    # for every field a payload sends would otherwise make reports grow with the payloads
    # rather than with their problems.
    by_default: bool = True
    # Where a rule runs, read from the register: endpoints whose fields include every one
    # of `requires` and (when given) one of `any_of`, each accepted there (a field the
    # register blocks is the status gate's finding, not this rule's).
    requires: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    # A finding that says the check itself failed (a rule that raised, a fault reading a
    # file): the payload is blocked, and the run exits 2 whatever the verdicts, since the
    # tool did not do its job.
    fault: bool = False
    # A cheap question about the payload that must be yes for the check to run. Rules that
    # share one `when` have it asked once per payload: a family of rules that read the
    # same text skips together when the text holds nothing for any of them.
    when: Callable[[Context], bool] | None = None

    def __post_init__(self) -> None:
        if not _is_code(self.code):
            raise ValueError(f"rule code {self.code!r} is not KL + three digits")
        if not _is_kebab(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")

    @property
    def checked_by(self) -> str:
        """What finds this rule's problems: "rule" (its own payload check), "schema" (the
        endpoint's generated schema), or the stage named in `reported_by`."""
        return "rule" if self.payload is not None else self.reported_by

    @property
    def baselinable(self) -> bool:
        """Whether a baseline may record this rule's findings: those of a payload check
        (the schema's or a rule's), never a gate (an allowlist entry lifts one, with a
        reason) nor what the loader or the run says about how the file was read or which
        endpoint it is (KL001-KL012: a file read differently elsewhere cannot be vouched
        for, as a YAML 1.1 look-alike)."""
        if self.liftable or self.always_on:
            return False
        return self.payload is not None or self.reported_by == "schema"

    @property
    def locked(self) -> str:
        """What configuration cannot do to this rule, as a sentence ("" when it can do all)."""
        if self.always_on:
            return "Always counts: no select, ignore or severity setting turns it off or lowers it."
        if self.liftable:
            return (
                "A status gate: it cannot be ignored or lowered; an allowlist entry (with a "
                "reason) lifts one finding."
            )
        return ""

    @property
    def example_endpoint(self) -> str | None:
        """The endpoint the documented example is a payload of; None when the example is
        not one (a file, a config, a command) or is about choosing the endpoint itself."""
        if self.reported_by in ("loader", "run", "guard", "linter", "allowlist", "baseline"):
            return None
        if self.doc.endpoint is not None:
            return self.doc.endpoint
        named = [e for e in self.endpoints if e != "*"]
        return named[0] if named else "omni-video.create"

    def render_doc(self) -> str:
        return rule_doc_markdown(self.doc, self.example_endpoint)

    def triggers_on(self, endpoint: Endpoint) -> frozenset[str] | None:
        """The keys that can make this rule fire on `endpoint` (empty: any payload), or
        None when nothing can."""
        if self.keys is None:
            return self.triggers
        keys = self.keys(endpoint)
        if keys is None:  # any payload of this endpoint (what is left out counts too)
            return frozenset()
        return (keys & self.triggers if self.triggers else keys) or None

    def applies_to(self, endpoint_id: str) -> bool:
        return "*" in self.endpoints or endpoint_id in self.endpoints

    def runs_on(self, endpoint: Endpoint) -> bool:
        """Whether the rule checks payloads of `endpoint`: named by `endpoints`, and with
        the fields `requires` and `any_of` ask for, accepted there."""
        if not self.applies_to(endpoint.id):
            return False
        if self.keys is not None and self.triggers_on(endpoint) is None:
            return False  # nothing the endpoint takes can make it fire
        if not (self.requires or self.any_of):
            return True

        def accepted(name: str) -> bool:
            field = endpoint.fields.get(name)
            return field is not None and not field.blocked

        return all(accepted(n) for n in self.requires) and (
            not self.any_of or any(accepted(n) for n in self.any_of)
        )

    def scope_in(self, register: Register) -> tuple[str, ...]:
        """The endpoints the rule runs on in `register` ("*": every one)."""
        if "*" in self.endpoints and not (self.requires or self.any_of):
            return ("*",)
        return tuple(e for e in register.endpoints if self.runs_on(register.endpoints[e]))

    def scope_text(self, register: Register) -> str:
        """Where the rule runs, as the rule table and `explain` say it."""
        scope = self.scope_in(register)
        return "all endpoints" if scope == ("*",) else ", ".join(scope) or "no endpoint"


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    requires: tuple[str, ...] = (),
    any_of: tuple[str, ...] = (),
    triggers: tuple[str, ...] = (),
    keys: Callable[[Endpoint], frozenset[str] | None] | None = None,
    relaxed_on_free: bool = False,
    by_default: bool = True,
    example_endpoint: str | None = None,
    when: Callable[[Context], bool] | None = None,
) -> Callable[[PayloadCheck], Rule]:
    """Make a payload check a rule, its docstring its documentation.

    The docstring opens with what the rule does, then Ruff's headings: `## Why is this
    bad?`, `## Why not in the schema` (what makes it a rule), `## Example` (a payload that
    fires it) and `## Use instead`. Where it runs is read from the register (`requires`,
    `any_of`); `triggers` are the top-level keys without which it cannot fire (`keys`: the
    same, read from each endpoint)."""

    def make(check: PayloadCheck) -> Rule:
        return Rule(
            code,
            name,
            severity,
            doc_of(check, example_endpoint),
            payload=check,
            triggers=frozenset(triggers),
            keys=keys,
            relaxed_on_free=relaxed_on_free,
            by_default=by_default,
            requires=requires,
            any_of=any_of,
            when=when,
        )

    return make


_SECTIONS = {
    "Why is this bad?": "why",
    "Why not in the schema": "not_in_schema",
    "Example": "example",
    "Use instead": "fix",
}


def doc_of(check: Callable[..., Any], endpoint: str | None = None) -> RuleDoc:
    """A rule's documentation, read from its check's docstring (see `rule`)."""
    import inspect
    import re

    text = inspect.cleandoc(check.__doc__ or "")
    pieces = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    found: dict[str, str] = {"what": pieces[0]}
    for heading, body in zip(pieces[1::2], pieces[2::2], strict=True):
        if heading.strip() not in _SECTIONS:
            raise ValueError(f"{check.__qualname__}: unknown docstring heading {heading!r}")
        found[_SECTIONS[heading.strip()]] = body
    missing = [h for h, key in _SECTIONS.items() if key not in found and key != "not_in_schema"]
    if missing or not found["what"].strip():
        raise ValueError(f"{check.__qualname__}: the docstring lacks {missing or 'its summary'}")
    return RuleDoc(
        _prose(found["what"]),
        _prose(found["why"]),
        _literal(found["example"]),
        _prose(found["fix"]),
        _prose(found["not_in_schema"]) if "not_in_schema" in found else None,
        endpoint,
    )


def _prose(text: str) -> str:
    """Paragraphs as one line each (a docstring wraps them)."""
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _literal(text: str) -> str:
    """An example as written, without the fence a docstring may put around it."""
    body = text.strip("\n")
    lines = body.splitlines()
    if lines and lines[0].startswith("```"):
        lines = lines[1:-1] if lines[-1].startswith("```") else lines[1:]
    return "\n".join(lines).strip("\n")


def value_text(value: Any) -> str:
    """A short JSON-ish rendering of a value for messages."""
    import json

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        # Past Python's digit limit str() raises; the size is what matters here.
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        text = repr(value) if isinstance(value, float) else json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."
