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
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.config import ConfigError
from kling_lint.diagnostics import Diagnostic, Suppression

if TYPE_CHECKING:
    from kling_lint.check.rules import Rule

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

    def relative(self, file: str) -> str:
        absolute = Path(os.path.abspath(file))
        try:
            return absolute.relative_to(self.folder).as_posix()
        except ValueError:
            return absolute.as_posix()

    def stale(self, linted: set[str], used: Counter[Key]) -> list[Key]:
        """Entries for files this run linted that no finding took (`used`): fixed since."""
        out: list[Key] = []
        for key, count in sorted(self.entries.items(), key=lambda item: _order(item[0])):
            if key.path in linted:
                out += [key] * max(count - used[key], 0)
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


def apply(
    book: Baseline,
    writing: bool,
    rules: dict[str, Rule],
    path: str,
    record: int | None,
    data: Any,
    found: tuple[Diagnostic, ...],
) -> tuple[tuple[Diagnostic, ...], tuple[Key, ...]]:
    """One payload's findings with those the baseline records suppressed, and the entries
    they took; writing one, every finding it may record is recorded (so suppressed in this
    run's report too). A key names its file and record, so no other payload can take an
    entry: the decision needs nothing but this payload."""
    where = book.relative(path)
    taken: Counter[Key] = Counter()
    keys: list[Key] = []
    out = []
    for d in found:
        rule = rules.get(d.code)
        if rule is None or not rule.baselinable or not d.counts:
            out.append(d)  # a gate is lifted by an allowlist entry, with a reason
            continue
        try:
            value = jp.resolve(data, d.pointer)
        except (KeyError, IndexError, ValueError):
            value = None
        key = Key(where, record, d.code, d.pointer, fingerprint(value))
        if writing or taken[key] < book.entries[key]:
            taken[key] += 1
            keys.append(key)
            d = d.lifted(Suppression(REASON, None, None, str(book.path), "baseline"))
        out.append(d)
    return tuple(out), tuple(keys)
