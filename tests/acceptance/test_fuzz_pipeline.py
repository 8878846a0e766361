"""Whole-pipeline fuzzing: whatever bytes or documents arrive, the CLI reports and never
crashes, and every format it writes stays parseable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_lint.cli import main

from ..conftest import CLEAN_OMNI

KEYS = st.sampled_from(
    [*CLEAN_OMNI, "image_list", "video_list", "voice_list", "multi_prompt", "endpoint", "body", "x"]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["std", "standard", "16:9", "5", "kling-v3-omni", "omni-video.create"])
)
DOCUMENTS = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


def _check(args: list[str], stdin: str | bytes | None = None) -> Any:
    result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert "internal error" not in result.output
    assert "Traceback" not in result.output
    return result


FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FILES
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".json", ".yaml", ".jsonl", ".yml"]))
def test_arbitrary_bytes(raw: bytes, suffix: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"p{suffix}"
    path.write_bytes(raw)
    result = _check(["check", "--isolated", "--format", "json", str(path)])
    document = json.loads(result.stdout)
    try:
        empty_jsonl = suffix == ".jsonl" and not raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        empty_jsonl = False
    # Every file is reported, except a JSON Lines file with no record in it.
    assert document["files"] or empty_jsonl, "a file was read and nothing was reported"


@FILES
@given(document=DOCUMENTS, merge=st.booleans(), fmt=st.sampled_from(["json", "sarif", "gitlab"]))
def test_arbitrary_json_documents(
    document: Any, merge: bool, fmt: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if merge and isinstance(document, dict):
        document = {**CLEAN_OMNI, **document}
    path = tmp_path_factory.mktemp("fuzz") / "p.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = _check(["check", "--isolated", "--format", fmt, str(path)])
    json.loads(result.stdout)


@FILES
@given(document=DOCUMENTS)
def test_arbitrary_yaml_documents(document: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    from ruamel.yaml import YAML

    path = tmp_path_factory.mktemp("fuzz") / "p.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML(typ="safe", pure=True).dump(document, handle)
    result = _check(["check", "--isolated", "--format", "json", str(path)])
    assert json.loads(result.stdout)["files"]


@FILES
@given(text=st.text(max_size=200), kind=st.sampled_from(["x.json", "x.yaml", "x.jsonl"]))
def test_arbitrary_text_on_standard_input(text: str, kind: str) -> None:
    result = _check(
        ["check", "--isolated", "--format", "junit", "--stdin-filename", kind, "-"], text
    )
    from xml.etree import ElementTree as ET

    ET.fromstring(result.stdout)
