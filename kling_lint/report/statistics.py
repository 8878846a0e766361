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
            # One count per finding, under the whole status of what it is about (a field
            # both documented and confirmed live is "doc-derived + live-confirmed"), so
            # both tables add up to the same total.
            by_status[" + ".join(d.status) if d.status else _NO_STATUS] += 1
    total = sum(by_code.values())
    stream.write("Findings by rule:\n")
    for code, count in sorted(by_code.items()):
        stream.write(f"{count:>7}  {code}  {names[code]}\n")
    stream.write(f"{total:>7}  in all\n")
    stream.write("Findings by the register status of the field, value or form they are about:\n")
    for status, count in sorted(by_status.items(), key=lambda item: (-item[1], item[0])):
        stream.write(f"{count:>7}  {status}\n")
    stream.write(f"{total:>7}  in all\n")


# A finding about something the register holds no status for: a field it does not know, a
# file that could not be read, a payload with no endpoint.
_NO_STATUS = "no status (not in the register, or not about a field)"
