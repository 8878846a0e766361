"""The checking stage: a Linter holds each endpoint's compiled schema and its rules."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.check import allowlist, build
from kling_lint.check.blocked import PayloadBlocked
from kling_lint.check.decide import lifted_by
from kling_lint.check.endpoint import resolve
from kling_lint.check.memo import kept_on
from kling_lint.check.rules import Context, Finding, Rule
from kling_lint.check.schema import SchemaCheck
from kling_lint.check.stamp import closed
from kling_lint.check.values import as_sent, plain_json
from kling_lint.config import Config
from kling_lint.diagnostics import Diagnostic, Severity, blocks
from kling_lint.register import Register, RegisterError, RegisterProblem
from kling_lint.register.model import Endpoint, Field


class Report(NamedTuple):
    """The verdict on one payload."""

    endpoint: str | None
    diagnostics: tuple[Diagnostic, ...]
    fail_on: Severity = Severity.ERROR
    allow_used: frozenset[int] = frozenset()

    @property
    def blocked(self) -> bool:
        """True when an unsuppressed finding is at or above the failure threshold."""
        return blocks(self.diagnostics, self.fail_on)

    @property
    def ok(self) -> bool:
        return not self.blocked


_NONE_USED: frozenset[int] = frozenset()
_NO_CODES: frozenset[str] = frozenset()
_MAX_PLAN_NAMES = 256
_MAX_KEY_SETS = 1024


class UnknownEndpoint(KeyError):
    """An endpoint id or route the register does not know (a KeyError, as a mapping
    lookup's, whose message reads as a sentence rather than a quoted key)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _EndpointPlan(NamedTuple):
    """An endpoint compiled for checking: its schema, and the rules that run beside it,
    each with the top-level keys that can make it fire there (empty: any payload)."""

    endpoint: Endpoint
    schema: SchemaCheck
    payload_rules: tuple[tuple[Rule, frozenset[str]], ...]
    model_field: Field | None
    # Which rules a payload's keys can make fire (positions in payload_rules), and those
    # any payload can: a payload with few keys looks up a few, not every rule.
    by_key: dict[str, tuple[int, ...]]
    always: frozenset[int]
    # The rules for each set of top-level keys seen (payloads of a run share a few).
    picks: dict[frozenset[Any], tuple[tuple[Rule, frozenset[str]], ...]]
    clean: Report  # the verdict on every payload without a finding (immutable, shared)

    def rules_for(self, payload: dict[Any, Any]) -> tuple[tuple[Rule, frozenset[str]], ...]:
        """The rules to run on `payload`, in their declared order."""
        keys = frozenset(payload)
        picked = self.picks.get(keys)
        if picked is None:
            picked = self._rules_for(payload)
            if len(self.picks) < _MAX_KEY_SETS:
                self.picks[keys] = picked
        return picked

    def _rules_for(self, payload: dict[Any, Any]) -> tuple[tuple[Rule, frozenset[str]], ...]:
        picked = set(self.always)
        by_key = self.by_key
        for key in payload if len(payload) <= len(by_key) else by_key:
            if key in by_key and key in payload:
                picked.update(by_key[key])
        return tuple(self.payload_rules[i] for i in sorted(picked))


@kept_on()
def _schema_check(endpoint: Endpoint, schemas: Path | None) -> SchemaCheck:
    return SchemaCheck(endpoint, endpoint_schema(schemas, endpoint))


def schema_check(schemas: Path | None, endpoint: Endpoint) -> SchemaCheck:
    """An endpoint's schema, compiled once and kept on the endpoint: shared by every Linter
    of its register (a run with several config files has one Linter each; jsonschema-rs
    validators are immutable), and gone with it."""
    return _schema_check(endpoint, schemas)


def endpoint_schema(schemas: Path | None, endpoint: Endpoint) -> dict[str, Any]:
    """The endpoint's generated schema: the file in `schemas/` for the built-in register
    (the one editors are given), generated the same way for any other register."""
    if schemas is not None:
        import json

        path = schemas / f"{endpoint.id}.schema.json"
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problem = RegisterProblem(str(path), 1, 1, f"cannot load the endpoint schema: {exc}")
            raise RegisterError([problem]) from exc
        return loaded
    from kling_lint.register.schemas import endpoint_schema as generate

    return generate(endpoint)


def _finding(value: object) -> Finding:
    """A rule's yield, checked: a Finding with a text message and a pointer of parts."""
    if not isinstance(value, Finding):
        raise TypeError(f"yielded {type(value).__name__}, not a Finding")
    if not isinstance(value.message, str) or not isinstance(value.parts, tuple):
        raise TypeError("yielded a Finding without a text message and a tuple of parts")
    if not all(isinstance(p, str | int) and not isinstance(p, bool) for p in value.parts):
        raise TypeError("yielded a Finding whose parts are not keys and indexes")
    return value


def _shown(value: object) -> str:
    try:
        return repr(value)[:80]
    except Exception:
        return f"a {type(value).__name__}"


class Linter:
    """Checks payloads against a register. Build once, share freely: it holds no run state."""

    def __init__(
        self,
        register: Register | None = None,
        config: Config | str | os.PathLike[str] | None = None,
        *,
        today: _dt.date | None = None,
    ) -> None:
        if isinstance(config, str | os.PathLike):  # a config file, as `lint(config=...)` takes
            from kling_lint.config import load_config

            config = load_config(config)
        built = build.plan(config or Config(), register)
        self.config = built.config
        self.register = built.register
        self.rules_by_code = built.rules_by_code
        self.rules = built.rules
        self.decisions = built.decisions
        self.selection = built.decisions.selection
        self.allow = built.decisions.allow
        self.per_file_paths = built.decisions.per_file_paths
        self.stamp = built.stamp
        # A fixed day (tests, reproducible runs) or, by default, the day of each call: a
        # Linter shared by a long-lived service must stop honouring an entry once it expires.
        self._fixed_today = today
        # Plans are built on first use: most runs touch one or two endpoints. Two threads
        # racing on the same endpoint build equal plans and keep one.
        self._plans: dict[str, _EndpointPlan] = {}

    @property
    def today(self) -> _dt.date:
        return self._fixed_today or _dt.date.today()

    def reports(self, code: str) -> bool:
        """Whether this linter's selection reports `code`."""
        return code in self.selection.codes

    def ignored_at(self, path: str | None) -> frozenset[str]:
        """The codes `per-file-ignores` leave out for the file at `path` (relative to the
        config's folder; None: no file, so none)."""
        return self.decisions.ignored_at(path)

    def _plan(self, endpoint: Endpoint) -> _EndpointPlan:
        schema = schema_check(self.register.schemas, endpoint)
        payload_rules = tuple(
            (rule, triggers)
            for rule in self.rules
            if rule.payload and rule.runs_on(endpoint)
            for triggers in (rule.triggers_on(endpoint),)
            if triggers is not None
        )
        model_field = endpoint.fields.get("model_name")
        by_key: dict[str, list[int]] = {}
        for position, (_, triggers) in enumerate(payload_rules):
            for key in triggers:
                by_key.setdefault(key, []).append(position)
        always = frozenset(i for i, (_, triggers) in enumerate(payload_rules) if not triggers)
        return _EndpointPlan(
            endpoint,
            schema,
            payload_rules,
            model_field,
            {key: tuple(positions) for key, positions in by_key.items()},
            always,
            {},
            Report(endpoint.id, (), self.config.fail_on, _NONE_USED),
        )

    def endpoint(self, endpoint: str) -> Endpoint:
        """An endpoint by id (`omni-video.create`) or route (`POST /v1/videos/omni-video`)."""
        try:
            found = resolve(self.register, endpoint)
        except Exception:  # an argument that cannot even be compared
            found = None
        if found is None:
            raise UnknownEndpoint(f"unknown endpoint {_shown(endpoint)}")
        return found

    def lint(self, payload: Any, endpoint: str | Endpoint, *, path: str | None = None) -> Report:
        """Check one payload (the request body, or the path and query parameters of a GET).

        `endpoint` is an id, a route or an Endpoint; KeyError if the register lacks it.
        `path` names the file the payload comes from, relative to the config's folder, for
        `per-file-ignores` and allow entries limited to `paths`.
        """
        if not plain_json(payload):
            # A dict subclass may store one thing and send another (its `items()` is what
            # `json.dumps` and so every HTTP client reads): check what would be sent.
            sent = as_sent(payload)
            if sent is not None:
                payload = sent
        return self.lint_loaded(payload, endpoint, path=path)

    def lint_loaded(
        self, payload: Any, endpoint: str | Endpoint, *, path: str | None = None
    ) -> Report:
        """`lint` for a payload the loader made from JSON or YAML text: built of plain
        dicts, lists, strings, numbers, booleans and None only, so it is what is sent."""
        # Plans are found by the name the caller gives (an id or a route) as well as by id,
        # so that the common call resolves nothing.
        plan = self._plans.get(endpoint) if isinstance(endpoint, str) else None
        if plan is None:
            target = endpoint if isinstance(endpoint, Endpoint) else self.endpoint(endpoint)
            plan = self._plans.get(target.id) or self._plans.setdefault(
                target.id, self._plan(target)
            )
            if isinstance(endpoint, str) and len(self._plans) < _MAX_PLAN_NAMES:
                self._plans[endpoint] = plan  # bounded: callers may spell routes many ways
        target = plan.endpoint
        found = self._findings(plan, payload)
        if not found:  # the common case: nothing to stamp, sort or allow
            return plan.clean
        if self.decisions.per_file and path is not None:
            dropped = self.decisions.ignored_at(path)
            found = [(rule, finding) for rule, finding in found if rule.code not in dropped]
        used: set[int] = set()
        diagnostics = sorted(
            self._stamp(rule, finding, target, used, path) for rule, finding in found
        )
        return Report(target.id, tuple(diagnostics), self.config.fail_on, frozenset(used))

    def guard(self, payload: Any, endpoint: str | Endpoint, *, path: str | None = None) -> Report:
        """`lint` that raises PayloadBlocked when the payload would be blocked.

        It fails closed: an unknown endpoint (KL004), and anything that stops the check
        (KL007), block the payload; no other exception leaves it.
        """
        try:
            report = self.lint(payload, endpoint, path=path)
        except UnknownEndpoint as exc:
            raise PayloadBlocked(None, (closed("KL004", str(exc.args[0])),)) from None
        except Exception as exc:  # a schema that cannot be read, a value that cannot be read
            name = endpoint.id if isinstance(endpoint, Endpoint) else None
            raise PayloadBlocked(
                name, (closed("KL007", f"cannot check the payload: {exc!r}"),)
            ) from exc
        if report.blocked:
            raise PayloadBlocked(report.endpoint, report.diagnostics)
        return report

    def _findings(self, plan: _EndpointPlan, payload: Any) -> list[tuple[Rule, Finding]]:
        if not isinstance(payload, dict):
            rule = self.rules_by_code["KL006"]
            if not self.reports(rule.code):
                return []
            return [(rule, Finding((), f"payload must be an object, not {type(payload).__name__}"))]
        model = None
        if plan.model_field is not None:
            raw = payload.get("model_name", plan.model_field.default)
            model = raw if isinstance(raw, str) else None
        out = []
        for code, finding in plan.schema.findings(payload):
            # A code the table does not know still blocks, under the schema's catch-all.
            rule = self.rules_by_code.get(code) or self.rules_by_code["KL200"]
            if self.reports(rule.code):
                out.append((rule, finding))
        ctx = Context(
            self.register,
            plan.endpoint,
            payload,
            model,
            # The fixed day, or None for the day of the call: a rule that needs it asks the
            # clock then, so that a payload no dated rule reads does not pay for it.
            self._fixed_today,
            self.config.retire_warn_days,
        )
        asked: dict[Any, bool] | None = None  # made only for a plan with gated rules
        for rule, _ in plan.rules_for(payload):
            if rule.when is not None:
                # A gate shared by several rules is asked once (see Rule.when).
                asked = {} if asked is None else asked
                yes = asked.get(rule.when)
                if yes is None:
                    try:
                        yes = asked[rule.when] = bool(rule.when(ctx))
                    except Exception:  # a gate that fails lets its rule run, and report
                        yes = True
                if not yes:
                    continue
            # Every rule runs guarded: whatever one raises blocks the payload (KL008)
            # instead of ending the run with a traceback. (Inline, not a helper: this loop
            # runs for every payload of every request.)
            try:
                found = list(rule.payload(ctx))  # type: ignore[misc]
                if found and rule.origin != "built-in":  # an outside rule's yield is checked
                    found = [_finding(f) for f in found]
            except KeyboardInterrupt:
                raise
            # Whatever a rule raises (SystemExit included: a plugin must not end the run
            # with exit 0), and whatever it yields that is not a Finding, blocks the payload.
            except BaseException as exc:
                message = f"rule {rule.code} ({rule.origin}) raised {exc!r}"
                out.append((self.rules_by_code["KL008"], Finding((), message)))
                continue
            if found:
                out.extend((rule, finding) for finding in found)
        return out

    def _stamp(
        self, rule: Rule, finding: Finding, endpoint: Endpoint, used: set[int], path: str | None
    ) -> Diagnostic:
        suppressed = None
        if rule.liftable:
            entry = self.decisions.allowed(endpoint.id, finding, path, self.today)
            if entry is not None:
                used.add(entry.position)
                suppressed = lifted_by(entry)
        return self.stamp(
            rule.code,
            finding.message,
            pointer=jp.join(finding.parts),
            endpoint=endpoint,
            field_path=finding.field_path,
            status=finding.status,
            suppressed_by=suppressed,
        )

    def allow_diagnostics(
        self,
        used: Iterable[int],
        linted: Iterable[str] | None = None,
        *,
        report_unused: bool = True,
    ) -> list[Diagnostic]:
        """Findings about the allowlist itself (`kling_lint.check.allowlist` says which):
        those that depend on a payload, for the endpoints in `linted` (all when None), and
        entries nothing used (when `report_unused`)."""
        seen = None if linted is None else set(linted)
        said = allowlist.remarks(
            self.register, self.config, self.allow, self.today, set(used), seen, report_unused
        )
        out = []
        for code, message, entry in said:
            if self.reports(code):
                place = (entry.line, 1) if entry.line else None
                out.append(self.stamp(code, message, field_path=entry.field, position=place))
        return out
