"""Guards for HTTP clients: lint every request to a Kling endpoint before it is sent.

A request is a Kling request when its method and path match an endpoint of the register
(`POST /v1/videos/omni-video`, `GET /v1/videos/omni-video/{id}`, ...), whatever the host.
Its JSON body (or, for GET, its path id and query parameters) goes through `kling_lint.guard`,
which raises `PayloadBlocked` so the request never leaves. Other requests pass untouched.

    import httpx, kling_lint.integrations as ki
    client = httpx.Client(event_hooks={"request": [ki.httpx_hook()]})

    import requests, kling_lint.integrations as ki
    session = requests.Session()
    session.mount("https://", ki.GuardedAdapter())

Neither library is a dependency of kling-lint: install `kling-lint[httpx]` or
`kling-lint[requests]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kling_lint.api import PayloadBlocked, guard
from kling_lint.check.stamp import closed
from kling_lint.config import Config
from kling_lint.register import builtin_register

ConfigArg = Config | str | Path | None


@cache
def _routes() -> tuple[tuple[str, re.Pattern[str], str, str | None], ...]:
    """(method, path pattern, endpoint id, name of the path parameter) per endpoint."""
    out = []
    for endpoint in builtin_register().endpoints.values():
        parts, param = [], None
        for segment in endpoint.path.split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                param = segment[1:-1]
                parts.append("([^/]+)")
            else:
                parts.append(re.escape(segment))
        out.append((endpoint.method, re.compile("^" + "/".join(parts) + "/?$"), endpoint.id, param))
    return tuple(out)


def match(method: str, url: str) -> tuple[str, dict[str, Any]] | None:
    """The endpoint id of a request and its path/query parameters, or None if not Kling's."""
    parts = urlsplit(url)
    for verb, pattern, endpoint_id, param in _routes():
        found = pattern.match(parts.path)
        if verb == method.upper() and found:
            params: dict[str, Any] = {k: _number(v) for k, v in parse_qsl(parts.query)}
            if param and found.groups():
                params[param] = found.group(1)
            return endpoint_id, params
    return None


def _number(text: str) -> Any:
    return int(text) if text.isdigit() else text


def check_request(
    method: str, url: str, body: bytes | str | None, *, config: ConfigArg = None
) -> None:
    """Raise PayloadBlocked if this request goes to a Kling endpoint with a blocked payload."""
    found = match(method, url)
    if found is None:
        return
    endpoint_id, params = found
    if method.upper() == "GET":
        guard(params, endpoint_id, config=config)
        return
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        message = f"request body is not JSON: {exc}"
        problem = closed("KL001", message)
        raise PayloadBlocked(endpoint_id, (problem,)) from None
    guard(payload, endpoint_id, config=config)


def httpx_hook(*, config: ConfigArg = None) -> Callable[[Any], None]:
    """A request event hook for `httpx.Client(event_hooks={"request": [...]})`."""

    def hook(request: Any) -> None:
        check_request(request.method, str(request.url), request.content, config=config)

    return hook


def httpx_async_hook(*, config: ConfigArg = None) -> Callable[[Any], Awaitable[None]]:
    """The same for `httpx.AsyncClient`, whose hooks are coroutines."""

    async def hook(request: Any) -> None:
        check_request(request.method, str(request.url), request.content, config=config)

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
            check_request(request.method, request.url, request.body, config=self.kling_config)
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
