"""Reading a register folder: YAML files with positions, or located problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kling_lint.load.yaml_text import YamlDocument, YamlSyntaxError, load_yaml
from kling_lint.register.errors import RegisterError, RegisterProblem

__all__ = ["RegisterError", "RegisterFile", "RegisterProblem", "read_register"]


@dataclass
class RegisterFile:
    path: Path
    display: str
    kind: str  # endpoint | sources | policy
    doc: YamlDocument

    def locate(self, pointer: str) -> tuple[int, int]:
        """The position of a pointer, or of its nearest located ancestor."""
        while True:
            if pointer in self.doc.positions:
                return self.doc.positions[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str) -> RegisterProblem:
        line, column = self.locate(pointer)
        return RegisterProblem(self.display, line, column, message, pointer)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_register(
    directory: Path, *, partial: bool = False
) -> tuple[list[RegisterFile], list[RegisterProblem]]:
    """Every YAML file of a register folder, parsed; unparsable files become problems.
    `partial` (an overlay's folder): `sources.yaml` and endpoint files are optional."""
    files: list[RegisterFile] = []
    problems: list[RegisterProblem] = []
    if not directory.is_dir():
        return [], [RegisterProblem(str(directory), 1, 1, "register folder not found")]
    plan: list[tuple[Path, str]] = []
    if not partial or (directory / "sources.yaml").exists():
        plan.append((directory / "sources.yaml", "sources"))
    plan += [(p, "endpoint") for p in sorted((directory / "endpoints").glob("*.yaml"))]
    plan += [(p, "policy") for p in sorted((directory / "policies").glob("*.yaml"))]
    for path, kind in plan:
        display = _display(path, directory)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(RegisterProblem(display, 1, 1, f"cannot read: {exc}"))
            continue
        try:
            doc = load_yaml(text, dates_as_text=True)
        except YamlSyntaxError as exc:
            problems.append(RegisterProblem(display, *exc.position, f"invalid YAML: {exc.message}"))
            continue
        for item in doc.problems:
            problems.append(RegisterProblem(display, *item.position, item.detail, item.pointer))
        files.append(RegisterFile(path, display, kind, doc))
    if not partial and not any(f.kind == "endpoint" for f in files) and not problems:
        problems.append(RegisterProblem(str(directory), 1, 1, "no endpoint files in endpoints/"))
    return files, problems
