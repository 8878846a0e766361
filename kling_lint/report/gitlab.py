"""`--format gitlab`: a GitLab code quality report (a JSON array of issues)."""

from __future__ import annotations

import hashlib
from typing import TextIO

from kling_lint.diagnostics import Severity
from kling_lint.report._common import findings, write_json
from kling_lint.results import RunResult

_LEVEL = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    issues = []
    for file, d in findings(
        result,
    ):
        # The fingerprint must stay the same across runs for the same finding.
        key = f"{file.path}\0{file.record}\0{d.code}\0{d.pointer}"
        issues.append(
            {
                "description": f"{d.code} {d.message}",
                "check_name": f"{d.code} {d.rule}",
                "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(),
                "severity": _LEVEL[d.severity],
                "location": {"path": file.path, "lines": {"begin": d.line or 1}},
            }
        )
    write_json(issues, stream)
