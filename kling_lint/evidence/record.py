"""One API call as an exchange-log record: what was asked, what the API answered.

What is kept is what evidence needs and nothing a log must not hold:

- the request body as sent, with media (a Base64 string, a `data:` URI) replaced by its
  form, size, SHA-256 and what its header says (format, width, height), never the bytes;
- no header at all, and every query parameter or body member whose name says it is a
  credential (it contains `token`, `key`, `secret`, `auth`, `password`, `signature`, ...
  in any case and with any separator), in the URL and in every URL inside a body string,
  replaced by "REDACTED"; a URL's user and password, and its fragment's parameters,
  are dropped;
- from the response, the envelope (`code`, `message`, `request_id`) and what a task says
  about itself (`task_id`, `task_status`, `task_status_msg`, units deducted, and the money
  deducted as `final_balance_deduction` gives it), not the generated media URLs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kling_lint.check.routes import route_of, split_target
from kling_lint.register.model import Register

FORMAT = 1
REDACTED = "REDACTED"
# A string this long that is all Base64 is media, not text (ids and names are shorter).
_MEDIA_CHARS = 64
_BASE64 = re.compile(r"^[A-Za-z0-9+/\r\n]+={0,2}$")
# A name that contains one of these (any case, any separator) names a credential. Broad on
# purpose: a member redacted by mistake costs a line of evidence, a leaked one a key.
_SECRET_INSIDE = (
    "token", "secret", "passw", "pwd", "credential", "auth", "key", "sig", "session",
    "cookie", "bearer", "jwt",
)  # fmt: skip
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def is_secret(name: str) -> bool:
    """Whether a parameter or member name says its value is a credential: it contains
    token, secret, key, sig, auth, password, credential (...) in any case and with any
    separator (`X-Amz-Signature`, `accessToken`, `OSSAccessKeyId`, `client_secret`)."""
    lowered = name.lower()
    if lowered.startswith(("x-amz-", "x-goog-")):
        return True
    squeezed = "".join(c for c in lowered if c.isalnum())
    return any(part in squeezed for part in _SECRET_INSIDE)


def _redacted_url(url: str) -> str:
    """`url` without what can carry a credential: its user and password (`user:pw@`),
    the parameters of its fragment (`#access_token=...`), and the value of every query
    parameter whose name says it is one (a signed storage URL, say)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return REDACTED  # a URL this reader cannot take apart cannot be shown safely
    if "@" in parts.netloc:
        where = f"[{host}]" if host and ":" in host else (host or "")
        parts = parts._replace(netloc=where + (f":{port}" if port is not None else ""))
    if "=" in parts.fragment or "&" in parts.fragment:
        parts = parts._replace(fragment=REDACTED)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(is_secret(k) or _URL.search(v) for k, v in pairs):
            query = [(k, REDACTED if is_secret(k) else _redacted_text(v)) for k, v in pairs]
            parts = parts._replace(query=urlencode(query))
    return urlunsplit(parts)


def _redacted_text(text: str) -> str:
    """`text` with every URL in it redacted (a URL may sit anywhere in a string: after
    spaces, inside a prompt, as a query value of another URL)."""
    if "://" not in text:  # most strings: told apart here
        return text
    return _URL.sub(lambda m: _redacted_url(m.group(0)), text)


def media_header(data: bytes) -> dict[str, Any]:
    """What the first bytes of a media file say: format, and an image's pixel size."""
    from kling_lint.check.rules.media import image_header

    kind, width, height = image_header(data)
    if kind is None and data[4:8] == b"ftyp":
        kind = "mov" if data[8:10] == b"qt" else "mp4"
    elif kind is None and (data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3")):
        kind = "mp3"
    elif kind is None and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        kind = "wav"
    out: dict[str, Any] = {"format": kind}
    if width is not None and height is not None:
        out.update(width=width, height=height)
    return out


def media_summary(text: str) -> dict[str, Any] | None:
    """The `{"$media": ...}` stand-in for a media string, or None when it is not one."""
    import base64
    import binascii

    form = "base64"
    body = text
    if text[:5].lower() == "data:":
        _, comma, body = text.partition(",")
        if not comma:
            return None
        form = "data-uri"
    elif len(text) < _MEDIA_CHARS or not _BASE64.match(text[:4096]):
        return None
    try:
        data = base64.b64decode(body, validate=False)
    except (binascii.Error, ValueError):
        data = body.encode("utf-8", "replace")
    summary = {"form": form, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return {"$media": {**summary, **media_header(data[: 96 * 1024])}}


def _clean(value: Any, name: str | None = None) -> Any:
    """A body value as the log keeps it (see the module)."""
    if name is not None and is_secret(name):
        return REDACTED
    if isinstance(value, str):
        media = media_summary(value)
        if media is not None:
            return media
        return _redacted_text(value)
    if isinstance(value, dict):
        return {k: _clean(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": repr(value)}  # NaN or an infinity: not JSON, so not written raw
    return value


def _response(status: int | None, body: bytes | str | None) -> dict[str, Any] | None:
    if status is None:
        return None
    out: dict[str, Any] = {"http_status": status}
    try:
        document = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        return out
    for key in ("code", "message", "request_id"):
        if isinstance(document.get(key), int | str) and not isinstance(document.get(key), bool):
            out[key] = document[key]
    data = document.get("data")
    if isinstance(data, dict) and "id" in data and "task_id" not in data:
        out.update(_task(data))  # a create answer of the new design
    elif isinstance(data, dict) and not isinstance(data.get("result"), list):
        out.update(_legacy_task(data))
    # A /tasks answer of the new design: a list of tasks (GET), or `result` (POST, cursor).
    listed = data if isinstance(data, list) else (data or {}).get("result")
    if isinstance(listed, list):
        tasks = [_task(t) for t in listed[:MAX_TASKS] if isinstance(t, dict)]
        out["tasks"] = [t for t in tasks if t]
    return out


# Tasks kept from one /tasks answer (a cursor page holds at most 500).
MAX_TASKS = 500


def _text(value: Any) -> str | None:
    """A scalar the API may write as a number or as text, kept as text."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return str(value)
    return None


def _legacy_task(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("task_id", "task_status", "task_status_msg"):
        if isinstance(data.get(key), str):
            out[key] = data[key]
    units = _text(data.get("final_unit_deduction"))
    if units is not None:
        out["units"] = units
    balance = data.get("final_balance_deduction")
    if isinstance(balance, dict):
        kept = {k: _text(balance.get(k)) for k in ("quota", "list_price")}
        kept = {k: v for k, v in kept.items() if v is not None}
        if kept:
            out["balance"] = kept
    return out


_BILLING_KEYS = ("charge_type", "cash_type", "amount", "currency", "package_type", "list_price")


def _task(data: dict[str, Any]) -> dict[str, Any]:
    """A task of the new design (`id`, `status`, `message`, `outputs[]`, `billing[]`), in the
    log's words: what it is, how it ended, what it made (types and lengths, never the
    hotlinked URLs) and what it cost."""
    out: dict[str, Any] = {}
    for key, name in (("id", "task_id"), ("status", "task_status"), ("message", "task_status_msg")):
        if isinstance(data.get(key), str):
            out[name] = data[key]
    outputs = data.get("outputs")
    if isinstance(outputs, list):
        made = []
        for item in outputs[:100]:
            if isinstance(item, dict) and isinstance(item.get("type"), str):
                one = {"type": item["type"]}
                length = _text(item.get("duration"))
                if length is not None:
                    one["duration"] = length
                made.append(one)
        out["outputs"] = made
    billing = data.get("billing")
    if isinstance(billing, list):
        charges = []
        for entry in billing[:20]:
            if isinstance(entry, dict):
                kept = {k: _text(entry.get(k)) for k in _BILLING_KEYS}
                charges.append({k: v for k, v in kept.items() if v is not None})
        out["billing"] = charges
        units = [c["amount"] for c in charges if c.get("charge_type") == "unit" and "amount" in c]
        if len(units) == 1:
            out["units"] = units[0]
    return out


def exchange(
    register: Register,
    method: str,
    url: str,
    body: Any,
    *,
    status: int | None = None,
    response: bytes | str | None = None,
    blocked: tuple[str, ...] = (),
    when: _dt.datetime | None = None,
) -> dict[str, Any]:
    """The log record of one call. `body` is the parsed JSON body (None for none); a call
    kling-lint stopped has the codes that stopped it in `blocked` and no response."""
    path, query = split_target(url)
    found = route_of(register, method, path)
    moment = (when or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    record: dict[str, Any] = {
        "format": FORMAT,
        "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "endpoint": found[0] if found else None,
        "method": method.strip().upper(),
        "path": path,
        "query": {k: REDACTED if is_secret(k) else _redacted_text(v) for k, v in parse_qsl(query)},
        "body": _clean(body),
    }
    if blocked:
        record["blocked"] = list(blocked)
    answer = _response(status, response)
    if answer is not None:
        record["response"] = answer
    return record
