"""Which files a folder walk reads: include and exclude patterns, and what git ignores.

Patterns are written as in `.gitignore` (a name without a slash matches at any depth, a
trailing slash matches folders only, a leading or inner slash anchors the pattern to the
folder of the config file). Simple patterns (a name, or a name glob like `*.schema.json`)
are matched by name at C speed; the others, and every `.gitignore`, through `pathspec`,
which is imported only when one is needed.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

#: What a walk skips unless the config's `exclude` replaces the list (`extend-exclude` adds
#: to it): tool and package folders, and JSON or YAML files that are well known not to be
#: request payloads. Dot-folders and dot-files are skipped by the walk itself.
DEFAULT_EXCLUDE = (
    "node_modules/",
    "bower_components/",
    "venv/",
    "env/",
    "site-packages/",
    "__pycache__/",
    "build/",
    "dist/",
    "_build/",
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "tsconfig.json",
    "tsconfig.*.json",
    "jsconfig.json",
    "composer.json",
    "deno.json",
    "lerna.json",
    "nx.json",
    "turbo.json",
    "vercel.json",
    "angular.json",
    "renovate.json",
    "*.schema.json",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
    "mkdocs.yml",
    "mkdocs.yaml",
    "codecov.yml",
    "environment.yml",
    "pubspec.yaml",
    "Chart.yaml",
)
#: The files a walk reads (by name); a file named on the command line is read whatever
#: its name, unless `force-exclude` is on.
DEFAULT_INCLUDE = ("*.json", "*.jsonl", "*.yaml", "*.yml")


def _simple(pattern: str) -> bool:
    """A name or a name glob, possibly folder-only: matched by name alone."""
    body = pattern[:-1] if pattern.endswith("/") else pattern
    return (
        bool(body)
        and "/" not in body
        and "**" not in body
        and not body.startswith(("!", "\\", "#"))
    )


class Patterns:
    """Compiled patterns, relative to `base` (the folder of the config that set them)."""

    def __init__(self, lines: Sequence[str], base: Path) -> None:
        # "./fixtures" means the folder beside the config, as "/fixtures" does in .gitignore.
        self.lines = tuple(
            "/" + line[2:] if line.startswith("./") else line
            for line in lines
            if line.strip() and not line.startswith("#")
        )
        self.base = base
        # With a `!` pattern the order decides, so every pattern goes through the rules.
        negated = any(line.startswith("!") for line in self.lines)
        simple = [p for p in self.lines if _simple(p) and not negated]
        self._rest = [p for p in self.lines if p not in simple]
        names = [p for p in simple if not p.endswith("/")]
        folders = [p[:-1] for p in simple if p.endswith("/")]
        self._names = _name_matcher(names)
        self._folders = _name_matcher([*folders, *names])  # a name pattern matches folders too
        self._rules = _rules(self._rest) if self._rest else None

    def by_name(self, is_dir: bool) -> Any:
        """The matcher of entries' names, when names alone decide (no pattern needs the
        path): a walk calls it without going through `matches`. Otherwise None."""
        if self._rules is not None:
            return None
        return self._folders if is_dir else self._names

    def matches(self, path: str, is_dir: bool, name: str | None = None) -> bool:
        """Whether `path` (absolute, or relative to the working folder) is matched; a walk
        passes the entry's `name`, which it already has."""
        if name is None:
            name = os.path.basename(path)
        if (self._folders if is_dir else self._names)(name):
            return True
        if self._rules is None:
            return False
        relative = _relative(path, self.base)
        return relative is not None and bool(self._rules.decide(relative, is_dir))


def _name_matcher(patterns: list[str]) -> Any:
    exact = frozenset(p for p in patterns if not any(c in p for c in "*?["))
    globs = [p for p in patterns if p not in exact]
    if not globs:
        return exact.__contains__
    combined = re.compile("|".join(fnmatch.translate(g) for g in globs))

    def match(name: str) -> bool:
        return name in exact or combined.match(name) is not None

    return match


def _gitignore_spec(lines: Iterable[str]) -> Any:
    import pathspec  # only walks that need gitignore semantics pay for it

    return pathspec.GitIgnoreSpec.from_lines(list(lines))


def _relative(path: str, base: Path) -> str | None:
    # `base` is resolved (links followed), so the folders of the path are too (/tmp may be
    # a link); the entry itself is matched by its own name, link or not.
    absolute = os.path.abspath(path)
    here = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
    try:
        return Path(here).relative_to(base).as_posix()
    except ValueError:
        return None  # outside the folder the patterns are written for


Chain = tuple[tuple[str, Any], ...]


class GitIgnores:
    """The `.gitignore` files (and `.git/info/exclude`) that apply to a walk inside a git
    repository, read as the walk enters each folder; a deeper file overrides a shallower
    one, as in git. Outside a repository nothing is ignored."""

    def __init__(self, root: str) -> None:
        repo = _repository(Path(root))
        self._chains: dict[str, Chain] = {}
        self.root_ignored = False
        if repo is None:
            self.active = False
            return
        self.active = True
        chain: Chain = ()
        info = _read_spec(repo / ".git" / "info" / "exclude")
        if info is not None:
            chain = ((str(repo), info),)
        down = [f for f in (Path(root), *Path(root).parents) if f == repo or repo in f.parents]
        # From the repository down to root, each folder is matched by the rules above it (as
        # git would on its way down), then adds its own. A folder named on the command line
        # that git ignores is walked whole: naming it is asking for it, and its contents are
        # then matched by no .gitignore at all.
        for folder in reversed(down):
            if folder != repo and ignored(chain, str(folder), True):
                self.root_ignored = True
                break
            chain = _extend(chain, str(folder))
        self._chains[root] = () if self.root_ignored else chain

    def chain(self, folder: str, parent: str) -> Chain:
        """The rules for entries of `folder` (absolute), a child of `parent`."""
        found = self._chains.get(folder)
        if found is None:
            found = self._chains[folder] = (
                () if self.root_ignored else _extend(self._chains[parent], folder)
            )
        return found


def _extend(chain: Chain, folder: str) -> Chain:
    spec = _read_spec(Path(folder) / ".gitignore")
    return (*chain, (folder, spec)) if spec is not None else chain


def ignored(chain: Chain, path: str, is_dir: bool) -> bool:
    """Whether the rules of `chain` ignore `path` (absolute): the last match decides."""
    decision = None
    for base, rules in chain:
        if not path.startswith(base + os.sep):
            continue
        said = rules.decide(path[len(base) + 1 :].replace(os.sep, "/"), is_dir)
        if said is not None:
            decision = said
    return bool(decision)


class _PlainRules:
    """The rules of an ignore file whose every line is a plain pattern: no `!`, `**`,
    brackets, escapes or surrounding spaces (most .gitignore files). Matched with one
    regular expression each for files and folders, without importing pathspec; a
    differential test holds them to pathspec's reading of the same lines."""

    def __init__(self, lines: list[str]) -> None:
        files = [_plain_regex(line) for line in lines if not line.endswith("/")]
        self._files = re.compile("|".join(files)) if files else None
        self._folders = re.compile("|".join(_plain_regex(line) for line in lines))

    def decide(self, relative: str, is_dir: bool) -> bool | None:
        pattern = self._folders if is_dir else self._files
        return True if pattern is not None and pattern.fullmatch(relative) else None


def _plain(line: str) -> bool:
    return (
        line == line.strip()
        and not line.startswith("!")
        and not any(c in line for c in "[]\\")
        and "**" not in line
        and line.strip("/") != ""
    )


def _plain_regex(line: str) -> str:
    body = line[:-1] if line.endswith("/") else line
    anchored = "/" in body  # a leading or inner slash ties the pattern to the file's folder
    body = body[1:] if body.startswith("/") else body
    glob = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in body)
    return f"(?:{glob})" if anchored else f"(?:(?:.*/)?{glob})"


class _SpecRules:
    """Any other ignore file, read by pathspec."""

    def __init__(self, lines: list[str]) -> None:
        self._spec = _gitignore_spec(lines)

    def decide(self, relative: str, is_dir: bool) -> bool | None:
        result = self._spec.check_file(relative + "/" if is_dir else relative)
        return None if result.include is None else bool(result.include)


def _repository(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _read_spec(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return _rules(lines) if lines else None


def _rules(lines: list[str]) -> _PlainRules | _SpecRules:
    """Ignore-file lines compiled: without pathspec when they are all plain."""
    return _PlainRules(lines) if all(_plain(line) for line in lines) else _SpecRules(lines)


class Scope:
    """What a walk reads: files matching `include`, outside `exclude` and what git ignores."""

    def __init__(
        self,
        include: Patterns,
        exclude: Patterns,
        respect_gitignore: bool = True,
        force_exclude: bool = False,
    ) -> None:
        self.include = include
        self.exclude = exclude
        self.respect_gitignore = respect_gitignore
        self.force_exclude = force_exclude
        # The ignore files of each folder named files sit in, read once: a commit names
        # many files in few folders.
        self.ignores: dict[str, GitIgnores] = {}

    def excludes(self, path: str, is_dir: bool, name: str | None = None) -> bool:
        return self.exclude.matches(path, is_dir, name)

    def includes(self, path: str, name: str | None = None) -> bool:
        return self.include.matches(path, False, name)

    def git_for(self, folder: str) -> GitIgnores:
        """The ignore rules for the entries of `folder` (absolute), read once."""
        if folder not in self.ignores:
            self.ignores[folder] = GitIgnores(folder)
        return self.ignores[folder]


def default_scope(base: Path | None = None) -> Scope:
    base = (base or Path.cwd()).resolve()
    return Scope(Patterns(DEFAULT_INCLUDE, base), Patterns(DEFAULT_EXCLUDE, base))
