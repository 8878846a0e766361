"""Which endpoint a request goes to, with its path read the way servers read it.

A guard that matches paths literally lets through what a server routes anyway:
`//v1/videos/omni-video`, `/v1//videos/omni-video/`, `/v1/videos/omni-video;x=1`,
`/V1/Videos/Omni-Video`, `/v1/videos/%6Fmni-video`, `/v1/./videos/omni-video`, and
gateways that mount the API under a prefix (`/kling/v1/videos/omni-video`). Paths are
normalised before matching, and a path whose tail is a Kling route is a Kling request: when
in doubt, the request is linted.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

from kling_lint.check.memo import kept_on

if TYPE_CHECKING:
    from kling_lint.register.model import Register

# Percent-decoding is repeated this many times at most: a server decodes once, but a proxy
# in front of it may decode again, so `%256F` is read as `o` too.
_DECODE_ROUNDS = 3


# A route as text: "POST /v1/videos/omni-video" (the path may be a full URL).
ROUTE_TEXT = re.compile(r"^\s*(GET|POST)\s+(\S+)\s*$", re.IGNORECASE)

# The documented API hosts and their kin (`api-singapore`, `api-beijing`, and the old
# `api.klingai.com`): a request to one of them is a Kling call whatever its route.
KLING_HOSTS = ("api.klingai.com", "api-*.klingai.com")


def host_of(target: str) -> str | None:
    """The host a request goes to, lower-case and without a trailing dot, or None for a
    bare path (or a URL no reader can take apart)."""
    if target.startswith("/"):
        return None
    try:
        host = urlsplit(target).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def is_kling_host(target: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether a request goes to a Kling API host: a documented one, or one of `extra`
    (glob patterns a team's configuration adds for its gateway), compared in any case."""
    host = host_of(target)
    if host is None:
        return False
    return any(fnmatchcase(host, pattern.lower().rstrip(".")) for pattern in (*KLING_HOSTS, *extra))


def split_target(target: str) -> tuple[str, str]:
    """Path and query of a request target: a full URL, or a path (which may start with
    `//`, where a URL parser would take the first segment for a host)."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
        return path.partition("#")[0], query.partition("#")[0]
    parts = urlsplit(target)
    return parts.path, parts.query


class Route(NamedTuple):
    method: str
    segments: tuple[str | None, ...]  # None where the path takes a parameter
    endpoint_id: str
    param: str | None


def segments(path: str) -> tuple[str, ...]:
    """The path's segments as a server routes them: decoded, without empty segments,
    `;parameters` or dot segments (case is kept for parameters; routes compare lower-case)."""
    for _ in range(_DECODE_ROUNDS):
        decoded = unquote(path, errors="replace")
        if decoded == path:
            break
        path = decoded
    out: list[str] = []
    for raw in path.replace("\\", "/").split("/"):
        segment = raw.split(";", 1)[0].strip()
        if segment in ("", "."):
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    return tuple(out)


@kept_on()
def table(register: Register) -> tuple[Route, ...]:
    """Every endpoint's route, longest first (so that the most specific tail wins)."""
    routes = []
    for endpoint in register.endpoints.values():
        parts: list[str | None] = []
        param = None
        for segment in endpoint.path.split("/"):
            if not segment:
                continue
            if segment.startswith("{") and segment.endswith("}"):
                param = segment[1:-1]
                parts.append(None)
            else:
                parts.append(segment.lower())
        routes.append(Route(endpoint.method.upper(), tuple(parts), endpoint.id, param))
    return tuple(sorted(routes, key=lambda r: (-len(r.segments), r.endpoint_id)))


def _fits(route: Route, tail: tuple[str, ...]) -> bool:
    return all(
        want is None or want == got.lower() for want, got in zip(route.segments, tail, strict=True)
    )


def route_of(register: Register, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The endpoint a request goes to and its path parameter, or None if no route fits.

    An exact route wins; otherwise the longest route that is the path's tail (an API
    mounted under a gateway's prefix).
    """
    verb = method.strip().upper()
    parts = segments(path)
    exact = tail = None
    for route in table(register):
        size = len(route.segments)
        if route.method != verb or size > len(parts):
            continue
        if size == len(parts) and _fits(route, parts):
            exact = route
            break
        if tail is None and _fits(route, parts[len(parts) - size :]):
            tail = route
    found = exact or tail
    if found is None:
        return None
    params = {}
    if found.param is not None:
        at = found.segments.index(None) - len(found.segments)
        params[found.param] = parts[at]
    return found.endpoint_id, params
