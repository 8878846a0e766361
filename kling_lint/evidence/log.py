"""The exchange log: JSON Lines, one API call per line, schema `exchange-log.schema.json`.

Appending is safe from many threads and processes at once: each record is one write of a
whole line to a file opened for appending, under an exclusive lock. Earlier lines are never
rewritten, so a crash can at worst leave the last line cut short; the next append starts on
a fresh line, and the reader reports the cut line (at its line number) and goes on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint._resources import schemas_dir

SCHEMA_FILE = "exchange-log.schema.json"
Recorder = Callable[[dict[str, Any]], None]


class LogProblem(NamedTuple):
    """A line of a log (or a part of a HAR file) that holds no usable exchange."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: appends are still whole writes
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _byte_at(fd: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, 1, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows; O_APPEND still appends
    return os.read(fd, 1)  # pragma: no cover


def append(path: str | Path, record: dict[str, Any], *, validate: bool = False) -> None:
    """Append one record as one line; ValueError for a number JSON cannot hold. With
    `validate` (records made from files someone else wrote, as `evidence import` reads),
    a record the log's own schema refuses is not written either (ValueError)."""
    data = (
        json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"
    ).encode("utf-8", "surrogatepass")
    if validate:
        found = problems_of(json.loads(data))
        if found:
            raise ValueError("not an exchange record: " + "; ".join(found[:3]))
    from kling_lint.files import owned

    # A log that is a link leading out of its folder is not appended to (it would add
    # lines to another project's file); one that stays inside is appended where it leads.
    path = owned(Path(path), Path(os.path.abspath(path)).parent)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        _lock(fd)
        try:
            size = os.fstat(fd).st_size
            if size and _byte_at(fd, size - 1) != b"\n":
                data = b"\n" + data  # a line a crash cut short stays a line of its own
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def recorder(record: str | Path | Recorder | None) -> Recorder | None:
    """What an integration's `record=` names: a log file to append to, or a callable."""
    if record is None or callable(record):
        return record
    target = Path(record)
    return lambda exchange: append(target, exchange)


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((schemas_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def problems_of(record: Any) -> list[str]:
    """Why a parsed line is not an exchange record (empty when it is one)."""
    out = []
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(map(str, error.absolute_path)) or "the record"
        out.append(f"{error.message} (at {where})")
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | LogProblem]]:
    """(line number, record) for each record of a log, or a located problem for a line
    that holds none."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield 1, LogProblem(shown, 1, f"cannot read the log: {exc}")
        return
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = number == len(lines)  # no newline after it: the write may have been cut
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except ValueError as exc:
            why = "the line was cut short (a write did not finish)" if last else f"not JSON: {exc}"
            yield number, LogProblem(shown, number, why)
            continue
        except RecursionError:
            yield number, LogProblem(shown, number, "nested too deeply to read")
            continue
        found = problems_of(record)
        if found:
            message = "not an exchange record: " + "; ".join(found[:3])
            yield number, LogProblem(shown, number, message)
            continue
        yield number, record
