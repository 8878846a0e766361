"""One file in, its results out: read, parse, choose each payload's endpoint, check it.

`check_file` changes nothing of the session it reads: what a payload drew on from the
run's settings (allow entries, an `endpoints` pattern, baseline entries) travels on its
result (`FileResult.used`). So a run can check its files in any order and in any process
and put the results together by concatenating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kling_lint.check.endpoint import Chosen, choose
from kling_lint.check.linter import Linter
from kling_lint.check.rules import LOADER_CODES
from kling_lint.config.paths import relative
from kling_lint.diagnostics import Diagnostic
from kling_lint.load import (
    Loaded,
    LoadFailure,
    Payload,
    Problem,
    Skipped,
    by_content,
    kind_of,
    parse_text,
    read_text,
    unwrap_envelope,
)
from kling_lint.results import NOTHING_USED, FileResult, Used
from kling_lint.run.session import Session

# A file a walk found that is no payload is skipped; one named on the command line is a
# finding.
_NOT_PAYLOADS = (Problem.NOT_A_PAYLOAD, Problem.NOT_A_PAYLOAD_BY_CONTENT)


def check_file(session: Session, file: str, config_path: Path | None) -> list[FileResult | Skipped]:
    """The results of one file found by a walk or named (one per payload of a JSON Lines
    file). Whatever goes wrong checking it blocks this file alone (KL008)."""
    linter = session.linter(config_path)
    try:
        text = read_text(file, file, linter.config.limits)
        loaded = text if isinstance(text, list) else parsed(session, config_path, file, text)
        return [
            _skipped(session, file, one)
            or check_loaded(session, config_path, file, one, linter=linter)
            for one in loaded
        ]
    except Exception as exc:  # a fault checking one file blocks it; the others go on
        message = f"checking this file raised {exc!r}; it is blocked (please report this)"
        failed = (linter.stamp("KL008", message),)
        return [FileResult(file, None, None, failed, linter.config.fail_on)]


def parsed(session: Session, config_path: Path | None, file: str, text: str) -> list[Loaded]:
    """The payloads of a file's text. A file whose content says it is no payload is read
    as payloads all the same when its name or a config pattern ties it to an endpoint:
    a payload file can hold keys that make it look like a log or a register file."""
    linter = session.linter(config_path)
    limits = linter.config.limits
    kind = kind_of(file)
    loaded = parse_text(text, file, kind, limits)
    if by_content(loaded) and session.named_for_file(linter, config_path, file) is not None:
        loaded = parse_text(text, file, kind, limits, as_payloads=True)
    return loaded


def check_loaded(
    session: Session,
    config_path: Path | None,
    file: str | None,
    loaded: Loaded,
    on_disk: bool = True,
    *,
    linter: Linter | None = None,
) -> FileResult:
    """One loaded payload's result. `on_disk` is False for standard input: its findings get
    no fixes, which would be made in whatever file its --stdin-filename names. `linter`:
    the one of `config_path`, when the caller has it."""
    linter = linter or session.linter(config_path)
    fail_on = linter.config.fail_on
    if isinstance(loaded, LoadFailure):
        p = loaded.problem
        stamped = linter.stamp(
            LOADER_CODES[p.kind], p.message, pointer=p.pointer, position=p.position
        )
        failure = _selected(linter, [stamped])
        return FileResult(loaded.path, loaded.record, None, tuple(failure), fail_on)
    payload = unwrap_envelope(loaded)
    # Where the file sits for the config's path patterns (per-file-ignores, allow paths).
    at = relative(file, config_path) if file is not None and linter.per_file_paths else None
    problems = (
        _selected(
            linter,
            [
                linter.stamp(
                    LOADER_CODES[p.kind], p.message, pointer=p.pointer, position=p.position
                )
                for p in payload.problems
            ],
            at,
        )
        if payload.problems
        else []
    )
    named = session.named(linter, config_path, file)
    chosen = choose(linter.register, named, payload.endpoint_hint, payload.data)
    if not isinstance(chosen, Chosen):
        code, message = chosen
        found = _located(_selected(linter, [*problems, linter.stamp(code, message)], at), payload)
        return FileResult(payload.path, payload.record, None, found, fail_on)
    report = linter.lint_loaded(payload.data, chosen.endpoint, path=at)
    if problems or chosen.findings:
        # What the loader already reported (NaN, say) the checker may restate: keep one.
        said = {(d.code, d.pointer) for d in problems}
        checked = [d for d in report.diagnostics if (d.code, d.pointer) not in said]
        choice = [linter.stamp(code, message) for code, message in chosen.findings]
        diagnostics = _located([*problems, *_selected(linter, choice, at), *checked], payload)
    else:  # most payloads: what the checker found is all there is
        diagnostics = _located(report.diagnostics, payload) if report.diagnostics else ()
    keys: tuple[Any, ...] = ()
    book = session.baseline
    if book is not None and diagnostics:
        from kling_lint.run import baseline

        writing = session.options.write_baseline is not None
        diagnostics, keys = baseline.apply(
            book,
            writing,
            linter.rules_by_code,
            payload.path,
            payload.record,
            payload.data,
            diagnostics,
        )
    fixes: tuple[Any, ...] = ()
    if session.options.fixes and on_disk and diagnostics:
        from kling_lint.fix.propose import for_payload

        # Worked out on the body; made in the file, where an envelope puts it under /body.
        edits = for_payload(linter, chosen.endpoint, payload.data, diagnostics)
        fixes = tuple(e._replace(pointer=payload.base + e.pointer) for e in edits)
    source = _source(payload.path, diagnostics) if session.options.source_lines and on_disk else ()
    pattern = named.pattern if named else None
    used = (
        Used(config_path, report.allow_used, pattern, keys)
        if (report.allow_used or pattern or keys)
        else NOTHING_USED
    )
    return FileResult(
        payload.path,
        payload.record,
        chosen.endpoint.id,
        diagnostics,
        fail_on,
        chosen.why,
        fixes,
        source=source,
        used=used,
    )


def _skipped(session: Session, file: str, loaded: Loaded) -> Skipped | None:
    """The skip of a file a walk found (it was not named) whose name or content says it is
    no payload; None for every other load result."""
    if (
        isinstance(loaded, LoadFailure)
        and loaded.problem.kind in _NOT_PAYLOADS
        and file not in session.named_files
    ):
        return Skipped(loaded.path, loaded.problem.message)
    return None


def _located(diagnostics: Sequence[Diagnostic], payload: Payload | None) -> tuple[Diagnostic, ...]:
    wanted = [d.pointer for d in diagnostics if d.line is None]
    if payload is None or not wanted:
        return tuple(sorted(diagnostics))
    places = payload.locate_all(wanted)
    out = []
    for d in diagnostics:
        pos = places.get(d.pointer) if d.line is None else None
        if pos is not None:
            d = d.at(pos[0], pos[1])
        out.append(d)
    return tuple(sorted(out))


def _selected(
    linter: Linter, diagnostics: list[Diagnostic], at: str | None = None
) -> list[Diagnostic]:
    """Findings the run itself makes obey the selection and `per-file-ignores` too (load
    failures always count)."""
    if not diagnostics:  # most files: nothing to select from
        return []
    dropped = linter.ignored_at(at)
    return [d for d in diagnostics if linter.reports(d.code) and d.code not in dropped]


def _source(path: str, found: tuple[Diagnostic, ...]) -> tuple[tuple[int, str], ...]:
    """The lines of `path` the findings point at (read again: the loader keeps no text)."""
    wanted = sorted({d.line for d in found if d.line})
    if not wanted:
        return ()
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            lines = handle.read().split("\n")
    except OSError:
        return ()
    return tuple((n, lines[n - 1].rstrip("\r")) for n in wanted if n <= len(lines))
