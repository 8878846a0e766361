"""Whatever a lenient server would route to a Kling endpoint is linted first.

The server here routes the way permissive frameworks and gateways do: it decodes the path
once, drops `;parameters`, empty and dot segments, ignores case, and accepts any prefix
before a route. Every request sent carries a blocked payload, so the property is simple: the
server never receives a request it routes to a Kling endpoint.
"""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kling_lint
import kling_lint.integrations as ki
from kling_lint.register import builtin_register

from ..conftest import CLEAN_OMNI, REGISTRY
from ..loopback import base_url, running

BLOCKED = {**CLEAN_OMNI, "mode": "standard"}
# The POST routes on which the test body is blocked: a free query that takes no required
# field (POST /tasks) only warns about unknown fields, and may reach the server linted.
ROUTES = sorted(
    (e.method, e.path, e.id)
    for e in builtin_register().endpoints.values()
    if e.method == "POST" and kling_lint.lint(BLOCKED, e.id).blocked
)


def _pattern(path: str) -> re.Pattern[str]:
    body = re.sub(r"\\\{[^/]+\\\}", "[^/]+", re.escape(path.lower().lstrip("/")))
    return re.compile(f"(^|/){body}$")


PATTERNS = [(method, _pattern(path), eid) for method, path, eid in ROUTES]


def test_the_test_body_is_blocked_on_every_billable_route() -> None:
    billable = {e.id for e in builtin_register().endpoints.values() if e.billable}
    assert billable <= {eid for _, _, eid in ROUTES}


def server_route(method: str, target: str) -> str | None:
    """The endpoint a lenient server would dispatch this request to."""
    path = unquote(target.split("?", 1)[0])
    path = "/".join(segment.split(";", 1)[0] for segment in path.split("/"))
    path = posixpath.normpath("/" + path).lower().rstrip("/")
    for verb, pattern, endpoint_id in PATTERNS:
        if verb == method.upper() and pattern.search(path):
            return endpoint_id
    return None


class _Server(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routed: list[tuple[str, str]] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/go?to="):  # a redirect that keeps method and body
            self.send_response(307)
            self.send_header("Location", unquote(self.path[len("/go?to=") :]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        endpoint = server_route(self.command, self.path)
        if endpoint is not None:
            self.server.routed.append((endpoint, self.path))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    with running(_Server()) as srv:
        yield srv


def _base(srv: _Server) -> str:
    return base_url(srv)


def _encode(char: str, rounds: int) -> str:
    out = char
    for _ in range(rounds):
        out = "".join(f"%{b:02X}" for b in out.encode())
    return out


@st.composite
def path_variants(draw: st.DrawFn, path: str) -> str:
    out = []
    if draw(st.booleans()):
        out += draw(st.lists(st.sampled_from(["kling", "gw", "api", "proxy"]), max_size=2))
    for segment in path.strip("/").split("/"):
        chars = []
        for char in segment:
            how = draw(st.sampled_from(["keep", "keep", "upper", "encode", "encode-twice"]))
            if how == "upper":
                char = char.upper()
            elif how == "encode":
                char = _encode(char, 1)
            elif how == "encode-twice":
                char = _encode(char, 2)
            chars.append(char)
        text = "".join(chars)
        if draw(st.booleans()):
            text += ";x=1"
        out += draw(st.sampled_from([[text], ["", text], [".", text], ["zz", "..", text]]))
    trailing = draw(st.sampled_from(["", "/", "//"]))
    return "/" + "/".join(out) + trailing


ENCODINGS = ["plain", "gzip", "duplicate-key", "text"]


def _body(kind: str) -> tuple[bytes, dict[str, str]]:
    if kind == "gzip":
        return gzip.compress(json.dumps(BLOCKED).encode()), {"Content-Encoding": "gzip"}
    if kind == "duplicate-key":
        clean = json.dumps(CLEAN_OMNI)[:-1]
        return (clean + ', "mode": "standard"}').encode(), {}
    if kind == "text":
        return json.dumps(BLOCKED).encode(), {"Content-Type": "text/plain"}
    return json.dumps(BLOCKED).encode(), {}


def _send(client: str, url: str, body: bytes, headers: dict[str, str]) -> None:
    if client == "httpx":
        with httpx.Client(event_hooks={"request": [ki.httpx_hook()]}, timeout=5) as session:
            session.post(url, content=body, headers=headers)
    else:
        with requests.Session() as rsession:
            rsession.mount("http://", ki.GuardedAdapter())
            rsession.post(url, data=body, headers=headers, timeout=5)


@pytest.mark.parametrize("client", ["httpx", "requests"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(data=st.data())
def test_nothing_the_server_routes_to_kling_arrives_unlinted(
    client: str, server: _Server, data: st.DataObject
) -> None:
    _, path, _ = data.draw(st.sampled_from(ROUTES))
    variant = data.draw(path_variants(path))
    body, headers = _body(data.draw(st.sampled_from(ENCODINGS)))
    before = len(server.routed)
    try:
        _send(client, _base(server) + variant, body, headers)
    except kling_lint.PayloadBlocked:
        return
    assert server.routed[before:] == [], f"{variant} reached the server unlinted"


# The literal cases the property generalises, each through both clients.
PATHS = [
    "//v1/videos/omni-video",
    "/v1//videos/omni-video",
    "/v1/videos/omni-video//",
    "/v1/videos/omni-video;x=1",
    "/V1/VIDEOS/OMNI-VIDEO",
    "/v1/videos/%6Fmni-video",
    "/v1/videos/./omni-video",
    "/kling/v1/videos/omni-video",
]


@pytest.mark.parametrize("client", ["httpx", "requests"])
@pytest.mark.parametrize("path", PATHS)
def test_path_variants_are_linted(client: str, path: str, server: _Server) -> None:
    assert server_route("POST", path) == "omni-video.create"
    with pytest.raises(kling_lint.PayloadBlocked):
        _send(client, _base(server) + path, json.dumps(BLOCKED).encode(), {})


@pytest.mark.parametrize("client", ["httpx", "requests"])
@pytest.mark.parametrize("kind", ENCODINGS)
def test_body_encodings_are_linted(client: str, kind: str, server: _Server) -> None:
    body, headers = _body(kind)
    with pytest.raises(kling_lint.PayloadBlocked):
        _send(client, _base(server) + "/v1/videos/omni-video", body, headers)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Encoding": "br"}, b"\x00\x01"),
        ({"Content-Encoding": "gzip"}, b"not gzip at all"),
        ({}, b"\xff\xfe not utf-8"),
        ({}, b'{"prompt": '),
    ],
    ids=["unknown encoding", "bad gzip", "not UTF-8", "not JSON"],
)
def test_a_body_that_cannot_be_read_is_blocked(
    headers: dict[str, str], body: bytes, server: _Server
) -> None:
    for client in ("httpx", "requests"):
        with pytest.raises(kling_lint.PayloadBlocked) as blocked:
            _send(client, _base(server) + "/v1/videos/omni-video", body, headers)
        assert [d.code for d in blocked.value.diagnostics] == ["KL001"]


def test_streamed_bodies_are_blocked(server: _Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield json.dumps(CLEAN_OMNI).encode()

    url = _base(server) + "/v1/videos/omni-video"
    with (
        httpx.Client(event_hooks={"request": [ki.httpx_hook()]}, timeout=5) as client,
        pytest.raises(kling_lint.PayloadBlocked),
    ):
        client.post(url, content=chunks())
    with requests.Session() as session:
        session.mount("http://", ki.GuardedAdapter())
        with pytest.raises(kling_lint.PayloadBlocked):
            session.post(url, data=chunks(), timeout=5)


def test_a_query_parameter_given_twice_is_blocked() -> None:
    with pytest.raises(kling_lint.PayloadBlocked) as blocked:
        ki.check_request("GET", "http://h/v1/videos/omni-video?pageSize=5000&pageSize=30", None)
    assert [d.code for d in blocked.value.diagnostics] == ["KL002"]
    ki.check_request("GET", "http://h/v1/videos/omni-video?pageNum=1&pageSize=30", None)


def test_routes_come_from_the_configured_register(tmp_path: Path) -> None:
    """A team whose register mounts Omni elsewhere is guarded on that path."""
    register = tmp_path / "register"
    shutil.copytree(REGISTRY, register)
    source = register / "endpoints" / "omni-video.create.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "path: /v1/videos/omni-video\n", "path: /team/omni\n", 1
        ),
        encoding="utf-8",
    )
    config = tmp_path / ".kling-lint.toml"
    config.write_text(f"register = {json.dumps(str(register))}\n")
    body = json.dumps(BLOCKED).encode()
    with pytest.raises(kling_lint.PayloadBlocked):
        ki.check_request("POST", "http://h/team/omni", body, config=config)
    ki.check_request("POST", "http://h/team/omni", body)  # not a route of the built-in one


@pytest.mark.parametrize("kind", ENCODINGS)
def test_a_redirected_request_is_linted_again(kind: str, server: _Server) -> None:
    body, headers = _body(kind)
    url = _base(server) + "/go?to=%2Fv1%2Fvideos%2Fomni-video"
    assert server_route("POST", "/go?to=%2Fv1%2Fvideos%2Fomni-video") is None
    before = len(server.routed)
    with (
        httpx.Client(
            event_hooks={"request": [ki.httpx_hook()]}, timeout=5, follow_redirects=True
        ) as client,
        pytest.raises(kling_lint.PayloadBlocked),
    ):
        client.post(url, content=body, headers=headers)
    with requests.Session() as session:
        session.mount("http://", ki.GuardedAdapter())
        with pytest.raises(kling_lint.PayloadBlocked):
            session.post(url, data=body, headers=headers, timeout=5)
    assert server.routed[before:] == []
