"""Line and column of every member and item of a JSON text, keyed by JSON pointer.

`json.loads` is fast but forgets positions; this scanner is run only for payloads that
have findings to show, and it also finds duplicate keys and non-JSON tokens (NaN,
Infinity) with their exact place.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from json import decoder as _decoder
from typing import Any

from kling_lint import pointer as jp

_WS = re.compile(r"[ \t\n\r]*")
# The C string scanner behind json.loads (public, but not in the type stubs).
_scanstring: Callable[[str, int], tuple[str, int]] = _decoder.scanstring  # type: ignore[attr-defined]
_SCALAR = re.compile(r"-?(?:Infinity|NaN|[0-9][0-9eE.+-]*)|true|false|null|Infinity|NaN")
_NON_JSON = ("NaN", "Infinity", "-Infinity")


@dataclass
class ScanResult:
    offsets: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    non_json: list[tuple[str, int, str]] = field(default_factory=list)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.out = ScanResult()

    def ws(self) -> None:
        self.i = _WS.match(self.text, self.i).end()  # type: ignore[union-attr]

    def string(self) -> str | None:
        """Skip the string at the cursor at C speed (a 30 MB Base64 value is one call)."""
        try:
            text, self.i = _scanstring(self.text, self.i + 1)
        except ValueError:
            self.i = len(self.text)
            return None
        return text

    def value(self, parts: list[str | int], depth: int) -> None:
        self.ws()
        ptr = jp.join(parts)
        self.out.offsets.setdefault(ptr, self.i)
        if depth > 500 or self.i >= len(self.text):
            return
        ch = self.text[self.i]
        if ch == "{":
            self.obj(parts, depth)
        elif ch == "[":
            self.arr(parts, depth)
        elif ch == '"':
            self.string()
        else:
            m = _SCALAR.match(self.text, self.i)
            if not m:
                self.i = len(self.text)
                return
            if m.group(0) in _NON_JSON:
                self.out.non_json.append((ptr, self.i, m.group(0)))
            self.i = m.end()

    def obj(self, parts: list[str | int], depth: int) -> None:
        self.i += 1
        seen: set[str] = set()
        while True:
            self.ws()
            if self.i >= len(self.text) or self.text[self.i] == "}":
                self.i += 1
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            start = self.i
            key = self.string() if self.text[self.i] == '"' else None
            if key is None:
                self.i = len(self.text)
                return
            ptr = jp.join([*parts, key])
            if key in seen:
                self.out.duplicates.append((ptr, start))
                self.out.offsets[ptr] = start
            else:
                seen.add(key)
                self.out.offsets[ptr] = start
            self.ws()
            if self.i < len(self.text) and self.text[self.i] == ":":
                self.i += 1
            self.value_member([*parts, key], depth)

    def value_member(self, parts: list[str | int], depth: int) -> None:
        # A member is located at its key (already recorded); only descend for children.
        ptr = jp.join(parts)
        key_offset = self.out.offsets[ptr]
        self.value(parts, depth + 1)
        self.out.offsets[ptr] = key_offset

    def arr(self, parts: list[str | int], depth: int) -> None:
        self.i += 1
        index = 0
        while True:
            self.ws()
            if self.i >= len(self.text) or self.text[self.i] == "]":
                self.i += 1
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            self.value([*parts, index], depth + 1)
            index += 1


_DECODER = json.JSONDecoder()


def _ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string


def find(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """Offsets of the given pointers, and of each parent on the way (a member at its key,
    an item or the root at its value), in a text `json.loads` has already accepted
    without duplicate keys.

    Only the path to each wanted pointer is walked in Python; every other value is skipped
    by the C scanners, and the walk stops once everything asked for is found, so the cost
    grows with the findings, not with the file.
    """
    wanted: dict[str, Any] = {}
    count = 0
    for pointer in pointers:
        node = wanted
        for part in jp.split(pointer):
            if part not in node:
                count += 1
            node = node.setdefault(part, {})
    start = _ws(text, 0)
    out: dict[str, int] = {"": start}
    if count:
        try:
            _Walk(text, out, count).descend(start, wanted, "")
        except _AllFound:  # (not contextlib.suppress: it costs more than the walk's rest)
            return out
    return out


class _AllFound(Exception):
    """Everything asked for is located: the rest of the text need not be read."""


# One member's start: the comma before it (but the first), its key when the key has no
# escapes, the colon, and the whitespace between; one C call where a key with escapes
# would take three.
_MEMBER = re.compile(r'[ \t\n\r]*(?:,[ \t\n\r]*)?"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*')
# The C scanner behind `raw_decode`, without its Python wrapper: (value, end).
_scan_value: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


class _Walk:
    def __init__(self, text: str, out: dict[str, int], count: int) -> None:
        self.text = text
        self.out = out
        self.left = count

    def found(self, pointer: str, offset: int) -> None:
        self.out[pointer] = offset
        self.left -= 1
        if not self.left:
            raise _AllFound

    def skip(self, i: int) -> int:
        if self.text[i] == '"':
            return _scanstring(self.text, i + 1)[1]
        return _scan_value(self.text, i)[1]

    def descend(self, i: int, wanted: dict[str, Any], pointer: str) -> int:
        """Walk the value at `i` toward the wanted children; return where the value ends."""
        text = self.text
        if not wanted or i >= len(text) or text[i] not in "{[":
            return self.skip(i)
        if text[i] == "{":
            return self.members(i + 1, wanted, pointer)
        ws = _WS.match
        i += 1
        index = 0
        while True:
            i = ws(text, i).end()  # type: ignore[union-attr]  # matches the empty string
            if text[i] == "]":
                return i + 1
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
            child = wanted.get(str(index))
            index += 1
            if child is None:
                i = self.skip(i)
                continue
            here = f"{pointer}/{index - 1}"
            self.found(here, i)
            i = self.descend(i, child, here)

    def members(self, i: int, wanted: dict[str, Any], pointer: str) -> int:
        text = self.text
        member = _MEMBER.match
        ws = _WS.match
        while True:
            m = member(text, i)
            if m is not None:
                key, at, i = m.group(1), m.start(1) - 1, m.end()
            else:  # the object's end, or a key with escapes
                i = ws(text, i).end()  # type: ignore[union-attr]
                if text[i] == ",":
                    i = ws(text, i + 1).end()  # type: ignore[union-attr]
                if text[i] == "}":
                    return i + 1
                at = i
                key, i = _scanstring(text, i + 1)
                i = ws(text, ws(text, i).end() + 1).end()  # type: ignore[union-attr]  # the colon
            child = wanted.get(key)
            if child is None:
                i = self.skip(i)
                continue
            here = f"{pointer}/{jp.escape(key)}"
            self.found(here, at)
            i = self.descend(i, child, here)


def member_value(text: str, key_at: int) -> tuple[int, int]:
    """For a member whose key starts at `key_at`: where the key ends and its value starts."""
    key_end = _scanstring(text, key_at + 1)[1]
    return key_end, _ws(text, _ws(text, key_end) + 1)  # past the colon


def value_end(text: str, at: int) -> int:
    """Where the JSON value starting at `at` ends."""
    return _DECODER.raw_decode(text, at)[1]


def scan(text: str) -> ScanResult:
    """Offsets (0-based character index) of each pointer's key or item in `text`."""
    scanner = _Scanner(text)
    scanner.value([], 0)
    return scanner.out


def position(text: str, offset: int, first_line: int = 1) -> tuple[int, int]:
    """The 1-based (line, column) of one offset, counted at C speed: for the few offsets
    a file's findings need, cheaper than indexing every line."""
    return (text.count("\n", 0, offset) + first_line, offset - text.rfind("\n", 0, offset))


class LineIndex:
    """Turns many character offsets into 1-based (line, column)."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._first = first_line

    def position(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._starts, offset) - 1
        return (row + self._first, offset - self._starts[row] + 1)
