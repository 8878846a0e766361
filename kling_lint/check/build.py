"""Building what a Linter checks with, in one place for the CLI, the library and the HTTP
guards: config + register (with its overlays) + policy files + plugins + selection.

`rule_table` is the table `kling-lint rules` and `explain` show; `plan` is that table made
ready to check: the register's policy files laid on, the plugins loaded and checked for
clashes, the configured policies and endpoint patterns checked against the register, and
the decisions (selection, per-file ignores, allowlist) built.
"""

from __future__ import annotations

from typing import NamedTuple

from kling_lint.check.decide import Decisions
from kling_lint.check.endpoint import resolve, suggest_endpoint
from kling_lint.check.plugins import PluginError, plugin_rules
from kling_lint.check.rules import Rule, all_rules
from kling_lint.check.stamp import Stamp
from kling_lint.config import Config, ConfigError
from kling_lint.config.policies import with_policy_files
from kling_lint.register import Register, load_register


class Plan(NamedTuple):
    """Everything a Linter checks with, built and checked once."""

    config: Config
    register: Register  # with the config's policy files laid on
    rules_by_code: dict[str, Rule]  # every rule known: built-in, register, policies, plugins
    rules: tuple[Rule, ...]  # those this config runs: by code, then the plugins'
    decisions: Decisions
    stamp: Stamp


def rule_table(
    register: Register, config: Config, *, plugins: bool = True
) -> tuple[Register, dict[str, Rule]]:
    """The register with the config's policy files laid on, and every rule by code:
    built-in, the register's declared rules, every policy's rules and (with `plugins`)
    the installed plugins and those the config names. A plugin that takes a code already
    used is refused."""
    if config.policy_files:
        taken = {r.code for r in all_rules(register, None)}
        register = with_policy_files(register, config.policy_files, taken)
    table = {r.code: r for r in all_rules(register, None)}
    extra = plugin_rules(config.plugins, config.origin) if plugins else ()
    for outside in extra:
        if outside.code in table:
            raise PluginError(f"{outside.origin}: rule code {outside.code} is already used")
    return register, {**table, **{r.code: r for r in extra}}


def plan(config: Config, register: Register | None = None) -> Plan:
    """The Plan for `config` (its own register and overlays unless `register` is given).
    Raises ConfigError, RegisterError or PluginError when they cannot be used."""
    register = register or load_register(config.register, config.overlays)
    register, rules_by_code = rule_table(register, config)
    unknown = [p for p in config.policies if p not in register.policies]
    if unknown:
        known = ", ".join(sorted(register.policies)) or "none"
        raise ConfigError(f"unknown policy {unknown[0]!r} (known: {known})")
    for pattern, endpoint_id in config.endpoints:
        if resolve(register, endpoint_id) is None:
            raise ConfigError(
                f"{config.where('endpoints')}: {pattern!r} names unknown endpoint "
                f"{endpoint_id!r}{suggest_endpoint(register, endpoint_id)}"
            )
    decisions = Decisions(register, config, rules_by_code)
    own = {r.code for r in all_rules(register, None)}
    plugins = [r for code, r in rules_by_code.items() if code not in own]
    rules = tuple(
        r for r in (*all_rules(register, config.policies), *plugins) if decisions.reports(r.code)
    )
    severity = {code.strip().upper(): level for code, level in config.severity.items()}
    return Plan(config, register, rules_by_code, rules, decisions, Stamp(rules_by_code, severity))
