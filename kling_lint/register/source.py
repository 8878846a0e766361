"""Reading a register folder: YAML files with positions, or located problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kling_lint.load.yaml_text import YamlDocument, YamlSyntaxError, load_yaml
from kling_lint.register.errors import RegisterError, RegisterProblem

__all__ = ["MemoryFolder", "RegisterError", "RegisterFile", "RegisterProblem", "read_register"]


@dataclass(frozen=True)
class MemoryFolder:
    """A register folder held in memory (a folder at a git revision): file contents by
    their POSIX path inside the folder. Nothing of it is ever written to disk."""

    label: str  # how problems name the folder: "main:registry"
    files: Mapping[str, bytes]

    def names(self, folder: str) -> list[str]:
        """The `*.yaml` files directly inside `folder` ("" for the top), sorted."""
        return sorted(
            name
            for name in self.files
            if name.endswith(".yaml") and str(PurePosixPath(name).parent) == (folder or ".")
        )


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
    directory: Path | MemoryFolder, *, partial: bool = False
) -> tuple[list[RegisterFile], list[RegisterProblem]]:
    """Every YAML file of a register folder, parsed; unparsable files become problems.
    `partial` (an overlay's folder): `sources.yaml` and endpoint files are optional."""
    files: list[RegisterFile] = []
    problems: list[RegisterProblem] = []
    plan = _memory_plan(directory, partial) if isinstance(directory, MemoryFolder) else None
    if plan is None:
        assert isinstance(directory, Path)
        if not directory.is_dir():
            return [], [RegisterProblem(str(directory), 1, 1, "register folder not found")]
        plan = _folder_plan(directory, partial)
    for path, display, kind, read in plan:
        try:
            text = read().decode("utf-8")
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
        where = directory.label if isinstance(directory, MemoryFolder) else str(directory)
        problems.append(RegisterProblem(where, 1, 1, "no endpoint files in endpoints/"))
    return files, problems


_Plan = list[tuple[Path, str, str, Callable[[], bytes]]]  # path, display, kind, reader


def _folder_plan(directory: Path, partial: bool) -> _Plan:
    plan: list[tuple[Path, str]] = []
    if not partial or (directory / "sources.yaml").exists():
        plan.append((directory / "sources.yaml", "sources"))
    plan += [(p, "endpoint") for p in sorted((directory / "endpoints").glob("*.yaml"))]
    plan += [(p, "policy") for p in sorted((directory / "policies").glob("*.yaml"))]
    return [(p, _display(p, directory), kind, p.read_bytes) for p, kind in plan]


def _memory_plan(folder: MemoryFolder, partial: bool) -> _Plan:
    plan: list[tuple[str, str]] = []
    if not partial or "sources.yaml" in folder.files:
        plan.append(("sources.yaml", "sources"))
    plan += [(n, "endpoint") for n in folder.names("endpoints")]
    plan += [(n, "policy") for n in folder.names("policies")]

    def reader(name: str) -> Callable[[], bytes]:
        def read() -> bytes:
            if name not in folder.files:
                raise FileNotFoundError(f"no {name} in {folder.label}")
            return folder.files[name]

        return read

    # The path is only a label here: nothing reads or writes it.
    return [(Path(name), f"{folder.label}/{name}", kind, reader(name)) for name, kind in plan]
