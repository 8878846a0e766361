"""Baselines: the findings a repository already had when it adopted kling-lint.

`check --write-baseline FILE` records each finding by file, JSON Lines record, code, JSON
pointer and a fingerprint of the value at the pointer, so that reformatting a file (lines
and columns move) keeps it recorded while changing the offending value makes it new.
`check --baseline FILE` then reports recorded findings as suppressed ("in the baseline")
and fails on new ones; entries that no longer match a finding are stale (KL903) and
`--prune-baseline` drops them, so a baseline only shrinks.

Status gates (KL101-KL107) and the rules that no setting turns off are never recorded:
a gate is lifted only by an allowlist entry with a reason, and a file that could not be
checked cannot be vouched for. A baseline applies to `kling-lint check` only; the library
guard in front of requests never reads one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.config import ConfigError

VERSION = 1
REASON = "in the baseline"


class Key(NamedTuple):
    """A finding as a baseline knows it."""

    path: str  # relative to the baseline's folder, with "/" separators
    record: int | None
    code: str
    pointer: str
    fingerprint: str


def _order(key: Key) -> tuple[str, int, str, str, str]:
    return (key.path, -1 if key.record is None else key.record, *key[2:])


def fingerprint(value: Any) -> str:
    """A short digest of a JSON value: the same value in any formatting gives the same."""
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):  # NaN is already its own finding; keep a stable digest
        text = repr(value)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class Baseline:
    """The entries of a baseline file, counted (one file can repeat a finding)."""

    def __init__(self, path: Path, entries: list[Key]) -> None:
        self.path = path
        self.folder = path.resolve().parent
        self.entries = Counter(entries)
        self.used: Counter[Key] = Counter()

    def relative(self, file: str) -> str:
        absolute = Path(os.path.abspath(file))
        try:
            return absolute.relative_to(self.folder).as_posix()
        except ValueError:
            return absolute.as_posix()

    def take(self, key: Key) -> bool:
        """Whether `key` is recorded and not yet taken by another finding of this run."""
        if self.used[key] < self.entries[key]:
            self.used[key] += 1
            return True
        return False

    def stale(self, linted: set[str]) -> list[Key]:
        """Entries for files this run linted that no finding took: fixed since."""
        out: list[Key] = []
        for key, count in sorted(self.entries.items(), key=lambda item: _order(item[0])):
            if key.path in linted:
                out += [key] * (count - self.used[key])
        return out


def load(path: Path) -> Baseline:
    """Read a baseline file; a missing or malformed one is a configuration error."""
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: the baseline is not JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: the baseline is nested too deeply to read") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise ConfigError(f"{where}: not a kling-lint baseline (version {VERSION})")
    raw = document.get("entries")
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: entries must be a list")
    entries = []
    for number, item in enumerate(raw, start=1):
        try:
            record = item.get("record")
            key = Key(
                str(item["path"]),
                record if isinstance(record, int) and not isinstance(record, bool) else None,
                str(item["code"]),
                str(item["pointer"]),
                str(item["fingerprint"]),
            )
        except (AttributeError, KeyError, TypeError):
            raise ConfigError(
                f"{where}: entry {number} needs path, code, pointer and fingerprint"
            ) from None
        entries.append(key)
    return Baseline(path, entries)


def dump(entries: list[Key]) -> str:
    """The text of a baseline file: sorted, one entry per line, so diffs stay readable."""
    lines = [
        json.dumps(
            {
                "path": k.path,
                "record": k.record,
                "code": k.code,
                "pointer": k.pointer,
                "fingerprint": k.fingerprint,
            },
            ensure_ascii=False,
        )
        for k in sorted(entries, key=_order)
    ]
    body = ",\n    ".join(lines)
    inner = f"\n    {body}\n  " if lines else ""
    return f'{{\n  "version": {VERSION},\n  "tool": "kling-lint",\n  "entries": [{inner}]\n}}\n'
