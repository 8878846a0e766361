"""The rule table: built-in rules in an explicit list, plus the register's own rules."""

from __future__ import annotations

from kling_lint.check.memo import kept_on
from kling_lint.check.rules import (
    camera,
    ignored,
    lifecycle,
    media,
    omni,
    prompt_syntax,
    shots,
    status,
    structure,
    tokens,
)
from kling_lint.check.rules._base import Context, Finding, Rule, RuleDoc
from kling_lint.check.rules.declared import declared_rules, policy_rules
from kling_lint.diagnostics import Severity
from kling_lint.register.model import Register

__all__ = [
    "BUILTIN_CODES",
    "BUILTIN_RULES",
    "LOADER_CODES",
    "Context",
    "Finding",
    "Rule",
    "RuleDoc",
    "all_rules",
]

_INPUT = (
    Rule(
        "KL001",
        "unreadable-payload",
        Severity.ERROR,
        RuleDoc(
            "Reports a payload file that cannot be read or parsed as JSON or YAML.",
            "A broken file cannot be checked, so nothing can be said about what it would send.",
            '{"prompt": "a cat",}',
            '{"prompt": "a cat"}',
        ),
        reported_by="loader",
        always_on=True,
    ),
    Rule(
        "KL002",
        "duplicate-key",
        Severity.ERROR,
        RuleDoc(
            "Reports a key written twice in one object.",
            "The API sees only one of the two values (usually the last), so half of what you "
            "wrote is silently dropped.",
            '{"mode": "pro", "prompt": "a cat", "mode": "std"}',
            '{"prompt": "a cat", "mode": "std"}',
        ),
        reported_by="loader",
        always_on=True,
    ),
    Rule(
        "KL003",
        "non-json-value",
        Severity.ERROR,
        RuleDoc(
            "Reports values JSON cannot carry: NaN, Infinity, YAML dates and other YAML-only "
            "types.",
            "Such values are not valid JSON; client libraries either refuse them or send "
            "something other than what you wrote.",
            '{"voice_speed": NaN}',
            '{"voice_speed": 1.0}',
        ),
        reported_by="loader",
        always_on=True,
    ),
    Rule(
        "KL004",
        "unknown-endpoint",
        Severity.ERROR,
        RuleDoc(
            "Reports an endpoint id or route that the register does not know.",
            "Without an endpoint there is no contract to check the payload against.",
            '{"endpoint": "omni.create", "body": {"prompt": "a cat"}}',
            'Use an id from `kling-lint endpoints`: {"endpoint": "omni-video.create", ...}',
        ),
        reported_by="run",
        always_on=True,
    ),
    Rule(
        "KL005",
        "endpoint-undetermined",
        Severity.ERROR,
        RuleDoc(
            "Reports a payload whose endpoint could not be told from its shape: it fits "
            "several endpoints, or none.",
            "A guess would check the payload against the wrong contract.",
            '{"prompt": "a cat", "duration": "5"}',
            "Name the endpoint: `--endpoint omni-video.create`, a path mapping in the config, "
            'or an envelope {"endpoint": "omni-video.create", "body": {...}}.',
        ),
        reported_by="run",
        always_on=True,
    ),
    Rule(
        "KL006",
        "payload-not-object",
        Severity.ERROR,
        RuleDoc(
            "Reports a payload that is not a JSON object.",
            "Every Kling request body is an object.",
            '["a cat"]',
            '{"prompt": "a cat"}',
        ),
        reported_by="linter",
        always_on=True,
    ),
    Rule(
        "KL008",
        "plugin-failed",
        Severity.ERROR,
        RuleDoc(
            "Reports a rule that raised an exception while checking a payload: usually an "
            "outside (plugin) rule, but a built-in rule is guarded the same way.",
            "A broken rule cannot vouch for the payload, so the payload is blocked and the run "
            "exits 2 rather than passing it unchecked.",
            "A plugin rule that raises KeyError on a payload without prompt.",
            "Fix the plugin the message names, or take it out of the configuration; its "
            "failure cannot be ignored, since the payload went unchecked.",
        ),
        reported_by="linter",
        always_on=True,
        fault=True,
    ),
    Rule(
        "KL009",
        "envelope-key",
        Severity.ERROR,
        RuleDoc(
            "Reports a key of a request-log envelope other than `endpoint` and one body "
            "(`body`, or `params` for a GET).",
            "Only the body is sent. A field written beside it, or a second body, is neither "
            "sent nor checked, so a mistake there would pass unseen.",
            '{"endpoint": "omni-video.create", "body": {"prompt": "a cat"}, "mode": "std"}',
            '{"endpoint": "omni-video.create", "body": {"prompt": "a cat", "mode": "std"}}',
        ),
        reported_by="loader",
        always_on=True,
    ),
    Rule(
        "KL010",
        "endpoint-guessed",
        Severity.WARNING,
        RuleDoc(
            "Reports a payload whose endpoint was told from its shape only by ruling out "
            "endpoints that fit its fields better, because their model lists lack its "
            "model_name.",
            "The model lists are what the documents say; if one is incomplete, the payload "
            "is checked against the wrong contract and its findings mislead.",
            '{"model_name": "kling-v2-1", "prompt": "a cat", "duration": "5", "mode": "std", '
            '"aspect_ratio": "16:9"}',
            "Name the endpoint: `--endpoint text2video.create`, a config mapping, or an envelope.",
        ),
        reported_by="run",
    ),
    Rule(
        "KL011",
        "ambiguous-yaml-scalar",
        Severity.ERROR,
        RuleDoc(
            "Reports an unquoted YAML scalar that a YAML 1.1 reader such as PyYAML reads "
            "differently: `on`, `yes`, `no`, `y` (booleans), `16:9` (a base-60 number), `010` "
            "(octal), `0o10` and `1e3` (text).",
            "kling-lint reads YAML 1.2; a pipeline that loads the file with PyYAML sends "
            '`"sound": true` or `"aspect_ratio": 969`, and the API rejects the request that '
            "was checked as valid.",
            "sound: on\naspect_ratio: 16:9",
            'sound: "on"\naspect_ratio: "16:9"',
        ),
        reported_by="loader",
    ),
    Rule(
        "KL012",
        "not-a-payload-file",
        Severity.ERROR,
        RuleDoc(
            "Reports a file named on the command line whose suffix is not one kling-lint "
            "reads (.json, .jsonl, .yaml, .yml); it is not read. A folder walk never picks "
            "such files, and `--force-exclude` skips them instead.",
            "A file you asked to check that cannot be checked must not pass as if it had "
            "been; and it is not invalid JSON, so it is not reported as such.",
            "kling-lint check README.md",
            "kling-lint check payloads/ (or: kling-lint check - --stdin-filename x.json < file)",
        ),
        reported_by="loader",
        always_on=True,
    ),
    Rule(
        "KL007",
        "linter-unavailable",
        Severity.ERROR,
        RuleDoc(
            "Reported by `guard` when the register or the configuration cannot be loaded.",
            "A guard that cannot check must not let a billable request through: it fails closed.",
            'kling_lint.guard(payload, "omni-video.create", config="missing.toml")',
            "Fix the configuration or register the message names; `kling-lint registry "
            "validate` and `kling-lint check` report the exact problem.",
        ),
        reported_by="guard",
        always_on=True,
    ),
)

_ALLOWLIST = (
    Rule(
        "KL901",
        "allowlist-expired",
        Severity.ERROR,
        RuleDoc(
            "Reports an allowlist entry past its expires date. An expired entry no longer "
            "lifts anything.",
            "Exceptions should be revisited: an expiry forces the question whether the probe "
            "is done and the register should be updated.",
            '[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\n'
            'reason = "probe"\nexpires = 2020-01-01',
            "Record what the probe showed in the register, then delete the entry, or extend "
            "expires with a new reason.",
        ),
        reported_by="allowlist",
    ),
    Rule(
        "KL902",
        "allowlist-unused",
        Severity.WARNING,
        RuleDoc(
            "Reports an allowlist entry that matched no finding in the run.",
            "Stale exceptions hide future mistakes: an entry nobody needs can later let a "
            "wrong field through unnoticed.",
            '[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\n'
            'reason = "old probe"',
            "Delete the entry.",
        ),
        reported_by="allowlist",
    ),
    Rule(
        "KL904",
        "allowlist-expiring",
        Severity.WARNING,
        RuleDoc(
            "Reports an allowlist entry whose expires date is at most allow-warn-days "
            "(default 14) away, in runs that lint its endpoint.",
            "An entry that expires starts failing runs the next day; the warning gives the "
            "owner time to finish the probe or renew the entry with a reason.",
            '[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\n'
            'reason = "probe"\nexpires = 2026-12-10',
            "Record what the probe showed in the register and delete the entry, or move "
            "expires with a new reason; allow-warn-days = 0 turns the warning off.",
        ),
        reported_by="allowlist",
    ),
    Rule(
        "KL905",
        "allowlist-lifetime",
        Severity.ERROR,
        RuleDoc(
            "With allow-max-days set, reports an allowlist entry that has no expires date or "
            "expires more than that many days after the day of the run. Such an entry lifts "
            "nothing, in the CLI and the library alike, as an expired one.",
            "A team that wants every exception revisited says how long one may live; an "
            "entry without an end would outlive the probe it was written for.",
            "[tool.kling-lint]\nallow-max-days = 90\n\n[[tool.kling-lint.allow]]\n"
            'endpoint = "omni-video.create"\nfield = "voice_list"\nreason = "probe"',
            "Give the entry an expires date within allow-max-days.",
        ),
        reported_by="allowlist",
    ),
    Rule(
        "KL906",
        "allowlist-not-needed",
        Severity.WARNING,
        RuleDoc(
            "Reports an allowlist entry whose field or value the register no longer gates: "
            "live runs have since confirmed it, or it is doc-derived, so the entry lifts "
            "nothing.",
            "An entry nobody needs could later let a wrong field through unnoticed, once the "
            "register's status changes again.",
            '[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\nfield = "mode"\n'
            'value = "std"\nreason = "before std was confirmed"',
            "Delete the entry; `kling-lint allowlist prune` deletes every such entry.",
        ),
        reported_by="allowlist",
    ),
    Rule(
        "KL903",
        "baseline-stale",
        Severity.WARNING,
        RuleDoc(
            "Reports a baseline entry (`--baseline`) for a linted file that no finding of "
            "the run matches any more: the finding was fixed, or its value changed.",
            "A baseline should only shrink: an entry nobody needs could later hide a new "
            "finding that happens to look the same.",
            "kling-lint check --baseline kling-lint-baseline.json payloads/",
            "kling-lint check --baseline kling-lint-baseline.json --prune-baseline payloads/",
        ),
        reported_by="baseline",
    ),
)

BUILTIN_RULES: tuple[Rule, ...] = (
    *_INPUT,
    *status.RULES,
    *ignored.RULES,
    *structure.RULES,
    *lifecycle.RULES,
    *shots.RULES,
    *tokens.RULES,
    *omni.RULES,
    *prompt_syntax.RULES,
    *camera.RULES,
    *media.RULES,
    *_ALLOWLIST,
)
BUILTIN_CODES = frozenset(r.code for r in BUILTIN_RULES)

# The code each kind of loader problem (`kling_lint.load.problems.Problem`, a str enum,
# keyed here by its value so that checking imports nothing of loading) is reported under.
LOADER_CODES: dict[str, str] = {
    "unreadable": "KL001",
    "duplicate-key": "KL002",
    "non-json-value": "KL003",
    "envelope-endpoint": "KL004",
    "envelope-body": "KL006",
    "envelope-key": "KL009",
    "ambiguous-yaml-scalar": "KL011",
    "not-a-payload-file": "KL012",
    "not-a-payload-by-content": "KL012",
}

if len(BUILTIN_CODES) != len(BUILTIN_RULES):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate built-in rule code")


@kept_on()
def all_rules(register: Register, policies: tuple[str, ...] | None = None) -> tuple[Rule, ...]:
    """Built-in rules, the register's declared rules, and the named policies' rules.

    `policies=None` lists every policy's rules (for `kling-lint rules`).
    """
    chosen = (
        register.policies.values()
        if policies is None
        else [register.policies[p] for p in policies if p in register.policies]
    )
    policy = [r for p in chosen for r in p.rules]
    rules = [*BUILTIN_RULES, *_declared(register), *policy_rules(policy)]
    return tuple(sorted(rules, key=lambda r: r.code))


@kept_on()
def _declared(register: Register) -> tuple[Rule, ...]:
    """The register's declared rules as Rules, built once whatever policies are asked for
    (a run asks for its policies' table and for the whole one)."""
    return tuple(declared_rules(list(register.endpoints.declared_rules)))
