"""HTTP clients against a real server on loopback: blocked payloads never reach it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import requests

import kling_lint
import kling_lint.integrations as ki

from ..conftest import CLEAN_OMNI
from ..loopback import base_url, running

BLOCKED = {**CLEAN_OMNI, "mode": "standard"}


class _Server(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str, bytes]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append((self.command, self.path, self.rfile.read(length)))
        body = json.dumps({"code": 0, "message": "SUCCEED"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return


@pytest.fixture
def server() -> Iterator[_Server]:
    with running(_Server()) as srv:
        yield srv


def _base(srv: _Server) -> str:
    return base_url(srv)


def test_httpx_hook(server: _Server) -> None:
    base = _base(server)
    with httpx.Client(event_hooks={"request": [ki.httpx_hook()]}, timeout=5) as client:
        assert client.post(f"{base}/v1/videos/omni-video", json=CLEAN_OMNI).status_code == 200
        with pytest.raises(kling_lint.PayloadBlocked) as info:
            client.post(f"{base}/v1/videos/omni-video", json=BLOCKED)
        assert [d.code for d in info.value.diagnostics] == ["KL102"]
        assert client.post(f"{base}/elsewhere", json=BLOCKED).status_code == 200
        assert client.get(f"{base}/v1/videos/omni-video?pageNum=1&pageSize=30").status_code == 200
        with pytest.raises(kling_lint.PayloadBlocked):
            client.get(f"{base}/v1/videos/omni-video?pageNum=1&pageSize=5000")
    assert [(m, p) for m, p, _ in server.seen] == [
        ("POST", "/v1/videos/omni-video"),
        ("POST", "/elsewhere"),
        ("GET", "/v1/videos/omni-video?pageNum=1&pageSize=30"),
    ]
    assert json.loads(server.seen[1][2]) == BLOCKED  # non-Kling requests pass untouched


def test_httpx_async_hook(server: _Server) -> None:
    import asyncio

    async def run() -> None:
        base = _base(server)
        async with httpx.AsyncClient(
            event_hooks={"request": [ki.httpx_async_hook()]}, timeout=5
        ) as client:
            assert (
                await client.post(f"{base}/v1/videos/omni-video", json=CLEAN_OMNI)
            ).status_code == 200
            with pytest.raises(kling_lint.PayloadBlocked):
                await client.post(f"{base}/v1/videos/omni-video", json=BLOCKED)

    asyncio.run(run())
    assert len(server.seen) == 1


def test_requests_adapter(server: _Server) -> None:
    base = _base(server)
    with requests.Session() as session:
        session.mount("http://", ki.GuardedAdapter())
        assert (
            session.post(f"{base}/v1/videos/omni-video", json=CLEAN_OMNI, timeout=5).status_code
            == 200
        )
        with pytest.raises(kling_lint.PayloadBlocked):
            session.post(f"{base}/v1/videos/omni-video", json=BLOCKED, timeout=5)
        with pytest.raises(kling_lint.PayloadBlocked) as info:
            session.post(f"{base}/v1/audio/tts", data=b"not json", timeout=5)
        assert [d.code for d in info.value.diagnostics] == ["KL001"]
        assert session.post(f"{base}/other", data=b"not json", timeout=5).status_code == 200
    assert [p for _, p, _ in server.seen] == ["/v1/videos/omni-video", "/other"]


def test_route_matching() -> None:
    assert ki.match("POST", "https://api-singapore.klingai.com/v1/videos/omni-video") == (
        "omni-video.create",
        {},
    )
    assert ki.match("GET", "https://h/v1/videos/omni-video/8672837?x=1") == (
        "omni-video.get",
        {"id": "8672837", "x": 1},
    )
    assert ki.match("DELETE", "https://h/v1/videos/omni-video") is None
    assert ki.match("POST", "https://h/v1/videos/omni-video/extra") is None


def test_guard_session_guards_plain_http_too(server: _Server) -> None:
    # The recipe mounted the guard on https:// only, so a plain-HTTP gateway went unguarded.
    base = _base(server)
    assert base.startswith("http://")
    with ki.guard_session(requests.Session()) as session:
        assert session.get_adapter("https://api.example").__class__.__name__ == "GuardedAdapter"
        with pytest.raises(kling_lint.PayloadBlocked):
            session.post(f"{base}/kling/v1/videos/omni-video", json=BLOCKED, timeout=5)
        assert session.post(f"{base}/v1/videos/omni-video", json=CLEAN_OMNI, timeout=5).ok
    assert [p for _, p, _ in server.seen] == ["/v1/videos/omni-video"]


def test_what_does_not_block_a_request_is_logged(
    server: _Server, caplog: pytest.LogCaptureFixture
) -> None:
    base = _base(server)
    hooks = {"request": [ki.httpx_hook()]}
    with (
        caplog.at_level("INFO", logger="kling_lint"),
        httpx.Client(event_hooks=hooks, timeout=5) as client,
    ):
        client.get(f"{base}/v1/videos/omni-video?pageNum=1&page_size=30")
    assert server.seen  # sent: a warning does not block
    assert any("KL106" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
