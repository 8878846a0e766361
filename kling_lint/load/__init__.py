"""The loading stage: files (JSON, YAML, JSONL, stdin) to payloads that know their positions.

A file that cannot be read or parsed is a result, not a crash; duplicate keys and values
JSON cannot hold are findings of their own, and the payload is still checked.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from kling_lint.config.limits import DEFAULT_LIMITS, Limits
from kling_lint.load.discover import Discovery as Discovery
from kling_lint.load.discover import Skipped as Skipped
from kling_lint.load.discover import discover as discover

# What each payload suffix is read as; a name without a suffix is read as JSON.
_KINDS = {".json": "json", ".jsonl": "jsonl", ".yaml": "yaml", ".yml": "yaml"}
SUFFIXES = tuple(_KINDS)
_NOT_JSON = tuple(s for s in _KINDS if s != ".json")
Position = tuple[int, int]
_T = TypeVar("_T")


class LoadProblem(NamedTuple):
    """KL001/KL002/KL003 material, before the engine stamps it."""

    code: str
    message: str
    pointer: str = ""
    position: Position | None = None


@dataclass
class Payload:
    """One payload to check, with a lazy map from pointer to line and column."""

    path: str
    record: int | None
    data: Any
    problems: list[LoadProblem] = field(default_factory=list)
    endpoint_hint: str | None = None
    base: str = ""  # pointer of the body inside the file (an envelope's "/body")
    # Every position at once (YAML, and JSON the loader already scanned for problems) ...
    _positions: Callable[[], dict[str, Position]] | None = None
    # ... or, for JSON, only those asked for, in its text: the cost grows with the findings.
    _text: str | None = None
    _first_line: int = 1

    @cached_property
    def positions(self) -> dict[str, Position]:
        return self._positions() if self._positions else {}

    def locate_all(self, pointers: list[str]) -> dict[str, Position | None]:
        """Line and column of each pointer into the payload, or of its nearest located
        parent, found in one pass."""
        text = self._text
        if text is None or self._positions is not None:
            found = self.positions
            return {p: _nearest(found, self.base + p) for p in pointers}
        from kling_lint.load import json_text

        offsets = json_text.find(text, [self.base + p for p in pointers])
        out: dict[str, Position | None] = {}
        for p in pointers:  # only the offsets wanted become lines and columns
            offset = _nearest(offsets, self.base + p)
            out[p] = None if offset is None else json_text.position(text, offset, self._first_line)
        return out

    def locate(self, pointer: str) -> Position | None:
        return self.locate_all([pointer])[pointer]


def _nearest(found: dict[str, _T], target: str) -> _T | None:
    while True:
        if target in found:
            return found[target]
        if not target:
            return None
        target = target.rsplit("/", 1)[0]


class LoadFailure(NamedTuple):
    path: str
    record: int | None
    problem: LoadProblem


Loaded = Payload | LoadFailure


class _Flags(threading.local):
    """What the fast JSON parse noticed (per thread); the position scan then says where."""

    duplicates = False
    non_json = False
    long_integer = False
    integer_digits = DEFAULT_LIMITS.integer_digits

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            self.duplicates = True
        return out

    def integer(self, digits: str) -> int:
        # Told here, where the parser holds the number's text: searching the whole text
        # for a long digit run would cost more than the parse (payloads hold few integers).
        if len(digits) - (digits[0] == "-") > self.integer_digits:
            self.long_integer = True
        return int(digits)

    def constant(self, name: str) -> float:
        self.non_json = True
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


_FLAGS = _Flags()
# One decoder for every parse (json.loads with hooks would build one per call).
_DECODER = json.JSONDecoder(
    object_pairs_hook=_FLAGS.pairs, parse_constant=_FLAGS.constant, parse_int=_FLAGS.integer
)


def _json_problems(text: str, first_line: int) -> tuple[list[LoadProblem], dict[str, Position]]:
    """Duplicate keys and non-JSON tokens, located; the same scan gives every position."""
    from kling_lint.load import json_text as jsonpos

    scan = jsonpos.scan(text)
    index = jsonpos.LineIndex(text, first_line)
    out = [
        LoadProblem(
            "KL002",
            f"duplicate key {ptr.rsplit('/', 1)[-1]!r}: only one value is sent",
            ptr,
            index.position(o),
        )
        for ptr, o in scan.duplicates
    ]
    out += [
        LoadProblem("KL003", f"{token} is not valid JSON", ptr, index.position(o))
        for ptr, o, token in scan.non_json
    ]
    return out, {p: index.position(o) for p, o in scan.offsets.items()}


def _past_limits(data: Any, limits: Limits, text: str, long_integer: bool) -> str | None:
    """Why parsed data goes past the depth or integer limit, or None. Iterative (no
    recursion); the parse itself tells whether an integer has too many digits."""
    if long_integer:
        return limits.hit("integer_digits", "an integer with too many digits")
    if text.count("{") + text.count("[") <= limits.depth:
        return None  # too few brackets to nest that deep
    if not isinstance(data, dict | list):
        return None
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= limits.depth:
            return limits.hit("depth", "objects and arrays nested too deeply")
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return None


def parse_json(
    text: str,
    path: str,
    record: int | None = None,
    first_line: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> Loaded:
    flags = _FLAGS
    flags.duplicates = flags.non_json = flags.long_integer = False
    flags.integer_digits = limits.integer_digits
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        where = (exc.lineno + first_line - 1, exc.colno)
        return LoadFailure(
            path, record, LoadProblem("KL001", f"invalid JSON: {exc.msg}", "", where)
        )
    except RecursionError:
        message = limits.hit("depth", "nested too deeply to parse")
        return LoadFailure(path, record, LoadProblem("KL001", message))
    except ValueError:  # an integer past Python's own digit limit (int_max_str_digits)
        message = limits.hit("integer_digits", "an integer with too many digits")
        return LoadFailure(path, record, LoadProblem("KL001", message))
    past = _past_limits(data, limits, text, flags.long_integer)
    if past is not None:
        return LoadFailure(path, record, LoadProblem("KL001", past))
    if flags.duplicates or flags.non_json:
        problems, positions = _json_problems(text, first_line)
        return Payload(path, record, data, problems, _positions=lambda: positions)
    return Payload(path, record, data, [], _text=text, _first_line=first_line)


_YAML_CODES = {"duplicate": "KL002", "non-json": "KL003", "yaml11": "KL011"}


def parse_yaml(text: str, path: str, limits: Limits = DEFAULT_LIMITS) -> Loaded:
    # ruamel is imported only when a YAML payload turns up: most runs lint JSON.
    from kling_lint.load.yaml_text import YamlSyntaxError, load_yaml

    try:
        doc = load_yaml(text, cache=False, limits=limits, yaml11=True)
    except YamlSyntaxError as exc:
        return LoadFailure(
            path, None, LoadProblem("KL001", f"invalid YAML: {exc.message}", "", exc.position)
        )
    problems = [
        LoadProblem(_YAML_CODES[p.kind], p.detail, p.pointer, p.position) for p in doc.problems
    ]
    positions = doc.positions
    return Payload(path, None, doc.data, problems, _positions=lambda: positions)


def parse_text(
    text: str, path: str, kind: str, limits: Limits = DEFAULT_LIMITS, *, as_payloads: bool = False
) -> list[Loaded]:
    """Payloads in a text of the given kind (`json`, `yaml` or `jsonl`). A file whose
    content says it is no payload (an exchange log, a register file, kling-lint's own
    output) is one KL012 failure (`by_content`), unless `as_payloads`: a file that its name
    or a config pattern ties to an endpoint is read as payloads whatever its shape."""
    if kind == "jsonl":
        if not as_payloads and _is_exchange_log(text):
            return [LoadFailure(path, None, LoadProblem("KL012", EXCHANGE_LOG))]
        out: list[Loaded] = []
        # Records end at "\n" only: U+2028, U+0085 and the like may sit inside strings.
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                out.append(parse_json(line, path, record=number, first_line=number, limits=limits))
        return out
    if kind == "yaml":
        loaded = parse_yaml(text, path, limits)
        if not as_payloads and type(loaded) is Payload and _is_register_file(loaded.data):
            return [LoadFailure(path, None, LoadProblem("KL012", REGISTER_FILE))]
        return [loaded]
    loaded = parse_json(text, path, limits=limits)
    if not as_payloads and type(loaded) is Payload and _is_own_output(loaded.data):
        return [LoadFailure(path, None, LoadProblem("KL012", OWN_OUTPUT))]
    return [loaded]


def by_content(loaded: list[Loaded]) -> bool:
    """Whether a file's load result is a skip decided by its content (not its name)."""
    return (
        len(loaded) == 1
        and isinstance(loaded[0], LoadFailure)
        and loaded[0].problem.message in _BY_CONTENT
    )


OWN_OUTPUT = (
    "kling-lint's own output (a baseline or a JSON report), not a payload; a folder walk skips it"
)
_REPORT_KEYS = frozenset({"version", "tool", "summary", "configs", "notices", "skipped", "files"})
_BASELINE_KEYS = frozenset({"version", "tool", "entries"})
_GITLAB_KEYS = frozenset({"description", "check_name", "fingerprint", "severity", "location"})


def _is_own_output(data: Any) -> bool:
    """Whether JSON data is a file kling-lint writes: a baseline, a `json` or a `gitlab`
    report. Their shapes are exact, so no request body is taken for one."""
    if type(data) is dict:
        if "tool" not in data:  # most payloads: told apart here
            return False
        tool = data["tool"]
        if tool == "kling-lint":
            return data.keys() == _BASELINE_KEYS and isinstance(data["entries"], list)
        return (
            isinstance(tool, dict)
            and tool.get("name") == "kling-lint"
            and data.keys() <= _REPORT_KEYS
            and "files" in data
        )
    if type(data) is list and data and all(type(item) is dict for item in data):
        return all(
            item.keys() == _GITLAB_KEYS and str(item["check_name"]).startswith("KL")
            for item in data
        )
    return False


EXCHANGE_LOG = (
    "an exchange log (recorded API calls), not payloads: `kling-lint evidence review` "
    "reads it; a folder walk skips it"
)


@cache
def _leading() -> re.Pattern[str]:  # compiled on first use: only JSON Lines files need it
    return re.compile("[\ufeff \t\r\n]*")


REGISTER_FILE = (
    "a register file (an endpoint, sources or policy of a register or overlay), not a "
    "payload: `kling-lint registry validate` checks it; a folder walk skips it"
)


class _Shapes(NamedTuple):
    """The top-level keys of the files a walk tells apart from payloads, read from the
    schemas that define those files (on first use: most runs meet none)."""

    endpoint: frozenset[str]  # an endpoint file of a register or an overlay
    policy: frozenset[str]
    log_required: frozenset[str]  # an exchange-log record
    log_allowed: frozenset[str]


@cache
def _shapes() -> _Shapes:
    from kling_lint._resources import META_SCHEMA_FILE, schemas_dir
    from kling_lint.evidence.log import SCHEMA_FILE

    def read(name: str) -> Any:
        return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))

    meta = read(META_SCHEMA_FILE)["$defs"]
    log = read(SCHEMA_FILE)
    return _Shapes(
        frozenset(meta["endpoint"]["properties"]),
        frozenset(meta["policy"]["properties"]),
        frozenset(log["required"]),
        frozenset(log["properties"]),
    )


def _is_register_file(data: Any) -> bool:
    """Whether YAML data is a register's (or an overlay's) endpoint, sources or policy
    file: only those keys, in those shapes. A payload that also has `id` and `fields` has
    other keys beside them, and is read as a payload."""
    if not isinstance(data, dict):
        return False
    keys = data.keys()
    if "id" in keys and isinstance(data.get("fields"), dict):
        return keys <= _shapes().endpoint  # an overlay's may hold only id and fields
    if keys == {"sources"} and isinstance(data["sources"], dict):
        return True
    return (
        {"id", "title"} <= keys and keys <= _shapes().policy and isinstance(data.get("rules"), list)
    )


def _is_exchange_log(text: str) -> bool:
    """Whether a JSON Lines text is an exchange log: its first record has the log's keys
    and no others, and every record starts as the writer starts one (`{"format"`), so a
    payload after a log-like first line is not taken for part of a log."""
    start = _leading().match(text).end()  # type: ignore[union-attr]  # matches the empty string
    if not text.startswith('{"format"', start):  # most files: told apart here
        return False
    end = text.find("\n", start)
    first = text[start : end if end >= 0 else len(text)]
    try:
        record = json.loads(first)
    except ValueError:
        return False
    shapes = _shapes()
    if not (
        isinstance(record, dict) and shapes.log_required <= record.keys() <= shapes.log_allowed
    ):
        return False
    if end < 0:
        return True
    return all(
        line.lstrip(" \t\r").startswith('{"format"')
        for line in text[end + 1 :].split("\n")
        if line.strip()
    )


_BY_CONTENT = frozenset({EXCHANGE_LOG, REGISTER_FILE, OWN_OUTPUT})


def not_a_payload(name: str) -> str | None:
    """Why a file named `name` cannot be a payload (a suffix kling-lint does not read, such
    as `.md`), or None. A name without a suffix is read as JSON."""
    if name[-5:].lower() == ".json":
        return None
    suffix = os.path.splitext(os.path.basename(name))[1]
    if not suffix or suffix.lower() in SUFFIXES:
        return None
    return (
        f"not a payload file ({suffix}): kling-lint reads .json, .jsonl, .yaml and .yml; "
        "rename it, or pass its text on standard input with --stdin-filename"
    )


def kind_of(name: str) -> str:
    # Most names end in .json: only the others pay for splitext (a Python function).
    if not name[-6:].lower().endswith(_NOT_JSON):
        return "json"
    return _KINDS.get(os.path.splitext(name)[1].lower(), "json")


def unreadable(display: str, message: str) -> LoadFailure:
    """A KL001 failure for a file, a folder or standard input."""
    return LoadFailure(display, None, LoadProblem("KL001", message))


def _failure(display: str, message: str) -> list[Loaded]:
    return [unreadable(display, message)]


# Opened without blocking, so that a FIFO named like a payload cannot hang the run.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS) -> list[Loaded]:
    """The payloads of one file; a file that is not a regular file (a FIFO, a device), is
    larger than the limit, cannot be read or is not UTF-8 is one KL001 failure, and one
    whose name says it is no payload (README.md) a KL012 failure, unread."""
    text = read_text(path, display, limits)
    if isinstance(text, list):
        return text
    return parse_text(text, display, kind_of(os.fspath(path)), limits)


def read_text(
    path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> str | list[Loaded]:
    """What `read_file` parses: the file's text, or (as `read_file` gives them) why it
    cannot be read. A run reads a few files ahead before it parses and checks them: the
    system calls together, then the work in Python, is faster than one after the other."""
    raw = read_bytes(path, display, limits)
    return raw if isinstance(raw, list) else text_of(raw, display)


def read_bytes(
    path: str | Path, display: str, limits: Limits = DEFAULT_LIMITS
) -> bytes | list[Loaded]:
    """The file's bytes, or why it cannot be read (`read_text` decodes them)."""
    wrong = not_a_payload(os.fspath(path))
    if wrong is not None:
        return [LoadFailure(display, None, LoadProblem("KL012", wrong))]
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _failure(display, "not a regular file (a FIFO, device or socket)")
            if info.st_size > limits.file_bytes:
                return _failure(display, limits.hit("file_bytes", f"{info.st_size} bytes"))
            # What the size says plus one byte. Exactly the size is the whole file (most
            # files: no second read); less or more (a read may return less than asked, a
            # file may grow while read), read on to the end, never past the limit. The
            # later reads are small: a large buffer costs more to allocate than the read.
            raw = os.read(fd, info.st_size + 1)
            while len(raw) != info.st_size and len(raw) <= limits.file_bytes:
                more = os.read(fd, min(1 << 16, limits.file_bytes + 1 - len(raw)))
                if not more:
                    break
                raw += more
        finally:
            os.close(fd)
    except OSError as exc:
        return _failure(display, f"cannot read: {exc.strerror or exc}")
    if len(raw) > limits.file_bytes:
        return _failure(display, limits.hit("file_bytes", "the file grew while read"))
    return raw


def text_of(raw: bytes, display: str) -> str | list[Loaded]:
    """A file's bytes as text, or the KL001 failure of bytes that are not UTF-8."""
    # A byte-order mark is dropped first, so that the decode is the C codec's (the
    # "utf-8-sig" codec is written in Python). Offsets in errors count from the file.
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return (raw[bom:] if bom else raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failure(display, f"not UTF-8 text (byte {exc.start + bom})")


ENVELOPE_BODY_KEYS = ("body", "params")
ENVELOPE_KEYS = ("endpoint", *ENVELOPE_BODY_KEYS)


def is_envelope(data: Any) -> bool:
    """An object with an `endpoint` and a `body` (or `params`): a request-log envelope."""
    return (
        isinstance(data, dict)
        and "endpoint" in data
        and any(key in data for key in ENVELOPE_BODY_KEYS)
    )


def unwrap_envelope(payload: Payload) -> Payload:
    """A request-log envelope `{"endpoint": ..., "body": {...}}` becomes its body.

    Only the body is sent, so whatever else the envelope holds is a finding (KL009) rather
    than silently dropped: a key beside the body, a second body, an endpoint that is not a
    string (KL004), a body that is not an object (KL006).
    """
    data = payload.data
    if not is_envelope(data):
        return payload
    present = [key for key in ENVELOPE_BODY_KEYS if key in data]
    key = present[0]
    envelope_problems: list[LoadProblem] = []

    def problem(code: str, message: str, at: str) -> None:
        envelope_problems.append(LoadProblem(code, message, "", payload.locate("/" + at)))

    for extra in [k for k in data if k not in ENVELOPE_KEYS] + present[1:]:
        problem(
            "KL009",
            f"envelope key {extra!r} is not sent with the request (only {key!r} is) and is not "
            "checked; move it into the body or remove it",
            extra,
        )
    hint = data["endpoint"]
    if not isinstance(hint, str):
        problem(
            "KL004",
            f"the envelope's endpoint must be a string, not {type(hint).__name__}",
            "endpoint",
        )
        hint = None
    body = data[key]
    if not isinstance(body, dict):
        problem(
            "KL006", f"the envelope's {key!r} must be an object, not {type(body).__name__}", key
        )
    base = "/" + key
    # Problems inside the body keep their place, re-pointed into the body; those of the
    # envelope itself (a duplicated endpoint key) keep their position.
    inside = [
        p._replace(pointer=p.pointer[len(base) :])
        for p in payload.problems
        if p.pointer == base or p.pointer.startswith(base + "/")
    ]
    outside = [
        p._replace(pointer="", position=p.position or payload.locate(p.pointer))
        for p in payload.problems
        if not (p.pointer == base or p.pointer.startswith(base + "/"))
    ]
    payload.data = body
    payload.endpoint_hint = hint
    payload.base = base
    payload.problems = [*outside, *envelope_problems, *inside]
    return payload
