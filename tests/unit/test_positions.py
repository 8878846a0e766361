"""The position finder (only the pointers asked for, values skipped at C speed) against the
full scanner, on any JSON text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kling_lint import pointer as jp
from kling_lint.load.json_text import find, scan

from ..strategies import json_values


def _pointers(value: Any, parts: tuple[str | int, ...] = ()) -> list[str]:
    out = [jp.join(parts)]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _pointers(child, (*parts, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _pointers(child, (*parts, index))
    return out


# Item and key separators with every kind of JSON whitespace around them.
_SEPARATORS = st.sampled_from(
    [(", ", ": "), (",", ":"), (" ,\t", " :\n "), ("\r\n,\r\n", "\t:\t"), ("\n , ", "  :")]
)


@given(json_values, st.sampled_from([None, 0, 2]), _SEPARATORS, st.data())
def test_find_agrees_with_the_full_scan(
    value: Any, indent: int | None, separators: tuple[str, str], data: st.DataObject
) -> None:
    text = json.dumps(
        value, indent=indent, separators=separators, ensure_ascii=data.draw(st.booleans())
    )
    everything = scan(text).offsets
    pointers = _pointers(value)
    asked = data.draw(st.lists(st.sampled_from(pointers), max_size=5)) if pointers else []
    found = find(text, asked)
    for pointer in asked:
        assert found[pointer] == everything[pointer], pointer
    # The parents on the way are found too, so a pointer past the data falls back to them.
    assert set(found) <= set(everything)


def test_a_missing_member_falls_back_to_its_parent() -> None:
    text = '{\n  "a": {"b": 1}\n}'
    assert find(text, ["/a/zz"]) == {"": 0, "/a": 4}
