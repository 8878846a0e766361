"""The library: `lint` and `guard` for code that builds requests, over a shared Linter."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kling_lint.check.blocked import PayloadBlocked
from kling_lint.check.linter import Linter, Report
from kling_lint.check.stamp import closed
from kling_lint.config import Config, ConfigError, find_config, load_config
from kling_lint.config.paths import relative

__all__ = ["AUTO", "PayloadBlocked", "guard", "lint"]

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
    discovered = False
    if isinstance(config, str) and config == AUTO:
        # As `kling-lint check` finds it: the nearest config from the working folder up.
        config, discovered = find_config(Path.cwd()), True
    key = str(Path(config).resolve()) if config is not None else ""
    with _lock:
        if key not in _linters:
            loaded = load_config(Path(config)) if config is not None else None
            if discovered and loaded is not None and loaded.plugins:
                # As on the command line: a config found by walking up may have come with
                # the code around it, so the plugins it names are not imported unasked.
                raise ConfigError(
                    f"{loaded.where('plugins')}: plugins named by a config file found by "
                    "walking up are not loaded; pass config=<that file> to load them"
                )
            _linters[key] = Linter(config=loaded)
        return _linters[key]


#: `config=AUTO`: the configuration `kling-lint check` would use from the working folder.
AUTO = "auto"


def _at(linter: Linter, file: str | Path | None) -> str | None:
    """The file as the config's path patterns see it (relative to the config's folder)."""
    if file is None or not linter.per_file_paths:
        return None
    return relative(str(file), linter.config.path)


def lint(
    payload: Any,
    endpoint: str,
    *,
    config: Config | str | Path | None = None,
    file: str | Path | None = None,
) -> Report:
    """Check one payload for `endpoint` (an id or "METHOD /path") and return the verdict.

    `config` is a Config, a config file, `"auto"` (the file `kling-lint check` would find
    from the working folder, so both give the same verdict) or None (the defaults).
    `file` names the file the payload was read from, for the config's `per-file-ignores`
    and allow entries limited to `paths` (without it, neither applies).

    Raises KeyError for an endpoint the register does not know, and ConfigError or
    RegisterError when the configuration or register cannot be used.
    """
    linter = _linter(config)
    return linter.lint(payload, endpoint, path=_at(linter, file))


def guard(
    payload: Any,
    endpoint: str,
    *,
    config: Config | str | Path | None = None,
    file: str | Path | None = None,
) -> Report:
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
    try:
        at = _at(linter, file)
    except Exception as exc:  # a file name that cannot be read as a path
        raise PayloadBlocked(
            endpoint if isinstance(endpoint, str) else None,
            (closed("KL007", f"cannot place the file {file!r}: {exc}"),),
        ) from exc
    return linter.guard(payload, endpoint, path=at)
