"""RFC 6901 JSON pointers and their mapping to register paths (`image_list[].image_url`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(parts: Iterable[str | int]) -> str:
    return "".join("/" + escape(str(p)) for p in parts)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value a pointer designates; raises KeyError or IndexError when it does not resolve."""
    node = document
    for token in split(pointer):
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise KeyError(token)
    return node


def register_path(parts: Iterable[str | int]) -> str:
    """The register notation for a location: list indexes become `[]`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += "[]"
        else:
            out += ("." if out else "") + part
    return out


def normalise_path(path: str) -> str:
    """`image_list[]` and `image_list` name the same field (the array itself)."""
    path = path.strip()
    while path.endswith("[]"):
        path = path[:-2]
    return path
