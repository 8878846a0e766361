"""The checking stage: a Linter compiles the register once and checks payloads (pure, no I/O)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.config import AllowEntry, Config, ConfigError
from kling_lint.diagnostics import Diagnostic, Severity, Suppression
from kling_lint.plugins import PluginError, plugin_rules
from kling_lint.policy_files import with_policy_files
from kling_lint.register import Register, load_register
from kling_lint.register.model import Endpoint, Field, child_path
from kling_lint.rules import Context, Finding, Rule, all_rules
from kling_lint.rules.status import unknown_field_finding

Parts = tuple[str | int, ...]
_UNKNOWN_FIELD = "KL106"
_REQUIRED = "KL205"


class Report(NamedTuple):
    """The verdict on one payload."""

    endpoint: str | None
    diagnostics: tuple[Diagnostic, ...]
    fail_on: Severity = Severity.ERROR
    allow_used: frozenset[int] = frozenset()

    @property
    def blocked(self) -> bool:
        """True when an unsuppressed finding is at or above the failure threshold."""
        return any(d.counts and d.severity >= self.fail_on for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return not self.blocked


def _matches(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix that selects `code` (0 when none does)."""
    best = 0
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 1)
        elif code.startswith(prefix):
            best = max(best, len(prefix) + 1)
    return best


def selected(code: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> bool:
    """Ruff's rule: the longer matching prefix wins; a tie goes to ignore."""
    chosen = _matches(code, select) if select is not None else 1
    dropped = _matches(code, ignore)
    return chosen > 0 and chosen > dropped


class _EndpointPlan(NamedTuple):
    """An endpoint compiled for the walk: per container, its members and what checks them."""

    endpoint: Endpoint
    # container path -> member name -> (field, the node rules that field can trigger)
    containers: dict[str, dict[str, tuple[Field, tuple[Rule, ...]]]]
    # container path -> members the contract always requires
    required: dict[str, tuple[tuple[str, Field], ...]]
    payload_rules: tuple[Rule, ...]
    model_field: Field | None


class Linter:
    """Checks payloads against a register. Build once, share freely: it holds no run state."""

    def __init__(
        self,
        register: Register | None = None,
        config: Config | None = None,
        *,
        today: _dt.date | None = None,
    ) -> None:
        self.config = config or Config()
        self.register = register or load_register(self.config.register)
        if self.config.policy_files:
            taken = {r.code for r in all_rules(self.register, None)}
            self.register = with_policy_files(self.register, self.config.policy_files, taken)
        self.today = today or _dt.date.today()
        unknown = [p for p in self.config.policies if p not in self.register.policies]
        if unknown:
            known = ", ".join(sorted(self.register.policies)) or "none"
            raise ConfigError(f"unknown policy {unknown[0]!r} (known: {known})")
        for entry in self.config.allow:
            if entry.endpoint not in self.register.endpoints:
                raise ConfigError(
                    f"{entry.source or 'config'}:{entry.line or 1}: allow entry names unknown "
                    f"endpoint {entry.endpoint!r}"
                )
        extra = plugin_rules(self.config.plugins, self.config.display)
        table = {r.code: r for r in all_rules(self.register, None)}
        for outside in extra:
            if outside.code in table:
                raise PluginError(f"{outside.origin}: rule code {outside.code} is already used")
        self.rules = [
            r
            for r in (*all_rules(self.register, self.config.policies), *extra)
            if selected(r.code, self.config.select, self.config.ignore)
        ]
        self.rules_by_code = {**table, **{r.code: r for r in extra}}
        # Outside rules run guarded: whatever they raise becomes a KL008 finding.
        self._outside = frozenset(r.code for r in extra)
        for code, level in self.config.severity.items():
            target = self.rules_by_code.get(code)
            if target is None:
                raise ConfigError(f"severity: unknown rule code {code!r}")
            if target.liftable and level < Severity.ERROR and not target.relaxed_on_free:
                raise ConfigError(
                    f"severity: {code} is a status gate; allowlist the field instead of "
                    "lowering the rule"
                )
        self._selected_codes = frozenset(r.code for r in self.rules)
        # Plans are built on first use: most runs touch one or two endpoints. Building one
        # is pure, so two threads racing on the same endpoint store equal plans.
        self._plans: dict[str, _EndpointPlan] = {}
        self._active_allow = tuple(e for e in self.config.allow if not e.expired(self.today))

    def _plan(self, endpoint: Endpoint) -> _EndpointPlan:
        containers: dict[str, dict[str, tuple[Field, tuple[Rule, ...]]]] = {"": {}}
        for path, info in endpoint.fields.items():
            if info.children:
                containers[path] = {}
        for path, info in endpoint.fields.items():
            cut = path.rfind(".")
            container = "" if cut < 0 else path[:cut].removesuffix("[]")
            rules = tuple(
                r
                for r in self.rules
                if r.node and r.applies and r.applies_to(endpoint.id) and r.applies(info)
            )
            containers.setdefault(container, {})[path[cut + 1 :]] = (info, rules)
        required = {
            container: tuple(
                (name, info) for name, (info, _) in members.items() if info.required == "always"
            )
            for container, members in containers.items()
        }
        payload_rules = tuple(r for r in self.rules if r.payload and r.applies_to(endpoint.id))
        model_field = endpoint.fields.get("model_name")
        return _EndpointPlan(endpoint, containers, required, payload_rules, model_field)

    def severity_of(self, rule: Rule, endpoint: Endpoint) -> Severity:
        if rule.code in self.config.severity:
            return self.config.severity[rule.code]
        if rule.relaxed_on_free and not endpoint.billable:
            return Severity.WARNING
        return rule.severity

    def endpoint(self, endpoint_id: str) -> Endpoint:
        try:
            return self.register.endpoints[endpoint_id]
        except KeyError:
            raise KeyError(f"unknown endpoint {endpoint_id!r}") from None

    def lint(self, payload: Any, endpoint: str | Endpoint) -> Report:
        """Check one payload (the request body, or the path and query parameters of a GET)."""
        target = self.endpoint(endpoint) if isinstance(endpoint, str) else endpoint
        plan = self._plans.get(target.id)
        if plan is None:
            plan = self._plans.setdefault(target.id, self._plan(target))
        used: set[int] = set()
        diagnostics = sorted(
            self._stamp(rule, finding, target, used)
            for rule, finding in self._findings(plan, payload)
        )
        return Report(target.id, tuple(diagnostics), self.config.fail_on, frozenset(used))

    def _findings(self, plan: _EndpointPlan, payload: Any) -> Iterator[tuple[Rule, Finding]]:
        if not isinstance(payload, dict):
            rule = self.rules_by_code["KL006"]
            if rule.code in self._selected_codes:
                yield rule, Finding((), f"payload must be an object, not {type(payload).__name__}")
            return
        model = None
        if plan.model_field is not None:
            raw = payload.get("model_name", plan.model_field.default)
            model = raw if isinstance(raw, str) else None
        ctx = Context(self.register, plan.endpoint, payload, model)
        yield from self._walk(ctx, plan, "", payload, ())
        for rule in plan.payload_rules:
            assert rule.payload is not None
            if rule.triggers and rule.triggers.isdisjoint(payload):
                continue
            if rule.code in self._outside:
                yield from self._guarded(rule, rule.payload, ctx)
            else:
                for finding in rule.payload(ctx):
                    yield rule, finding

    def _walk(
        self, ctx: Context, plan: _EndpointPlan, container: str, obj: dict[str, Any], parts: Parts
    ) -> Iterator[tuple[Rule, Finding]]:
        children = plan.containers.get(container, {})
        for key, value in obj.items():
            here = (*parts, key)
            entry = children.get(key)
            if entry is None:
                if _UNKNOWN_FIELD in self._selected_codes:
                    path = child_path(container, key, _is_array(plan, container))
                    yield (
                        self.rules_by_code[_UNKNOWN_FIELD],
                        unknown_field_finding(ctx, key, path, sorted(children), here),
                    )
                continue
            info, rules = entry
            for rule in rules:
                assert rule.node is not None
                if rule.code in self._outside:
                    yield from self._guarded(rule, rule.node, ctx, info, value, here)
                    continue
                for finding in rule.node(ctx, info, value, here):
                    yield rule, finding
            # One root cause, one finding: a blocked field's insides are not judged again.
            if info.children and not (info.rejected or info.hypothesis):
                if isinstance(value, dict) and info.is_object:
                    yield from self._walk(ctx, plan, info.path, value, here)
                elif isinstance(value, list) and info.is_array:
                    for i, item in enumerate(value):
                        if isinstance(item, dict):
                            yield from self._walk(ctx, plan, info.path, item, (*here, i))
        missing = [(n, f) for n, f in plan.required.get(container, ()) if n not in obj]
        if missing and _REQUIRED in self._selected_codes:
            # A known-wrong name sent in place of its replacement is reported once, as itself.
            replaced = {children[k][0].replaced_by for k in obj if k in children}
            for _, info in missing:
                if info.path not in replaced:
                    finding = Finding(
                        parts, f"{info.path} is required", info.path, info.status_labels
                    )
                    yield self.rules_by_code[_REQUIRED], finding

    def _guarded(
        self, rule: Rule, check: Callable[..., Iterable[Finding]], *args: Any
    ) -> Iterator[tuple[Rule, Finding]]:
        """Run an outside rule; an exception becomes a KL008 error instead of a crash."""
        try:
            findings = list(check(*args))
        except Exception as exc:  # whatever a plugin raises, the run goes on and blocks
            message = f"plugin rule {rule.code} ({rule.origin}) raised {exc!r}"
            yield self.rules_by_code["KL008"], Finding((), message)
            return
        for finding in findings:
            yield rule, finding

    def _stamp(
        self, rule: Rule, finding: Finding, endpoint: Endpoint, used: set[int]
    ) -> Diagnostic:
        suppressed = None
        if rule.liftable:
            entry = self._allowed(endpoint.id, finding)
            if entry is not None:
                used.add(entry.position)
                suppressed = Suppression(
                    entry.reason,
                    entry.owner,
                    entry.expires.isoformat() if entry.expires else None,
                    f"{entry.source}:{entry.line}" if entry.source and entry.line else entry.source,
                )
        return Diagnostic(
            code=rule.code,
            rule=rule.name,
            severity=self.severity_of(rule, endpoint),
            message=finding.message,
            pointer=jp.join(finding.parts),
            field_path=finding.field_path,
            status=finding.status,
            suppressed_by=suppressed,
        )

    def _allowed(self, endpoint_id: str, finding: Finding) -> AllowEntry | None:
        if finding.field_path is None:
            return None
        path = jp.normalise_path(finding.field_path)
        for entry in self._active_allow:
            if entry.endpoint != endpoint_id or jp.normalise_path(entry.field) != path:
                continue
            if entry.has_value and not (finding.has_value and entry.value == finding.value):
                continue
            return entry
        return None

    def allow_diagnostics(self, used: Iterable[int]) -> list[Diagnostic]:
        """Findings about the allowlist itself: expired entries, and entries nothing used."""
        used = set(used)
        out = []
        for entry in self.config.allow:
            where = f"allow entry {entry.position + 1} ({entry.endpoint} {entry.field})"
            if entry.expired(self.today):
                rule = self.rules_by_code["KL901"]
                message = f"{where} expired on {entry.expires}: {entry.reason}"
            elif entry.position not in used:
                rule = self.rules_by_code["KL902"]
                message = f"{where} matched nothing in this run"
            else:
                continue
            if rule.code in self._selected_codes:
                out.append(
                    Diagnostic(
                        rule.code,
                        rule.name,
                        rule.severity,
                        message,
                        "",
                        entry.field,
                        line=entry.line,
                        column=1 if entry.line else None,
                    )
                )
        return out


def _is_array(plan: _EndpointPlan, container: str) -> bool:
    info = plan.endpoint.fields.get(container)
    return bool(info and info.is_array)
