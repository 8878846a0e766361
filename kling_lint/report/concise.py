"""`--format concise`: one line per finding, nothing else but a count."""

from __future__ import annotations

from typing import TextIO

from kling_lint.report._common import findings, printable
from kling_lint.results import RunResult


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    count = 0
    for file, d in findings(result):
        where = f"{printable(file.path)}:{d.line or 1}:{d.column or 1}"
        stream.write(f"{where}: {d.code} {printable(d.message)}\n")
        count += 1
    for notice in result.notices:
        stream.write(f"warning: {printable(notice)}\n")
    if not quiet:
        stream.write(f"Found {count} finding{'s' if count != 1 else ''}.\n")
