"""The library: `lint` and `guard` for code that builds requests, over a shared Linter."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kling_lint.check.blocked import PayloadBlocked
from kling_lint.check.linter import Linter, Report
from kling_lint.check.stamp import closed
from kling_lint.config import Config, load_config

__all__ = ["PayloadBlocked", "guard", "lint"]

_lock = threading.Lock()
_linters: dict[str, Linter] = {}


_by_object: dict[int, tuple[Config, Linter]] = {}


def _linter(config: Config | str | Path | None) -> Linter:
    """A Linter per configuration, built once and shared (Linter holds no run state)."""
    if isinstance(config, Config):
        with _lock:
            # Keyed by identity (a Config holds dicts, so it cannot be hashed); the entry
            # keeps the Config alive so its id cannot be reused while it is cached.
            entry = _by_object.get(id(config))
            if entry is None or entry[0] is not config:
                if len(_by_object) >= 16:
                    _by_object.clear()
                entry = (config, Linter(config=config))
                _by_object[id(config)] = entry
            return entry[1]
    key = str(Path(config).resolve()) if config is not None else ""
    with _lock:
        if key not in _linters:
            _linters[key] = Linter(config=load_config(Path(config)) if config is not None else None)
        return _linters[key]


def lint(payload: Any, endpoint: str, *, config: Config | str | Path | None = None) -> Report:
    """Check one payload for `endpoint` (an id or "METHOD /path") and return the verdict.

    Raises KeyError for an endpoint the register does not know, and ConfigError or
    RegisterError when the configuration or register cannot be used.
    """
    return _linter(config).lint(payload, endpoint)


def guard(payload: Any, endpoint: str, *, config: Config | str | Path | None = None) -> Report:
    """Like `lint`, but raise PayloadBlocked when the payload would be blocked.

    It fails closed: an unknown endpoint, a register or configuration that cannot be
    loaded, and anything else that stops the check block the payload too.
    """
    try:
        linter = _linter(config)
    except Exception as exc:  # a config, register or plugin that cannot be loaded
        raise PayloadBlocked(
            endpoint if isinstance(endpoint, str) else None,
            (closed("KL007", f"cannot load the linter: {exc}"),),
        ) from exc
    return linter.guard(payload, endpoint)
