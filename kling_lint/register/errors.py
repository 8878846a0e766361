"""Register problems and the error that carries them (kept light: no YAML, no jsonschema)."""

from __future__ import annotations

from typing import NamedTuple


class RegisterProblem(NamedTuple):
    """One thing wrong with a register, at a file, line and column."""

    file: str
    line: int
    column: int
    message: str
    pointer: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class RegisterError(Exception):
    """A register that cannot be used; carries every problem found."""

    def __init__(self, problems: list[RegisterProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
