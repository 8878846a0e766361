"""`--format github`: workflow commands that annotate a pull request at file and line."""

from __future__ import annotations

from typing import TextIO

from kling_lint.diagnostics import Severity
from kling_lint.report._common import findings, printable
from kling_lint.results import RunResult

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    for file, d in findings(result):
        props = [
            f"file={_property(file.path)}",
            f"line={d.line or 1}",
            f"col={d.column or 1}",
            f"title={_property(f'{d.code} {d.rule}')}",
        ]
        stream.write(f"::{_LEVEL[d.severity]} {','.join(props)}::{_data(d.message)}\n")
    for notice in result.notices:
        stream.write(f"::warning title={_property('kling-lint selection')}::{_data(notice)}\n")
