"""Which files a run reads: those named, and the payload files a folder walk finds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from kling_lint.load.scope import Chain, Scope, default_scope, ignored


class Skipped(NamedTuple):
    """A path a run did not read, and why; `error` when it should have been."""

    path: str
    why: str
    error: bool = False


class Discovery(NamedTuple):
    files: list[str]
    skipped: list[Skipped]


IGNORED_BY_GIT = "ignored by git (.gitignore); --no-respect-gitignore reads it"


def discover(
    paths: list[Path], scope: Scope | None = None, *, follow_links: bool = False
) -> Discovery:
    """Files named directly, and payload files found under folders, in a stable order.

    A file named directly is read whatever its name, unless `scope.force_exclude` (what a
    pre-commit hook passes) applies the include and exclude settings and git's ignores to
    it too. A walk reads the files `scope` includes and nothing it excludes or git ignores,
    and nothing outside the folder it was given: links to folders, and links to files
    outside it, are skipped unless `follow_links`; dot-folders and dot-files are skipped; a
    folder that cannot be read is an error. Every skip is returned with its reason.
    """
    scope = scope or default_scope()
    files: list[str] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            why = _forced_out(str(path), scope) if scope.force_exclude else None
            if why is None:
                files.append(str(path))
            else:
                skipped.append(Skipped(str(path), why))
            continue
        found, missed = _Walk(path, scope, follow_links).run()
        files.extend(found)
        skipped.extend(missed)
    return Discovery(files, skipped)


def _forced_out(path: str, scope: Scope) -> str | None:
    """Why `force_exclude` skips a file named directly, or None."""
    if not scope.includes(path):
        return "not a payload file name (the include settings); --no-force-exclude reads it"
    parts = [p for p in os.path.normpath(path).split(os.sep) if p not in ("", os.curdir, os.pardir)]
    if parts and parts[-1].startswith("."):
        return "a dot-file; --no-force-exclude reads it"
    if any(part.startswith(".") for part in parts[:-1]):
        return "in a dot-folder; --no-force-exclude reads it"
    if scope.excludes(path, False):
        return "excluded by the exclude settings; --no-force-exclude reads it"
    absolute = os.path.abspath(path)
    parent = os.path.dirname(absolute)
    for folder in _folders_to(parent):
        if scope.excludes(folder, True):
            return "in a folder the exclude settings exclude; --no-force-exclude reads it"
    if scope.respect_gitignore:
        git = scope.git_for(parent)
        chain = git.chain(parent, parent) if git.active else ()
        if git.root_ignored or ignored(chain, absolute, False):
            return IGNORED_BY_GIT
    return None


def _folders_to(folder: str) -> list[str]:
    """`folder` and its parents below the working folder (those a walk of `.` enters)."""
    try:
        here = os.getcwd()
    except OSError:  # the working folder is gone: no folder of it to walk
        return []
    out = []
    while folder.startswith(here + os.sep):
        out.append(folder)
        folder = os.path.dirname(folder)
    return out


class _Walk:
    # os.scandir, not os.walk: its entries know whether they are links without a system
    # call per file, which is most of a walk's cost on a folder of thousands of payloads.
    def __init__(self, root: Path, scope: Scope, follow_links: bool) -> None:
        self.root = str(root)
        self.top = os.path.realpath(root)
        self.absolute = os.path.abspath(root)
        self.scope = scope
        self.follow_links = follow_links
        self.git = scope.git_for(self.absolute) if scope.respect_gitignore else None
        self.found: list[str] = []
        self.skipped: list[Skipped] = []
        # Files are most of a walk's entries: when names alone decide, match them directly.
        self.included = scope.include.by_name(False)
        self.excluded = scope.exclude.by_name(False)

    def _absolute(self, path: str) -> str:
        return self.absolute + path[len(self.root) :]

    def run(self) -> tuple[list[str], list[Skipped]]:
        seen = {self.top}
        folders = [(self.root, self.absolute)]
        while folders:
            folder, parent = folders.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError as exc:
                why = f"cannot read the folder: {exc.strerror or exc}"
                self.skipped.append(Skipped(folder, why, True))
                continue
            chain: Chain = ()
            if self.git is not None and self.git.active:
                chain = self.git.chain(self._absolute(folder), parent)
            if chain or self.included is None or self.excluded is None:
                for entry in entries:
                    self._entry(entry, chain, folders, seen, folder)
                continue
            # Most entries: a regular file (no link) that names alone decide to read.
            included, excluded, found = self.included, self.excluded, self.found
            for entry in entries:
                name = entry.name
                try:
                    plain = entry.is_file(follow_symlinks=False)
                except OSError:
                    plain = False
                if plain and included(name) and name[0] != "." and not excluded(name):
                    found.append(entry.path)
                else:
                    self._entry(entry, chain, folders, seen, folder)
        found, skipped = self.found, self.skipped
        if self.root == os.curdir:  # "x.json", as Path("./x.json") would print it
            here = os.curdir + os.sep
            found = [name.removeprefix(here) for name in found]
            skipped = [s._replace(path=s.path.removeprefix(here)) for s in skipped]
        return sorted(found), sorted(skipped)

    def _entry(
        self,
        entry: os.DirEntry[str],
        chain: Chain,
        folders: list[tuple[str, str]],
        seen: set[str],
        folder: str,
    ) -> None:
        name, full = entry.name, entry.path
        try:
            is_folder = entry.is_dir()  # a link to a folder counts as a folder here
        except OSError:
            is_folder = False
        if is_folder:
            why = self._skips_folder(entry, full, chain, seen)
            if why is None:
                folders.append((full, self._absolute(folder)))
            else:
                self.skipped.append(Skipped(full, why))
            return
        included = self.included
        if not (included(name) if included is not None else self.scope.includes(full, name)):
            return  # not a payload file: not counted as skipped
        why = self._skips_file(entry, name, full, chain)
        if why is None:
            self.found.append(full)
        else:
            self.skipped.append(Skipped(full, why))

    def _skips_folder(
        self, entry: os.DirEntry[str], full: str, chain: Chain, seen: set[str]
    ) -> str | None:
        if entry.name.startswith("."):
            return "a dot-folder"
        if entry.is_symlink() and not self.follow_links:
            return "a link to a folder; --follow-links follows it"
        if self.scope.excludes(full, True, entry.name):
            return "excluded by the exclude settings"
        if chain and ignored(chain, self._absolute(full), True):
            return IGNORED_BY_GIT
        real = os.path.realpath(full)
        if real in seen:
            return "a folder already walked (a link loop)"
        seen.add(real)
        return None

    def _skips_file(
        self, entry: os.DirEntry[str], name: str, full: str, chain: Chain
    ) -> str | None:
        if name.startswith("."):
            return "a dot-file"
        excluded = self.excluded
        if excluded(name) if excluded is not None else self.scope.excludes(full, False, name):
            return "excluded by the exclude settings"
        if chain and ignored(chain, self._absolute(full), False):
            return IGNORED_BY_GIT
        if (
            not self.follow_links
            and entry.is_symlink()
            and not _inside(os.path.realpath(full), self.top)
        ):
            return "a link to a file outside the folder; --follow-links follows it"
        return None


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
