"""Bounds on what one payload file may cost: `[tool.kling-lint.limits]`.

Hostile or broken input (a huge file, an alias bomb, deep nesting, an integer of thousands
of digits) becomes a located KL001 finding for that file, in bounded time and memory, and
the run goes on. The defaults are far above any real Kling request.
"""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    # Largest payload file read, in bytes (an image sent as Base64 is at most ~14 MB).
    file_bytes: int = 32 * 1024 * 1024
    # Deepest nesting of objects and arrays (Kling payloads nest four or five levels).
    depth: int = 64
    # Most nodes a YAML document may expand to, aliases included (an alias bomb expands
    # exponentially from a few lines).
    yaml_nodes: int = 100_000
    # Longest integer, in digits (Kling ids have at most 19).
    integer_digits: int = 100

    def hit(self, name: str, detail: str) -> str:
        """The message for a file that went past one bound, naming the setting."""
        key = name.replace("_", "-")
        return f"{detail}: past the limit of {getattr(self, name)} (limits.{key})"


DEFAULT_LIMITS = Limits()
KEYS = tuple(name.replace("_", "-") for name in Limits._fields)
