"""Reviewing register changes like code: `registry diff` and `registry stale`.

`diff` compares two registers (folders, or a folder at two git revisions): fields, values and
forms added or removed, every status transition (promotions and demotions apart), changed
enums and limits, and conflicts that appeared or were resolved. `stale` lists live statuses
whose newest evidence for that status is older than a given age.
"""

from __future__ import annotations

import datetime as _dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from kling_lint.register.errors import RegisterError, RegisterProblem
from kling_lint.register.model import Endpoint, Field, Register, Statused
from kling_lint.register.source import MemoryFolder
from kling_lint.register.wording import status_text

VERSION = 1


class Change(NamedTuple):
    endpoint: str
    what: str  # "fields.mode", "fields.mode.values.std", "fields.video_url.forms.base64", ...
    kind: str  # added, removed, promoted, demoted, status, enum, limits, conflict-new, ...
    before: str
    after: str


def folder_at(spec: str) -> Path | MemoryFolder:
    """A register folder: the path itself, or `REV:PATH` read from git at that revision
    into memory (nothing is written, so no name in the revision's tree can reach a file)."""
    path = Path(spec)
    if path.is_dir():
        return path
    revision, colon, inside = spec.partition(":")
    if not colon:
        raise RegisterError([RegisterProblem(spec, 1, 1, "no such folder (or REV:PATH)")])
    inside = inside.strip("/") or "registry"
    listed = _git(spec, b"", "ls-tree", "-r", "-z", revision, "--", inside)
    blobs: dict[str, str] = {}
    for entry in listed.split(b"\0"):
        meta, tab, raw_name = entry.partition(b"\t")
        if not tab:
            continue
        _mode, kind, sha = meta.split(b" ")
        name = _inside(raw_name.decode("utf-8", "replace"), inside)
        if kind == b"blob" and name is not None and name.endswith(".yaml"):
            blobs[name] = sha.decode("ascii")
    if not blobs:
        raise RegisterError([RegisterProblem(spec, 1, 1, f"{inside} has no YAML at {revision}")])
    return MemoryFolder(f"{revision}:{inside}", _cat(spec, blobs))


def _inside(name: str, inside: str) -> str | None:
    """`name` relative to `inside` when it lies strictly within it, else None: a tree
    entry named `..`, `.`, empty or absolute (git accepts such trees when fsck is off)
    never names a file of the register."""
    parts = name.split("/")
    top = inside.split("/")
    rest = parts[len(top) :]
    if parts[: len(top)] != top or not rest:
        return None
    if any(p in ("", ".", "..") or "\\" in p for p in rest):
        return None
    return "/".join(rest)


def _cat(spec: str, blobs: dict[str, str]) -> dict[str, bytes]:
    """The blobs' contents, read in one `git cat-file --batch`."""
    order = list(blobs.items())
    out = _git(spec, "".join(f"{sha}\n" for _, sha in order).encode(), "cat-file", "--batch")
    files: dict[str, bytes] = {}
    at = 0
    for name, sha in order:
        newline = out.index(b"\n", at)
        header = out[at:newline].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise RegisterError([RegisterProblem(spec, 1, 1, f"cannot read {name} ({sha})")])
        size = int(header[2])
        files[name] = out[newline + 1 : newline + 1 + size]
        at = newline + 1 + size + 1  # the content is followed by a newline
    return files


def _git(spec: str, stdin: bytes, *args: str) -> bytes:
    """git's output; a RegisterError located at the `REV:PATH` argument when it fails."""
    try:
        done = subprocess.run(["git", *args], input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise RegisterError([RegisterProblem(spec, 1, 1, f"cannot run git: {exc}")]) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        message = said.splitlines()[-1] if said else "git failed"
        raise RegisterError([RegisterProblem(spec, 1, 1, message)])
    return done.stdout


_STRENGTH = {"hypothesis-only": 0, "doc-derived": 1, "live-confirmed": 2}


def transition(before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """ "promoted", "demoted" or "status" for a change of status."""
    gained, lost = set(after) - set(before), set(before) - set(after)
    weaker = "live-rejected" in gained or "live-confirmed" in lost
    stronger = "live-confirmed" in gained or "live-rejected" in lost
    if not weaker and not stronger:
        top = max((_STRENGTH.get(s, 0) for s in before), default=0)
        now = max((_STRENGTH.get(s, 0) for s in after), default=0)
        weaker, stronger = now < top, now > top
    if weaker and not stronger:
        return "demoted"
    if stronger and not weaker:
        return "promoted"
    return "status"


def _label(entry: Statused | None) -> str:
    return status_text(entry) if entry is not None else ""


def _entries(field: Field) -> dict[str, Statused]:
    out: dict[str, Statused] = {"": field}
    for value in field.values.values():
        out[f".values.{value.value}"] = value
    for name, form in field.forms.items():
        out[f".forms.{name}"] = form
    return out


def _endpoint_changes(old: Endpoint, new: Endpoint) -> Iterator[Change]:
    for path in sorted(old.fields.keys() | new.fields.keys()):
        a, b = old.fields.get(path), new.fields.get(path)
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            yield Change(new.id, f"fields.{path}", kind, _label(a), _label(b))
            continue
        ea, eb = _entries(a), _entries(b)
        for key in sorted(ea.keys() | eb.keys()):
            what = f"fields.{path}{key}"
            x, y = ea.get(key), eb.get(key)
            if x is None or y is None:
                yield Change(
                    new.id, what, "added" if x is None else "removed", _label(x), _label(y)
                )
            elif x.status != y.status or x.qualifiers != y.qualifiers:
                kind = transition(x.status_labels, y.status_labels)
                yield Change(new.id, what, kind, _label(x), _label(y))
        if a.enum != b.enum:
            yield Change(new.id, f"fields.{path}", "enum", _shown(a.enum), _shown(b.enum))
        if a.limits() != b.limits():
            yield Change(new.id, f"fields.{path}", "limits", _shown(a.limits()), _shown(b.limits()))
        yield from _conflicts(new.id, f"fields.{path}", a, b)


def _conflicts(endpoint: str, what: str, a: Statused, b: Statused) -> Iterator[Change]:
    ids_a = {str(c.id): c.topic for c in a.conflicts}
    ids_b = {str(c.id): c.topic for c in b.conflicts}
    for cid in sorted(ids_b.keys() - ids_a.keys()):
        yield Change(endpoint, what, "conflict-new", "", f"{cid}: {ids_b[cid]}")
    for cid in sorted(ids_a.keys() - ids_b.keys()):
        yield Change(endpoint, what, "conflict-resolved", f"{cid}: {ids_a[cid]}", "")


def _shown(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


def diff(old: Register, new: Register) -> list[Change]:
    out: list[Change] = []
    for endpoint_id in sorted(old.endpoints.keys() | new.endpoints.keys()):
        a, b = old.endpoints.get(endpoint_id), new.endpoints.get(endpoint_id)
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            out.append(Change(endpoint_id, "endpoint", kind, _label(a), _label(b)))
            continue
        out += list(_endpoint_changes(a, b))
    return out


class Stale(NamedTuple):
    endpoint: str
    what: str
    status: str
    newest: str  # the newest evidence date for that status ("" when it has none)
    days: int


def stale(register: Register, older_than: int, today: _dt.date | None = None) -> list[Stale]:
    """Live statuses whose newest evidence for them is older than `older_than` days."""
    today = today or _dt.date.today()
    out = []
    for endpoint in register.endpoints.values():
        for path, field in endpoint.fields.items():
            for key, entry in _entries(field).items():
                for status in entry.status_labels:
                    if status not in ("live-confirmed", "live-rejected"):
                        continue
                    dates = sorted(
                        e.date for e in entry.evidence if e.status.value == status and e.date
                    )
                    newest = dates[-1] if dates else ""
                    try:
                        age = (today - _dt.date.fromisoformat(newest[:10])).days
                    except ValueError:
                        age = older_than + 1  # no readable date: as old as can be
                    if age > older_than:
                        out.append(Stale(endpoint.id, f"fields.{path}{key}", status, newest, age))
    return sorted(out)
