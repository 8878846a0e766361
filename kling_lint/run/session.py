"""What a run shares between its files: the config governing each folder, its settings
with the command line's on top, the Linter each config compiles to, and the baseline.

Everything here is read-only once built (the caches only remember answers), so checking a
file changes nothing of the session, and files can be checked in any process.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from kling_lint.check.endpoint import Named, pattern_for, resolve, suggest_endpoint
from kling_lint.check.linter import Linter
from kling_lint.config import Config, ConfigError, find_config, load_config
from kling_lint.config.paths import relative
from kling_lint.load.scope import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, Patterns, Scope
from kling_lint.register import Register, load_register
from kling_lint.run.options import Options

if TYPE_CHECKING:
    from kling_lint.run.baseline import Baseline


class Session:
    """Configs and Linters per config file, each built once and shared by its files."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.linters: dict[Path | None, Linter] = {}
        self.baseline = _baseline(options)
        self._registers: dict[tuple[Path | None, tuple[Path, ...]], Register] = {}
        self._found: dict[Path, Path | None] = {}
        self._found_by_name: dict[str, Path | None] = {}
        self._configs: dict[Path | None, Config] = {}
        self._scopes: dict[Path | None, Scope] = {}
        self._named: dict[tuple[Path | None, str, str, str | None], Named] = {}
        self._last_named: tuple[object, Named | None] = (None, None)
        # Files named on the command line (a walk's files are not): a file whose content
        # says it is no payload (an exchange log) is a finding when named, skipped if found.
        self.named_files: set[str] = set()

    # -- which config governs a file ------------------------------------------------------

    def config_path_for(self, folder: Path) -> Path | None:
        """The config file that governs files in `folder`."""
        if self.options.isolated:
            return None
        if self.options.config is not None:
            return self.options.config
        if folder not in self._found:  # one walk up per folder, not per file
            self._found[folder] = find_config(folder)
        return self._found[folder]

    def config_path_for_file(self, file: str) -> Path | None:
        """The config file that governs `file` (as the walk names it)."""
        if self.options.isolated:  # the same for every file: no folder needed
            return None
        if self.options.config is not None:
            return self.options.config
        folder = os.path.dirname(file)
        if folder not in self._found_by_name:
            self._found_by_name[folder] = self.config_path_for(Path(folder or "."))
        return self._found_by_name[folder]

    def config(self, config_path: Path | None) -> Config:
        """The settings of a config file with the command line's on top, read once."""
        if config_path not in self._configs:
            self._configs[config_path] = _with_flags(self.options, config_path)
        return self._configs[config_path]

    def scope_for(self, path: Path) -> Scope:
        """Which files a walk of `path` reads, from the config that governs it (built once
        per config: a commit names many files under one)."""
        config_path = self.config_path_for(path if path.is_dir() else path.parent)
        if config_path not in self._scopes:
            config = self.config(config_path)
            base = (config.path.parent if config.path else Path.cwd()).resolve()
            exclude = DEFAULT_EXCLUDE if config.exclude is None else config.exclude
            self._scopes[config_path] = Scope(
                Patterns(DEFAULT_INCLUDE if config.include is None else config.include, base),
                Patterns((*exclude, *config.extend_exclude), base),
                config.respect_gitignore,
                config.force_exclude,
            )
        return self._scopes[config_path]

    def linter(self, config_path: Path | None) -> Linter:
        """The Linter of a config (configs naming the same register share it)."""
        try:
            return self.linters[config_path]  # every file asks: one lookup
        except KeyError:
            pass
        if config_path not in self.linters:
            config = self.config(config_path)
            key = (config.register, config.overlays)
            register = self._registers.get(key)
            if register is None:
                register = self._registers[key] = load_register(config.register, config.overlays)
            linter = Linter(register, config)
            named = self.options.endpoint
            if named and resolve(register, named) is None:
                raise ConfigError(
                    f"--endpoint: unknown endpoint {named!r}{suggest_endpoint(register, named)}; "
                    "`kling-lint endpoints` lists them"
                )
            self.linters[config_path] = linter
        return self.linters[config_path]

    # -- the endpoint a name gives ------------------------------------------------------

    def named(self, linter: Linter, config_path: Path | None, file: str | None) -> Named | None:
        """The endpoint --endpoint, a config `endpoints` pattern or the file's name gives
        `file` (for standard input, its --stdin-filename); None when none does. `linter`
        is the one of `config_path`."""
        if self.options.endpoint:
            return self._resolved(linter, config_path, self.options.endpoint, "--endpoint", None)
        # The payloads of one JSON Lines file ask in turn: the file's answer is kept.
        key = (config_path, file)
        if self._last_named[0] != key:
            self._last_named = (key, self.named_for_file(linter, config_path, file))
        return self._last_named[1]

    def named_for_file(
        self, linter: Linter, config_path: Path | None, file: str | None
    ) -> Named | None:
        """The endpoint a config `endpoints` pattern or the file's name gives `file`."""
        if file is None:
            return None
        patterns = linter.config.endpoints
        at = relative(file, config_path) if patterns else file
        found = pattern_for(linter.register, patterns, at, file)
        return None if found is None else self._resolved(linter, config_path, *found)

    def _resolved(
        self, linter: Linter, config_path: Path | None, name: str, origin: str, pattern: str | None
    ) -> Named:
        # Resolved once per name: most runs give every file the same endpoint.
        key = (config_path, name, origin, pattern)
        known = self._named.get(key)
        if known is None:
            endpoint = resolve(linter.register, name)
            if endpoint is None:  # each name is checked when its linter is built
                raise ConfigError(f"unknown endpoint {name!r} (from {origin})")
            known = self._named[key] = Named(endpoint, origin, pattern)
        return known


def _with_flags(options: Options, path: Path | None) -> Config:
    """A config file's settings (the defaults without one), the command line's on top."""
    config = load_config(path) if path else Config()
    o = options
    if config.plugins and o.config is None and not o.allow_config_plugins:
        # A config found by walking up from a linted file may come with the files (a
        # pull request can add both); importing what it names would run their code.
        raise ConfigError(
            f"{config.where('plugins')}: plugins named by a config file found next to "
            "the payloads are not loaded; pass the file with --config, install the "
            "plugin as a package (entry point), or allow it with --allow-config-plugins"
        )
    changes: dict[str, object] = {}
    flags = set()
    if o.select is not None:
        changes["select"] = o.select
        flags.add("select")
    if o.extend_select:
        changes["extend_select"] = (*config.extend_select, *o.extend_select)
        flags.add("extend-select")
    ignore = o.ignore if o.ignore is not None else config.ignore
    changes["ignore"] = (*ignore, *o.extend_ignore)
    if o.ignore is not None or o.extend_ignore:
        flags.add("ignore")
    changes["flags"] = frozenset(flags)
    if o.fail_on is not None:
        changes["fail_on"] = o.fail_on
    if o.policies is not None:
        changes["policies"] = o.policies
    if o.register is not None:
        changes["register"] = o.register.resolve()
    if o.overlays:
        changes["overlays"] = (*config.overlays, *(p.resolve() for p in o.overlays))
    if o.exclude is not None:
        changes["exclude"] = o.exclude
    if o.extend_exclude:
        changes["extend_exclude"] = (*config.extend_exclude, *o.extend_exclude)
    if o.respect_gitignore is not None:
        changes["respect_gitignore"] = o.respect_gitignore
    if o.force_exclude is not None:
        changes["force_exclude"] = o.force_exclude
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def _baseline(options: Options) -> Baseline | None:
    """The baseline this run reads, or (--write-baseline) an empty one it fills."""
    if options.write_baseline is None and options.baseline is None:
        return None
    from kling_lint.run import baseline  # only runs with a baseline pay for hashlib

    if options.write_baseline is not None:
        return baseline.Baseline(options.write_baseline, [])
    return baseline.load(options.baseline) if options.baseline is not None else None
