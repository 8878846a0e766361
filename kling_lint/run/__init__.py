"""One run of `kling-lint check`: files in, per-payload results out (no printing here).

The wiring only: find the files (`load.discover`) and the config of each (`session`),
check each file (`file.check_file`, in one process or several: `parallel`), then settle
what the run as a whole says: the baseline (`baseline`), allow entries nothing used, and
`endpoints` patterns that named no file.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from kling_lint.load import (
    Discovery,
    Loaded,
    LoadFailure,
    LoadProblem,
    Problem,
    Skipped,
    by_content,
    discover,
    not_a_payload,
    read_text,
    unreadable,
)
from kling_lint.register import load_register
from kling_lint.results import ConfigUse, FileResult, RunResult, report_path
from kling_lint.run.file import check_file, check_loaded, parsed
from kling_lint.run.options import Options
from kling_lint.run.session import Session

__all__ = ["FileResult", "Options", "RunResult", "execute", "files_to_check"]

# Below this many files a run ends before a progress bar would help.
SHOW_PROGRESS_FROM = 200

# Files checked in this process before any is shared out (see `_checked`).
FIRST_HERE = 16

Progress = Callable[[int, int], None]
# Files as the walk found them, each with the config that governs it (strings: a Path
# per file costs more than reading it).
Batch = list[tuple[str, "Path | None"]]


def execute(options: Options, progress: Progress | None = None) -> RunResult:
    """Lint every payload the options name. Raises ConfigError/RegisterError for exit 2."""
    session = Session(options)
    result = RunResult()
    files: Batch = []
    walked = False  # whether a folder was walked: only then is "matched nothing" news
    # An absolute input under the working folder is named relative to it, as findings
    # about the files found by walking "." are.
    for raw in map(report_path, options.paths or (".",)):
        if raw == "-":
            result.files.extend(_check_stdin(session, options))
            continue
        path = Path(raw)
        if not path.exists():
            config_path = session.config_path_for(Path.cwd())
            missing = unreadable(raw, "no such file or directory")
            result.files.append(check_loaded(session, config_path, None, missing))
            continue
        walked = walked or path.is_dir()
        scope = session.scope_for(path)
        found = discover([path], scope, follow_links=options.follow_links)
        if not path.is_dir() and not scope.force_exclude:  # force-exclude: read as a walk's
            session.named_files.update(found.files)
        files.extend((file, session.config_path_for_file(file)) for file in found.files)
        for skip in found.skipped:
            result.skipped.append((skip.path, skip.why))
            if skip.error:
                config_path = session.config_path_for(Path(skip.path).parent)
                failure = unreadable(skip.path, skip.why)
                result.files.append(check_loaded(session, config_path, None, failure))
    for config_path in dict.fromkeys(c for _, c in files):
        session.linter(config_path)  # compile (and fail, exit 2) before any file is read
    for done in _checked(session, files, progress):
        if isinstance(done, Skipped):  # read, and found to be no payload file
            result.skipped.append((done.path, done.why))
            if not _is_the_baseline(session, done.path):  # the run knows that one
                result.by_content += 1
        else:
            result.files.append(done)
    if session.baseline is not None:
        result.files.extend(_settle_baseline(session, result))
    _settle_configs(session, result, walked)
    if not session.linters:
        result.register_digest = load_register(options.register, options.overlays).digest
    return result


def _checked(
    session: Session, files: Batch, progress: Progress | None
) -> list[FileResult | Skipped]:
    """Every file's results, in the order of `files`, however many processes check them."""
    total = len(files)
    if total < SHOW_PROGRESS_FROM:
        progress = None
    jobs = 1
    if session.options.fork and total > 1:  # (a run of one file never pays for the import)
        from kling_lint.run import parallel

        jobs = parallel.jobs_for(session.options, total)

    def span(start: int, stop: int) -> list[FileResult | Skipped]:
        out: list[FileResult | Skipped] = []
        for at in range(start, stop):
            file, config_path = files[at]
            out += check_file(session, file, config_path)
            if progress is not None and jobs == 1 and (at + 1) % 50 == 0:
                progress(at + 1, total)
        return out

    if jobs == 1:
        results = span(0, total)
    else:
        # The first files are checked here: they pay for what loads on first use (the
        # validator, the compiled schemas, the wording), which the forked processes then
        # inherit instead of each loading it again.
        first = min(FIRST_HERE, total)
        results = span(0, first)
        shown = None if progress is None else (lambda done: progress(first + done, total))
        results += parallel.mapped(
            lambda start, stop: span(first + start, first + stop), total - first, jobs, shown
        )
    if progress is not None and total:
        progress(total, total)
    return results


def _is_the_baseline(session: Session, path: str) -> bool:
    import os

    book = session.baseline
    return book is not None and os.path.abspath(path) == os.path.abspath(book.path)


def _settle_baseline(session: Session, result: RunResult) -> list[FileResult]:
    """Write the baseline (--write-baseline), or report and prune its stale entries."""
    from kling_lint.files import refuse_input_write, write_text
    from kling_lint.run import baseline

    book = session.baseline
    assert book is not None
    taken = [key for f in result.files for key in f.used.baseline]
    if session.options.write_baseline is not None:
        refuse_input_write(book.path, [f.path for f in result.files])
        write_text(book.path, baseline.dump(taken), within=book.path.parent)
        return []
    linted = {book.relative(f.path) for f in result.files}
    stale = book.stale(linted, Counter(taken))
    if session.options.prune_baseline and stale:
        left = book.entries.copy()
        left.subtract(stale)
        write_text(book.path, baseline.dump(list(left.elements())), within=book.path.parent)
        return []
    linter = session.linter(None) if not session.linters else next(iter(session.linters.values()))
    if not stale or not linter.reports("KL903"):
        return []
    found = tuple(
        linter.stamp(
            "KL903",
            f"{key.path}: {key.code} at {key.pointer or 'the payload'} is in the baseline but "
            "no longer found (fixed?); --prune-baseline removes it",
        )
        for key in stale
    )
    shown = report_path(str(book.path))
    return [FileResult(shown, None, None, found, linter.config.fail_on, subject="baseline")]


def _settle_configs(session: Session, result: RunResult, walked: bool) -> None:
    """What each config of the run says about itself: allow entries (expired, unused, not
    needed), status gates its selection left out, `endpoints` patterns that named no file."""
    linted = {f.endpoint for f in result.files if f.endpoint is not None}
    used: dict[Path | None, set[int]] = {}
    matched: set[tuple[Path | None, str]] = set()
    for f in result.files:
        if f.used.allow:
            used.setdefault(f.used.config, set()).update(f.used.allow)
        if f.used.pattern is not None:
            matched.add((f.used.config, f.used.pattern))
    for config_path, linter in session.linters.items():
        # An entry is unused only if the run could have used it: a run of a few named files
        # (pre-commit) says nothing about the rest; an expired one counts where it is used.
        extra = linter.allow_diagnostics(used.get(config_path, set()), linted, report_unused=walked)
        shown = report_path(str(config_path)) if config_path else None
        if extra:
            result.files.append(
                FileResult(
                    shown or "config",
                    None,
                    None,
                    tuple(sorted(extra)),
                    linter.config.fail_on,
                    subject="config",
                )
            )
        result.register_digest = linter.register.digest
        result.rules.update(linter.rules_by_code)
        # A pattern that named no file of a folder walk is likely misspelt; a run of a few
        # named files (pre-commit) says nothing about it.
        unmatched = tuple(
            pattern
            for pattern, _ in linter.config.endpoints
            if walked and (config_path, pattern) not in matched
        )
        result.configs.append(
            ConfigUse(
                shown,
                linter.selection.gates_off,
                linter.config.where("select"),
                unmatched,
                linter.config.where("endpoints"),
            )
        )


def files_to_check(options: Options) -> Discovery:
    """The files a run with these options reads, and what it skips (`--show-files`)."""
    session = Session(options)
    files: list[str] = []
    skipped: list[Skipped] = []
    for raw in map(report_path, options.paths or (".",)):
        path = Path(raw)
        if raw == "-" or not path.exists():
            files.append(raw)  # read (or reported missing) as named
            continue
        scope = session.scope_for(path)
        found = discover([path], scope, follow_links=options.follow_links)
        skipped += found.skipped
        if not path.is_dir() and not scope.force_exclude:
            files += found.files  # named: read whatever it holds
            continue
        # As the run does: a file its content says is no payload is skipped, unless its
        # name ties it to an endpoint (read, so the preview is what the run will do).
        for file in found.files:
            config_path = session.config_path_for_file(file)
            limits = session.linter(config_path).config.limits
            text = read_text(file, file, limits)
            loaded = parsed(session, config_path, file, text) if isinstance(text, str) else []
            if by_content(loaded):
                assert isinstance(loaded[0], LoadFailure)
                skipped.append(Skipped(file, loaded[0].problem.message))
            else:
                files.append(file)
    return Discovery(files, sorted(skipped))


def _check_stdin(session: Session, options: Options) -> list[FileResult]:
    name = options.stdin_filename or "-"
    config_path = session.config_path_for(Path(options.stdin_filename or "x").resolve().parent)
    limits = session.linter(config_path).config.limits
    wrong = not_a_payload(name) if options.stdin_filename else None
    loaded_all: list[Loaded]
    if wrong is not None:
        loaded_all = [LoadFailure(name, None, LoadProblem(Problem.NOT_A_PAYLOAD, wrong))]
    else:
        text = sys.stdin.read(limits.file_bytes + 1)
        if len(text) > limits.file_bytes:
            loaded_all = [unreadable(name, limits.hit("file_bytes", "standard input"))]
        else:
            loaded_all = parsed(session, config_path, name, text)
    # The --stdin-filename stands in for the path: config endpoint patterns see it too.
    named = options.stdin_filename
    if named is not None:
        session.named_files.add(named)  # standard input is always named
    return [check_loaded(session, config_path, named, loaded, False) for loaded in loaded_all]
