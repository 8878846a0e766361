"""What is looked up or copied instead of worked out again gives the same answer as working
it out: endpoint inference by shape, the wording of unknown values and fields, and a
finding placed at its line and column."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint.check import endpoint as inference
from kling_lint.check import wording
from kling_lint.diagnostics import Diagnostic, Severity, Suppression
from kling_lint.register import builtin_register

from .strategies import json_values

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
    before = inference._infer_cached.cache_info().currsize
    assert inference.infer(REGISTER, payload).endpoint is None
    assert inference._infer_cached.cache_info().currsize == before


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


@given(
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**4),
    st.sampled_from(["", "/mode", "/image_list/0/image"]),
    st.booleans(),
)
def test_a_placed_finding_is_the_replaced_one(
    line: int, column: int, pointer: str, suppressed: bool
) -> None:
    found = Diagnostic(
        "KL102",
        "rejected-value",
        Severity.ERROR,
        "message",
        pointer=pointer,
        field_path="mode",
        status=("live-rejected",),
        suppressed_by=Suppression("why", None, None, None) if suppressed else None,
    )
    placed, replaced = found.at(line, column), dataclasses.replace(found, line=line, column=column)
    assert placed == replaced
    assert placed.sort_key == replaced.sort_key
    assert placed.as_dict() == replaced.as_dict()
    assert hash(placed) == hash(replaced)
    assert found.line is None  # the original is untouched


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
