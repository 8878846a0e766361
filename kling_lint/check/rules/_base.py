"""What a rule is: metadata beside a check, and the findings a check yields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint.diagnostics import Severity
from kling_lint.register.model import RuleDoc

if TYPE_CHECKING:
    from kling_lint.register.model import Endpoint, Register

__all__ = ["Context", "Finding", "Rule", "RuleDoc", "display"]

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
    # the rule's fields sit there. An endpoint with none never runs the rule.
    keys: Callable[[Endpoint], frozenset[str]] | None = None
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
    # A finding that says the check itself failed (a rule that raised, a fault reading a
    # file): the payload is blocked, and the run exits 2 whatever the verdicts, since the
    # tool did not do its job.
    fault: bool = False

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
        return self.doc.render(self.example_endpoint)

    def triggers_on(self, endpoint: Endpoint) -> frozenset[str] | None:
        """The keys that can make this rule fire on `endpoint` (empty: any payload), or
        None when nothing can."""
        if self.keys is None:
            return self.triggers
        keys = self.keys(endpoint)
        return (keys & self.triggers if self.triggers else keys) or None

    def applies_to(self, endpoint_id: str) -> bool:
        return "*" in self.endpoints or endpoint_id in self.endpoints


def display(value: Any) -> str:
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
