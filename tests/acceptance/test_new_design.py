"""The new design standard: model-in-path routes under any host or gateway prefix, their
queries, and the commands that show them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import kling_lint
import kling_lint.integrations as ki
from kling_lint.check.routes import route_of
from kling_lint.register import builtin_register

REGISTER = builtin_register()
# Every create route of the new design (coverage §1.5: four kinds, the models per kind).
NEW_ROUTES = {
    "/text-to-video/kling-3.0-turbo": "text-to-video-3-0-turbo.create",
    "/text-to-video/kling-3.0": "text-to-video-3-0.create",
    "/text-to-video/kling-2.6": "text-to-video-2-6.create",
    "/text-to-video/kling-2.5-turbo": "text-to-video-2-5-turbo.create",
    "/image-to-video/kling-3.0-turbo": "image-to-video-3-0-turbo.create",
    "/image-to-video/kling-3.0": "image-to-video-3-0.create",
    "/image-to-video/kling-2.6": "image-to-video-2-6.create",
    "/image-to-video/kling-2.5-turbo": "image-to-video-2-5-turbo.create",
    "/omni-video/kling-3.0-omni": "omni-video-3-0.create",
    "/omni-video/kling-o1": "omni-video-o1.create",
    "/motion-control/kling-3.0": "motion-control-3-0.create",
    "/motion-control/kling-2.6": "motion-control-2-6.create",
}
PREFIXES = ["", "/kling", "/gw/kling/api"]


@pytest.mark.parametrize("path", sorted(NEW_ROUTES))
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_new_route_selects_its_model_page(path: str, prefix: str) -> None:
    found = route_of(REGISTER, "POST", prefix + path)
    assert found is not None
    assert found[0] == NEW_ROUTES[path]


@pytest.mark.parametrize(
    ("method", "path", "endpoint"),
    [("GET", "/tasks", "tasks.get"), ("POST", "/tasks", "tasks.list")],
)
def test_the_task_queries_resolve(method: str, path: str, endpoint: str) -> None:
    found = route_of(REGISTER, method, "/gw" + path)
    assert found is not None
    assert found[0] == endpoint


def test_a_model_the_design_lacks_is_no_route() -> None:
    # kling-v3 is a legacy model name: the new design's path says kling-3.0.
    assert route_of(REGISTER, "POST", "/text-to-video/kling-v3") is None


def _guard(method: str, url: str, body: Any = None) -> list[str]:
    content = None if body is None else json.dumps(body)
    try:
        ki.httpx_hook()(httpx.Request(method, url, content=content))
    except kling_lint.PayloadBlocked as blocked:
        return sorted({d.code for d in blocked.diagnostics})
    return []


HOST = "https://api-singapore.klingai.com"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("task_ids=893605946402811985,893605946402811986", []),
        ("external_task_ids=123", []),  # all digits, and still a string
        ("task_ids=1&external_task_ids=2", ["KL360"]),
        ("task_ids=1,,2", ["KL206"]),
        ("", ["KL360"]),
    ],
)
def test_the_guard_reads_a_task_query_as_text(query: str, codes: list[str]) -> None:
    assert _guard("GET", f"{HOST}/tasks?{query}") == codes


def test_the_guard_blocks_a_legacy_body_on_a_new_route() -> None:
    legacy = {"model_name": "kling-v3", "prompt": "a cat", "mode": "pro", "duration": "5"}
    assert _guard("POST", f"{HOST}/text-to-video/kling-3.0", legacy) == ["KL112"]
    clean = {"prompt": "a cat", "settings": {"resolution": "1080p", "duration": 5}}
    assert _guard("POST", f"{HOST}/text-to-video/kling-3.0", clean) == []


def test_check_reads_a_new_route_as_the_endpoint(tmp_path: Path, run_cli: Any) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"prompt": "a cat", "settings": {"duration": 16}}))
    result = run_cli("check", "--isolated", "-e", "POST /text-to-video/kling-3.0", str(payload))
    assert result.exit_code == 1
    assert "KL202" in result.stdout
    payload.write_text(json.dumps({"prompt": "a cat", "settings": {"duration": 15}}))
    result = run_cli("check", "--isolated", "-e", "POST /text-to-video/kling-3.0", str(payload))
    assert result.exit_code == 0


def test_fields_show_the_item_types_and_the_dropped_fields(run_cli: Any) -> None:
    result = run_cli("fields", "--format", "json", "omni-video-3-0.create")
    assert result.exit_code == 0
    text = run_cli("fields", "omni-video-3-0.create").stdout
    assert "feature_video (url, id?)" in text
    assert "dropped legacy field: model_name" in text
    assert run_cli("explain", "KL416").exit_code == 0


def test_editor_schemas_cover_the_new_design(tmp_path: Path, run_cli: Any) -> None:
    assert run_cli("schemas", "export", str(tmp_path / "s")).exit_code == 0
    schema = json.loads((tmp_path / "s" / "omni-video-3-0.create.schema.json").read_text())
    items = schema["properties"]["contents"]["items"]
    kinds = {case["if"]["properties"]["type"]["const"] for case in items["allOf"]}
    assert "base_video" in kinds
