"""`kling-lint allowlist prune`: delete the allow entries a full run shows nobody needs.

An entry goes when the run reports it unused (KL902: it lifted nothing in a run that walked
the config's folder) or no longer needed (KL906: the register no longer gates what it
names). Expired entries (KL901) stay: whether a probe is done is a person's call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from kling_lint.config import STANDALONE, AllowEntry, ConfigError, find_config, load_config
from kling_lint.config.edit import without_entries
from kling_lint.files import read_exact, replace_unchanged
from kling_lint.run import Options, execute

PRUNED_CODES = ("KL902", "KL906")


class Pruned(NamedTuple):
    """What pruning a config file changes: its text before and after, and why."""

    path: Path
    before: str
    after: str
    removed: tuple[tuple[AllowEntry, str], ...]  # (entry, the code that removes it)


def plan_prune(
    config: Path | None = None, paths: tuple[str, ...] = (), register: Path | None = None
) -> Pruned:
    """The pruned text of `config` (default: the config file the working folder uses),
    judged by a run over `paths` (default: the config file's folder). Writes nothing."""
    target = config if config is not None else find_config(Path.cwd())
    if target is None:
        raise ConfigError(
            "no config file here (.kling-lint.toml, or pyproject.toml with [tool.kling-lint]);"
            " name one with --config"
        )
    # Named as found, not resolved: a linked config is written only where it may be
    # (`write_prune`); the run's findings are matched by the file the name resolves to.
    target = Path(os.path.abspath(target))
    resolved = target.resolve()
    try:
        before = read_exact(target)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot read: {exc}") from None
    entries = load_config(target).allow
    if not entries:
        return Pruned(target, before, before, ())
    # Every rule runs, whatever the config selects: an entry is unused only if no gate
    # fired for it, and a selection that leaves the gates out would make every entry look so.
    options = Options(
        paths=paths or (str(target.parent),),
        config=config,
        register=register,
        select=("ALL",),
        ignore=(),
    )
    result = execute(options)
    said = [
        d
        for f in result.files
        if f.subject == "config" and Path(f.path).resolve() == resolved
        for d in f.diagnostics
        if d.code in PRUNED_CODES
    ]
    by_line = {e.line: e for e in entries if e.line is not None}
    removed = []
    for d in sorted(said, key=lambda d: d.line or 0):
        entry = by_line.get(d.line) if d.line is not None else None
        if entry is None:
            raise ConfigError(f"{target}: cannot tell which allow entry line {d.line} is")
        removed.append((entry, d.code))
    if not removed:
        return Pruned(target, before, before, ())
    header = "allow" if target.name == STANDALONE else "tool.kling-lint.allow"
    try:
        after = without_entries(before, header, [e.position for e, _ in removed])
    except ConfigError as exc:
        raise ConfigError(f"{target}: {exc}") from None
    return Pruned(target, before, after, tuple(removed))


def write_prune(pruned: Pruned) -> None:
    """Write the pruned file atomically, unless it changed since it was read."""
    replace_unchanged(pruned.path, pruned.before, pruned.after, within=pruned.path.parent)
