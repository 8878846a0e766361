"""The YAML 1.1 reading of plain scalars, against PyYAML itself (the 1.1 reader pipelines use)."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from kling_lint.load.yaml11 import read_as_yaml11

WORDS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "false",
    "null",
    "inf",
    "nan",
    "0x",
    "0b",
    "0o",
]
SCALARS = st.one_of(
    st.text(alphabet="0123456789:._+-eExXbBoO", min_size=1, max_size=10),
    st.sampled_from(WORDS).map(lambda w: w),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(WORDS).map(str.title),
    st.sampled_from([".inf", "-.Inf", ".NaN", "~", "Null", "16:9", "1:30.5", "010", "1_000"]),
)


def _pyyaml(text: str) -> Any:
    """PyYAML's value for `text` as a plain scalar, or skip texts that are not one."""
    try:
        node = yaml.compose(f"v: {text}\n")
    except yaml.YAMLError:
        assume(False)
    value_node = node.value[0][1]
    assume(isinstance(value_node, yaml.ScalarNode) and value_node.style is None)
    assume(value_node.value == text)
    try:
        return yaml.safe_load(f"v: {text}\n")["v"]
    except (yaml.YAMLError, ValueError):  # PyYAML cannot load it: the pipeline stops
        assume(False)


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float):
        return (math.isnan(ours) and math.isnan(theirs)) or math.isclose(ours, theirs)
    return type(ours) is type(theirs) and ours == theirs


@given(SCALARS)
def test_plain_scalars_read_as_pyyaml_reads_them(text: str) -> None:
    # PyYAML departs from the 1.1 spec on y and n (text to it, booleans to the spec and to
    # other 1.1 readers); kling-lint takes the stricter reading.
    assume(text not in ("y", "Y", "n", "N"))
    theirs = _pyyaml(text)
    assume(not hasattr(theirs, "year"))  # timestamps are KL003 findings of their own
    assert _same(read_as_yaml11(text), theirs), (text, theirs)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", True),
        ("No", False),
        ("16:9", 969),
        ("010", 8),
        ("0o10", "0o10"),
        ("1e3", "1e3"),
        ("1_000", 1000),
        ("0b11", 3),
        ("std", "std"),
    ],
)
def test_the_known_differences(text: str, value: Any) -> None:
    assert _same(read_as_yaml11(text), value)
    assert _same(read_as_yaml11(text), yaml.safe_load(f"v: {text}")["v"])
