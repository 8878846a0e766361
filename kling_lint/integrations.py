"""Guards for HTTP clients: lint every request to a Kling endpoint before it is sent.

A request is a Kling request when its method and path match an endpoint of the register the
configuration uses (`POST /v1/videos/omni-video`, `GET /v1/videos/omni-video/{id}`, ...),
whatever the host, with the path read as servers read it and under any prefix a gateway
adds (`kling_lint.check.routes`). Its JSON body (or, for GET, its path id and query
parameters) is guarded, so that `PayloadBlocked` stops the request before it leaves; a body
that cannot be read (a stream, an unknown encoding, invalid JSON) is blocked too. Other
requests pass untouched, except those to a Kling API host (`api-singapore.klingai.com`,
`api-beijing.klingai.com` and their kin, and the gateway hosts a configuration names in
`kling-hosts`): a call there on a route the register does not cover cannot be checked, so
it is blocked by default (`unknown_routes="warn"` logs it and `"pass"` sends it).

    import httpx, kling_lint.integrations as ki
    client = httpx.Client(event_hooks={"request": [ki.httpx_hook()]})

    import requests, kling_lint.integrations as ki
    session = ki.guard_session(requests.Session())  # https:// and http:// alike

With `record=` (a log file, or a callable taking each record) every Kling call, sent or
blocked, is also appended to an exchange log (`kling_lint.evidence`), the raw material of
`kling-lint evidence review`:

    client = httpx.Client(event_hooks=ki.httpx_event_hooks(record="runs.jsonl"))
    ki.guard_session(session, record="runs.jsonl")

Neither library is a dependency of kling-lint: install `kling-lint[httpx]` or
`kling-lint[requests]`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from kling_lint.api import PayloadBlocked, _linter
from kling_lint.check.linter import Linter
from kling_lint.check.routes import is_kling_host, route_of, split_target
from kling_lint.check.rules import LOADER_CODES
from kling_lint.check.stamp import closed
from kling_lint.config import Config, checked_unknown_routes
from kling_lint.diagnostics import Severity
from kling_lint.evidence.log import Recorder, recorder
from kling_lint.register.model import Register

ConfigArg = Linter | Config | str | Path | None
RecordArg = str | Path | Recorder | None

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
    fields = register.endpoints[endpoint_id].fields
    params: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in params:
            problem = closed("KL002", f"query parameter {key!r} is sent twice", pointer="/" + key)
            raise PayloadBlocked(endpoint_id, (problem,))
        field = fields.get(key)
        # Query text is read as the number it spells unless the parameter is text (a comma
        # list of task ids is all digits, and still a string).
        params[key] = value if field is not None and "string" in field.type else _number(value)
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


_LOG = logging.getLogger("kling_lint")


def _log_findings(report: Any, endpoint_id: str) -> None:
    """What did not block a request (a warning, an info, an allowed finding) is logged, as
    HTTP libraries log what they do not raise: `logging.getLogger("kling_lint")`."""
    for d in report.diagnostics:
        level = logging.WARNING if d.severity is Severity.WARNING else logging.INFO
        note = " (allowed)" if d.suppressed else ""
        _LOG.log(level, "%s %s%s: %s", endpoint_id, d.code, note, d.message)


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
    problems = tuple(
        closed(LOADER_CODES[p.kind], p.message, pointer=p.pointer) for p in loaded.problems
    )
    if not problems:
        _log_findings(linter.guard(loaded.data, endpoint_id), endpoint_id)
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
    unknown_routes: str | None = None,
) -> None:
    """Raise PayloadBlocked if this request goes to a Kling endpoint with a blocked payload.

    Routes are those of the register the configuration uses. A body that cannot be read
    (a stream, an unknown encoding, invalid JSON) is blocked, not waved through. A request
    to a Kling API host on a route the register does not cover is blocked (KL004) unless
    `unknown_routes` (or the configuration's `unknown-routes`) says "warn" or "pass".
    """
    checked_unknown_routes(unknown_routes)
    try:
        linter = _linter(config)
    except Exception as exc:  # a config, register or plugin that cannot be loaded
        raise PayloadBlocked(None, (closed("KL007", f"cannot load the linter: {exc}"),)) from exc
    found = match(method, url, linter.register)
    if found is None:
        _uncovered(linter, method, url, unknown_routes)
        return
    endpoint_id, params = found
    if method.strip().upper() == "GET":
        _log_findings(linter.guard(params, endpoint_id), endpoint_id)
        return
    _check_body(linter, endpoint_id, _body_bytes(endpoint_id, body, content_encoding))


def _uncovered(linter: Linter, method: str, url: str, unknown_routes: str | None) -> None:
    """A request no register route fits: a Kling call (by its host) is blocked, logged or
    passed as configured; any other request is not Kling's and passes."""
    if not is_kling_host(url, linter.config.kling_hosts):
        return
    policy = unknown_routes or linter.config.unknown_routes
    if policy == "pass":
        return
    route = f"{method.strip().upper()} {split_target(url)[0] or '/'}"
    said = (
        f"{route} is a Kling API call on a route the register does not cover, so its "
        "payload cannot be checked; add the endpoint with a register overlay "
        "(`kling-lint registry scaffold`), or set unknown_routes to 'warn' or 'pass'"
    )
    if policy == "warn":
        _LOG.warning("%s", said)
        return
    raise PayloadBlocked(None, (closed("KL004", said),))


def _is_kling_call(linter: Linter, method: str, url: str) -> bool:
    """A route of the register, or any route on a Kling API host."""
    if route_of(linter.register, method, split_target(url)[0]) is not None:
        return True
    return is_kling_host(url, linter.config.kling_hosts)


def _parsed(body: Any, encoding: str | None) -> Any:
    """The JSON a body holds, for the log (None when there is none to read)."""
    import json

    try:
        raw = _body_bytes("", body, encoding)
        return json.loads(raw) if raw else None
    except Exception:
        return None


def _record(
    rec: Recorder,
    config: ConfigArg,
    request: tuple[str, str, Any, str | None],
    *,
    blocked: tuple[str, ...] = (),
    status: int | None = None,
    response: bytes | None = None,
) -> None:
    """Append a Kling call to the log; a log that cannot be written is a warning, never a
    failed call (the call has been made, and billed, by then)."""
    import warnings

    from kling_lint.evidence.record import exchange

    method, url, body, encoding = request
    try:
        linter = _linter(config)
        if not _is_kling_call(linter, method, url):
            return
        register = linter.register
        rec(
            exchange(
                register,
                method,
                url,
                _parsed(body, encoding),
                status=status,
                response=response,
                blocked=blocked,
            )
        )
    except Exception as exc:
        warnings.warn(f"kling-lint: the exchange was not recorded: {exc!r}", stacklevel=3)


def _guarded(
    rec: Recorder | None,
    config: ConfigArg,
    request: tuple[str, str, Any, str | None],
    unknown_routes: str | None,
) -> None:
    """Guard a request; a blocked one is recorded before PayloadBlocked leaves."""
    method, url, body, encoding = request
    try:
        check_request(
            method,
            url,
            body,
            config=config,
            content_encoding=encoding,
            unknown_routes=unknown_routes,
        )
    except PayloadBlocked as exc:
        if rec is not None:
            _record(rec, config, request, blocked=tuple(d.code for d in exc.diagnostics))
        raise


def _httpx_content(request: Any) -> Any:
    """httpx's body, or the stream object itself when it was not read (then it is blocked)."""
    try:
        return request.content
    except Exception:  # httpx.RequestNotRead: a streaming body
        return request.stream


def _httpx_request(request: Any) -> tuple[str, str, Any, str | None]:
    return (
        request.method,
        str(request.url),
        _httpx_content(request),
        request.headers.get("content-encoding"),
    )


def httpx_hook(
    *, config: ConfigArg = None, record: RecordArg = None, unknown_routes: str | None = None
) -> Callable[[Any], None]:
    """A request event hook for `httpx.Client(event_hooks={"request": [...]})`; with
    `record`, blocked calls are logged (`httpx_event_hooks` logs the answered ones too).
    `unknown_routes` ("block", "warn" or "pass") overrides the configuration's setting for
    Kling calls on routes the register does not cover."""
    checked_unknown_routes(unknown_routes)
    rec = recorder(record)

    def hook(request: Any) -> None:
        _guarded(rec, config, _httpx_request(request), unknown_routes)

    return hook


def httpx_async_hook(
    *, config: ConfigArg = None, record: RecordArg = None, unknown_routes: str | None = None
) -> Callable[[Any], Awaitable[None]]:
    """The same for `httpx.AsyncClient`, whose hooks are coroutines."""
    checked_unknown_routes(unknown_routes)
    rec = recorder(record)

    async def hook(request: Any) -> None:
        _guarded(rec, config, _httpx_request(request), unknown_routes)

    return hook


def _record_answer(rec: Recorder, config: ConfigArg, response: Any) -> None:
    """Log an httpx response (read already) with the request it answers."""
    call = _httpx_request(response.request)
    _record(rec, config, call, status=response.status_code, response=response.content)


def httpx_event_hooks(
    *, config: ConfigArg = None, record: RecordArg = None, unknown_routes: str | None = None
) -> dict[str, Any]:
    """`event_hooks` for `httpx.Client`: guard each request, and with `record` log every
    Kling call with its answer."""
    rec = recorder(record)
    guard = httpx_hook(config=config, record=rec, unknown_routes=unknown_routes)
    hooks: dict[str, Any] = {"request": [guard], "response": []}
    if rec is not None:

        def answered(response: Any) -> None:
            response.read()
            _record_answer(rec, config, response)

        hooks["response"].append(answered)
    return hooks


def httpx_async_event_hooks(
    *, config: ConfigArg = None, record: RecordArg = None, unknown_routes: str | None = None
) -> dict[str, Any]:
    """The same for `httpx.AsyncClient`."""
    rec = recorder(record)
    guard = httpx_async_hook(config=config, record=rec, unknown_routes=unknown_routes)
    hooks: dict[str, Any] = {"request": [guard], "response": []}
    if rec is not None:

        async def answered(response: Any) -> None:
            await response.aread()
            _record_answer(rec, config, response)

        hooks["response"].append(answered)
    return hooks


def _build_adapter() -> type:
    from requests.adapters import HTTPAdapter

    class GuardedAdapter(HTTPAdapter):
        """A `requests` transport adapter that guards Kling requests before sending.

        `session.mount("https://", GuardedAdapter())`; takes HTTPAdapter's arguments,
        `config=` (a Linter, a Config or a config file path), `record=` and
        `unknown_routes=`.
        """

        def __init__(
            self,
            *args: Any,
            config: ConfigArg = None,
            record: RecordArg = None,
            unknown_routes: str | None = None,
            **kwargs: Any,
        ) -> None:
            checked_unknown_routes(unknown_routes)
            super().__init__(*args, **kwargs)
            self.kling_config = config
            self.kling_record = recorder(record)
            self.kling_unknown_routes = unknown_routes

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            call = (
                request.method,
                request.url,
                request.body,
                request.headers.get("Content-Encoding"),
            )
            _guarded(self.kling_record, self.kling_config, call, self.kling_unknown_routes)
            response = super().send(request, *args, **kwargs)
            if self.kling_record is not None:
                # A streamed answer is left for the caller to read: only its status is kept.
                body = None if kwargs.get("stream") else response.content
                _record(
                    self.kling_record,
                    self.kling_config,
                    call,
                    status=response.status_code,
                    response=body,
                )
            return response

    return GuardedAdapter


def guard_session(
    session: Any,
    *,
    config: ConfigArg = None,
    record: RecordArg = None,
    unknown_routes: str | None = None,
    **adapter: Any,
) -> Any:
    """Guard a `requests.Session` for every scheme it sends Kling calls over (https and
    plain http, as a gateway or a local mock uses): one GuardedAdapter mounted on both.
    Returns the session. `adapter` takes HTTPAdapter's arguments."""
    guarded = __getattr__("GuardedAdapter")(
        config=config, record=record, unknown_routes=unknown_routes, **adapter
    )
    for scheme in ("https://", "http://"):
        session.mount(scheme, guarded)
    return session


def __getattr__(name: str) -> Any:
    # GuardedAdapter subclasses requests' HTTPAdapter; it is built on first use so that
    # importing this module does not import requests (an optional dependency).
    if name == "GuardedAdapter":
        adapter = _build_adapter()
        globals()[name] = adapter
        return adapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
