"""Guards for HTTP clients: lint every request to a Kling endpoint before it is sent.

A request is a Kling request when its method and path match an endpoint of the register the
configuration uses (`POST /v1/videos/omni-video`, `GET /v1/videos/omni-video/{id}`, ...),
whatever the host, with the path read as servers read it and under any prefix a gateway
adds (`kling_lint.check.routes`). Its JSON body (or, for GET, its path id and query
parameters) is guarded, so that `PayloadBlocked` stops the request before it leaves; a body
that cannot be read (a stream, an unknown encoding, invalid JSON) is blocked too. Other
requests pass untouched.

    import httpx, kling_lint.integrations as ki
    client = httpx.Client(event_hooks={"request": [ki.httpx_hook()]})

    import requests, kling_lint.integrations as ki
    session = requests.Session()
    session.mount("https://", ki.GuardedAdapter())

Neither library is a dependency of kling-lint: install `kling-lint[httpx]` or
`kling-lint[requests]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from kling_lint.api import PayloadBlocked, _linter
from kling_lint.check.linter import Linter
from kling_lint.check.routes import route_of, split_target
from kling_lint.check.stamp import closed
from kling_lint.config import Config
from kling_lint.register.model import Register

ConfigArg = Config | str | Path | None

# A request body larger than this (once decompressed) is blocked rather than read.
MAX_BODY_BYTES = 64 * 1024 * 1024


def match(
    method: str, url: str, register: Register | None = None
) -> tuple[str, dict[str, Any]] | None:
    """The endpoint id of a request and its path/query parameters, or None if not Kling's.

    Raises PayloadBlocked for a Kling request whose query names a parameter twice (servers
    differ on which value they read).
    """
    if register is None:
        from kling_lint.register import builtin_register

        register = builtin_register()
    path, query = split_target(url)
    found = route_of(register, method, path)
    if found is None:
        return None
    endpoint_id, path_params = found
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in params:
            problem = closed("KL002", f"query parameter {key!r} is sent twice", pointer="/" + key)
            raise PayloadBlocked(endpoint_id, (problem,))
        params[key] = _number(value)
    return endpoint_id, {**params, **path_params}


def _number(text: str) -> Any:
    return int(text) if text.isascii() and text.isdigit() else text


def _body_bytes(endpoint_id: str, body: Any, encoding: str | None) -> bytes:
    """The bytes the server will read, or PayloadBlocked when they cannot be known."""
    if body is None:
        raw = b""
    elif isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:  # a generator, a file, a stream: reading it here would send nothing after
        raise _unreadable(
            endpoint_id, f"a {type(body).__name__} body cannot be read before it is sent"
        )
    for coding in reversed([c.strip().lower() for c in (encoding or "").split(",") if c.strip()]):
        raw = _decoded(endpoint_id, raw, coding)
    if len(raw) > MAX_BODY_BYTES:
        raise _unreadable(endpoint_id, f"the body is larger than {MAX_BODY_BYTES} bytes")
    return raw


def _decoded(endpoint_id: str, raw: bytes, coding: str) -> bytes:
    import zlib

    if coding == "identity":
        return raw
    window = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
    if coding not in window:
        raise _unreadable(endpoint_id, f"the body is {coding}-encoded, which cannot be checked")
    inflater = zlib.decompressobj(window[coding])
    try:
        out = inflater.decompress(raw, MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise _unreadable(endpoint_id, f"the {coding} body cannot be decoded: {exc}") from None
    if len(out) > MAX_BODY_BYTES:
        raise _unreadable(endpoint_id, f"the body is larger than {MAX_BODY_BYTES} bytes")
    return out


def _unreadable(endpoint_id: str, why: str) -> PayloadBlocked:
    return PayloadBlocked(endpoint_id, (closed("KL001", f"request body not checked: {why}"),))


def _check_body(linter: Linter, endpoint_id: str, raw: bytes) -> None:
    """Read the body as the server will (duplicate keys and NaN included) and guard it."""
    from kling_lint.load import LoadFailure, parse_json

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(endpoint_id, f"not UTF-8 (byte {exc.start})") from None
    loaded = parse_json(text, "request body")
    if isinstance(loaded, LoadFailure):
        raise _unreadable(endpoint_id, loaded.problem.message)
    problems = tuple(closed(p.code, p.message, pointer=p.pointer) for p in loaded.problems)
    if not problems:
        linter.guard(loaded.data, endpoint_id)
        return
    try:
        report = linter.lint(loaded.data, endpoint_id)
        found = report.diagnostics
    except Exception:  # the load problems block already; the rest is a bonus
        found = ()
    raise PayloadBlocked(endpoint_id, (*problems, *found))


def check_request(
    method: str,
    url: str,
    body: Any,
    *,
    config: ConfigArg = None,
    content_encoding: str | None = None,
) -> None:
    """Raise PayloadBlocked if this request goes to a Kling endpoint with a blocked payload.

    Routes are those of the register the configuration uses. A body that cannot be read
    (a stream, an unknown encoding, invalid JSON) is blocked, not waved through.
    """
    try:
        linter = _linter(config)
    except Exception as exc:  # a config, register or plugin that cannot be loaded
        raise PayloadBlocked(None, (closed("KL007", f"cannot load the linter: {exc}"),)) from exc
    found = match(method, url, linter.register)
    if found is None:
        return
    endpoint_id, params = found
    if method.strip().upper() == "GET":
        linter.guard(params, endpoint_id)
        return
    _check_body(linter, endpoint_id, _body_bytes(endpoint_id, body, content_encoding))


def _httpx_content(request: Any) -> Any:
    """httpx's body, or the stream object itself when it was not read (then it is blocked)."""
    try:
        return request.content
    except Exception:  # httpx.RequestNotRead: a streaming body
        return request.stream


def _check_httpx(request: Any, config: ConfigArg) -> None:
    check_request(
        request.method,
        str(request.url),
        _httpx_content(request),
        config=config,
        content_encoding=request.headers.get("content-encoding"),
    )


def httpx_hook(*, config: ConfigArg = None) -> Callable[[Any], None]:
    """A request event hook for `httpx.Client(event_hooks={"request": [...]})`."""

    def hook(request: Any) -> None:
        _check_httpx(request, config)

    return hook


def httpx_async_hook(*, config: ConfigArg = None) -> Callable[[Any], Awaitable[None]]:
    """The same for `httpx.AsyncClient`, whose hooks are coroutines."""

    async def hook(request: Any) -> None:
        _check_httpx(request, config)

    return hook


def _build_adapter() -> type:
    from requests.adapters import HTTPAdapter

    class GuardedAdapter(HTTPAdapter):
        """A `requests` transport adapter that guards Kling requests before sending.

        `session.mount("https://", GuardedAdapter())`; takes HTTPAdapter's arguments and
        `config=` (a Config or a config file path).
        """

        def __init__(self, *args: Any, config: ConfigArg = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.kling_config = config

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            check_request(
                request.method,
                request.url,
                request.body,
                config=self.kling_config,
                content_encoding=request.headers.get("Content-Encoding"),
            )
            return super().send(request, *args, **kwargs)

    return GuardedAdapter


def __getattr__(name: str) -> Any:
    # GuardedAdapter subclasses requests' HTTPAdapter; it is built on first use so that
    # importing this module does not import requests (an optional dependency).
    if name == "GuardedAdapter":
        adapter = _build_adapter()
        globals()[name] = adapter
        return adapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
