"""Kling calls on routes the register does not cover: blocked, logged or passed as set,
through both HTTP clients, and kept by `record=` and `evidence import` so the loop can
learn them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

import kling_lint
import kling_lint.integrations as ki
from kling_lint.check.routes import is_kling_host
from kling_lint.config import Config
from kling_lint.evidence import log as exchange_log

from ..conftest import CLEAN_OMNI
from ..loopback import base_url, running
from .test_integrations import _Server

# A route no register endpoint has (and none is documented).
UNCOVERED = "/v1/videos/not-in-the-register"
BODY = {"prompt": "a cat", "made_up": True}
GATEWAY = Config(kling_hosts=("127.0.0.1",))


@pytest.fixture
def server() -> Iterator[_Server]:
    with running(_Server()) as srv:
        yield srv


@pytest.mark.parametrize(
    ("url", "extra", "kling"),
    [
        ("https://api-singapore.klingai.com/v1/x", (), True),
        ("https://api-beijing.klingai.com/v1/x", (), True),
        ("https://API.KlingAI.com./v1/x", (), True),
        ("https://api.klingai.com:443/v1/x", (), True),
        ("https://user:pw@api-singapore.klingai.com/v1/x", (), True),
        ("https://klingai.com/v1/x", (), False),
        ("https://api-singapore.klingai.com.evil.example/v1/x", (), False),
        ("https://evil.example/api-singapore.klingai.com/v1/x", (), False),
        ("https://example.com/v1/x", (), False),
        ("/v1/x", (), False),
        ("https://kling.gw.corp/v1/x", ("*.gw.corp",), True),
        ("https://KLING.GW.CORP/v1/x", ("kling.gw.corp",), True),
        ("https://other.corp/v1/x", ("*.gw.corp",), False),
        ("http://[::1", (), False),
    ],
)
def test_kling_hosts(url: str, extra: tuple[str, ...], kling: bool) -> None:
    assert is_kling_host(url, extra) is kling


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
def test_a_kling_host_on_an_uncovered_route_is_blocked_by_default(method: str) -> None:
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        ki.check_request(method, "https://api-singapore.klingai.com" + UNCOVERED, b"{}")
    assert [d.code for d in info.value.diagnostics] == ["KL004"]
    assert info.value.endpoint is None


def test_other_hosts_on_uncovered_routes_are_not_kling_calls() -> None:
    ki.check_request("POST", "https://example.com" + UNCOVERED, json.dumps(BODY))
    ki.check_request("POST", UNCOVERED, json.dumps(BODY))


def test_covered_routes_are_linted_as_before_on_a_kling_host() -> None:
    url = "https://api-singapore.klingai.com/v1/videos/omni-video"
    ki.check_request("POST", url, json.dumps(CLEAN_OMNI))
    with pytest.raises(kling_lint.PayloadBlocked):
        ki.check_request("POST", url, json.dumps({**CLEAN_OMNI, "x": 1}), unknown_routes="pass")


def test_warn_logs_and_pass_sends(caplog: pytest.LogCaptureFixture) -> None:
    url = "https://api-beijing.klingai.com" + UNCOVERED
    with caplog.at_level(logging.INFO, logger="kling_lint"):
        ki.check_request("POST", url, b"{}", unknown_routes="warn")
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kling_lint"):
        ki.check_request("POST", url, b"{}", unknown_routes="pass")
    assert caplog.records == []


def test_the_configuration_sets_the_default_and_the_argument_overrides_it() -> None:
    url = "https://api-singapore.klingai.com" + UNCOVERED
    passing = Config(unknown_routes="pass")
    ki.check_request("POST", url, b"{}", config=passing)
    with pytest.raises(kling_lint.PayloadBlocked):
        ki.check_request("POST", url, b"{}", config=passing, unknown_routes="block")


@pytest.mark.parametrize("bad", ["Block", "allow", "", "off"])
def test_a_misspelt_setting_is_refused_where_it_is_written(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown_routes"):
        ki.httpx_hook(unknown_routes=bad)
    with pytest.raises(ValueError, match="unknown_routes"):
        ki.guard_session(requests.Session(), unknown_routes=bad)
    with pytest.raises(ValueError, match="unknown_routes"):
        Config(unknown_routes=bad)


def test_a_config_file_names_gateway_hosts_and_the_setting(tmp_path: Path) -> None:
    config = tmp_path / ".kling-lint.toml"
    config.write_text('kling-hosts = ["kling.gw.corp"]\nunknown-routes = "warn"\n')
    loaded = kling_lint.load_config(config)
    assert loaded.kling_hosts == ("kling.gw.corp",)
    assert loaded.unknown_routes == "warn"
    config.write_text('unknown-routes = "sometimes"\n')
    with pytest.raises(kling_lint.ConfigError):
        kling_lint.load_config(config)


def _httpx_post(base: str, path: str, **hooks: Any) -> int:
    with httpx.Client(event_hooks=ki.httpx_event_hooks(config=GATEWAY, **hooks), timeout=5) as c:
        return c.post(base + path, json=BODY).status_code


def _requests_post(base: str, path: str, **hooks: Any) -> int:
    with ki.guard_session(requests.Session(), config=GATEWAY, **hooks) as session:
        return session.post(base + path, json=BODY, timeout=5).status_code


CLIENTS = {"httpx": _httpx_post, "requests": _requests_post}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_both_clients_block_warn_or_pass(client: str, server: _Server) -> None:
    post = CLIENTS[client]
    base = base_url(server)
    with pytest.raises(kling_lint.PayloadBlocked):
        post(base, UNCOVERED)
    with pytest.raises(kling_lint.PayloadBlocked):
        post(base, "/gateway/prefix" + UNCOVERED.upper())
    assert server.seen == []
    assert post(base, UNCOVERED, unknown_routes="warn") == 200
    assert post(base, UNCOVERED, unknown_routes="pass") == 200
    assert [p for _, p, _ in server.seen] == [UNCOVERED, UNCOVERED]


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_record_keeps_uncovered_kling_calls_with_their_route(
    client: str, server: _Server, tmp_path: Path
) -> None:
    post = CLIENTS[client]
    base = base_url(server)
    runs = tmp_path / "runs.jsonl"
    with pytest.raises(kling_lint.PayloadBlocked):
        post(base, UNCOVERED, record=runs)
    assert post(base, UNCOVERED + "?x=1", record=runs, unknown_routes="pass") == 200
    records = [r for _, r in exchange_log.read(runs)]
    assert [(r["endpoint"], r["method"], r["path"]) for r in records] == [
        (None, "POST", UNCOVERED),
        (None, "POST", UNCOVERED),
    ]
    assert records[0]["blocked"] == ["KL004"]
    assert records[1]["response"]["http_status"] == 200
    assert records[1]["body"] == BODY


def test_evidence_import_keeps_uncovered_kling_calls_of_a_har(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kling_lint.cli import main

    def entry(url: str) -> dict[str, Any]:
        return {
            "startedDateTime": "2026-12-01T10:00:00.000Z",
            "request": {
                "method": "POST",
                "url": url,
                "postData": {"mimeType": "application/json", "text": json.dumps(BODY)},
            },
            "response": {"status": 200, "content": {"text": '{"code": 0}'}},
        }

    har = tmp_path / "calls.har"
    har.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        entry("https://api-singapore.klingai.com" + UNCOVERED),
                        entry("https://example.com" + UNCOVERED),
                        entry("https://kling.gw.corp" + UNCOVERED),
                    ]
                }
            }
        )
    )
    out = tmp_path / "runs.jsonl"
    result = CliRunner().invoke(
        main, ["evidence", "import", str(har), "-o", str(out), "--kling-host", "kling.gw.corp"]
    )
    assert result.exit_code == 0, result.output
    records = [r for _, r in exchange_log.read(out)]
    assert [(r["endpoint"], r["path"]) for r in records] == [(None, UNCOVERED), (None, UNCOVERED)]


@pytest.mark.parametrize(
    "name",
    [
        "POST /v1/videos/not-in-the-register",
        "POST /v1/images/omni-imagex",  # one letter from a billable route
        "https://api-singapore.klingai.com/v1/videos/omni-vide",
    ],
)
def test_the_cli_says_a_route_is_not_covered_and_guesses_no_other(
    name: str, tmp_path: Path, run_cli: Any
) -> None:
    from kling_lint.register import builtin_register

    ids = list(builtin_register().endpoints)
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"endpoint": name, "body": {"prompt": "a cat"}}))
    result = run_cli("check", "--isolated", "--format", "json", str(payload))
    (diag,) = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert diag["code"] == "KL004"
    assert not [i for i in ids if i in diag["message"]]  # no other billable endpoint offered
    flag = run_cli("check", "--isolated", "-e", name, str(payload))
    assert flag.exit_code == 2
    assert not [i for i in ids if i in flag.output]
