"""The loading stage: positions, duplicate keys, non-JSON values, envelopes, JSONL."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_lint.load import LoadFailure, Payload, Problem, parse_text, unwrap_envelope


def _one(text: str, kind: str = "json") -> Payload:
    (loaded,) = parse_text(text, "x." + kind, kind)
    assert isinstance(loaded, Payload)
    return loaded


def test_json_positions_point_at_keys_and_items() -> None:
    payload = _one('{\n  "a": [1, {"b": "x\\"y"}],\n  "c": {"d": true}\n}')
    assert payload.locate("/a") == (2, 3)
    assert payload.locate("/a/1") == (2, 12)
    assert payload.locate("/a/1/b") == (2, 13)
    assert payload.locate("/c/d") == (3, 9)
    assert payload.locate("/c/d/missing") == (3, 9)
    assert payload.locate("") == (1, 1)


def test_duplicates_and_non_json_tokens() -> None:
    payload = _one('{"a": 1, "b": NaN,\n "a": 2}')
    assert payload.data["a"] == 2
    assert sorted((p.kind.value, p.pointer, p.position) for p in payload.problems) == [
        ("duplicate-key", "/a", (2, 2)),
        ("non-json-value", "/b", (1, 15)),
    ]


def test_yaml_positions_and_problems() -> None:
    payload = _one("a: 1\nb:\n  - c: .inf\n    d: 2026-01-02\na: 2\n", "yaml")
    assert payload.locate("/b/0/c") == (3, 5)
    assert {p.kind for p in payload.problems} == {Problem.DUPLICATE_KEY, Problem.NON_JSON_VALUE}


def test_broken_files_are_results() -> None:
    (json_fail,) = parse_text('{"a": 1,,}', "x.json", "json")
    (yaml_fail,) = parse_text("a: [1, 2\n", "x.yaml", "yaml")
    assert isinstance(json_fail, LoadFailure)
    assert json_fail.problem.position == (1, 9)
    assert isinstance(yaml_fail, LoadFailure)
    assert yaml_fail.problem.kind is Problem.UNREADABLE


def test_jsonl_lines_are_records_with_their_own_line_numbers() -> None:
    loaded = parse_text('{"a": 1}\n\n{"a": [2,\n', "x.jsonl", "jsonl")
    assert [(x.record, type(x).__name__) for x in loaded] == [(1, "Payload"), (3, "LoadFailure")]


def test_envelope_unwraps_and_keeps_positions() -> None:
    payload = unwrap_envelope(_one('{"endpoint": "tts.create",\n "body": {"text": "hi"}}'))
    assert payload.endpoint_hint == "tts.create"
    assert payload.data == {"text": "hi"}
    assert payload.locate("/text") == (2, 11)


def test_a_second_yaml_document_is_its_own_load_failure(tmp_path: Path) -> None:
    """Several payloads in one YAML file are not read as the first one alone."""
    from kling_lint.load import read_file

    path = tmp_path / "two.yaml"
    path.write_text("prompt: a\n---\nprompt: b\n")
    [failure] = read_file(path, str(path))
    assert isinstance(failure, LoadFailure)
    assert failure.problem.kind is Problem.UNREADABLE
    assert failure.problem.position == (2, 1)


@pytest.mark.parametrize(
    "text",
    [
        "l: !!omap\n  - a: 1\n",
        "l: !!pairs\n  - a: 1\n  - a: 2\n",
        "l: !!set\n  ? a\n",
        "l: !local [1]\n",
        "l: !!python/tuple [1]\n",
    ],
)
def test_a_tag_on_a_collection_is_non_json(text: str) -> None:
    # A YAML 1.1 reader builds another shape (a list of pairs, a set, a tuple) than the
    # mapping or list read here: the request sent is not the one checked.
    payload = _one(text, "yaml")
    assert (Problem.NON_JSON_VALUE, "/l") in {(p.kind, p.pointer) for p in payload.problems}


def test_the_plain_tags_of_collections_are_json() -> None:
    assert not _one("l: !!seq [1]\nm: !!map {a: 1}\n", "yaml").problems


def test_every_kind_of_load_problem_has_its_code() -> None:
    """The loader reports kinds; the rule table names the code each is reported under,
    and every such rule is one the loader (or the envelope) reports."""
    from kling_lint.check.rules import BUILTIN_RULES, LOADER_CODES

    rules = {r.code: r for r in BUILTIN_RULES}
    assert set(LOADER_CODES) == {kind.value for kind in Problem}
    assert all(LOADER_CODES[kind] for kind in Problem)  # looked up by the kind itself
    assert {rules[code].reported_by for code in LOADER_CODES.values()} <= {
        "loader",
        "run",
        "linter",
    }
