"""What a run of `kling-lint check` is asked to do: the command line, as one value."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kling_lint.diagnostics import Severity


class Options(NamedTuple):
    """What the CLI collected; every field has the meaning of the flag of the same name."""

    paths: tuple[str, ...] = ()
    endpoint: str | None = None
    config: Path | None = None
    isolated: bool = False
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] | None = None
    extend_ignore: tuple[str, ...] = ()
    fail_on: Severity | None = None
    policies: tuple[str, ...] | None = None
    register: Path | None = None
    overlays: tuple[Path, ...] = ()  # --overlay, laid over the config's overlays
    stdin_filename: str | None = None
    # Processes to share files out to (None: one per core). Only a run that may fork
    # (`fork=True`, the command line) ever does: a library host keeps its one process.
    jobs: int | None = None
    fork: bool = False
    allow_config_plugins: bool = False
    follow_links: bool = False
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    force_exclude: bool | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    prune_baseline: bool = False
    fixes: bool = False  # work out the fixes for each payload's findings
    source_lines: bool = False  # keep the lines findings point at (for `--format full`)
