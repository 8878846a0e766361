"""The new design's prompt syntax: @name mentions of the request's items, and multi-shot
plans written into the prompt as "shot n, m, words;".

Which text takes which syntax is register data: a field's `mentions` names the item ids
its @names refer to, and its `shot_syntax` bounds a plan (most shots, most characters of
a shot's words).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import number
from kling_lint.check.values import values_at
from kling_lint.diagnostics import Severity
from kling_lint.register.model import Endpoint, Field, top_key

Parts = tuple[str | int, ...]
# An @name that starts a word: "x@gmail.com" holds none. Names are word characters (any
# script) and hyphens, as item ids are.
MENTION = re.compile(r"(?<![\w@.])@([\w-]+)")
# A shot plan opens with "shot 1," (any case, spaces allowed).
PLAN = re.compile(r"\s*shot\s*\d+\s*,", re.IGNORECASE)
SHOT = re.compile(r"\s*shot\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*,(.*)", re.IGNORECASE | re.DOTALL)


_READ = threading.local()


@kept_on()
def _texts_of(endpoint: Endpoint) -> tuple[tuple[Field, bool, bool], ...]:
    """The endpoint's prompt fields: each with whether it names items and whether it may
    hold a shot plan (read once per endpoint)."""
    return tuple(
        (f, bool(f.mentions), bool(f.shot_syntax))
        for f in endpoint.fields.values()
        if f.mentions or f.shot_syntax
    )


class _Read:
    """What the rules of this module read of one payload, read once: the texts that may
    name items and hold an "@", the texts that hold a shot plan, and item ids by path."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.mentions: list[tuple[Field, Parts, str]] = []
        self.plans: list[tuple[Field, Parts, str]] = []
        for field, mentions, shots in _texts_of(ctx.endpoint):
            for parts, text in _strings(ctx.payload, field.path):
                if mentions and "@" in text:
                    self.mentions.append((field, parts, text))
                if shots and PLAN.match(text):
                    self.plans.append((field, parts, text))
        self._ids: dict[str, list[tuple[Parts, str]]] = {}

    def ids(self, path: str) -> list[tuple[Parts, str]]:
        if path not in self._ids:
            self._ids[path] = [(p, v) for p, v in _strings(self.ctx.payload, path) if v]
        return self._ids[path]


def _strings(payload: Any, path: str) -> list[tuple[Parts, str]]:
    return [(p, v) for p, v in values_at(payload, path) if isinstance(v, str)]


def _read(ctx: Context) -> _Read:
    """The payload's reading, made by the first of this module's rules to run on it: they
    run one after the other on one Context, and each thread keeps its latest reading (with
    its Context, so that no other Context can take that identity)."""
    last: _Read | None = getattr(_READ, "last", None)
    if last is not None and last.ctx is ctx:
        return last
    read = _Read(ctx)
    _READ.last = read
    return read


@kept_on()
def _id_paths(endpoint: Endpoint) -> tuple[str, ...]:
    """Where the endpoint's item ids sit: what its texts name, and `contents[].id`."""
    named = {f.mentions for f, mentions, _ in _texts_of(endpoint) if f.mentions}
    return tuple(sorted(named | ({"contents[].id"} & set(endpoint.fields))))


def _anything_to_check(ctx: Context) -> bool:
    """Whether the payload gives these rules anything to read: a text that names an item
    (holds an "@"), a text with a shot plan, or two item ids that could clash. A plain
    prompt with one image, the common case, has none of these."""
    read = _read(ctx)
    if read.mentions or read.plans:
        return True
    return any(len(read.ids(path)) > 1 for path in _id_paths(ctx.endpoint))


def _keys_of(attribute: str) -> Callable[[Endpoint], frozenset[str]]:
    """The top-level keys of an endpoint's texts that carry `attribute` (none: the rule
    has nothing to read there, so it does not run)."""

    def keys(endpoint: Endpoint) -> frozenset[str]:
        return frozenset(top_key(f.path) for f, *_ in _texts_of(endpoint) if getattr(f, attribute))

    return keys


def _resolves(name: str, ids: set[str]) -> bool:
    """Whether @name names an id: exactly, or an id followed by text no id could go on
    with (a CJK sentence runs on without a space: "@Zhang走路")."""
    if name in ids:
        return True
    return any(
        name.startswith(i) and not re.match(r"[A-Za-z0-9_-]", name[len(i)]) for i in ids if i
    )


@rule(
    "KL416",
    "dangling-mention",
    Severity.ERROR,
    requires=("contents[].id",),
    keys=_keys_of("mentions"),
    when=_anything_to_check,
    example_endpoint="image-to-video-3-0.create",
)
def dangling_mention(ctx: Context) -> Iterator[Finding]:
    """Flags an @name in the prompt that names no item of the request, such as @image_2
    when no contents item has the id image_2.

    ## Why is this bad?
    In the new design the prompt names images, videos, elements and voices by the `id` of
    their contents item (@image_1, @video_1, @Zhang); a name without an item refers to
    nothing, and the reference is silently lost.

    ## Why not in the schema
    A rule, not a schema constraint: it reads names inside free prompt text and compares
    them with the ids of other items, which JSON Schema cannot do.

    ## Example
    ```
    {"contents": [{"type": "prompt", "text": "@cat jumps over @dog"}, {"type": "first_frame", "url": "https://e.com/a.png"}, {"type": "element", "element_id": "162", "id": "cat"}]}
    ```

    ## Use instead
    Name an item's id, or add the item: {"type": "element", "element_id": "163", "id": "dog"}.
    """
    read = _read(ctx)
    ids: set[str] | None = None
    for field, parts, text in read.mentions:
        assert field.mentions is not None
        if ids is None:
            ids = {v for _, v in read.ids(field.mentions)}
        for match in MENTION.finditer(text):
            name = match.group(1)
            if not _resolves(name, ids):
                known = ", ".join(sorted(ids)) or "none"
                message = f"@{name} names no item of the request (item ids: {known})"
                yield Finding(parts, message, field.mentions)


@rule(
    "KL417",
    "duplicate-content-id",
    Severity.ERROR,
    requires=("contents[].id",),
    triggers=("contents",),
    when=_anything_to_check,
    example_endpoint="omni-video-3-0.create",
)
def duplicate_content_id(ctx: Context) -> Iterator[Finding]:
    """Flags two contents items with the same id.

    ## Why is this bad?
    The id is how the prompt names an item; the pages say it must not repeat within a task,
    and with two items of one id the prompt cannot tell them apart.

    ## Why not in the schema
    A rule, not a schema constraint: JSON Schema's uniqueItems compares whole items, not
    one member of them.

    ## Example
    ```
    {"contents": [{"type": "refer_image", "url": "https://e.com/a.png", "id": "image_1"}, {"type": "refer_image", "url": "https://e.com/b.png", "id": "image_1"}]}
    ```

    ## Use instead
    Give each item its own id: "image_1", "image_2".
    """
    seen: dict[str, Parts] = {}
    for parts, value in _read(ctx).ids("contents[].id"):
        if value in seen:
            first = seen[value]
            message = f"id {value!r} is also the id of contents[{first[1]}]"
            yield Finding(parts, message, "contents[].id")
        else:
            seen[value] = parts


@rule(
    "KL418",
    "ambiguous-mention-names",
    Severity.WARNING,
    requires=("contents[].id",),
    keys=_keys_of("mentions"),
    when=_anything_to_check,
    example_endpoint="image-to-video-3-0.create",
)
def ambiguous_mention_names(ctx: Context) -> Iterator[Finding]:
    """Flags item ids a prompt's @names cannot tell apart: one id the start of another
    (Zhang and ZhangSan), or an @id the prompt also holds inside other text
    (gmail in "me@gmail.com").

    ## Why is this bad?
    The pages caution against both: the service reads @names out of free text, and may
    take @ZhangSan for @Zhang followed by "San", or an e-mail address for a reference.

    ## Why not in the schema
    A rule, not a schema constraint: it compares ids with each other and with prompt text.

    ## Example
    ```
    {"contents": [{"type": "prompt", "text": "@Zhang greets @ZhangSan"}, {"type": "first_frame", "url": "https://e.com/a.png"}, {"type": "element", "element_id": "162", "id": "Zhang"}, {"type": "element", "element_id": "163", "id": "ZhangSan"}]}
    ```

    ## Use instead
    Ids that share no start and appear nowhere else in the prompt: "zhang_wei", "li_na".
    """
    read = _read(ctx)
    named = [f.mentions for f, mentions, _ in _texts_of(ctx.endpoint) if mentions]
    ids = read.ids(named[0] or "") if named else []
    if not ids:
        return  # the common case: no item has an id to confuse
    texts = read.mentions
    names = sorted({v for _, v in ids})
    firsts = {value: parts for parts, value in reversed(ids)}  # a repeated id is KL417's
    for value, parts in sorted(firsts.items(), key=lambda kv: kv[1]):
        longer = [n for n in names if n != value and n.startswith(value)]
        if longer:
            message = (
                f"id {value!r} is the start of {longer[0]!r}: @{longer[0]} may be read as @{value}"
            )
            yield Finding(parts, message, "contents[].id")
            continue
        mention = "@" + value
        if any(mention in text and _inside(mention, text) for _, _, text in texts):
            message = f"@{value} also appears inside other text of the prompt"
            yield Finding(parts, message, "contents[].id")


def _inside(mention: str, text: str) -> bool:
    """Whether `mention` occurs right after a word, "@" or ".": inside other text."""
    return re.search(rf"[\w@.]{re.escape(mention)}", text) is not None


def _duration(ctx: Context) -> float | None:
    """settings.duration as sent or by default; None when a reference video decides it."""
    settings = ctx.payload.get("settings")
    sent = settings.get("duration") if isinstance(settings, dict) else None
    if sent is not None:
        return number(sent) if not isinstance(sent, str) else None
    video = {"feature_video", "base_video", "video"}
    if any(v in video for _, v in values_at(ctx.payload, "contents[].type")):
        return None
    field = ctx.endpoint.fields.get("settings.duration")
    return number(field.default) if field is not None and field.has_default else None


def _plan_problems(text: str, bounds: dict[str, int], total: float | None) -> Iterator[str]:
    if "；" in text and ";" not in text:
        yield "shots are separated by a half-width semicolon (;), not a full-width one (；)"
        return
    segments = [s for s in text.split(";") if s.strip()]
    shots: list[tuple[int, float, str]] = []
    for i, segment in enumerate(segments, 1):
        match = SHOT.fullmatch(segment)
        if match is None:
            yield f'part {i} of the shot plan is not "shot n, m, words": {segment.strip()[:40]!r}'
            return
        shots.append((int(match.group(1)), float(match.group(2)), match.group(3).strip()))
    most = bounds["max_shots"]
    if len(shots) > most:
        yield f"the plan has {len(shots)} shots; at most {most}"
    numbers = [n for n, _, _ in shots]
    if numbers != list(range(1, len(shots) + 1)):
        yield f"shots are numbered {', '.join(map(str, numbers))}; number them 1, 2, 3, ..."
    for n, seconds, words in shots:
        if seconds < 1:
            yield f"shot {n} lasts {seconds:g} s; each shot lasts at least 1 s"
        if len(words) > bounds["max_words"]:
            yield f"shot {n}'s words are {len(words)} characters; at most {bounds['max_words']}"
        if not words:
            yield f"shot {n} has no words"
    added = sum(s for _, s, _ in shots)
    if total is not None and added != total:
        yield f"the shots add up to {added:g} s, not the task's {total:g} s (settings.duration)"


@rule(
    "KL419",
    "shot-plan-in-prompt",
    Severity.ERROR,
    keys=_keys_of("shot_syntax"),
    when=_anything_to_check,
    example_endpoint="text-to-video-3-0.create",
)
def shot_plan_in_prompt(ctx: Context) -> Iterator[Finding]:
    """Flags a multi-shot plan written in the prompt ("shot n, m, words;") that breaks the
    syntax: more than 6 shots, shots not numbered 1, 2, 3, a shot under 1 s, words over
    512 characters, or durations that do not add up to settings.duration.

    ## Why is this bad?
    The new design has no multi_prompt field: Kling 3.0, 3.0 Turbo and 3.0 Omni read the
    shots out of the prompt. A plan the service cannot read becomes one long shot, or the
    request fails after it is queued.

    ## Why not in the schema
    A rule, not a schema constraint: it parses the plan inside free text and adds the
    shots' seconds up against another field.

    ## Example
    ```
    {"prompt": "shot 1, 2, a cat wakes up; shot 2, 2, the cat stretches;", "settings": {"duration": 5}}
    ```

    ## Use instead
    {"prompt": "shot 1, 2, a cat wakes up; shot 2, 3, the cat stretches;", "settings": {"duration": 5}}
    """
    total: float | None = None
    for n, (field, parts, text) in enumerate(_read(ctx).plans):
        if n == 0:
            total = _duration(ctx)  # read only when a plan is there
        assert field.shot_syntax is not None
        for problem in _plan_problems(text, field.shot_syntax, total):
            yield Finding(parts, problem, field.path)


@rule(
    "KL420",
    "shot-plan-single-shot",
    Severity.WARNING,
    requires=("settings.multi_shot",),
    triggers=("settings",),
    when=_anything_to_check,
    example_endpoint="text-to-video-3-0.create",
)
def shot_plan_single_shot(ctx: Context) -> Iterator[Finding]:
    """Flags a multi-shot plan in the prompt while settings.multi_shot is false.

    ## Why is this bad?
    The pages say that with multi_shot false a multi-shot prompt does not produce
    multi-shot output: the plan is read as plain text, and one shot is billed.

    ## Why not in the schema
    A rule, not a schema constraint: whether the prompt holds a plan is read from free text.

    ## Example
    ```
    {"prompt": "shot 1, 2, a cat wakes up; shot 2, 3, the cat stretches;", "settings": {"multi_shot": false}}
    ```

    ## Use instead
    Leave multi_shot out (it defaults to true), or write a single-shot prompt.
    """
    settings = ctx.payload.get("settings")
    if not isinstance(settings, dict) or settings.get("multi_shot") is not False:
        return
    for _, parts, _ in _read(ctx).plans:
        yield Finding(
            parts,
            "the prompt holds a shot plan, but settings.multi_shot is false",
            "settings.multi_shot",
        )
        return


RULES = (
    dangling_mention,
    duplicate_content_id,
    ambiguous_mention_names,
    shot_plan_in_prompt,
    shot_plan_single_shot,
)
