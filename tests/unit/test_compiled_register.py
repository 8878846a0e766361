"""The shipped register is read lazily: its head and index at once, each endpoint when a
run uses it; what is read equals the register compiled from the YAML."""

from __future__ import annotations

import orjson

from kling_lint._resources import schemas_dir
from kling_lint.register import (
    COMPILED_FILE,
    Register,
    _split_compiled,
    builtin_register,
    compile_directory,
)
from kling_lint.register.compile import dumps, dumps_compiled
from kling_lint.register.model import EndpointLines

from ..conftest import REGISTRY


def _shipped() -> bytes:
    return (schemas_dir() / COMPILED_FILE).read_bytes()


def test_only_the_endpoints_a_run_uses_are_parsed() -> None:
    head, lines = _split_compiled(_shipped()) or ({}, None)
    assert isinstance(lines, EndpointLines)
    register = Register.from_compiled(head, lines)
    assert register.endpoints.shapes  # the index answers without parsing an endpoint
    assert register.endpoints.declared_rules
    assert lines._parsed == {}
    assert register.endpoints["omni-video.create"].path == "/v1/videos/omni-video"
    assert list(lines._parsed) == ["omni-video.create"]


def test_the_lazy_register_equals_the_compiled_yaml() -> None:
    compiled = compile_directory(REGISTRY)
    lazy = builtin_register()
    whole = Register.from_compiled(compiled)
    assert lazy.digest == whole.digest
    assert list(lazy.endpoints) == list(whole.endpoints)
    assert lazy.endpoints.shapes == whole.endpoints.shapes
    assert [(r.endpoint, r.code) for r in lazy.endpoints.declared_rules] == [
        (r.endpoint, r.code) for r in whole.endpoints.declared_rules
    ]
    by_id = {e["id"]: e for e in compiled["endpoints"]}
    for endpoint_id in whole.endpoints:
        assert lazy.endpoints._raw[endpoint_id] == by_id[endpoint_id]


def test_another_layout_is_read_whole() -> None:
    compiled = compile_directory(REGISTRY)
    assert _split_compiled(dumps(compiled).encode()) is None  # indented, as by hand
    text = dumps_compiled(compiled).encode()
    assert _split_compiled(text) is not None
    lines = text.split(b"\n")
    reordered = b"\n".join([*lines[:2], lines[3], lines[2], *lines[4:]])
    assert _split_compiled(reordered) is None  # a line that is not the endpoint its place names
    assert _split_compiled(text[:-5]) is None  # cut short
    assert orjson.loads(text)["endpoints"] == sorted(compiled["endpoints"], key=lambda e: e["id"])
