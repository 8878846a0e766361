"""Prompt template tokens: <<<image_N>>>, <<<element_N>>>, <<<video_N>>>, <<<voice_N>>>."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import (
    items,
)
from kling_lint.diagnostics import Severity

TOKEN = re.compile(r"<<<(image|element|video|voice)_([1-9][0-9]*)>>>")
# Anything that looks like a token: 1 to 4 angle brackets around kind_N (or nothing).
NEAR_TOKEN = re.compile(r"<{1,4}\s*(?:(image|element|video|voice)\s*_?\s*([0-9]*))?\s*>{1,4}")
LISTS = {
    "image": "image_list",
    "element": "element_list",
    "video": "video_list",
    "voice": "voice_list",
}


def _prompts(payload: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The prompts that could hold a token (every token and near-token has a "<")."""
    prompt = payload.get("prompt")
    if isinstance(prompt, str) and "<" in prompt:
        yield ("prompt",), prompt
    if "multi_prompt" not in payload:
        return
    for i, shot in enumerate(items(payload, "multi_prompt")):
        if isinstance(shot, dict) and isinstance(shot.get("prompt"), str) and "<" in shot["prompt"]:
            yield ("multi_prompt", i, "prompt"), shot["prompt"]


def _names_the_subject(ctx: Context, parts: tuple[str | int, ...], token: str) -> bool:
    """Whether the register says this text's token names what the request works on (the
    field's `tokens`), not an item of a list."""
    path = ".".join(p if isinstance(p, str) else "[]" for p in parts).replace(".[]", "[]")
    field = ctx.endpoint.fields.get(path)
    return field is not None and token[3:-3] in field.tokens


@rule(
    "KL404",
    "malformed-template-token",
    Severity.ERROR,
    requires=("prompt",),
    any_of=("image_list", "element_list", "video_list", "voice_list"),
    triggers=("multi_prompt", "prompt"),
)
def malformed_template_token(ctx: Context) -> Iterator[Finding]:
    """Flags template tokens that are almost right, such as <<image_1>> or <<<image_1>>.

    ## Why is this bad?
    Only <<<image_N>>>, <<<element_N>>>, <<<video_N>>> and <<<voice_N>>> are tokens; a
    malformed one is sent as plain text and the reference is silently lost.

    ## Why not in the schema
    A rule, not a schema constraint: finding near-miss tokens inside free prompt text needs
    a scan no schema pattern can report usefully.

    ## Example
    ```
    {"prompt": "Make the person in <<image_1>> wave"}
    ```

    ## Use instead
    {"prompt": "Make the person in <<<image_1>>> wave"}
    """
    for parts, text in _prompts(ctx.payload):
        for match in NEAR_TOKEN.finditer(text):
            if not TOKEN.fullmatch(match.group(0)):
                kind, number = match.group(1), match.group(2)
                hint = f"; write <<<{kind}_{number}>>>" if kind and number else ""
                yield Finding(parts, f"malformed template token {match.group(0)!r}{hint}", None)


@rule(
    "KL405",
    "dangling-template-token",
    Severity.ERROR,
    requires=("prompt",),
    any_of=("image_list", "element_list", "video_list", "voice_list"),
    triggers=("multi_prompt", "prompt"),
)
def dangling_template_token(ctx: Context) -> Iterator[Finding]:
    """Flags a token that points past the end of its list, such as <<<image_2>>> with one
    image.

    ## Why is this bad?
    N is the 1-based position in the matching list; a token with no item refers to nothing.

    ## Why not in the schema
    A rule, not a schema constraint: the token's number is compared with the length of
    another list, which JSON Schema cannot do.

    ## Example
    ```
    {"prompt": "<<<image_2>>> waves", "image_list": [{"image_url": "https://e.com/a.png"}]}
    ```

    ## Use instead
    Point at an existing item, or add the missing one to the list.
    """
    for parts, text in _prompts(ctx.payload):
        for match in TOKEN.finditer(text):
            kind, number = match.group(1), int(match.group(2))
            name = LISTS[kind]
            if _names_the_subject(ctx, parts, match.group(0)):
                continue
            count = len(items(ctx.payload, name))
            if number > count:
                has = (
                    f"has {count} item{'s' if count != 1 else ''}"
                    if count
                    else "is absent or empty"
                )
                yield Finding(parts, f"{match.group(0)} points past {name}, which {has}", name)


@rule(
    "KL406",
    "voice-token-needs-voice",
    Severity.ERROR,
    requires=("prompt", "voice_list", "sound"),
    triggers=("multi_prompt", "prompt"),
    example_endpoint="text2video.create",
)
def voice_token_needs_voice(ctx: Context) -> Iterator[Finding]:
    """Flags a <<<voice_N>>> token in a request whose sound is not "on".

    ## Why is this bad?
    A voice reference in the prompt requires sound on; without it no voice is generated (a
    token past the end of voice_list is KL405).

    ## Why not in the schema
    A rule, not a schema constraint: it reads tokens inside prompt text (including each
    shot's) and compares them with another field.

    ## Example
    ```
    {"model_name": "kling-v2-6", "prompt": "<<<voice_1>>> says hello", "voice_list": [{"voice_id": "v1"}], "sound": "off"}
    ```

    ## Use instead
    Set "sound": "on".
    """
    # A missing or short voice_list is KL405's finding; this one is about sound only.
    voiced = [
        parts for parts, text in _prompts(ctx.payload) if TOKEN.search(text) and "<<<voice_" in text
    ]
    if voiced and ctx.payload.get("sound") != "on":
        yield Finding(voiced[0], 'a voice token needs "sound": "on"', "sound")


RULES = (
    malformed_template_token,
    dangling_template_token,
    voice_token_needs_voice,
)
