"""What is a payload: a folder walk reads payload files and skips the rest of a repository
(tool folders, well-known config files, what git ignores, the exclude settings), says
what it skipped, and a file named on the command line is read unless --force-exclude."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint.load.scope import Patterns

from ..conftest import CLEAN_OMNI

BLOCKED = {**CLEAN_OMNI, "mode": "standard"}


def _write(root: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))


def _git_repo(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with payloads beside the JSON and YAML every project has."""
    _git_repo(tmp_path)
    _write(
        tmp_path,
        {
            "payloads/scene.json": CLEAN_OMNI,
            "payloads/nested/shot.yaml": json.dumps(CLEAN_OMNI),  # JSON is YAML
            "package.json": {"name": "app", "version": "1.0.0"},
            "tsconfig.json": '{"compilerOptions": {}, // JSONC\n}',
            "api.schema.json": {"type": "object"},
            "node_modules/lib/package.json": {"name": "lib"},
            "node_modules/lib/data.json": BLOCKED,
            ".github/workflows/ci.yml": "on: push\n",
            "out/generated.json": BLOCKED,
            ".gitignore": "out/\n",
            "README.md": "# app\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _checked(run_cli: Any, *args: str) -> tuple[int, list[str], dict[str, str]]:
    result = run_cli("check", "--format", "json", *args)
    data = json.loads(result.stdout)
    return (
        result.exit_code,
        sorted(f["path"] for f in data["files"]),
        {s["path"]: s["why"] for s in data["skipped"]},
    )


def test_a_repository_walk_reads_only_payloads(repo: Path, run_cli: Any) -> None:
    code, files, skipped = _checked(run_cli, ".")
    assert code == 0
    assert files == ["payloads/nested/shot.yaml", "payloads/scene.json"]
    assert set(skipped) == {
        ".git",
        ".github",
        "api.schema.json",
        "node_modules",
        "out",
        "package.json",
        "tsconfig.json",
    }
    assert "git" in skipped["out"]


def test_show_files_lists_what_a_run_reads_and_checks_nothing(repo: Path, run_cli: Any) -> None:
    (repo / "payloads" / "broken.json").write_text("{")
    result = run_cli("check", "--show-files", ".")
    assert result.exit_code == 0
    assert result.stdout.split() == [
        "payloads/broken.json",
        "payloads/nested/shot.yaml",
        "payloads/scene.json",
    ]
    assert "skipped node_modules:" in result.stderr


@pytest.mark.parametrize(
    ("args", "config", "wanted"),
    [
        # exclude replaces the defaults: package.json and node_modules are read again
        (
            ("--exclude", "payloads/"),
            None,
            [
                "api.schema.json",
                "node_modules/lib/data.json",
                "node_modules/lib/package.json",
                "package.json",
            ],
        ),
        # extend-exclude adds to them; "./" anchors at the config's folder
        (("--extend-exclude", "./payloads/nested"), None, ["payloads/scene.json"]),
        ((), 'extend-exclude = ["*.yaml"]\n', ["payloads/scene.json"]),
        ((), 'include = ["*.yaml"]\n', ["payloads/nested/shot.yaml"]),
        (
            (),
            "respect-gitignore = false\n",
            ["out/generated.json", *["payloads/nested/shot.yaml", "payloads/scene.json"]],
        ),
        (
            ("--no-respect-gitignore",),
            None,
            ["out/generated.json", "payloads/nested/shot.yaml", "payloads/scene.json"],
        ),
    ],
)
def test_settings_choose_the_files(
    repo: Path, run_cli: Any, args: tuple[str, ...], config: str | None, wanted: list[str]
) -> None:
    if config is not None:
        (repo / ".kling-lint.toml").write_text(config)
    _, files, _ = _checked(run_cli, *args, ".")
    assert [f for f in files if not f.startswith("tsconfig")] == sorted(wanted)


def test_gitignore_rules_nest_and_negate(repo: Path, run_cli: Any) -> None:
    _write(
        repo,
        {
            "payloads/.gitignore": "*.yaml\n!keep.yaml\n",
            "payloads/keep.yaml": json.dumps(CLEAN_OMNI),
            "payloads/drafts/x.json": CLEAN_OMNI,
        },
    )
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("drafts/\n")
    _, files, skipped = _checked(run_cli, ".")
    assert files == ["payloads/keep.yaml", "payloads/scene.json"]
    assert "git" in skipped["payloads/nested/shot.yaml"]
    assert "git" in skipped["payloads/drafts"]


def test_an_ignored_folder_named_on_the_command_line_is_walked(repo: Path, run_cli: Any) -> None:
    code, files, _ = _checked(run_cli, "out")
    assert files == ["out/generated.json"]
    assert code == 1


def test_gitignore_applies_only_inside_a_repository(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"a.json": CLEAN_OMNI, "out/b.json": CLEAN_OMNI, ".gitignore": "out/\n"})
    monkeypatch.chdir(tmp_path)
    _, files, _ = _checked(run_cli, ".")
    assert files == ["a.json", "out/b.json"]


def test_a_named_file_is_read_whatever_the_settings(repo: Path, run_cli: Any) -> None:
    code, files, _ = _checked(run_cli, "package.json", "out/generated.json")
    assert files == ["out/generated.json", "package.json"]
    assert code == 1


def test_force_exclude_filters_named_files_as_a_walk_would(repo: Path, run_cli: Any) -> None:
    named = (
        "package.json",
        "out/generated.json",
        "README.md",
        "node_modules/lib/data.json",
        ".github/workflows/ci.yml",
        "payloads/scene.json",
    )
    code, files, skipped = _checked(run_cli, "--force-exclude", *named)
    assert code == 0
    assert files == ["payloads/scene.json"]
    assert set(skipped) == set(named) - {"payloads/scene.json"}
    (repo / ".kling-lint.toml").write_text("force-exclude = true\n")  # the same from the config
    assert _checked(run_cli, *named)[1] == ["payloads/scene.json"]
    assert _checked(run_cli, "--no-force-exclude", *named)[1] == sorted(named)


def test_a_named_file_that_is_no_payload_is_its_own_finding(repo: Path, run_cli: Any) -> None:
    result = run_cli("check", "--format", "json", "README.md")
    assert result.exit_code == 1
    [found] = json.loads(result.stdout)["files"]
    assert [d["code"] for d in found["diagnostics"]] == ["KL012"]
    stdin = run_cli("check", "--format", "json", "-", "--stdin-filename", "notes.txt", input="{}")
    assert [d["code"] for d in json.loads(stdin.stdout)["files"][0]["diagnostics"]] == ["KL012"]


@pytest.mark.parametrize(
    "config",
    [
        "exclude = 'x'\nrespect-gitignore = 'yes'\n",
        "force-exclude = 1\n",
        "extend-exclude = [3]\n",
        "include = ['  ']\n",
        "exclude = ['# a comment']\n",
    ],
)
def test_bad_selection_settings_are_configuration_errors(
    repo: Path, run_cli: Any, config: str
) -> None:
    (repo / ".kling-lint.toml").write_text(config)
    assert run_cli("check", ".").exit_code == 2


_NAMES = st.text(alphabet="ab.*?-_[]!", min_size=1, max_size=6)


@given(
    st.lists(_NAMES.filter(lambda p: "/" not in p), min_size=1, max_size=4),
    st.booleans(),
    st.text(alphabet="ab.-_", min_size=1, max_size=8).filter(lambda n: n not in (".", "..")),
)
def test_simple_patterns_match_as_pathspec_does(
    patterns: list[str], folder_only: bool, name: str
) -> None:
    """Names and name globs are matched without pathspec; the answers must be its own."""
    import pathspec

    lines = [p + "/" if folder_only else p for p in patterns]
    base = Path("/base")
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a pattern pathspec refuses: nothing to compare
        return
    ours = Patterns(lines, base)
    if ours._rest:  # not all simple: pathspec answers anyway
        return
    for is_dir in (False, True):
        # The entry itself, as a walk asks (its folders were asked about on the way down).
        wanted = spec.match_file(f"{name}/" if is_dir else name)
        assert ours.matches(f"/base/{name}", is_dir) == wanted, (lines, name, is_dir)


_SEGMENTS = st.text(alphabet="ab.*?-", min_size=1, max_size=4).filter(
    lambda s: s not in (".", "..")
)
_PLAIN_LINES = st.builds(
    lambda lead, segs, trail: ("/" if lead else "") + "/".join(segs) + ("/" if trail else ""),
    st.booleans(),
    st.lists(_SEGMENTS, min_size=1, max_size=3),
    st.booleans(),
)
_PATHS = st.lists(
    st.text(alphabet="ab.-", min_size=1, max_size=4).filter(lambda s: s not in (".", "..")),
    min_size=1,
    max_size=4,
).map("/".join)


@given(st.lists(_PLAIN_LINES, min_size=1, max_size=4), _PATHS, st.booleans())
def test_plain_ignore_files_are_read_as_pathspec_reads_them(
    lines: list[str], path: str, is_dir: bool
) -> None:
    """Plain .gitignore lines are matched without pathspec; a walk asks about an entry only
    when no folder above it was ignored, and then the answers must be pathspec's."""
    import pathspec

    from kling_lint.load.scope import _plain, _PlainRules

    if not all(_plain(line) for line in lines):
        return
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    parts = path.split("/")
    if any(spec.match_file("/".join(parts[:i]) + "/") for i in range(1, len(parts))):
        return  # the walk never got this far
    wanted = spec.match_file(path + "/" if is_dir else path)
    assert bool(_PlainRules(lines).decide(path, is_dir)) == wanted, (lines, path, is_dir)


def test_a_negated_exclude_pattern_wins_over_an_earlier_one(repo: Path, run_cli: Any) -> None:
    (repo / ".kling-lint.toml").write_text('exclude = ["*.json", "!payloads/scene.json"]\n')
    _, files, _ = _checked(run_cli, ".")
    assert "payloads/scene.json" in files
    assert "package.json" not in files
