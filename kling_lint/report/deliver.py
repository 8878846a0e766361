"""Delivering a run's results: the chosen format, an output file, statistics, exit code."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from kling_lint import exit_codes
from kling_lint.report import reporter
from kling_lint.report import statistics as stats
from kling_lint.report.text import summary
from kling_lint.results import RunResult


def deliver(
    result: RunResult,
    *,
    output_format: str,
    stdout: TextIO,
    stderr: TextIO,
    output_file: Path | None = None,
    statistics: bool = False,
    verbose: bool = False,
    color: bool = False,
    quiet: bool = False,
) -> None:
    """Write the report; with an output file the terminal keeps the text summary line."""
    report = reporter(output_format)
    if output_file is not None:
        import io

        from kling_lint.files import refuse_input_write, write_text

        inputs = [f.path for f in result.files] + [c.path for c in result.configs if c.path]
        refuse_input_write(output_file, inputs)
        buffer = io.StringIO()
        report(result, buffer, verbose=verbose, color=False, quiet=quiet)
        write_text(output_file, buffer.getvalue())
        for notice in result.notices:
            stdout.write(f"warning: {notice}\n")
        if not quiet:
            stdout.write(summary(result, verbose=verbose, color=color) + "\n")
    else:
        report(result, stdout, verbose=verbose, color=color, quiet=quiet)
    if statistics:
        # Machine formats on stdout stay parseable: the counts go to stderr then.
        on_stdout = output_format in ("text", "concise") or output_file is not None
        stats.write(result, stdout if on_stdout else stderr)


def exit_code(result: RunResult, *, exit_zero: bool = False) -> int:
    """2 when a check itself failed (a finding of a rule marked `fault`), else 1 for
    findings at or above the threshold (unless exit-zero)."""
    faults = {code for code, rule in result.rules.items() if rule.fault}
    if faults and any(d.code in faults for f in result.files for d in f.diagnostics):
        return exit_codes.ERROR
    if result.failed and not exit_zero:
        return exit_codes.FINDINGS
    return exit_codes.OK
