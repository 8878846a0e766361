"""The register: loading (built-in or from a folder), validation and the typed model."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kling_lint._resources import schemas_dir
from kling_lint.register.errors import RegisterError, RegisterProblem
from kling_lint.register.model import ENDPOINTS_LINE, Endpoint, EndpointLines, Field, Register

if TYPE_CHECKING:
    from kling_lint.register.source import MemoryFolder

# Reading, validating and compiling YAML (ruamel, jsonschema) is imported where it is used:
# the lint path loads the compiled register and never needs them.

COMPILED_FILE = "register.compiled.json"

__all__ = [
    "COMPILED_FILE",
    "Endpoint",
    "Field",
    "Register",
    "RegisterError",
    "RegisterProblem",
    "builtin_register",
    "compile_directory",
    "load_register",
    "validate_directory",
]


def _reserved_codes() -> set[str]:
    from kling_lint.check.rules import BUILTIN_CODES

    return set(BUILTIN_CODES)


def _layered(
    directory: Path | MemoryFolder | None, overlays: tuple[Path, ...]
) -> tuple[Any, Any, Any]:
    """The register's files with each overlay laid over them in turn, what each set, and
    every problem of the files and of the layering."""
    from kling_lint._resources import registry_dir
    from kling_lint.register.overlay import live_without_live_source, merge, read_overlay
    from kling_lint.register.source import read_register

    files, problems = read_register(directory or registry_dir())
    marks: dict[Any, str] = {}
    for overlay in overlays:
        top, found = read_overlay(Path(overlay))
        problems += found
        files, set_here, found = merge(files, top, Path(overlay).name)
        problems += found
        marks.update(set_here)
        sources = next((f.doc.data.get("sources") or {} for f in files if f.kind == "sources"), {})
        problems += live_without_live_source(top, sources)
    return files, marks, problems


def validate_directory(directory: Path, overlays: tuple[Path, ...] = ()) -> list[RegisterProblem]:
    """Every problem of the register in `directory`, with `overlays` laid over it (empty
    when it is valid)."""
    from kling_lint.register.validate import validate_files

    files, _, problems = _layered(directory, tuple(overlays))
    if problems:
        return sorted(problems)
    return validate_files(files, _reserved_codes())


def compile_directory(
    directory: Path | MemoryFolder | None, overlays: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """The compiled form of a register folder (the built-in one's sources when None) with
    `overlays` laid over it; raises RegisterError when it is invalid."""
    from kling_lint.register.compile import compile_files
    from kling_lint.register.overlay import mark
    from kling_lint.register.validate import validate_files

    files, marks, problems = _layered(directory, tuple(overlays))
    problems = problems or validate_files(files, _reserved_codes())
    if problems:
        raise RegisterError(sorted(problems))
    compiled = compile_files(files)
    mark(compiled, marks)
    return compiled


@cache
def builtin_register() -> Register:
    """The register shipped with the package, from its compiled form (no YAML parsing):
    the head and the index are parsed, each endpoint only when a run uses it."""
    # The standard json: every run imports it already, and orjson's import costs more than
    # it saves here (only the head and the endpoints used are parsed).
    import json

    path = schemas_dir() / COMPILED_FILE
    try:
        data = path.read_bytes()
        split = _split_compiled(data)
        if split is None:  # not the shipped layout (edited by hand): read it whole
            register = Register.from_compiled(json.loads(data))
        else:
            register = Register.from_compiled(*split)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # json's errors are ValueErrors
        problem = RegisterProblem(str(path), 1, 1, f"cannot load the built-in register: {exc}")
        raise RegisterError([problem]) from exc
    register.schemas = schemas_dir()
    return register


def _split_compiled(data: bytes) -> tuple[dict[str, Any], EndpointLines] | None:
    """The head of a compiled register file and its endpoints as text, by the layout
    `compile.dumps_compiled` writes; None when the file does not have it."""
    import json

    marker = b"\n" + ENDPOINTS_LINE.encode() + b"\n"
    at = data.find(marker)
    if at < 0 or not data.endswith(b"\n]}\n"):
        return None
    head = json.loads(data[:at].rstrip(b",") + b"}")
    lines = data[at + len(marker) : -len(b"\n]}\n")].split(b"\n")
    index = head.get("index") if isinstance(head, dict) else None
    if not isinstance(index, dict) or len(lines) != len(index):
        return None
    texts = [line[:-1] if line.endswith(b",") else line for line in lines]
    # Each line is the endpoint the index names at its place (json.dumps writes `"id": "x"`).
    for endpoint_id, text in zip(index, texts, strict=True):
        if json.dumps({"id": endpoint_id}, ensure_ascii=False)[1:-1].encode() not in text:
            return None
    return head, EndpointLines(dict(zip(index, texts, strict=True)))


def load_register(
    directory: Path | str | MemoryFolder | None = None,
    overlays: tuple[Path, ...] | list[Path] = (),
) -> Register:
    """The built-in register, or the one in `directory` (validated and compiled on the fly;
    a folder or one held in memory), with `overlays` laid over it in order."""
    if directory is None and not overlays:
        return builtin_register()
    base = Path(directory) if isinstance(directory, str) else directory
    return Register.from_compiled(compile_directory(base, tuple(Path(o) for o in overlays)))
