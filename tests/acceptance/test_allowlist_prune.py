"""`kling-lint allowlist prune`: real config files, compared byte for byte before and after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint.config import ConfigError
from kling_lint.config.edit import without_entries

from ..conftest import CLEAN_OMNI

PROBE = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}

BEFORE = """\
[project]
name = "x"  # keep

[tool.kling-lint]
select = ["KL2"]   # a run that looks at one thing: prune still runs every gate

# the voice probe, approved in review
[[tool.kling-lint.allow]]  # lifts KL104
endpoint = "omni-video.create"
field = "voice_list"
reason = "probe"

# mode std was a guess once
[[tool.kling-lint.allow]]
endpoint = "omni-video.create"
field = "mode"
value = "std"
reason = "before std was confirmed"

# a probe nobody runs any more
[[tool.kling-lint.allow]]
endpoint = "omni-video.create"
field = "image_list[].image"
reason = "old probe"

# an expired one: a person decides
[[tool.kling-lint.allow]]
endpoint = "omni-video.create"
field = "multi_prompt"
reason = "expired"
expires = 2020-01-01

[tool.other]  # not ours
x = 1
"""

AFTER = """\
[project]
name = "x"  # keep

[tool.kling-lint]
select = ["KL2"]   # a run that looks at one thing: prune still runs every gate

# the voice probe, approved in review
[[tool.kling-lint.allow]]  # lifts KL104
endpoint = "omni-video.create"
field = "voice_list"
reason = "probe"

# an expired one: a person decides
[[tool.kling-lint.allow]]
endpoint = "omni-video.create"
field = "multi_prompt"
reason = "expired"
expires = 2020-01-01

[tool.other]  # not ours
x = 1
"""


def _project(tmp_path: Path, config: str, name: str = "pyproject.toml") -> Path:
    (tmp_path / name).write_bytes(config.encode())
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "p.json").write_text(json.dumps(PROBE))
    return tmp_path / name


def test_prune_deletes_unused_and_unneeded_entries_and_keeps_every_other_byte(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _project(tmp_path, BEFORE)
    monkeypatch.chdir(tmp_path)
    diff = run_cli("allowlist", "prune", "--diff")
    assert diff.exit_code == 1
    assert config.read_bytes() == BEFORE.encode()  # --diff writes nothing
    assert '-field = "mode"' in diff.stdout
    result = run_cli("allowlist", "prune")
    assert result.exit_code == 0, result.stderr
    assert config.read_bytes() == AFTER.encode()
    again = run_cli("allowlist", "prune")
    assert again.exit_code == 0
    assert config.read_bytes() == AFTER.encode()


def test_a_standalone_config_named_with_config(tmp_path: Path, run_cli: Any) -> None:
    standalone = BEFORE.replace("tool.kling-lint.allow", "allow")
    standalone = standalone.split("[tool.kling-lint]\n", 1)[1].split("[tool.other]")[0]
    config = _project(tmp_path, standalone, ".kling-lint.toml")
    result = run_cli("allowlist", "prune", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    expected = AFTER.replace("tool.kling-lint.allow", "allow")
    expected = expected.split("[tool.kling-lint]\n", 1)[1].split("[tool.other]")[0]
    assert config.read_text() == expected


def test_crlf_line_endings_are_kept(tmp_path: Path, run_cli: Any) -> None:
    config = _project(tmp_path, BEFORE.replace("\n", "\r\n"))
    assert run_cli("allowlist", "prune", "--config", str(config)).exit_code == 0
    assert config.read_bytes() == AFTER.replace("\n", "\r\n").encode()


def test_entries_written_inline_are_refused_and_the_file_is_untouched(
    tmp_path: Path, run_cli: Any
) -> None:
    text = (
        "[tool.kling-lint]\nallow = [\n"
        '  {endpoint = "omni-video.create", field = "mode", value = "std", reason = "r"},\n]\n'
    )
    config = _project(tmp_path, text)
    result = run_cli("allowlist", "prune", "--config", str(config))
    assert result.exit_code == 2
    assert config.read_text() == text


def test_nothing_to_prune_leaves_the_file_alone(tmp_path: Path, run_cli: Any) -> None:
    text = AFTER.split("# an expired")[0]
    config = _project(tmp_path, text)
    before = config.stat().st_mtime_ns
    assert run_cli("allowlist", "prune", "--config", str(config)).exit_code == 0
    assert config.stat().st_mtime_ns == before


def test_no_config_is_a_usage_error(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("allowlist", "prune").exit_code == 2


# The property: for documents built of pieces whose owner is known, deleting any set of
# entries keeps every line of the rest, drops every comment of the deleted entries, and
# the result parses to the document less exactly those entries (which the edit checks).
_comment = st.integers(0, 10**6).map(lambda n: f"# note {n}\n")
_value = st.sampled_from(
    [
        'reason = "plain"\n',
        "reason = 'literal # not a comment'\n",
        'reason = """\n[[tool.kling-lint.allow]]\n# inside a string\n"""\n',
        'paths = [\n  "a/**",  # first\n  "[b]",\n]\n',
        'reason = "escaped \\" [[tool.kling-lint.allow]]"\n',
    ]
)


@st.composite
def _documents(draw: Any) -> tuple[str, list[list[str]], list[bool]]:
    pieces: list[str] = ["[tool.kling-lint]\n", 'select = ["KL"]\n']
    owned: list[list[str]] = []
    count = draw(st.integers(1, 5))
    notes = iter(draw(st.lists(_comment, min_size=2 * count, max_size=2 * count, unique=True)))
    for _ in range(count):
        if draw(st.booleans()):
            pieces.append("\n")
        comments = [next(notes) for _ in range(draw(st.integers(0, 2)))]
        owned.append(comments)
        pieces += comments
        pieces.append("[[tool.kling-lint.allow]]" + draw(st.sampled_from(["", "  # h"])) + "\n")
        pieces.append('endpoint = "e"\n')
        pieces.append(draw(_value))
    if draw(st.booleans()):
        pieces += ["\n", "# the next table's\n", "[tool.other]\n", "x = 1\n"]
    doomed = draw(st.lists(st.booleans(), min_size=len(owned), max_size=len(owned)))
    return "".join(pieces), owned, doomed


@given(_documents())
def test_deleting_entries_keeps_everything_else(
    doc: tuple[str, list[list[str]], list[bool]],
) -> None:
    text, owned, doomed = doc
    comments = {c for group in owned for c in group}
    assert len(comments) == sum(map(len, owned))  # each note unique, so ownership is clear
    positions = [i for i, d in enumerate(doomed) if d]
    after = without_entries(text, "tool.kling-lint.allow", positions)
    lines, kept = text.splitlines(keepends=True), after.splitlines(keepends=True)
    it = iter(lines)
    assert all(line in it for line in kept)  # only whole lines were deleted, in order
    for group, gone in zip(owned, doomed, strict=True):
        for comment in group:
            assert (comment in kept) is not gone
    if "# the next table's\n" in lines:
        assert "# the next table's\n" in kept


def test_an_edit_that_would_change_the_rest_is_refused() -> None:
    # A header with a key in quotes is not recognised: the edit refuses rather than guess.
    text = '[tool."kling-lint"]\n\n[[tool."kling-lint".allow]]\nendpoint = "e"\n'
    with pytest.raises(ConfigError):
        without_entries(text, "tool.kling-lint.allow", [0])
