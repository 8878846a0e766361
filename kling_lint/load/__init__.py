"""The loading stage: files (JSON, YAML, JSONL, stdin) to payloads that know their positions.

A file that cannot be read or parsed is a result, not a crash; duplicate keys and values
JSON cannot hold are findings of their own, and the payload is still checked.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from kling_lint.config.limits import DEFAULT_LIMITS, Limits
from kling_lint.load.discover import Discovery as Discovery
from kling_lint.load.discover import Skipped as Skipped
from kling_lint.load.discover import discover as discover
from kling_lint.load.kinds import EXCHANGE_LOG as EXCHANGE_LOG
from kling_lint.load.kinds import OWN_OUTPUT as OWN_OUTPUT
from kling_lint.load.kinds import REGISTER_FILE as REGISTER_FILE
from kling_lint.load.kinds import SUFFIXES as SUFFIXES
from kling_lint.load.kinds import by_content as by_content
from kling_lint.load.kinds import is_exchange_log, is_own_output, is_register_file
from kling_lint.load.kinds import kind_of as kind_of
from kling_lint.load.kinds import not_a_payload as not_a_payload
from kling_lint.load.problems import Problem as Problem

Position = tuple[int, int]
_T = TypeVar("_T")


class LoadProblem(NamedTuple):
    """What the loader found (a kind, not a rule code: the check stage stamps it)."""

    kind: Problem
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
            Problem.DUPLICATE_KEY,
            f"duplicate key {ptr.rsplit('/', 1)[-1]!r}: only one value is sent",
            ptr,
            index.position(o),
        )
        for ptr, o in scan.duplicates
    ]
    out += [
        LoadProblem(Problem.NON_JSON_VALUE, f"{token} is not valid JSON", ptr, index.position(o))
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
            path, record, LoadProblem(Problem.UNREADABLE, f"invalid JSON: {exc.msg}", "", where)
        )
    except RecursionError:
        message = limits.hit("depth", "nested too deeply to parse")
        return LoadFailure(path, record, LoadProblem(Problem.UNREADABLE, message))
    except ValueError:  # an integer past Python's own digit limit (int_max_str_digits)
        message = limits.hit("integer_digits", "an integer with too many digits")
        return LoadFailure(path, record, LoadProblem(Problem.UNREADABLE, message))
    past = _past_limits(data, limits, text, flags.long_integer)
    if past is not None:
        return LoadFailure(path, record, LoadProblem(Problem.UNREADABLE, past))
    if flags.duplicates or flags.non_json:
        problems, positions = _json_problems(text, first_line)
        return Payload(path, record, data, problems, _positions=lambda: positions)
    return Payload(path, record, data, [], _text=text, _first_line=first_line)


_YAML_KINDS = {
    "duplicate": Problem.DUPLICATE_KEY,
    "non-json": Problem.NON_JSON_VALUE,
    "yaml11": Problem.AMBIGUOUS_YAML,
}


def parse_yaml(text: str, path: str, limits: Limits = DEFAULT_LIMITS) -> Loaded:
    # ruamel is imported only when a YAML payload turns up: most runs lint JSON.
    from kling_lint.load.yaml_text import YamlSyntaxError, load_yaml

    try:
        doc = load_yaml(text, cache=False, limits=limits, yaml11=True)
    except YamlSyntaxError as exc:
        return LoadFailure(
            path,
            None,
            LoadProblem(Problem.UNREADABLE, f"invalid YAML: {exc.message}", "", exc.position),
        )
    problems = [
        LoadProblem(_YAML_KINDS[p.kind], p.detail, p.pointer, p.position) for p in doc.problems
    ]
    positions = doc.positions
    return Payload(path, None, doc.data, problems, _positions=lambda: positions)


def parse_text(
    text: str, path: str, kind: str, limits: Limits = DEFAULT_LIMITS, *, as_payloads: bool = False
) -> list[Loaded]:
    """Payloads in a text of the given kind (`json`, `yaml` or `jsonl`). A file whose
    content says it is no payload (an exchange log, a register file, kling-lint's own
    output) is one NOT_A_PAYLOAD_BY_CONTENT failure (`by_content`), unless `as_payloads`:
    a file that its name or a config pattern ties to an endpoint is read as payloads
    whatever its shape."""
    if kind == "jsonl":
        if not as_payloads and is_exchange_log(text):
            return [
                LoadFailure(path, None, LoadProblem(Problem.NOT_A_PAYLOAD_BY_CONTENT, EXCHANGE_LOG))
            ]
        out: list[Loaded] = []
        # Records end at "\n" only: U+2028, U+0085 and the like may sit inside strings.
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                out.append(parse_json(line, path, record=number, first_line=number, limits=limits))
        return out
    if kind == "yaml":
        loaded = parse_yaml(text, path, limits)
        if not as_payloads and type(loaded) is Payload and is_register_file(loaded.data):
            return [
                LoadFailure(
                    path, None, LoadProblem(Problem.NOT_A_PAYLOAD_BY_CONTENT, REGISTER_FILE)
                )
            ]
        return [loaded]
    loaded = parse_json(text, path, limits=limits)
    if not as_payloads and type(loaded) is Payload and is_own_output(loaded.data):
        return [LoadFailure(path, None, LoadProblem(Problem.NOT_A_PAYLOAD_BY_CONTENT, OWN_OUTPUT))]
    return [loaded]


def unreadable(display: str, message: str) -> LoadFailure:
    """An UNREADABLE failure for a file, a folder or standard input."""
    return LoadFailure(display, None, LoadProblem(Problem.UNREADABLE, message))


# Reading files and unwrapping envelopes build on the types above.
from kling_lint.load.envelope import ENVELOPE_KEYS as ENVELOPE_KEYS  # noqa: E402
from kling_lint.load.envelope import is_envelope as is_envelope  # noqa: E402
from kling_lint.load.envelope import unwrap_envelope as unwrap_envelope  # noqa: E402
from kling_lint.load.read import read_bytes as read_bytes  # noqa: E402
from kling_lint.load.read import read_file as read_file  # noqa: E402
from kling_lint.load.read import read_text as read_text  # noqa: E402
from kling_lint.load.read import text_of as text_of  # noqa: E402
