"""Answers remembered on the object they are about, so that they live as long as it does.

A module-level cache keyed by a Register or an Endpoint keeps every register it ever saw
alive: a service that builds a Linter per request config would grow without bound. An
answer kept in the object's own `__dict__` goes with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

_R = TypeVar("_R")


def kept_on(
    most: int = 1024, *, typed: bool = False
) -> Callable[[Callable[..., _R]], Callable[..., _R]]:
    """Remember `func(obj, *args)` on `obj`: an `lru_cache` of `most` answers per object,
    made on its first question and kept in its `__dict__`. `typed`: 1, 1.0 and True are
    different questions."""

    def decorate(func: Callable[..., _R]) -> Callable[..., _R]:
        slot = f"_kept_{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def remembered(obj: Any, *args: Any) -> _R:
            try:
                answers = obj.__dict__[slot]
            except KeyError:
                made = functools.lru_cache(most, typed=typed)(functools.partial(func, obj))
                answers = obj.__dict__.setdefault(slot, made)
            return answers(*args)  # type: ignore[no-any-return]

        def size(obj: Any) -> int:
            """How many answers `obj` holds (tests hold the bound to it)."""
            answers = obj.__dict__.get(slot)
            return 0 if answers is None else int(answers.cache_info().currsize)

        remembered.size = size  # type: ignore[attr-defined]
        return remembered

    return decorate
