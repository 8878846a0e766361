"""Writing files without losing any: atomic replacement, and never into the installed package.

Every file a command writes goes through `write_text`: the text goes to a temporary file
beside the target, which then replaces it in one rename, so a crash, a full disk or a
reader at the wrong moment never sees half a file, and the old content survives a failure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kling_lint._resources import data_root
from kling_lint.config import ConfigError


class WriteRefused(ConfigError):
    """A write the command does not own: into the installed package, or onto an input."""


def write_text(path: Path, text: str, *, within: Path | None = None) -> None:
    """Replace `path` with `text` atomically (UTF-8; a file's mode is kept). With `within`
    (the folder the command owns), the write goes where the path's links lead, and is
    refused when they lead outside that folder (`owned`)."""
    if within is not None:
        path = owned(path, within)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:  # a new file gets what the user's umask gives any new file
        mode = 0o666 & ~_umask()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # newline="": the text is written as given, so a fixed file keeps its line endings.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def lines_of(text: str) -> list[str]:
    """A text's lines with their endings, split at "\n" only: the other breaks
    `str.splitlines` knows (U+2028, a form feed) may sit inside a string of the file."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def read_exact(path: Path) -> str:
    """A text file as it is (its line endings kept), or "" when there is none: what an edit
    starts from and must find unchanged before it writes."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def replace_unchanged(path: Path, before: str, after: str, *, within: Path | None = None) -> None:
    """Write `after` atomically, unless the file is no longer `before` (someone else wrote
    it meanwhile): then ConfigError, and nothing is written. `within` as for write_text."""
    if read_exact(path) != before:
        raise ConfigError(f"{path} changed while it was read; run the command again")
    write_text(path, after, within=within)


def owned(path: Path, within: Path) -> Path:
    """Where a write to `path` lands, following its links (a link's target is written, the
    link kept), when that lies inside the folder `within`; WriteRefused when a link leads
    outside it: a command writes only what it owns (a linked config, overlay folder or
    log would otherwise rewrite another project's file)."""
    real = Path(os.path.realpath(path))
    home = os.path.realpath(within)
    if str(real) != home and not str(real).startswith(home.rstrip(os.sep) + os.sep):
        raise WriteRefused(
            f"{path}: a symbolic link leads to {real}, outside {within}; kling-lint does not "
            "write through it (replace the link with the file, or name the file itself)"
        )
    return real


def unified_diff(shown: str, before: str, after: str) -> str:
    """The change to one file as a unified diff (`a/` and `b/` before its name). A path
    under the working folder is named relative to it, and an absolute one without its
    leading slash, so that `git apply` (from the working folder, or from `/`) takes it."""
    import difflib

    if os.path.isabs(shown):
        try:
            inside = os.path.relpath(shown)
        except ValueError:  # another drive
            inside = shown
        shown = inside if not inside.startswith(os.pardir) else shown.lstrip("/\\")

    out = []
    for line in difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{shown}",
        tofile=f"b/{shown}",
    ):
        out.append(line)
        if not line.endswith("\n"):
            # The file's last line has no line end: said as `diff` and `git` say it, so
            # that the next line of the diff does not run on and `git apply` takes it.
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def packaged() -> bool:
    """Whether the built-in register and schemas are those of an installed wheel."""
    return data_root().resolve() == (Path(__file__).resolve().parent / "_data")


def refuse_package_write(target: Path, what: str) -> None:
    """Refuse to write `what` inside the installed package: it would change the verdicts
    of every project on the machine that uses this installation."""
    if packaged() and target.resolve().is_relative_to(data_root().resolve()):
        raise WriteRefused(
            f"{target}: {what} would be written inside the installed kling-lint package; "
            "name a folder of your own with --output"
        )


def refuse_input_write(target: Path, inputs: list[str]) -> None:
    """Refuse to write a report onto a file the run read (a payload or a config file): the
    same file under any name (a link, `./`), told by device and inode."""
    try:
        mine = os.stat(target)
    except OSError:
        return  # nothing there yet, so nothing the run read
    for name in inputs:
        try:
            theirs = os.stat(name)
        except OSError:
            continue
        if (theirs.st_dev, theirs.st_ino) == (mine.st_dev, mine.st_ino):
            raise WriteRefused(f"{target}: the report would replace {name}, which the run read")
