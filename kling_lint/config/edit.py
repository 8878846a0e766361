"""Deleting allow entries from a config file's text, keeping every other byte.

An entry is its `[[...allow]]` table: the header line, its keys, and the comment lines
directly above the header (a comment there is about the entry). The blank lines that
separated it from the next table go with it, so the spacing of the rest stays as it was.

This edits lines rather than going through tomlkit: tomlkit hangs the comment above a
table on the table before it, so deleting an entry with it would delete the next entry's
comment and leave the deleted one's behind. What the edit keeps is checked instead: the
result must parse to the original document less exactly those entries, or nothing is
written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from kling_lint.config import ConfigError
from kling_lint.files import lines_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


def _table_headers(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, header text) of every table header, outside strings and arrays."""
    out = []
    depth = 0  # open brackets and braces of a value
    quote = ""  # the open multi-line string's delimiter
    for number, line in enumerate(lines):
        if not quote and depth == 0 and line.lstrip().startswith("["):
            out.append((number, line.split("#", 1)[0].strip().replace(" ", "")))
            continue
        i = 0
        while i < len(line):
            if quote:
                if line.startswith(quote, i):
                    i += 3
                    quote = ""
                elif quote == '"""' and line[i] == "\\":
                    i += 2
                else:
                    i += 1
                continue
            char = line[i]
            if line.startswith(('"""', "'''"), i):
                quote = line[i : i + 3]
                i += 3
            elif char in "\"'":
                end = i + 1
                while end < len(line) and line[end] != char:
                    end += 2 if char == '"' and line[end] == "\\" else 1
                i = end + 1
            elif char == "#":
                break
            else:
                depth += (char in "[{") - (char in "]}")
                i += 1
    return out


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _blank(line: str) -> bool:
    return not line.strip()


def without_entries(text: str, header: str, positions: Iterable[int]) -> str:
    """`text` with the allow entries at `positions` (0-based, in file order) deleted.

    `header` is the array's name (`tool.kling-lint.allow`, or `allow` in a standalone
    file). ConfigError when the entries are not all `[[header]]` tables of this text, or
    when the result would not be the same document less those entries.
    """
    doomed = sorted(set(positions))
    lines = lines_of(text)
    headers = _table_headers(lines)
    entries = [i for i, (_, name) in enumerate(headers) if name == f"[[{header}]]"]
    before = tomllib.loads(text)
    listed = _entries(before, header)
    if len(entries) != len(listed) or any(p >= len(entries) for p in doomed):
        raise ConfigError(
            f"the allow entries are not all written as [[{header}]] tables; edit the file by hand"
        )
    keep = [True] * len(lines)
    for position in doomed:
        at = entries[position]
        start = headers[at][0]
        end = headers[at + 1][0] if at + 1 < len(headers) else len(lines)
        # The comment block directly above the next table is that table's.
        while end > start + 1 and _is_comment(lines[end - 1]):
            end -= 1
        while start > 0 and _is_comment(lines[start - 1]):
            start -= 1
        if end == len(lines) or all(_blank(x) for x in lines[end:]):
            end = len(lines)
            while start > 0 and _blank(lines[start - 1]):  # nothing follows: no gap either
                start -= 1
        for i in range(start, end):
            keep[i] = False
    kept_lines = [line for line, kept in zip(lines, keep, strict=True) if kept]
    if lines and not keep[-1]:  # the end was deleted: no blank lines left dangling there
        while kept_lines and _blank(kept_lines[-1]):
            kept_lines.pop()
    after = "".join(kept_lines)
    expected = _without(before, header, doomed)
    if tomllib.loads(after) != expected:
        raise ConfigError("cannot delete the entries without touching the rest; edit by hand")
    return after


def _entries(document: dict[str, Any], header: str) -> list[Any]:
    node: Any = document
    for key in header.split("."):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, list) else []


def _without(document: dict[str, Any], header: str, doomed: list[int]) -> dict[str, Any]:
    """The parsed document less the doomed entries (and less the array once it is empty)."""
    import copy

    out = copy.deepcopy(document)
    *parents, name = header.split(".")
    node = out
    for key in parents:
        node = node[key]
    kept = [e for i, e in enumerate(node[name]) if i not in set(doomed)]
    if kept:
        node[name] = kept
    else:
        del node[name]
    return out
