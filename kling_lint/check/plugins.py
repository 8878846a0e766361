"""Outside rules: the `kling_lint.rules` entry-point group and `plugins = [...]` in the config.

A plugin names an object that is a sequence of `kling_lint.rules.Rule` (or a callable that
returns one). Codes KL800-KL899 are kept for outside rules.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from functools import cache

from kling_lint.check.rules import BUILTIN_CODES, Rule
from kling_lint.config import ConfigError

GROUP = "kling_lint.rules"


class PluginError(ConfigError):
    """A plugin that cannot be loaded or does not give rules; the run exits 2."""


@cache
def _installed() -> tuple[tuple[str, str, str], ...]:
    """(name, value, distribution) of every installed entry point in the group.

    Asking importlib.metadata for entry points reads every installed distribution's
    metadata, which costs tens of milliseconds per run; a plain look for the group's name
    in the entry_points.txt files comes first, and metadata is asked only when it is there.
    """
    found = False
    for folder in sys.path:
        try:
            names = [n for n in os.listdir(folder or ".") if n.endswith(".dist-info")]
        except OSError:
            continue
        for name in names:
            try:
                with open(
                    os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8"
                ) as fh:
                    if f"[{GROUP}]" in fh.read():
                        found = True
                        break
            except OSError:
                continue
        if found:
            break
    if not found:
        return ()
    from importlib.metadata import entry_points

    return tuple(
        sorted(
            (ep.name, ep.value, ep.dist.name if ep.dist else "?")
            for ep in entry_points(group=GROUP)
        )
    )


def _load(target: str, origin: str) -> list[Rule]:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        obj = getattr(module, attr) if attr else module
    except Exception as exc:  # a plugin's import can fail in any way; none may crash a run
        raise PluginError(f"{origin}: cannot load plugin {target!r}: {exc!r}") from exc
    try:
        rules = obj() if callable(obj) and not isinstance(obj, Iterable) else obj
        rules = list(rules)
    except Exception as exc:
        raise PluginError(f"{origin}: plugin {target!r} did not give rules: {exc!r}") from exc
    for rule in rules:
        if not isinstance(rule, Rule):
            raise PluginError(f"{origin}: plugin {target!r} gave {rule!r}, not a kling_lint Rule")
    return rules


def plugin_rules(configured: Iterable[str] = (), config_source: str = "config") -> tuple[Rule, ...]:
    """Rules from installed entry points and from the config's `plugins`, checked."""
    loaded: list[Rule] = []
    for name, value, dist in _installed():
        loaded += [
            _with_origin(r, f"plugin {dist}") for r in _load(value, f"entry point {name} ({dist})")
        ]
    for target in configured:
        loaded += [_with_origin(r, f"plugin {target}") for r in _load(target, config_source)]
    seen: dict[str, str] = {}
    for rule in loaded:
        if rule.code in BUILTIN_CODES or rule.code in seen:
            other = "a built-in rule" if rule.code in BUILTIN_CODES else seen[rule.code]
            raise PluginError(f"{rule.origin}: rule code {rule.code} is already used by {other}")
        seen[rule.code] = rule.origin
    return tuple(loaded)


def _with_origin(rule: Rule, origin: str) -> Rule:
    import dataclasses

    return dataclasses.replace(rule, origin=origin)
