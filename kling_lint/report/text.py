"""`--format text`: `path:line:col: CODE severity message`, grouped by file, with a summary."""

from __future__ import annotations

from typing import TextIO

from kling_lint.diagnostics import Diagnostic, Severity
from kling_lint.report._common import label, printable
from kling_lint.report._counts import Summary
from kling_lint.results import FileResult, RunResult

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def line(result: FileResult, d: Diagnostic, color: bool) -> str:
    """One finding as `path:line:col: CODE severity message`."""
    where = f"{printable(result.path)}:{d.line or 1}:{d.column or 1}"
    message = printable(d.message)
    if d.suppressed_by is not None:
        by = d.suppressed_by.by
        tag = _paint("baselined" if by == "baseline" else "allowed", "2", color)
        reason = printable(d.suppressed_by.reason)
        return f"{where}: {d.code} {tag} {message} [{by}: {reason}]"
    tag = _paint(d.severity.label, _COLOURS[d.severity], color)
    return f"{where}: {d.code} {tag} {message}"


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    for file in result.files:
        listed = file.diagnostics
        if verbose and file.endpoint:
            stream.write(f"{label(file)}: checked as {file.endpoint} ({file.endpoint_from})\n")
        if not listed:
            continue
        stream.write("".join([line(file, d, color) + "\n" for d in listed]) + "\n")
    footer(result, stream, verbose=verbose, color=color, quiet=quiet)


def footer(result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool) -> None:
    """What follows the findings: skips and configs (verbose), warnings, the summary."""
    if verbose:
        for path, why in result.skipped:
            stream.write(f"skipped {printable(path)}: {why}\n")
        for config in result.configs:
            stream.write(f"config: {printable(config.path or '<defaults>')}\n")
    for notice in result.notices:  # kept under --quiet: a switched-off gate is never silent
        warning = _paint("warning", _COLOURS[Severity.WARNING], color)
        stream.write(f"{warning}: {printable(notice)}\n")
    if not quiet:
        stream.write(summary(result, verbose=verbose, color=color) + "\n")


def summary(result: RunResult, *, verbose: bool, color: bool) -> str:
    """The one-line verdict: payloads blocked, then counts by severity."""
    s = Summary.of(result)
    infos = f"{s.infos} info{'s' if s.infos != 1 else ''}"
    verdict = f"{s.blocked} of {s.files} payload{'s' if s.files != 1 else ''} blocked"
    verdict = _paint(verdict, "1;31", color) if s.blocked else _paint(verdict, "32", color)
    baselined = sum(
        1
        for f in result.files
        for d in f.diagnostics
        if d.suppressed_by is not None and d.suppressed_by.by == "baseline"
    )
    in_baseline = f", {baselined} in the baseline" if baselined else ""
    return (
        f"{verdict}: {s.errors} error{'s' if s.errors != 1 else ''}, "
        f"{s.warnings} warning{'s' if s.warnings != 1 else ''}, {infos}, "
        f"{s.suppressed - baselined} allowed by the allowlist{in_baseline}"
    )
