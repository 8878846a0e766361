"""What is looked up or copied instead of worked out again gives the same answer as working
it out: endpoint inference by shape, the wording of unknown values and fields, and a
finding placed at its line and column."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint import Linter
from kling_lint.check import endpoint as inference
from kling_lint.check import wording
from kling_lint.diagnostics import Diagnostic, Severity, Suppression
from kling_lint.register import builtin_register

from ..strategies import json_values, near_payloads

REGISTER = builtin_register()
OMNI = REGISTER.endpoints["omni-video.create"]
TOP_LEVEL = sorted({name for _, _, top, _ in REGISTER.endpoints.shapes for name in top})
MODELS = [*sorted({m for _, _, _, ms in REGISTER.endpoints.shapes for m in ms}), "nope"]


@given(
    st.dictionaries(st.sampled_from(TOP_LEVEL) | st.text(max_size=8), st.none(), max_size=12),
    st.sampled_from([*MODELS, None, 3]),
)
def test_inference_by_shape_is_the_uncached_answer(keys: dict[str, None], model: Any) -> None:
    payload = {**keys, "model_name": model} if model is not None else keys
    wanted = inference._infer(
        REGISTER, frozenset(payload), model if isinstance(model, str) else None
    )
    assert inference.infer(REGISTER, payload) == wanted
    assert inference.infer(REGISTER, payload) == wanted  # second time from the cache


def test_a_shape_past_the_cache_bound_is_worked_out() -> None:
    payload: dict[str, Any] = {f"extra_{n}": 1 for n in range(inference._CACHED_KEYS + 1)}
    payload.update(model_name="kling-v3-omni", prompt="a", mode="std")
    before = inference._infer_cached.size(REGISTER)  # type: ignore[attr-defined]
    assert inference.infer(REGISTER, payload).endpoint is None
    assert inference._infer_cached.size(REGISTER) == before  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("first", "second"), [(True, 1), (1, 1.0), (False, 0), ("1", 1), (None, "null")]
)
def test_values_that_compare_equal_keep_their_own_wording(first: Any, second: Any) -> None:
    field = OMNI.fields["mode"]
    assert wording.unknown_value(field, first) == wording._unknown_value(field, first)
    assert wording.unknown_value(field, second) == wording._unknown_value(field, second)


def test_unknown_fields_are_worded_as_uncached() -> None:
    siblings = ("duration", "mode", "prompt")
    for name, use in (("mdoe", None), ("x" * 300, None), ("prompt_x", None), ("lang", "mode")):
        path = name
        expected = wording._unknown_field(OMNI.id, name, path, siblings, use)
        assert wording.unknown_field(OMNI.id, name, path, siblings, use) == expected
        assert wording.unknown_field(OMNI.id, name, path, siblings, use) == expected


@given(json_values | st.integers() | st.floats())
def test_values_are_keyed_by_their_json_spelling(value: Any) -> None:
    from kling_lint.register.model import _value_key

    if isinstance(value, str):
        assert _value_key(value) == value
        return
    try:
        spelled = "json:" + json.dumps(value)
    except (TypeError, ValueError):
        spelled = "unlisted:"
    assert _value_key(value) == spelled


_NAME_PIECES = st.sampled_from(["a", ".", "/", "json", "yaml", "YML", "yml", "jsonl", "x.y"])


@given(st.lists(_NAME_PIECES, max_size=6).map("".join) | st.text(max_size=12))
def test_a_file_kind_is_told_by_its_suffix(name: str) -> None:
    import os

    from kling_lint.load import kind_of

    suffix = os.path.splitext(name)[1].lower()
    wanted = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl"}.get(suffix, "json")
    assert kind_of(name) == wanted


@given(near_payloads("omni-video.create") | near_payloads())
def test_a_kept_schema_route_gives_the_walked_findings(drawn: tuple[str, dict[str, Any]]) -> None:
    from kling_lint.check.linter import schema_check
    from kling_lint.check.schema import SchemaCheck

    endpoint_id, payload = drawn
    endpoint = REGISTER.endpoints[endpoint_id]
    shared = schema_check(REGISTER.schemas, endpoint)  # its routes kept across examples
    walked = SchemaCheck(endpoint, shared.schema)  # none kept yet: each route walked
    assert shared.findings(payload) == walked.findings(payload)


def _integers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [n for child in value.values() for n in _integers(child)]
    if isinstance(value, list):
        return [n for child in value for n in _integers(child)]
    return [value] if type(value) is int else []


@st.composite
def _near_the_limit(draw: st.DrawFn) -> tuple[Any, int]:
    """A JSON value whose integers have about `limit` digits, either sign, and the limit."""
    limit = draw(st.integers(1, 40))
    digits = st.integers(max(1, limit - 1), limit + 1)
    number = st.builds(
        lambda n, first, sign: sign * int(str(first) + "0" * (n - 1)),
        digits,
        st.integers(1, 9),
        st.sampled_from([1, -1]),
    )
    leaves = number | st.text(st.sampled_from("0123456789"), max_size=45) | st.booleans()
    value = draw(
        st.recursive(
            leaves,
            lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
            max_leaves=8,
        )
    )
    return value, limit


@given(_near_the_limit())
def test_an_integer_past_the_limit_is_told_by_the_parse(drawn: tuple[Any, int]) -> None:
    from kling_lint.config.limits import Limits
    from kling_lint.load import LoadFailure, parse_json

    value, limit = drawn
    loaded = parse_json(json.dumps(value), "p.json", limits=Limits(integer_digits=limit))
    # Digits are counted without the sign; a run of digits in a string is no integer.
    too_long = any(abs(n) >= 10**limit for n in _integers(value))
    assert isinstance(loaded, LoadFailure) == too_long


_PATH_PIECES = st.sampled_from(["a", "b.json", ".", "..", "/", "-x", "_y", "%", " ", "é", ":", "#"])


@given(st.lists(_PATH_PIECES, max_size=6).map("".join))
def test_a_plain_path_is_its_own_sarif_uri(path: str) -> None:
    from kling_lint.report import sarif

    assert sarif._location(path) == sarif._encoded(path)


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Severity)), st.booleans()),
        max_size=4,
    ),
    st.sampled_from(list(Severity)),
)
def test_blocked_is_any_finding_that_fails(
    found: list[tuple[Severity, bool]], fail_on: Severity
) -> None:
    from kling_lint.results import FileResult

    by = Suppression("why", None, None, None)
    diagnostics = tuple(
        Diagnostic("KL101", "r", severity, "m", suppressed_by=by if lifted else None)
        for severity, lifted in found
    )
    result = FileResult("p.json", None, "e", diagnostics, fail_on)
    assert result.blocked == any(result.fails_on(d) for d in diagnostics)


_KEPT = Linter()


@given(near_payloads("omni-video.create") | near_payloads())
def test_the_rules_kept_for_a_key_set_are_the_picked_ones(
    drawn: tuple[str, dict[str, Any]],
) -> None:
    endpoint_id, payload = drawn
    _KEPT.lint({}, endpoint_id)
    plan = _KEPT._plans[endpoint_id]  # its key sets kept across examples
    assert plan.rules_for(payload) == plan._rules_for(payload)
    assert plan.rules_for(dict(payload)) == plan._rules_for(payload)


_NO_SURROGATES = st.characters(exclude_categories=("Cs",))
_REPORT_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(_NO_SURROGATES) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(_NO_SURROGATES), children)
    ),
    max_leaves=20,
)


@given(_REPORT_VALUES)
def test_a_json_report_is_what_the_standard_encoder_writes(document: Any) -> None:
    import io

    from kling_lint.report._common import write_json

    written = io.StringIO()
    write_json(document, written)
    expected = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert written.getvalue() == expected


def _walked(document: Any, path: str) -> list[Any]:
    """Values at a register path, segment by segment (what values_at shortens)."""
    found: list[Any] = [((), document)]
    for segment in path.split("."):
        name = segment.removesuffix("[]")
        found = [
            ((*parts, name), node[name])
            for parts, node in found
            if isinstance(node, dict) and name in node
        ]
        if segment.endswith("[]"):
            found = [
                ((*parts, i), item)
                for parts, node in found
                if isinstance(node, list)
                for i, item in enumerate(node)
            ]
    return found


_NAMES = st.sampled_from(["a", "b"])
_DOCUMENTS = st.recursive(
    st.none() | st.integers(0, 3) | st.text(max_size=2),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_NAMES, children),
    max_leaves=12,
)
_PATHS = st.lists(st.tuples(_NAMES, st.booleans()), min_size=1, max_size=3).map(
    lambda segments: ".".join(name + ("[]" if array else "") for name, array in segments)
)


@given(_DOCUMENTS, _PATHS)
def test_values_at_a_path_are_the_walked_ones(document: Any, path: str) -> None:
    from kling_lint.check.values import values_at

    assert values_at(document, path) == _walked(document, path)


def _split_suffix(url: str) -> str:
    """A URL's file name ending, by splitting (what the media rule's pattern reads)."""
    name = url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@given(
    st.lists(st.sampled_from(["a", ".", "/", "?", "#", "png", "JPG", "gif", "x.y"])).map("".join)
)
def test_a_url_names_the_file_ending_the_split_names(url: str) -> None:
    from kling_lint.check.rules import media

    ending = _split_suffix(url)
    assert media._url_suffix(url) == (ending if ending in media._MEDIA_SUFFIXES else None)
