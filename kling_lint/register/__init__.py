"""The register: loading (built-in or from a folder), validation and the typed model."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from kling_lint._resources import schemas_dir
from kling_lint.register.errors import RegisterError, RegisterProblem
from kling_lint.register.model import Endpoint, Field, Register

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


def validate_directory(directory: Path) -> list[RegisterProblem]:
    """Every problem of the register in `directory` (empty when it is valid)."""
    from kling_lint.register.source import read_register
    from kling_lint.register.validate import validate_files

    files, problems = read_register(directory)
    if problems:
        return sorted(problems)
    return validate_files(files, _reserved_codes())


def compile_directory(directory: Path) -> dict[str, Any]:
    """The compiled form of a register folder; raises RegisterError when it is invalid."""
    from kling_lint.register.compile import compile_files
    from kling_lint.register.source import read_register
    from kling_lint.register.validate import validate_files

    files, problems = read_register(directory)
    problems = problems or validate_files(files, _reserved_codes())
    if problems:
        raise RegisterError(sorted(problems))
    return compile_files(files)


@cache
def builtin_register() -> Register:
    """The register shipped with the package, from its compiled form (no YAML parsing)."""
    path = schemas_dir() / COMPILED_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        problem = RegisterProblem(str(path), 1, 1, f"cannot load the built-in register: {exc}")
        raise RegisterError([problem]) from exc
    register = Register.from_compiled(raw)
    register.schemas = schemas_dir()
    return register


def load_register(directory: Path | str | None = None) -> Register:
    """The built-in register, or the one in `directory` (validated and compiled on the fly)."""
    if directory is None:
        return builtin_register()
    return Register.from_compiled(compile_directory(Path(directory)))
