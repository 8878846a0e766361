"""`kling-lint registry validate`: the real register passes; broken ones fail, located."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kling_lint.register import compile_directory, validate_directory
from kling_lint.register.source import RegisterError

from ..conftest import REGISTRY

OMNI = "endpoints/omni-video.create.yaml"
T2V = "endpoints/text2video.create.yaml"


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the register with one text replacement in one file."""

    def make(file: str, old: str, new: str) -> Path:
        target = tmp_path / "registry"
        shutil.copytree(REGISTRY, target)
        path = target / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text not found: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return target

    return make


def test_builtin_register_is_valid(run_cli: Any) -> None:
    assert validate_directory(REGISTRY) == []
    result = run_cli("registry", "validate", str(REGISTRY))
    assert result.exit_code == 0


# (file, text to replace, replacement, expected file, expected line, words in the message)
BROKEN = [
    (OMNI, "method: POST", "method: PUT", OMNI, 5, "PUT"),
    (
        OMNI,
        "    type: string\n    status: [doc-derived, live-confirmed]",
        "    type: text\n    status: [doc-derived, live-confirmed]",
        OMNI,
        None,
        "text",
    ),
    (OMNI, "    source: LIVE-YA", "    source: NOWHERE", OMNI, None, "unknown source"),
    (
        OMNI,
        "    replaced_by: image_list[].image_url",
        "    replaced_by: image_list[].picture",
        OMNI,
        None,
        "replacement",
    ),
    (
        OMNI,
        "  image_list[].index:",
        "  image_list[]:\n    type: array\n    status: [hypothesis-only]\n  image_list[].index:",
        OMNI,
        None,
        "duplicate field path",
    ),
    (
        OMNI,
        "enum: [std, pro, 4k]",
        "enum: [std, pro, 4k, standard]",
        OMNI,
        None,
        "blocked but listed",
    ),
    (OMNI, "  multi_shot:\n", "  multi_shot:\n  multi_shot:\n", OMNI, None, "duplicate key"),
    (OMNI, "fields:\n", "fields: [\n", OMNI, None, "invalid YAML"),
    ("sources.yaml", "kind: live", "kind: doc", OMNI, None, "needs a live source"),
    (OMNI, "code: KL305", "code: KL101", OMNI, None, "taken by a built-in rule"),
    (OMNI, "name: o1-text-to-video-5-or-10", "name: other-name", None, None, None),
    (OMNI, "      maximum: 15\n", "      maximum: 15.5\n", OMNI, None, "numeric_string"),
    (T2V, "falls_back_to: model_name", "falls_back_to: model_nme", T2V, None, "fallback"),
    (
        OMNI,
        "  aspectRatio:\n    use: aspect_ratio",
        "  aspectRatio:\n    use: aspect",
        OMNI,
        None,
        "use",
    ),
    (OMNI, "  aspectRatio:\n", "  prompt:\n", OMNI, None, "a field"),
    (
        OMNI,
        "    use: aspect_ratio\n    why: ",
        "    use: aspect_ratio\n    wy: ",
        OMNI,
        None,
        "why",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "line", "words"), BROKEN)
def test_broken_register_is_reported_with_location(
    broken: Callable[[str, str, str], Path],
    run_cli: Any,
    file: str,
    old: str,
    new: str,
    where: str | None,
    line: int | None,
    words: str | None,
) -> None:
    directory = broken(file, old, new)
    problems = validate_directory(directory)
    if words is None:  # renaming a rule on one endpoint only: still valid
        assert problems == []
        return
    assert problems, "expected a problem"
    assert any(p.file.endswith(where) for p in problems)
    assert all(p.line >= 1 and p.column >= 1 for p in problems)
    if line is not None:
        assert any(p.line == line for p in problems)
    result = run_cli("registry", "validate", str(directory))
    assert result.exit_code == 2
    assert where in result.stdout


def test_duplicate_code_with_another_name_is_a_problem(
    broken: Callable[[str, str, str], Path],
) -> None:
    directory = broken("endpoints/image2video.create.yaml", "code: KL307", "code: KL305")
    problems = validate_directory(directory)
    assert any("KL305" in p.message for p in problems)


def test_invalid_register_cannot_be_compiled(broken: Callable[[str, str, str], Path]) -> None:
    directory = broken(OMNI, "billable: true", "billable: maybe")
    with pytest.raises(RegisterError) as info:
        compile_directory(directory)
    assert info.value.problems[0].line == 7


def test_missing_register_folder(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("registry", "validate", str(tmp_path / "nothing"))
    assert result.exit_code == 2


def test_check_with_broken_register_exits_2(
    broken: Callable[[str, str, str], Path], run_cli: Any
) -> None:
    directory = broken(OMNI, "method: POST", "method: PUT")
    result = run_cli("check", "--isolated", "--register", str(directory), "examples/good")
    assert result.exit_code == 2
    assert "omni-video.create.yaml:5" in result.stderr
