"""The library: `lint` and `guard` for code that builds requests, over a shared Linter."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kling_lint.check.endpoint import resolve
from kling_lint.check.linter import Linter, Report
from kling_lint.check.stamp import closed
from kling_lint.config import Config, ConfigError, load_config
from kling_lint.diagnostics import Diagnostic, Severity
from kling_lint.register import RegisterError

_lock = threading.Lock()
_linters: dict[str, Linter] = {}


class PayloadBlocked(Exception):
    """Raised by `guard` when a payload would be blocked; carries the diagnostics."""

    def __init__(self, endpoint: str | None, diagnostics: tuple[Diagnostic, ...]) -> None:
        shown = [d for d in diagnostics if d.counts and d.severity >= Severity.ERROR] or list(
            diagnostics
        )
        summary = "; ".join(f"{d.code} {d.pointer or '/'}: {d.message}" for d in shown[:3])
        more = f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""
        super().__init__(f"{endpoint or 'payload'} blocked: {summary}{more}")
        self.endpoint = endpoint
        self.diagnostics = diagnostics


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


def _endpoint_id(linter: Linter, endpoint: str) -> str | None:
    found = resolve(linter.register, endpoint)
    return found.id if found else None


def lint(payload: Any, endpoint: str, *, config: Config | str | Path | None = None) -> Report:
    """Check one payload for `endpoint` (an id or "METHOD /path") and return the verdict.

    Raises KeyError for an endpoint the register does not know, and ConfigError or
    RegisterError when the configuration or register cannot be used.
    """
    linter = _linter(config)
    endpoint_id = _endpoint_id(linter, endpoint)
    if endpoint_id is None:
        raise KeyError(f"unknown endpoint {endpoint!r}")
    return linter.lint(payload, endpoint_id)


def guard(payload: Any, endpoint: str, *, config: Config | str | Path | None = None) -> Report:
    """Like `lint`, but raise PayloadBlocked when the payload would be blocked.

    It fails closed: an unknown endpoint, or a register or configuration that cannot be
    loaded, blocks the payload too.
    """
    try:
        linter = _linter(config)
    except (ConfigError, RegisterError, OSError) as exc:
        raise PayloadBlocked(
            endpoint, (closed("KL007", f"cannot load the linter: {exc}"),)
        ) from exc
    endpoint_id = _endpoint_id(linter, endpoint)
    if endpoint_id is None:
        raise PayloadBlocked(endpoint, (closed("KL004", f"unknown endpoint {endpoint!r}"),))
    try:
        report = linter.lint(payload, endpoint_id)
    except RegisterError as exc:  # an endpoint schema that cannot be read, found on first use
        raise PayloadBlocked(endpoint_id, (closed("KL007", f"cannot check: {exc}"),)) from exc
    if report.blocked:
        raise PayloadBlocked(endpoint_id, report.diagnostics)
    return report
