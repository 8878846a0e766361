"""`kling-lint registry scaffold`: an endpoint the register lacks, as an overlay skeleton
read from the calls a team logged; and the loop it closes with the HTTP guards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kling_lint
import kling_lint.integrations as ki
from kling_lint.config import Config
from kling_lint.register import load_register
from kling_lint.register.scaffold import ScaffoldError, endpoint_id, parse_route

ROUTE = "POST /v1/videos/commerce"
BODY = {
    "script": "Hi",
    "duration": 10,
    "products": [{"image_url": "https://e.com/a.png", "name": "mug", "price": 9.5}],
    "voice": {"id": "v1", "speed": 1},
    "odd key": 1,
    "nothing": None,
}


def _log(path: Path, *records: dict[str, Any]) -> Path:
    lines = []
    for record in records:
        base = {"format": 1, "time": "2026-12-01T10:00:00.000Z", "endpoint": None, "query": {}}
        lines.append(json.dumps({**base, **record}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _call(body: Any, path: str = "/v1/videos/commerce", method: str = "POST") -> dict[str, Any]:
    return {"method": method, "path": path, "body": body, "response": {"http_status": 200}}


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("POST /v1/videos/commerce", "videos-commerce.create"),
        ("post /V1/Videos/Commerce/", "videos-commerce.create"),
        ("GET /v1/videos/commerce/{id}", "videos-commerce.get"),
        ("GET /v1/videos/commerce", "videos-commerce.list"),
        ("POST /account/gift_cards", "account-gift-cards.create"),
        (
            "POST https://api-singapore.klingai.com/v1/e-commerce/goods-studio",
            "e-commerce-goods-studio.create",
        ),
    ],
)
def test_ids_are_made_as_the_registers_are(route: str, expected: str) -> None:
    assert endpoint_id(parse_route(route)) == expected


@pytest.mark.parametrize("bad", ["PUT /x", "POST", "", "POST /", "/v1/videos/x"])
def test_a_route_that_is_not_one_is_refused(bad: str) -> None:
    with pytest.raises(ScaffoldError):
        parse_route(bad)


def test_fields_and_types_come_from_the_logged_calls(tmp_path: Path, run_cli: Any) -> None:
    log = _log(
        tmp_path / "runs.jsonl",
        _call(BODY),
        _call({"script": 3}, path="/gateway/v1/videos/commerce"),  # under a gateway prefix
        _call({"other": 1}, path="/v1/videos/elsewhere"),  # another route: not read
    )
    result = run_cli(
        "registry", "scaffold", ROUTE, "-o", str(tmp_path / "team"), "--from-log", str(log)
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "team" / "endpoints" / "videos-commerce.create.yaml"
    from ruamel.yaml import YAML

    document = YAML(typ="safe").load(written.read_text(encoding="utf-8"))
    fields = document["fields"]
    assert {k: v["type"] for k, v in fields.items()} == {
        "script": ["integer", "string"],
        "duration": "integer",
        "products": "array",
        "products[].image_url": "string",
        "products[].name": "string",
        "products[].price": "number",
        "voice": "object",
        "voice.id": "string",
        "voice.speed": "integer",
    }
    assert all(v["status"] == ["hypothesis-only"] for v in fields.values())
    assert document["status"] == ["hypothesis-only"]
    assert document["billable"] is True


def test_the_skeleton_is_checked_at_once_and_listed(tmp_path: Path, run_cli: Any) -> None:
    log = _log(tmp_path / "runs.jsonl", _call(BODY))
    team = tmp_path / "team"
    assert (
        run_cli("registry", "scaffold", ROUTE, "-o", str(team), "--from-log", str(log)).exit_code
        == 0
    )
    register = load_register(None, [team])
    report = kling_lint.Linter(register).lint({"script": "Hi"}, "videos-commerce.create")
    assert [d.code for d in report.diagnostics] == ["KL104"]
    listed = json.loads(run_cli("endpoints", "--format", "json", "--overlay", str(team)).stdout)
    assert [(r["id"], r["from"]) for r in listed if r["from"]] == [
        ("videos-commerce.create", "team")
    ]


def test_a_get_route_takes_its_path_parameter_and_query(tmp_path: Path, run_cli: Any) -> None:
    log = _log(
        tmp_path / "runs.jsonl",
        {"method": "GET", "path": "/v1/videos/commerce/abc", "query": {"lang": "en"}, "body": None},
    )
    route = "GET /v1/videos/commerce/{task_id}"
    result = run_cli(
        "registry", "scaffold", route, "-o", str(tmp_path / "t"), "--from-log", str(log)
    )
    assert result.exit_code == 0, result.output
    register = load_register(None, [tmp_path / "t"])
    fields = register.endpoints["videos-commerce.get"].fields
    assert (fields["task_id"].location, fields["lang"].location) == ("path", "query")


def test_nothing_a_user_wrote_is_replaced(tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / "team" / "endpoints" / "videos-commerce.create.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# mine\n", encoding="utf-8")
    result = run_cli("registry", "scaffold", ROUTE, "-o", str(tmp_path / "team"))
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_a_route_the_register_covers_is_refused(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("registry", "scaffold", "POST /v1/images/generations", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert not (tmp_path / "endpoints").exists()


def test_unreadable_log_lines_are_reported_and_the_rest_is_read(
    tmp_path: Path, run_cli: Any
) -> None:
    log = tmp_path / "runs.jsonl"
    _log(log, _call(BODY))
    log.write_text(log.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    result = run_cli(
        "registry", "scaffold", ROUTE, "-o", str(tmp_path / "t"), "--from-log", str(log)
    )
    assert result.exit_code == 2
    assert (tmp_path / "t" / "endpoints" / "videos-commerce.create.yaml").exists()


def test_the_loop_blocked_then_recorded_then_scaffolded_then_checked(
    tmp_path: Path, run_cli: Any
) -> None:
    url = "https://api-singapore.klingai.com/v1/videos/commerce"
    runs = tmp_path / "runs.jsonl"
    hook = ki.httpx_hook(record=runs)

    class Request:  # what the hook reads of an httpx request
        method = "POST"

        def __init__(self) -> None:
            self.url = url
            self.headers: dict[str, str] = {}
            self.content = json.dumps(BODY).encode()

    with pytest.raises(kling_lint.PayloadBlocked) as first:
        hook(Request())
    assert [d.code for d in first.value.diagnostics] == ["KL004"]
    team = tmp_path / "team"
    result = run_cli("registry", "scaffold", ROUTE, "-o", str(team), "--from-log", str(runs))
    assert result.exit_code == 0, result.output
    with pytest.raises(kling_lint.PayloadBlocked) as then:
        ki.check_request("POST", url, json.dumps(BODY), config=Config(overlays=(team,)))
    # Checked now: hypothesis-only fields, and unknown ones (a null says no type; a name with a
    # space no register path can hold), not an unknown route.
    assert {d.code for d in then.value.diagnostics} == {"KL104", "KL106"}
