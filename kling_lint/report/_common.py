"""What several reporters share: each finding with its file, in output order."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from kling_lint.diagnostics import Diagnostic
from kling_lint.results import FileResult, RunResult

# What must not reach a terminal or a CI log raw: control characters (escape sequences, a
# newline that starts a forged `::error` workflow command), line and paragraph separators,
# and the bidirectional overrides that make text read differently from what it is.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` for one line of a terminal or a CI log, with what is unsafe shown escaped."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


# What starts or changes markdown inside a line (emphasis, links, HTML, entities, code,
# table cells): escaped with a backslash, which CommonMark allows before ASCII punctuation.
# Newlines never reach it (printable escapes them), so no block (heading, list, table row)
# can start.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>|~!&]")


def markdown_text(text: str) -> str:
    """`text` for one line of markdown (a table cell, a list item), shown as it is."""
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), printable(text))


def markdown_code(text: str) -> str:
    """`text` as a code span that no backtick or `|` in it can end (a table cell too)."""
    shown = printable(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown[:1] == "`" or shown[-1:] == "`" else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def findings(
    result: RunResult, *, suppressed: bool = False
) -> Iterator[tuple[FileResult, Diagnostic]]:
    """Every finding of the run, in output order; allowlisted ones only when asked.

    Every format shows what the selection reported, infos included: what a report carries
    is decided by the selection (the register's notes are off by default), not by a format.
    """
    for file in result.files:
        for d in file.diagnostics:
            if d.suppressed and not suppressed:
                continue
            yield file, d


def label(file: FileResult) -> str:
    """A payload's name: its path, with the record line for JSONL (printable)."""
    path = printable(file.path)
    return f"{path}:{file.record}" if file.record is not None else path


def write_json(document: Any, stream: TextIO) -> None:
    """JSON that stays valid whatever the stream's encoding: non-ASCII text is written as is
    to a UTF-8 stream and as \\u escapes to any other (a cp1252 or ASCII terminal)."""
    import codecs

    try:
        utf8 = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8"
    except LookupError:
        utf8 = False
    # One line: most of these reports are read by programs (`jq .` or `python -m
    # json.tool` indents). orjson writes what the standard encoder writes (byte for byte,
    # but for a float's exponent, which reports do not carry), about ten times faster: a
    # report of 10,000 payloads is a few megabytes. What it refuses (integers past 64
    # bits, lone surrogates), and streams that take only ASCII, go to the standard encoder.
    if utf8:
        import orjson

        try:
            encoded = orjson.dumps(document)
        except TypeError:  # orjson.JSONEncodeError
            encoded = None
        if encoded is not None:
            stream.write(encoded.decode("utf-8") + "\n")
            return
    stream.write(json.dumps(document, ensure_ascii=not utf8, separators=(",", ":")))
    stream.write("\n")
