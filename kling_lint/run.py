"""One run of `kling-lint check`: files in, per-payload results out (no printing here)."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.check.endpoint import (
    from_file_name,
    infer,
    resolve,
    suggest_endpoint,
    suggest_model,
)
from kling_lint.check.linter import Linter
from kling_lint.config import Config, ConfigError, find_config, load_config
from kling_lint.config.paths import matches, relative
from kling_lint.diagnostics import Diagnostic, Severity, Suppression
from kling_lint.load import (
    Discovery,
    Loaded,
    LoadFailure,
    LoadProblem,
    Payload,
    Skipped,
    by_content,
    discover,
    kind_of,
    not_a_payload,
    parse_text,
    read_text,
    unreadable,
    unwrap_envelope,
)
from kling_lint.load.scope import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, Patterns, Scope
from kling_lint.register import Register, load_register
from kling_lint.register.model import Endpoint
from kling_lint.results import ConfigUse, FileResult, RunResult, report_path

if TYPE_CHECKING:
    from kling_lint.baseline import Baseline, Key

__all__ = ["FileResult", "Options", "RunResult", "execute"]


class Options(NamedTuple):
    """What the CLI collected; every field has the meaning of the flag of the same name."""

    paths: tuple[str, ...] = ()
    endpoint: str | None = None
    config: Path | None = None
    isolated: bool = False
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] | None = None
    extend_ignore: tuple[str, ...] = ()
    fail_on: Severity | None = None
    policies: tuple[str, ...] | None = None
    register: Path | None = None
    overlays: tuple[Path, ...] = ()  # --overlay, laid over the config's overlays
    stdin_filename: str | None = None
    jobs: int | None = None
    allow_config_plugins: bool = False
    follow_links: bool = False
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    force_exclude: bool | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    prune_baseline: bool = False
    fixes: bool = False  # work out the fixes for each payload's findings
    source_lines: bool = False  # keep the lines findings point at (for `--format full`)


class _Session:
    """Linters per configuration file, built once each and shared by the files they govern."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.linters: dict[Path | None, Linter] = {}
        self.used: dict[Path | None, set[int]] = {}
        # The config `endpoints` patterns that named the endpoint of some file.
        self.matched: set[tuple[Path | None, str]] = set()
        self.baseline = _baseline(options)
        # Findings a baseline may hold, as this run found them (for --write-baseline).
        self.recorded: list[Key] = []
        self.registers: dict[tuple[Path | None, tuple[Path, ...]], Register] = {}
        self.found: dict[Path, Path | None] = {}
        self.found_by_name: dict[str, Path | None] = {}
        self.configs: dict[Path | None, Config] = {}
        self.scopes: dict[Path | None, Scope] = {}
        # Files named on the command line (a walk's files are not): a file whose content
        # says it is no payload (an exchange log) is a finding when named, skipped if found.
        self.named: set[str] = set()
        # The endpoint a name gives (--endpoint, a config pattern, a file name), per config:
        # most runs give every file the same one.
        self.chosen: dict[tuple[Path | None, str, str], Chosen] = {}

    def _config(self, path: Path | None) -> Config:
        config = load_config(path) if path else Config()
        o = self.options
        if config.plugins and o.config is None and not o.allow_config_plugins:
            # A config found by walking up from a linted file may come with the files (a
            # pull request can add both); importing what it names would run their code.
            raise ConfigError(
                f"{config.where('plugins')}: plugins named by a config file found next to "
                "the payloads are not loaded; pass the file with --config, install the "
                "plugin as a package (entry point), or allow it with --allow-config-plugins"
            )
        changes: dict[str, object] = {}
        flags = set()
        if o.select is not None:
            changes["select"] = o.select
            flags.add("select")
        if o.extend_select:
            changes["extend_select"] = (*config.extend_select, *o.extend_select)
            flags.add("extend-select")
        ignore = o.ignore if o.ignore is not None else config.ignore
        changes["ignore"] = (*ignore, *o.extend_ignore)
        if o.ignore is not None or o.extend_ignore:
            flags.add("ignore")
        changes["flags"] = frozenset(flags)
        if o.fail_on is not None:
            changes["fail_on"] = o.fail_on
        if o.policies is not None:
            changes["policies"] = o.policies
        if o.register is not None:
            changes["register"] = o.register.resolve()
        if o.overlays:
            changes["overlays"] = (*config.overlays, *(p.resolve() for p in o.overlays))
        if o.exclude is not None:
            changes["exclude"] = o.exclude
        if o.extend_exclude:
            changes["extend_exclude"] = (*config.extend_exclude, *o.extend_exclude)
        if o.respect_gitignore is not None:
            changes["respect_gitignore"] = o.respect_gitignore
        if o.force_exclude is not None:
            changes["force_exclude"] = o.force_exclude
        return dataclasses.replace(config, **changes)  # type: ignore[arg-type]

    def scope_for(self, path: Path) -> Scope:
        """Which files a walk of `path` reads, from the config that governs it (built once
        per config: a commit names many files under one)."""
        config_path = self.config_path_for(path if path.is_dir() else path.parent)
        if config_path not in self.scopes:
            config = self.config(config_path)
            base = (config.path.parent if config.path else Path.cwd()).resolve()
            exclude = DEFAULT_EXCLUDE if config.exclude is None else config.exclude
            self.scopes[config_path] = Scope(
                Patterns(DEFAULT_INCLUDE if config.include is None else config.include, base),
                Patterns((*exclude, *config.extend_exclude), base),
                config.respect_gitignore,
                config.force_exclude,
            )
        return self.scopes[config_path]

    def config_path_for(self, folder: Path) -> Path | None:
        """The config file that governs files in `folder`."""
        if self.options.isolated:
            return None
        if self.options.config is not None:
            return self.options.config
        if folder not in self.found:  # one walk up per folder, not per file
            self.found[folder] = find_config(folder)
        return self.found[folder]

    def config_path_for_file(self, file: str) -> Path | None:
        """The config file that governs `file` (as the walk names it)."""
        if self.options.isolated:  # the same for every file: no folder needed
            return None
        if self.options.config is not None:
            return self.options.config
        folder = os.path.dirname(file)
        if folder not in self.found_by_name:
            self.found_by_name[folder] = self.config_path_for(Path(folder or "."))
        return self.found_by_name[folder]

    def config(self, config_path: Path | None) -> Config:
        """The settings of a config file with the command line's on top, read once."""
        if config_path not in self.configs:
            self.configs[config_path] = self._config(config_path)
        return self.configs[config_path]

    def linter(self, config_path: Path | None) -> Linter:
        if config_path not in self.linters:
            config = self.config(config_path)
            key = (config.register, config.overlays)
            register = self.registers.get(key)
            if register is None:
                register = load_register(config.register, config.overlays)
                self.registers[key] = register
            linter = Linter(register, config)
            named = self.options.endpoint
            if named and resolve(register, named) is None:
                raise ConfigError(
                    f"--endpoint: unknown endpoint {named!r}{suggest_endpoint(register, named)}; "
                    "`kling-lint endpoints` lists them"
                )
            self.linters[config_path] = linter
            self.used[config_path] = set()
        return self.linters[config_path]


def _diag(
    linter: Linter, code: str, message: str, pointer: str = "", pos: tuple[int, int] | None = None
) -> Diagnostic:
    return linter.stamp(code, message, pointer=pointer, position=pos)


class Chosen(NamedTuple):
    """The endpoint a payload is checked against, why, and what the choice itself found."""

    endpoint: Endpoint
    why: str
    findings: tuple[Diagnostic, ...] = ()


def _named(
    session: _Session, linter: Linter, config_path: Path | None, file: str | None
) -> tuple[str, str] | None:
    """The endpoint the command line, the config or the file's name gives this file (for
    standard input, the --stdin-filename), and where from."""
    if session.options.endpoint:
        return session.options.endpoint, "--endpoint"
    return _named_for_file(session, linter, config_path, file)


def _named_for_file(
    session: _Session, linter: Linter, config_path: Path | None, file: str | None
) -> tuple[str, str] | None:
    """The endpoint a config `endpoints` pattern or the file's name gives it."""
    if file is None:
        return None
    if linter.config.endpoints:
        at = relative(file, config_path)
        for pattern, endpoint_id in linter.config.endpoints:
            if matches(at, pattern):
                session.matched.add((config_path, pattern))
                return endpoint_id, f"the config's endpoints pattern {pattern!r}"
    named = from_file_name(linter.register, file)
    return (named, "the file's name") if named else None


def _parsed(
    session: _Session, linter: Linter, config_path: Path | None, file: str, text: str
) -> list[Loaded]:
    """The payloads of a file's text. A file whose content says it is no payload is read
    as payloads all the same when its name or a config pattern ties it to an endpoint:
    a payload file can hold keys that make it look like a log or a register file."""
    kind = kind_of(file)
    loaded = parse_text(text, file, kind, linter.config.limits)
    if by_content(loaded) and _named_for_file(session, linter, config_path, file) is not None:
        loaded = parse_text(text, file, kind, linter.config.limits, as_payloads=True)
    return loaded


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else f"a {type(value).__name__}"


def _endpoint_for(
    session: _Session, linter: Linter, config_path: Path | None, file: str | None, payload: Payload
) -> Chosen | Diagnostic:
    register = linter.register
    named = _named(session, linter, config_path, file)
    envelope = None
    if payload.endpoint_hint is not None:
        envelope = resolve(register, payload.endpoint_hint)
        if envelope is None:
            return _diag(
                linter,
                "KL004",
                f"unknown endpoint {payload.endpoint_hint!r} (from the envelope)"
                f"{suggest_endpoint(register, payload.endpoint_hint)}; "
                "`kling-lint endpoints` lists them",
            )
    if named is not None:
        name, origin = named
        key = (config_path, name, origin)
        if envelope is None and key in session.chosen:
            return session.chosen[key]
        endpoint = resolve(register, name)
        if endpoint is None:  # checked when the linter was built; kept for safety
            return _diag(linter, "KL004", f"unknown endpoint {name!r} (from {origin})")
        if envelope is None:
            return session.chosen.setdefault(key, Chosen(endpoint, origin))
        if envelope.id != endpoint.id:
            return _diag(
                linter,
                "KL005",
                f"{origin} names {endpoint.id} but the envelope names {envelope.id}; "
                "the payload is not checked until they agree",
            )
        return Chosen(endpoint, origin)
    if envelope is not None:
        return Chosen(envelope, "the envelope's endpoint")
    if not isinstance(payload.data, dict):
        many = isinstance(payload.data, list)
        hint = "; a file of many payloads is JSON Lines (.jsonl), one object per line"
        return _diag(
            linter,
            "KL006",
            f"a payload is one JSON object, not {_json_type(payload.data)}{hint if many else ''}",
        )
    guess = infer(register, payload.data)
    if guess.endpoint is None and guess.ruled_out:
        model = str(payload.data.get("model_name"))
        return _diag(
            linter,
            "KL005",
            f"model_name {model!r} is listed by none of the endpoints these fields fit "
            f"({', '.join(guess.ruled_out)}){suggest_model(register, guess.ruled_out, model)}",
        )
    if guess.endpoint is not None:
        findings: tuple[Diagnostic, ...] = ()
        if guess.ruled_out:
            findings = (
                _diag(
                    linter,
                    "KL010",
                    f"checked as {guess.endpoint.id} from the payload's shape, though "
                    f"{', '.join(guess.ruled_out)} fit its fields better and were ruled out "
                    f"only because their model lists lack {payload.data.get('model_name')!r}; "
                    "name the endpoint to be sure",
                ),
            )
        return Chosen(guess.endpoint, "the payload's shape", findings)
    how = (
        "--endpoint, the config's `endpoints` table (`[tool.kling-lint.endpoints]` in "
        'pyproject.toml), or an envelope {"endpoint": ..., "body": ...}'
    )
    if guess.candidates:
        message = (
            "cannot tell the endpoint from the payload's shape; it could be "
            f"{', '.join(guess.candidates)}. Choose with {how}"
        )
    elif not payload.data:
        message = f"an empty payload names no endpoint; name it with {how}"
    else:
        message = f"no endpoint knows these fields; name it with {how}"
    return _diag(linter, "KL005", message)


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


def _check_loaded(
    session: _Session,
    config_path: Path | None,
    file: str | None,
    loaded: Loaded,
    on_disk: bool = True,
) -> FileResult:
    """One loaded payload's result. `on_disk` is False for standard input: its findings get
    no fixes, which would be made in whatever file its --stdin-filename names."""
    linter = session.linter(config_path)
    fail_on = linter.config.fail_on
    if isinstance(loaded, LoadFailure):
        p = loaded.problem
        if p.code == "KL012" and file is not None and file not in session.named:
            return FileResult(loaded.path, None, None, (), fail_on, p.message, subject="skipped")
        failure = _selected(linter, [_diag(linter, p.code, p.message, p.pointer, p.position)])
        return FileResult(loaded.path, loaded.record, None, tuple(failure), fail_on)
    payload = unwrap_envelope(loaded)
    # Where the file sits for the config's path patterns (per-file-ignores, allow paths).
    at = relative(file, config_path) if file is not None and linter.per_file_paths else None
    problems = (
        _selected(
            linter,
            [_diag(linter, p.code, p.message, p.pointer, p.position) for p in payload.problems],
            at,
        )
        if payload.problems
        else []
    )
    chosen = _endpoint_for(session, linter, config_path, file, payload)
    if isinstance(chosen, Diagnostic):
        diagnostics = _located(_selected(linter, [*problems, chosen], at), payload)
        return FileResult(payload.path, payload.record, None, diagnostics, fail_on)
    report = linter.lint_loaded(payload.data, chosen.endpoint, path=at)
    if report.allow_used:
        session.used[config_path] |= report.allow_used
    if problems or chosen.findings:
        # What the loader already reported (NaN, say) the checker may restate: keep one.
        said = {(d.code, d.pointer) for d in problems}
        checked = [d for d in report.diagnostics if (d.code, d.pointer) not in said]
        found = [*problems, *_selected(linter, list(chosen.findings), at), *checked]
        diagnostics = _located(found, payload)
    else:  # most payloads: what the checker found is all there is
        diagnostics = _located(report.diagnostics, payload) if report.diagnostics else ()
    if session.baseline is not None and diagnostics:
        diagnostics = _baselined(session, linter, payload, diagnostics)
    fixes: tuple[Any, ...] = ()
    if session.options.fixes and on_disk and diagnostics:
        from kling_lint.check.fixes import for_payload

        # Worked out on the body; made in the file, where an envelope puts it under /body.
        edits = for_payload(linter, chosen.endpoint, payload.data, diagnostics)
        fixes = tuple(e._replace(pointer=payload.base + e.pointer) for e in edits)
    source = _source(payload.path, diagnostics) if session.options.source_lines and on_disk else ()
    return FileResult(
        payload.path,
        payload.record,
        chosen.endpoint.id,
        diagnostics,
        fail_on,
        chosen.why,
        fixes,
        source=source,
    )


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


def _is_the_baseline(session: _Session, path: str) -> bool:
    book = session.baseline
    return book is not None and os.path.abspath(path) == os.path.abspath(book.path)


def _baseline(options: Options) -> Baseline | None:
    """The baseline this run reads, or (--write-baseline) an empty one it fills."""
    if options.write_baseline is None and options.baseline is None:
        return None
    from kling_lint import baseline  # only runs with a baseline pay for hashlib

    if options.write_baseline is not None:
        return baseline.Baseline(options.write_baseline, [])
    return baseline.load(options.baseline) if options.baseline is not None else None


def _baselined(
    session: _Session, linter: Linter, payload: Payload, found: tuple[Diagnostic, ...]
) -> tuple[Diagnostic, ...]:
    """Findings the baseline records, suppressed; with --write-baseline, every finding it
    may record is recorded (and so suppressed in this run's report too)."""
    from kling_lint import baseline

    book = session.baseline
    assert book is not None
    writing = session.options.write_baseline is not None
    path = book.relative(payload.path)
    out = []
    for d in found:
        rule = linter.rules_by_code.get(d.code)
        if rule is None or not rule.baselinable or not d.counts:
            out.append(d)  # a gate is lifted by an allowlist entry, with a reason
            continue
        try:
            value = jp.resolve(payload.data, d.pointer)
        except (KeyError, IndexError, ValueError):
            value = None
        key = baseline.Key(path, payload.record, d.code, d.pointer, baseline.fingerprint(value))
        if writing:
            session.recorded.append(key)
        if writing or book.take(key):
            note = Suppression(baseline.REASON, None, None, str(book.path), "baseline")
            d = d.lifted(note)
        out.append(d)
    return tuple(out)


# Files are shared out only when the work left would take one process longer than this
# (seconds). Forking costs little, but a forked process pays again for the memory it first
# writes, and the results it sends are pickled and read back: on two cores, 500 bench
# files (about 25 ms) took as long either way, 1,000 a tenth less when shared.
PARALLEL_PAYS_FROM = 0.03
# How long the run lints in one process to measure what a file costs before deciding (the
# first _STEP files, which pay for what loads on first use, not counted).
SAMPLE_SECONDS = 0.003
# Below this many files a run ends before a progress bar would help.
SHOW_PROGRESS_FROM = 200
# Files as the walk found them (strings: a Path per file costs more than reading it).
Batch = list[tuple[str, "Path | None"]]
_forked_session: _Session | None = None
_forked_files: Batch = []


Progress = Callable[[int, int], None]


# A file read ahead of its check: name, config, linter, and its text, or why not.
_Ahead = tuple[str, "Path | None", "Linter", "str | list[Loaded] | Exception"]


def _lint_batch(
    session: _Session, batch: Batch, progress: Progress | None = None, total: int = 0
) -> list[FileResult]:
    out: list[FileResult] = []
    done = 0
    while done < len(batch):
        # A few files are read before any is parsed and checked: the system calls
        # together, then the Python work, run faster than one after the other (about a
        # tenth per file). Bounded in files and bytes: a run never holds much unchecked.
        ahead: list[_Ahead] = []
        held = 0
        while done + len(ahead) < len(batch) and len(ahead) < _READ_AHEAD and held < _AHEAD_BYTES:
            file, config_path = batch[done + len(ahead)]
            linter = session.linter(config_path)
            text: str | list[Loaded] | Exception
            try:
                text = read_text(file, file, linter.config.limits)
            except Exception as exc:  # reported below, as a fault checking the file
                text = exc
            ahead.append((file, config_path, linter, text))
            held += len(text) if isinstance(text, str) else 0
        for file, config_path, linter, text in ahead:
            done += 1
            try:
                if isinstance(text, Exception):
                    raise text
                loaded = (
                    text
                    if isinstance(text, list)
                    else _parsed(session, linter, config_path, file, text)
                )
                out += [_check_loaded(session, config_path, file, one) for one in loaded]
            except Exception as exc:  # a fault checking one file blocks it; the others go on
                message = f"checking this file raised {exc!r}; it is blocked (please report this)"
                failed = (_diag(linter, "KL008", message),)
                out.append(FileResult(file, None, None, failed, linter.config.fail_on))
            if progress is not None and (done % 50 == 0 or done == len(batch)):
                progress(done, total)
    return out


# How far a run reads ahead of its checks: files, and characters held unchecked.
_READ_AHEAD = 32
_AHEAD_BYTES = 1 << 20


class _BatchOut(NamedTuple):
    """What a forked process hands back for one span: its results, and what it used of
    the shared settings."""

    results: list[FileResult]
    used: dict[Path | None, set[int]]
    matched: set[Any]
    recorded: list[Any]
    baseline_used: Any


def _forked_span(span: tuple[int, int]) -> _BatchOut:
    """Lint files[start:stop] in a forked process, which inherited the compiled session and
    the file list (only results cross the pipe), with what it used of the settings."""
    session = _forked_session
    assert session is not None
    session.used = {key: set() for key in session.linters}
    session.matched = set()
    session.recorded = []
    if session.baseline is not None:
        session.baseline.used.clear()
    start, stop = span
    results = _lint_batch(session, _forked_files[start:stop])
    used = session.baseline.used if session.baseline is not None else None
    return _BatchOut(results, session.used, session.matched, session.recorded, used)


def _jobs(options: Options, count: int) -> int:
    wanted = options.jobs if options.jobs is not None else (os.cpu_count() or 1)
    if count < 2 or wanted < 2:
        return 1
    import threading

    if threading.active_count() > 1:
        # A host with threads (a service calling `execute`): a forked child would inherit
        # locks those threads hold, and could hang on them. One process is safe.
        return 1
    return min(wanted, 8) if hasattr(os, "fork") else 1


def _run_files(session: _Session, files: Batch, progress: Progress | None) -> list[FileResult]:
    if len(files) < SHOW_PROGRESS_FROM:
        progress = None
    jobs = _jobs(session.options, len(files))
    if jobs == 1:
        return _lint_batch(session, files, progress, len(files))
    if session.options.jobs is not None:  # asked for: workers from the first file
        return _in_workers(session, files, 0, jobs, progress)
    # Workers only where they pay: lint here until a file's cost is known, then go on here
    # unless the rest would take long enough to repay starting them.
    results, done, each = _sample(session, files, progress)
    rest = files[done:]
    if not rest or each * len(rest) < PARALLEL_PAYS_FROM:
        return results + _lint_batch(session, rest, progress, len(files))
    return results + _in_workers(session, files, done, jobs, progress)


def _sample(
    session: _Session, files: Batch, progress: Progress | None
) -> tuple[list[FileResult], int, float]:
    """Lint files here for about SAMPLE_SECONDS: their results, how many, and what one
    costs. The first few pay for what loads on first use, so they are not counted."""
    results = _lint_batch(session, files[:_STEP])
    done = min(_STEP, len(files))
    started, counted = time.perf_counter(), 0
    while done < len(files) and time.perf_counter() - started < SAMPLE_SECONDS:
        results += _lint_batch(session, files[done : done + _STEP])
        counted += min(_STEP, len(files) - done)
        done += min(_STEP, len(files) - done)
        if progress is not None:
            progress(done, len(files))
    return results, done, (time.perf_counter() - started) / max(counted, 1)


_STEP = 16
# The most files a process takes at once when files are shared out: small enough that the
# last span ends soon after the others, large enough that taking one costs nothing.
_SPAN = 128


def _in_workers(
    session: _Session, files: Batch, start: int, jobs: int, progress: Progress | None
) -> list[FileResult]:
    """Lint files[start:] here and in `jobs - 1` forked processes (`workers.share_out`)."""
    # The forked processes start after every linter is compiled, with nothing to load;
    # their results, and the allowlist entries they used, are merged in input order.
    from kling_lint import workers

    global _forked_session, _forked_files
    spans = _spans(start, len(files), jobs, workers.MAX_SPANS)
    done: dict[int, list[FileResult]] = {}
    finished = start

    def finish(taken: int, results: list[FileResult]) -> None:
        nonlocal finished
        done[taken] = results
        finished += spans[taken][1] - spans[taken][0]
        if progress is not None:
            progress(finished, len(files))

    def here(taken: int) -> None:
        low, high = spans[taken]
        finish(taken, _lint_batch(session, files[low:high]))

    def back(taken: int, out: _BatchOut) -> None:
        for key, entries in out.used.items():
            session.used[key] |= entries
        session.matched |= out.matched
        session.recorded += out.recorded
        if session.baseline is not None:
            session.baseline.used.update(out.baseline_used)
        finish(taken, out.results)

    _forked_session, _forked_files = session, files
    try:
        workers.share_out(len(spans), jobs, here, lambda taken: _forked_span(spans[taken]), back)
    finally:
        _forked_session, _forked_files = None, []
    return [result for taken in range(len(spans)) for result in done[taken]]


def _spans(start: int, stop: int, jobs: int, most: int) -> list[tuple[int, int]]:
    """[start, stop) cut into at most `most` spans that grow smaller toward the end, so
    that the processes finish together: the last span taken is short."""
    least = max(_STEP, -(-(stop - start) // most))
    spans = []
    while start < stop:
        size = max(least, min(_SPAN, (stop - start) // (jobs * 8)))
        spans.append((start, min(start + size, stop)))
        start += size
    return spans


def _settle_baseline(session: _Session, result: RunResult) -> list[FileResult]:
    """Write the baseline (--write-baseline), or report and prune its stale entries."""
    from kling_lint import baseline
    from kling_lint.files import refuse_input_write, write_text

    book = session.baseline
    assert book is not None
    if session.options.write_baseline is not None:
        refuse_input_write(book.path, [f.path for f in result.files])
        write_text(book.path, baseline.dump(session.recorded), within=book.path.parent)
        return []
    linted = {book.relative(f.path) for f in result.files}
    stale = book.stale(linted)
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
    return [
        FileResult(
            report_path(str(book.path)),
            None,
            None,
            found,
            linter.config.fail_on,
            subject="baseline",
        )
    ]


def files_to_check(options: Options) -> Discovery:
    """The files a run with these options reads, and what it skips (`--show-files`)."""
    session = _Session(options)
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
            linter = session.linter(config_path)
            text = read_text(file, file, linter.config.limits)
            loaded = (
                _parsed(session, linter, config_path, file, text) if isinstance(text, str) else []
            )
            if by_content(loaded):
                assert isinstance(loaded[0], LoadFailure)
                skipped.append(Skipped(file, loaded[0].problem.message))
            else:
                files.append(file)
    return Discovery(files, sorted(skipped))


def _check_stdin(session: _Session, options: Options) -> list[FileResult]:
    name = options.stdin_filename or "-"
    config_path = session.config_path_for(Path(options.stdin_filename or "x").resolve().parent)
    limits = session.linter(config_path).config.limits
    wrong = not_a_payload(name) if options.stdin_filename else None
    loaded_all: list[Loaded]
    if wrong is not None:
        loaded_all = [LoadFailure(name, None, LoadProblem("KL012", wrong))]
    else:
        text = sys.stdin.read(limits.file_bytes + 1)
        if len(text) > limits.file_bytes:
            loaded_all = [unreadable(name, limits.hit("file_bytes", "standard input"))]
        else:
            linter = session.linter(config_path)
            loaded_all = _parsed(session, linter, config_path, name, text)
    # The --stdin-filename stands in for the path: config endpoint patterns see it too.
    named = options.stdin_filename
    if named is not None:
        session.named.add(named)  # standard input is always named
    return [_check_loaded(session, config_path, named, loaded, False) for loaded in loaded_all]


def execute(options: Options, progress: Progress | None = None) -> RunResult:
    """Lint every payload the options name. Raises ConfigError/RegisterError for exit 2."""
    session = _Session(options)
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
            result.files.append(_check_loaded(session, config_path, None, missing))
            continue
        walked = walked or path.is_dir()
        scope = session.scope_for(path)
        found = discover([path], scope, follow_links=options.follow_links)
        if not path.is_dir() and not scope.force_exclude:  # force-exclude: read as a walk's
            session.named.update(found.files)
        files.extend((file, session.config_path_for_file(file)) for file in found.files)
        for skip in found.skipped:
            result.skipped.append((skip.path, skip.why))
            if skip.error:
                config_path = session.config_path_for(Path(skip.path).parent)
                failure = unreadable(skip.path, skip.why)
                result.files.append(_check_loaded(session, config_path, None, failure))
    for config_path in dict.fromkeys(c for _, c in files):
        session.linter(config_path)  # compile (and fail, exit 2) before any file is read
    for done in _run_files(session, files, progress):
        if done.subject == "skipped":  # read, and found to be no payload file
            result.skipped.append((done.path, done.endpoint_from or ""))
            if not _is_the_baseline(session, done.path):  # the run knows that one
                result.by_content += 1
        else:
            result.files.append(done)
    if session.baseline is not None:
        result.files.extend(_settle_baseline(session, result))
    linted = {f.endpoint for f in result.files if f.endpoint is not None}
    for config_path, linter in session.linters.items():
        # An entry is unused only if the run could have used it: a run of a few named files
        # (pre-commit) says nothing about the rest; an expired one counts where it is used.
        extra = linter.allow_diagnostics(
            session.used.get(config_path, set()), linted, report_unused=walked
        )
        if extra:
            shown = report_path(str(config_path)) if config_path else "config"
            result.files.append(
                FileResult(
                    shown,
                    None,
                    None,
                    tuple(sorted(extra)),
                    linter.config.fail_on,
                    subject="config",
                )
            )
        result.register_digest = linter.register.digest
        result.rules.update(linter.rules_by_code)
        result.configs.append(
            ConfigUse(
                report_path(str(config_path)) if config_path else None,
                linter.selection.gates_off,
                linter.config.where("select"),
                # A pattern that named no file of a folder walk is likely misspelt; a run
                # of a few named files (pre-commit) says nothing about it.
                tuple(
                    pattern
                    for pattern, _ in linter.config.endpoints
                    if walked and (config_path, pattern) not in session.matched
                ),
                linter.config.where("endpoints"),
            )
        )
    if not session.linters:
        result.register_digest = load_register(options.register, options.overlays).digest
    return result
