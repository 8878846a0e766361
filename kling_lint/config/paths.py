"""Path patterns of the config (`endpoints`, `per-file-ignores`, allow entries' `paths`).

One reading for all three, Ruff's: a pattern is a glob relative to the config file's
folder in which `*` also crosses `/`; a pattern without a `/` matches a file's name
anywhere; a pattern that names a folder matches everything under it; a leading `./` means
"beside the config", as it does to a user.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path


def relative(file: str, config_path: Path | None) -> str:
    """`file` as the config's patterns see it: relative to the config's folder (to the
    working folder without a config), with `/` separators; unchanged when outside it."""
    base = config_path.parent if config_path is not None else Path.cwd()
    try:
        return Path(os.path.abspath(file)).relative_to(os.path.abspath(base)).as_posix()
    except ValueError:
        try:  # a linked folder on one side only (/tmp as a link)
            return Path(file).resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError):
            return Path(file).as_posix()


def matches(relative_path: str, pattern: str) -> bool:
    """Whether a config pattern covers a file at `relative_path` (see the module)."""
    pattern = pattern.strip().removeprefix("./")
    if fnmatch.fnmatchcase(relative_path, pattern):
        return True
    folder = pattern.rstrip("/")
    if not folder:
        return False
    if "/" not in folder:
        return any(fnmatch.fnmatchcase(part, folder) for part in relative_path.split("/"))
    parts = relative_path.split("/")
    # A folder pattern (globs allowed) covers what lies under a folder it matches.
    return any(fnmatch.fnmatchcase("/".join(parts[:i]), folder) for i in range(1, len(parts)))
