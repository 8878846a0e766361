"""HAR 1.2 files (browser dev tools, mitmproxy, Playwright) read as exchange records.

Only the members HAR 1.2 names are read: `log.entries[]` with `startedDateTime`,
`request.method`, `request.url`, `request.postData.text`, `response.status` and
`response.content.text` (Base64 when `content.encoding` says so). An entry is kept when its
route is a register endpoint's or its host a Kling API host (so that a call on a route the
register does not cover yet is kept, with its route, for the register to learn); the
others are not Kling calls and are skipped; headers (and so credentials) are never read.
A file that is not HAR, or an entry without what an exchange needs, is a located problem.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kling_lint.check.routes import is_kling_host, route_of, split_target
from kling_lint.evidence.log import LogProblem
from kling_lint.evidence.record import exchange
from kling_lint.register.model import Register


def is_har(path: str | Path) -> bool:
    """Whether a file is HAR by its name or its first bytes (`{"log": ...`)."""
    if str(path).lower().endswith(".har"):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and b'"log"' in head


def _when(text: Any) -> _dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _body(request: dict[str, Any]) -> tuple[Any, str | None]:
    """The JSON a request sent, or why it cannot be read."""
    post = request.get("postData")
    if post is None:
        return None, None
    text = post.get("text") if isinstance(post, dict) else None
    if not isinstance(text, str):
        return None, "postData has no text"
    if not text.strip():
        return None, None
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, f"postData.text is not JSON: {exc}"
    except RecursionError:
        return None, "postData.text is nested too deeply to read"


def _answer(response: Any) -> tuple[int | None, bytes | None]:
    status = response.get("status") if isinstance(response, dict) else None
    if not isinstance(status, int) or isinstance(status, bool):
        return None, None
    if status <= 0:  # HAR's "no response" (a blocked or failed request)
        return None, None
    content = response.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("text"), str):
        return status, None
    text = content["text"]
    if content.get("encoding") == "base64":
        import base64
        import binascii

        try:
            return status, base64.b64decode(text)
        except (binascii.Error, ValueError):
            return status, None
    return status, text.encode("utf-8")


def read(
    path: str | Path, register: Register, hosts: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, Any] | LogProblem]]:
    """(entry number, exchange) for the Kling calls of a HAR file, in its order, and a
    located problem for what is unusable. `hosts` adds gateway hosts to the Kling ones."""
    shown = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        yield 1, LogProblem(shown, 1, f"not a HAR file: {exc}")
        return
    except RecursionError:
        yield 1, LogProblem(shown, 1, "not a HAR file: nested too deeply to read")
        return
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        yield 1, LogProblem(shown, 1, "not a HAR file: no log.entries array (HAR 1.2)")
        return
    for number, entry in enumerate(entries, start=1):
        where = f"log.entries[{number - 1}]"
        try:
            found = _entry(where, entry, register, hosts)
        except (ValueError, TypeError, RecursionError) as exc:
            # One entry no reader can take (a malformed URL, a body too deep to copy) is
            # reported at its place; the others are read.
            found = f"{where}: cannot be read: {type(exc).__name__}: {str(exc)[:200]}"
        if isinstance(found, str):
            yield number, LogProblem(shown, number, found)
        elif found is not None:
            yield number, found


def _entry(
    where: str, entry: Any, register: Register, hosts: tuple[str, ...]
) -> dict[str, Any] | str | None:
    """The exchange of one HAR entry, why it is unusable, or None for no Kling call."""
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return f"{where}: no request"
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str):
        return f"{where}: no request.method and request.url"
    if route_of(register, method, split_target(url)[0]) is None and not is_kling_host(url, hosts):
        return None  # not a Kling call
    body, why = _body(request)
    if why is not None:
        return f"{where}: {why}"
    status, answer = _answer(entry.get("response"))
    return exchange(
        register,
        method,
        url,
        body,
        status=status,
        response=answer,
        when=_when(entry.get("startedDateTime")),
    )
