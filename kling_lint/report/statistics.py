"""`--statistics`: how many findings per rule code and per register status."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from kling_lint.results import RunResult


def write(result: RunResult, stream: TextIO) -> None:
    by_code: Counter[str] = Counter()
    names: dict[str, str] = {}
    by_status: Counter[str] = Counter()
    for file in result.files:
        for d in file.diagnostics:
            if not d.counts:
                continue
            by_code[d.code] += 1
            names[d.code] = d.rule
            for status in d.status or ("not in the register",):
                by_status[status] += 1
    stream.write("Findings by rule:\n")
    for code, count in sorted(by_code.items()):
        stream.write(f"{count:>7}  {code}  {names[code]}\n")
    stream.write("Findings by register status of the field, value or form:\n")
    for status, count in sorted(by_status.items(), key=lambda item: (-item[1], item[0])):
        stream.write(f"{count:>7}  {status}\n")
