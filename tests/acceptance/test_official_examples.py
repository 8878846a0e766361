"""The request examples of the official docs (fact sheet §11), verbatim in tests/official/.

Good examples pass; the known-bad ones are blocked for the reason the fact sheet states.
One example the fact sheet does not mark breaks a documented limit (E01, a 514-character
shot prompt against 512); the register records that as a conflict and enforces the limit.
Examples that are invalid JSON as printed are blocked as such (KL001), and their repaired
form (placeholders filled, comment and trailing comma removed) is checked too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import kling_lint
from kling_lint.diagnostics import Severity
from kling_lint.run import Options, execute

OFFICIAL = Path(__file__).parent.parent / "official"
OMNI, T2V, I2V = "omni-video.create", "text2video.create", "image2video.create"
ELEMENTS = "elements.create"

# example: (endpoint, error codes as printed). KL414: the docs print placeholders such as
# "xxx" where a media URL goes, and a placeholder is neither a URL nor Base64.
EXPECTED: dict[str, tuple[str, set[str]]] = {
    "E01": (OMNI, {"KL203", "KL414"}),  # a 514-character shot prompt (512 allowed); "xx" media
    "E02": (OMNI, set()),
    "E03": (T2V, set()),
    "E04": (I2V, {"KL201", "KL414"}),  # multi_shot is the string "true"; "xxx" media
    "E05": (I2V, {"KL001"}),  # invalid JSON as printed
    "E06": (ELEMENTS, {"KL001"}),
    "E07": (ELEMENTS, {"KL001"}),
    "E08": (OMNI, set()),
    "E09": (OMNI, {"KL001"}),
    "E10": (OMNI, {"KL414"}),
    "E11": (OMNI, {"KL001"}),
    "E12": (OMNI, {"KL414"}),
    "E13": (OMNI, {"KL414"}),
    # 7 s on kling-video-o1 text-to-video: the 2026-09 capability map allows 5 or 10 only
    # (KL334, conflict X20); before it, C11's 3-10 s reading let it pass.
    "E14": (OMNI, {"KL334"}),
    "E15": (T2V, set()),
    "E16": (I2V, set()),
    "E17": (I2V, {"KL001"}),  # the // comment
    "E18": ("text-to-audio.create", set()),
    "E19": ("video-to-audio.create", set()),
    "E20": ("tts.create", set()),
    "E21": ("custom-voices.create", set()),
    "E22": ("custom-voices.delete", set()),
    "E23": (I2V, {"KL102"}),  # kling-v1: discontinued (live, 2026-09-20)
    "E24": (T2V, set()),
    "E25": (ELEMENTS, {"KL414"}),
    # The 2026-09 image pages (KD).
    "E26": ("image-generation.create", set()),
    "E27": ("omni-image.create", set()),  # <<<object_1>>> (X7); a 2^53+ id only warns
    # The Omni-Image page's invocation example posts Omni-Image fields (kling-v3-omni,
    # image_list, result_type) to the generation route, with <<image_1>> tokens (X7).
    "E28": ("image-generation.create", {"KL106", "KL107", "KL404"}),
    "E29": ("multi-image2image.create", {"KL104"}),  # negative_prompt: in the example only (X7)
    "E30": ("image-expand.create", set()),  # (1 + 0.299) x (1 + 1.3094) = 2.9999 <= 3
    "E31": ("ai-multi-shot.create", set()),
    # The 2026-09 video pages (KD): lip-sync, avatar, multi-elements' session and create.
    "E32": ("advanced-lip-sync.create", set()),
    "E33": ("avatar.create", set()),
    "E34": ("multi-elements-selection.init", set()),  # video_id "" counts as not sent
    "E35": ("multi-elements-selection.add", set()),
    "E36": ("multi-elements.create", set()),  # removal with an empty image_list
    "E37": ("video-effects.create", set()),  # single-image scenes
    "E38": ("video-effects.create", set()),
    "E39": ("video-effects.create", set()),  # a dual-image scene
    "E40": ("identify-face.create", set()),  # video_id "" counts as not sent
    "E41": ("image-recognize.create", set()),
    "E42": ("billing-balance.list", set()),  # an empty values list; cursor "" is no cursor
    # The new design's pages (KD 2026-09): 3.0 Omni, 3.0 image-to-video, /tasks.
    "E43": ("omni-video-3-0.create", set()),  # no aspect_ratio: only a warning (X21)
    "E44": ("omni-video-3-0.create", set()),
    "E45": ("omni-video-3-0.create", set()),  # frames with multi-shot (allowed since 05/07)
    "E46": ("omni-video-3-0.create", set()),  # 4k with a feature video (X11)
    "E47": ("omni-video-3-0.create", set()),
    "E48": ("image-to-video-3-0.create", set()),
    "E49": ("image-to-video-3-0.create", set()),
    "E50": ("tasks.list", set()),  # times as strings (X25)
    "E51": ("tasks.get", set()),  # the query string ?external_task_ids=123
}

# Invalid-JSON examples once repaired: the rule breaks the fact sheet names, or none.
REPAIRED: dict[str, set[str]] = {
    "E05": {"KL308", "KL405"},  # element_list with voice_list; <<<image_1>>> with no image list
    "E06": set(),  # a voice bound to an image element: allowed since 03/23/2026 (KL314 warns)
    "E07": set(),
    "E09": set(),
    "E11": set(),
    "E17": set(),
    "E28": {"KL106", "KL107", "KL404"},
}


def _errors(diagnostics: Any) -> set[str]:
    return {d.code for d in diagnostics if d.counts and d.severity is Severity.ERROR}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_as_printed(name: str) -> None:
    endpoint, expected = EXPECTED[name]
    result = execute(
        Options(paths=(str(OFFICIAL / f"{name}.json"),), endpoint=endpoint, isolated=True)
    )
    (file,) = result.files
    assert _errors(file.diagnostics) == expected


def _fill(key: str, value: Any) -> Any:
    """Stand-ins for the docs' placeholders, by what the field holds."""
    if isinstance(value, dict):
        return {k: _fill(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(key, v) for v in value]
    if not isinstance(value, str) or not re.fullmatch(r"x+|Replace the .*", value):
        return value
    if key == "tag_id":
        return "o_102"
    if key.endswith(("url", "image", "image_tail", "mask")):
        return "https://cdn.example.com/media/placeholder"
    return "example"


def repair(text: str) -> Any:
    text = re.sub(r"\s//[^\n]*", "", text)  # a trailing line comment
    text = re.sub(r":\s*long\b", ': "829836802793406551"', text)  # the docs' type placeholder
    text = re.sub(r",(\s*[}\]])", r"\1", text)  # trailing commas
    return _fill("", json.loads(text))


def test_a_voice_on_an_image_element_is_a_warning_now() -> None:
    payload = repair((OFFICIAL / "E06.json").read_text(encoding="utf-8"))
    found = kling_lint.lint(payload, EXPECTED["E06"][0]).diagnostics
    assert [(d.code, d.severity) for d in found if d.code == "KL314"] == [
        ("KL314", Severity.WARNING)
    ]


@pytest.mark.parametrize("name", sorted(REPAIRED))
def test_repaired_example(name: str) -> None:
    endpoint, _ = EXPECTED[name]
    payload = repair((OFFICIAL / f"{name}.json").read_text(encoding="utf-8"))
    assert _errors(kling_lint.lint(payload, endpoint).diagnostics) == REPAIRED[name]


def test_every_example_is_covered() -> None:
    assert {p.stem for p in OFFICIAL.glob("*.json")} == set(EXPECTED)
