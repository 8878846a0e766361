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
from typing import Any

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


# A plugin whose import takes longer than this is taken for hung: the run stops (exit 2)
# instead of waiting for ever.
IMPORT_SECONDS = 20.0


def _import(module_name: str, target: str, origin: str) -> Any:
    """Import a plugin's module in a helper thread, so that a hang is bounded and nothing it
    raises (SystemExit included) ends the run as if it had passed."""
    import threading

    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append((True, importlib.import_module(module_name)))
        except BaseException as exc:  # reported, never re-raised
            outcome.append((False, exc))

    worker = threading.Thread(target=work, name=f"kling-lint plugin {module_name}", daemon=True)
    worker.start()
    worker.join(IMPORT_SECONDS)
    if not outcome:
        raise PluginError(
            f"{origin}: plugin {target!r} did not finish importing in {IMPORT_SECONDS:g} s"
        )
    ok, value = outcome[0]
    if not ok:
        raise PluginError(f"{origin}: cannot load plugin {target!r}: {value!r}") from value
    return value


def _load(target: str, origin: str) -> list[Rule]:
    module_name, _, attr = target.partition(":")
    module = _import(module_name, target, origin)
    try:
        obj = getattr(module, attr) if attr else module
        rules = obj() if callable(obj) and not isinstance(obj, Iterable) else obj
        rules = list(rules)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a plugin may raise anything, SystemExit too
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
