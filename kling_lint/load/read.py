"""Reading a payload file: bounded, never blocking, never following what is not a regular
file, and every way it can fail a located result rather than an exception."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kling_lint.config.limits import DEFAULT_LIMITS, Limits
from kling_lint.load import Loaded, LoadFailure, LoadProblem, parse_text, unreadable
from kling_lint.load.kinds import kind_of, not_a_payload
from kling_lint.load.problems import Problem


def _failure(display: str, message: str) -> list[Loaded]:
    return [unreadable(display, message)]


# Opened without blocking, so that a FIFO named like a payload cannot hang the run.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS) -> list[Loaded]:
    """The payloads of one file; a file that is not a regular file (a FIFO, a device), is
    larger than the limit, cannot be read or is not UTF-8 is one UNREADABLE failure, and
    one whose name says it is no payload (README.md) a NOT_A_PAYLOAD failure, unread."""
    text = read_text(path, display, limits)
    if isinstance(text, list):
        return text
    return parse_text(text, display, kind_of(os.fspath(path)), limits)


def read_text(
    path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> str | list[Loaded]:
    """What `read_file` parses: the file's text, or (as `read_file` gives them) why it
    cannot be read. A run reads a few files ahead before it parses and checks them: the
    system calls together, then the work in Python, is faster than one after the other."""
    raw = read_bytes(path, display, limits)
    return raw if isinstance(raw, list) else text_of(raw, display)


def read_bytes(
    path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> bytes | list[Loaded]:
    """The file's bytes, or why it cannot be read (`read_text` decodes them)."""
    wrong = not_a_payload(os.fspath(path))
    if wrong is not None:
        return [LoadFailure(display, None, LoadProblem(Problem.NOT_A_PAYLOAD, wrong))]
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _failure(display, "not a regular file (a FIFO, device or socket)")
            if info.st_size > limits.file_bytes:
                return _failure(display, limits.hit("file_bytes", f"{info.st_size} bytes"))
            # What the size says plus one byte. Exactly the size is the whole file (most
            # files: no second read); less or more (a read may return less than asked, a
            # file may grow while read), read on to the end, never past the limit. The
            # later reads are small: a large buffer costs more to allocate than the read.
            raw = os.read(fd, info.st_size + 1)
            while len(raw) != info.st_size and len(raw) <= limits.file_bytes:
                more = os.read(fd, min(1 << 16, limits.file_bytes + 1 - len(raw)))
                if not more:
                    break
                raw += more
        finally:
            os.close(fd)
    except OSError as exc:
        return _failure(display, f"cannot read: {exc.strerror or exc}")
    if len(raw) > limits.file_bytes:
        return _failure(display, limits.hit("file_bytes", "the file grew while read"))
    return raw


def text_of(raw: bytes, display: str) -> str | list[Loaded]:
    """A file's bytes as text, or the UNREADABLE failure of bytes that are not UTF-8."""
    # A byte-order mark is dropped first, so that the decode is the C codec's (the
    # "utf-8-sig" codec is written in Python). Offsets in errors count from the file.
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return (raw[bom:] if bom else raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failure(display, f"not UTF-8 text (byte {exc.start + bom})")
