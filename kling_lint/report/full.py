"""`--format full`: each finding with the line it points at and a caret under its column."""

from __future__ import annotations

from typing import TextIO

from kling_lint.report import text
from kling_lint.report._common import printable
from kling_lint.results import RunResult

# Shown around the column of a long line (a Base64 value), so a frame stays one screen wide.
_WIDTH = 120


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    for file in result.files:
        source = dict(file.source)
        for d in file.diagnostics:
            stream.write(text.line(file, d, color) + "\n")
            shown = source.get(d.line or 0)
            if shown is not None:
                stream.write(_frame(d.line or 0, d.column or 1, shown))
        if file.diagnostics:
            stream.write("\n")
    text.footer(result, stream, verbose=verbose, color=color, quiet=quiet)


def _frame(number: int, column: int, line: str) -> str:
    start = max(0, column - 1 - _WIDTH // 2)
    piece = line[start : start + _WIDTH]
    lead = "…" if start else ""
    before = printable(lead + line[start : column - 1])
    caret = "".join("\t" if c == "\t" else " " for c in before) + "^"  # tabs keep it aligned
    gutter = " " * len(str(number))
    return f"{gutter} |\n{number} | {printable(lead + piece)}\n{gutter} | {caret}\n"
