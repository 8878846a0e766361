"""The library: `lint` and `guard` for code that builds requests, over a shared Linter."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from kling_lint.check.blocked import PayloadBlocked
from kling_lint.check.linter import Linter, Report
from kling_lint.check.stamp import closed
from kling_lint.config import Config, ConfigError, find_config, load_config
from kling_lint.config.paths import relative

__all__ = ["AUTO", "PayloadBlocked", "guard", "lint"]

_lock = threading.Lock()
# Per config file: the Linter, what its files looked like when it was built, and when
# that was last compared with the disk (time.monotonic).
_linters: dict[str, tuple[Linter, tuple[Any, ...], float]] = {}
#: How often a long-lived process looks at a config's files again (seconds): a revoked
#: allow entry, or a value `evidence apply` just marked live-rejected, counts within it.
RECHECK_SECONDS = 1.0


_by_object: dict[int, tuple[Config, Linter]] = {}


def _linter(config: Linter | Config | str | Path | None) -> Linter:
    """A Linter per configuration, built once and shared (Linter holds no run state); a
    Linter the caller built is used as it is."""
    if isinstance(config, Linter):
        return config
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
    now = time.monotonic()
    cached = _linters.get(key)
    if cached is not None and (not key or now - cached[2] < RECHECK_SECONDS):
        return cached[0]  # most calls: no look at the disk
    with _lock:
        cached = _linters.get(key)
        if cached is not None:
            stamp = _stamp(cached[0].config)
            if stamp == cached[1]:
                _linters[key] = (cached[0], stamp, now)
                return cached[0]
        # New, or its config, allowlist, policies, register or overlays changed: built
        # again (a config that no longer loads raises, so guard blocks).
        loaded = load_config(Path(config)) if config is not None else None
        if discovered and loaded is not None and loaded.plugins:
            # As on the command line: a config found by walking up may have come with
            # the code around it, so the plugins it names are not imported unasked.
            raise ConfigError(
                f"{loaded.where('plugins')}: plugins named by a config file found by "
                "walking up are not loaded; pass config=<that file> to load them"
            )
        linter = Linter(config=loaded)
        _linters[key] = (linter, _stamp(linter.config), now)
        return linter


def _stamp(config: Config) -> tuple[Any, ...]:
    """What the files a config reads look like now: (path, mtime, size) of the config
    file, its policy files and every YAML file of its register and overlay folders."""
    if config.path is None:
        return ()
    paths = [config.path, *config.policy_files]
    for folder in (config.register, *config.overlays):
        if folder is not None:
            paths += sorted(Path(folder).rglob("*.yaml"))
    out: list[tuple[Any, ...]] = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            out.append((str(path), None))
            continue
        out.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(out)


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
    config: Linter | Config | str | Path | None = None,
    file: str | Path | None = None,
) -> Report:
    """Check one payload for `endpoint` (an id or "METHOD /path") and return the verdict.

    `config` is a Linter, a Config, a config file, `"auto"` (the file `kling-lint check` would find
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
    config: Linter | Config | str | Path | None = None,
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
