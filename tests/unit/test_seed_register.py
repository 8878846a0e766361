"""Every fact of the user's field-status register (captured 2026-03-29), as a table.

Rows are written from `kling-field-status-register.md`, cluster by cluster, so the register
YAML and that document cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kling_lint.register import builtin_register
from kling_lint.register.model import Endpoint, Field

D, L, R, H = "doc-derived", "live-confirmed", "live-rejected", "hypothesis-only"
OMNI = "omni-video.create"

# (cluster, endpoint, field path, expected field status, qualifiers that must be present)
FIELDS = [
    ("A", OMNI, "model_name", {D, L}, ()),
    ("A", OMNI, "prompt", {D, L}, ()),
    ("A", OMNI, "duration", {D, L}, ()),
    ("A", OMNI, "mode", {D, L}, ()),
    ("A", OMNI, "aspect_ratio", {D, L}, ()),
    ("B", OMNI, "multi_shot", {D, L}, ()),
    ("B", OMNI, "shot_type", {D, L}, ()),
    ("B", OMNI, "multi_prompt", {D, L}, ()),
    ("B", OMNI, "multi_prompt[].index", {D, L}, ()),
    ("B", OMNI, "multi_prompt[].prompt", {D}, ()),
    ("B", OMNI, "multi_prompt[].duration", {D, L}, ()),
    ("C", OMNI, "image_list", {D, L}, ()),
    ("C", OMNI, "image_list[].image_url", {D, L}, ()),
    ("C", OMNI, "image_list[].type", {D, L}, ()),
    ("C", OMNI, "image_list[].image", {R}, ()),
    ("C", OMNI, "image_list[].index", {R}, ()),
    ("C", OMNI, "image", {L}, ("caution",)),
    ("D", OMNI, "video_list", {D, L}, ("partial",)),
    ("D", OMNI, "video_list[].video_url", {D, L}, ("partial",)),
    ("D", OMNI, "video_list[].refer_type", {D}, ()),
    ("D", OMNI, "video_list[].keep_original_sound", {D}, ()),
    ("D", OMNI, "video_url", {R}, ("methodology",)),
    ("E", OMNI, "element_list", {D}, ()),
    ("E", OMNI, "element_list[].element_id", {D}, ()),
    *[
        ("E", "elements.create", name, {D}, ())
        for name in (
            "element_name",
            "element_description",
            "reference_type",
            "element_image_list",
            "element_video_list",
            "element_voice_id",
            "tag_list",
            "callback_url",
            "external_task_id",
            "element_image_list.frontal_image",
            "element_image_list.refer_images[].image_url",
            "element_video_list.refer_videos[].video_url",
            "tag_list[].tag_id",
        )
    ],
    ("E", "elements.list", "pageNum", {D}, ()),
    ("E", "elements.list", "pageSize", {D}, ()),
    ("E", "presets-elements.list", "pageNum", {D}, ()),
    ("E", "presets-elements.list", "pageSize", {D}, ()),
    ("E", "elements.delete", "element_id", {D}, ()),
    ("E", "elements.get", "id", {D}, ()),
    ("F", "tts.create", "voice_id", {D}, ()),
    ("F", "tts.create", "voice_language", {D}, ()),
    ("F", "tts.create", "voice_speed", {D}, ()),
    ("F", "video-to-audio.create", "sound_effect_prompt", {D}, ()),
    ("F", "video-to-audio.create", "bgm_prompt", {D}, ()),
    ("F", "video-to-audio.create", "asmr_mode", {D}, ()),
    ("F", "custom-voices.create", "voice_name", {D}, ()),
    ("F", "custom-voices.create", "voice_url", {D}, ()),
    ("F", "image2video.create", "voice_list", {D}, ()),
    ("F", "image2video.create", "voice_list[].voice_id", {D}, ()),
    ("F", "text2video.create", "voice_list", {D}, ()),
    ("I.1", OMNI, "voice_list", {H}, ()),
    ("addendum", OMNI, "sound", {D}, ()),
]

# (cluster, endpoint, field, value, expected value status, replacement)
VALUES = [
    ("A", OMNI, "mode", "std", {D, L}, None),
    ("A", OMNI, "mode", "standard", {R}, "std"),
    ("A", OMNI, "mode", "pro", {D}, None),
    ("A", OMNI, "aspect_ratio", "16:9", {D, L}, None),
    ("B", OMNI, "shot_type", "customize", {D, L}, None),
    ("C", OMNI, "image_list[].type", "first_frame", {D, L}, None),
    ("D", OMNI, "video_list[].refer_type", "base", {D}, None),
    ("D", OMNI, "video_list[].keep_original_sound", "yes", {D}, None),
    ("E", "elements.create", "reference_type", "image_refer", {D}, None),
    ("E", "elements.create", "reference_type", "video_refer", {D}, None),
    ("G", OMNI, "mode", "pro", {D}, None),
]

# (cluster, endpoint, field, form, expected form status)
FORMS = [
    ("C", OMNI, "image_list[].image_url", "base64", {D, L}),
    ("C", OMNI, "image_list[].image_url", "url", {D}),
    ("C", OMNI, "image", "base64", {L}),
    ("D", OMNI, "video_list[].video_url", "base64", {R}),
    ("D", OMNI, "video_list[].video_url", "url", {D, L}),
]

# (cluster, endpoint id, method, path, status)
ENDPOINTS = [
    ("E", "elements.create", "POST", "/v1/general/advanced-custom-elements", {D}),
    ("E", "elements.get", "GET", "/v1/general/advanced-custom-elements/{id}", {D}),
    ("E", "elements.list", "GET", "/v1/general/advanced-custom-elements", {D}),
    ("E", "presets-elements.list", "GET", "/v1/general/advanced-presets-elements", {D}),
    ("E", "elements.delete", "POST", "/v1/general/delete-elements", {D}),
    ("F", "tts.create", "POST", "/v1/audio/tts", {D}),
    ("F", "text-to-audio.create", "POST", "/v1/audio/text-to-audio", {D}),
    ("F", "video-to-audio.create", "POST", "/v1/audio/video-to-audio", {D}),
    ("F", "custom-voices.create", "POST", "/v1/general/custom-voices", {D}),
    ("F", "presets-voices.list", "GET", "/v1/general/presets-voices", {D}),
]


def _field(endpoint: str, path: str) -> Field:
    return builtin_register().endpoints[endpoint].fields[path.removesuffix("[]")]


@pytest.mark.parametrize(("cluster", "endpoint", "path", "status", "qualifiers"), FIELDS)
def test_field_status(
    cluster: str, endpoint: str, path: str, status: set[str], qualifiers: tuple[str, ...]
) -> None:
    field = _field(endpoint, path)
    assert set(field.status_labels) == status
    assert set(qualifiers) <= set(field.qualifiers)


@pytest.mark.parametrize(("cluster", "endpoint", "path", "value", "status", "replacement"), VALUES)
def test_value_status(
    cluster: str, endpoint: str, path: str, value: str, status: set[str], replacement: str | None
) -> None:
    info = _field(endpoint, path).value_info(value)
    assert info is not None
    assert set(info.status_labels) == status
    assert info.replaced_by == replacement


@pytest.mark.parametrize(("cluster", "endpoint", "path", "form", "status"), FORMS)
def test_form_status(cluster: str, endpoint: str, path: str, form: str, status: set[str]) -> None:
    assert set(_field(endpoint, path).forms[form].status_labels) == status


@pytest.mark.parametrize(("cluster", "endpoint", "method", "path", "status"), ENDPOINTS)
def test_endpoint_surface(
    cluster: str, endpoint: str, method: str, path: str, status: set[str]
) -> None:
    e: Endpoint = builtin_register().endpoints[endpoint]
    assert (e.method, e.path, set(e.status_labels)) == (method, path, status)


def test_replacements_for_legacy_paths() -> None:
    """Cluster H: the legacy assumptions to avoid, each blocked and pointed elsewhere."""
    assert _field(OMNI, "image_list[].image").replaced_by == "image_list[].image_url"
    assert _field(OMNI, "video_url").replaced_by == "video_list[].video_url"
    policy = builtin_register().policies["pipeline"]
    assert "video_list" in {p for r in policy.rules for p in r.note_when_present}


def test_known_rules() -> None:
    """Cluster B's known rule, cluster F's exclusion and the 2026-03-29 addendum's rules."""
    reg = builtin_register()
    by_code = {
        r.code: r
        for e in reg.endpoints.values()
        for r in e.rules
        if e.id in (OMNI, "image2video.create")
    }
    assert by_code["KL301"].then == {"forbidden": ["shot_type", "multi_prompt"]}
    assert set(by_code["KL308"].fields) == {"element_list", "voice_list"}
    assert by_code["KL305"].then == {"path": "sound", "in": ["off"]}


def test_addendum_constraints() -> None:
    sound, mode = _field(OMNI, "sound"), _field(OMNI, "mode")
    # The seed's std and pro; 4k is the 2026-09 documents' (for kling-v3-omni only).
    assert (sound.enum, mode.enum, mode.default) == (("on", "off"), ("std", "pro", "4k"), "pro")
    assert mode.values["4k"].models == ("kling-v3-omni",)
    assert {mode.values["std"].meaning, mode.values["pro"].meaning} == {"720P", "1080P"}
    video = _field(OMNI, "video_list[].video_url")
    assert _field(OMNI, "video_list").max_items == 1
    assert video.media == {
        "kind": "video",
        "formats": ["mp4", "mov"],
        "max_bytes": 200 * 1024 * 1024,
        "min_side": 720,
        "max_side": 2160,
        "duration_min": 3,
        # The addendum's 3-10 s; the 06/17/2026 update allows 15 s on kling-v3-omni, and the
        # addendum's reading stays in the evidence and in conflict C3.
        "duration_max": 15,
        "fps_min": 24,
        "fps_max": 60,
    }
    (c3,) = [c for c in video.conflicts if c.id == "C3"]
    assert {source for source, _ in c3.readings} >= {"S3", "SN", "KD-UPD"}
    image = _field(OMNI, "image_list[].image_url")
    assert image.media == {
        "kind": "image",
        "formats": ["jpg", "jpeg", "png"],
        "max_bytes": 10 * 1024 * 1024,
        "min_side": 300,
        "aspect_min": 0.4,
        "aspect_max": 2.5,
    }
    assert _field(OMNI, "aspect_ratio").required == "conditional"
    assert _field("tts.create", "voice_language").enum == ("zh", "en")
    speed = _field("tts.create", "voice_speed")
    assert (speed.minimum, speed.maximum) == (0.8, 2.0)
    assert _field("video-to-audio.create", "asmr_mode").default is False
    assert _field("image2video.create", "voice_list").max_items == 2


def test_unknowns_are_hypothesis_only() -> None:
    reg = builtin_register()
    unknowns = {u.id: u for e in reg.endpoints.values() for u in e.unknowns}
    assert set(unknowns) == {"I.1", "I.2", "I.3", "I.4", "I.5"}
    assert all(u.status_labels == (H,) for u in unknowns.values())
    assert set(unknowns["I.2"].fields) == {"element_list", "voice_list"}


def test_pipeline_policy() -> None:
    rules = {r.name: r for r in builtin_register().policies["pipeline"].rules}
    assert set(rules["pipeline-model"].allow_values["model_name"]) == {"kling-v3", "kling-v3-omni"}
    assert rules["pipeline-single-scene-ceiling"].max_number == {"duration": 15}


def test_fields_view_shows_every_omni_fact(run_cli: Any) -> None:
    result = run_cli("fields", OMNI, "--format", "json")
    assert result.exit_code == 0
    shown = {f["path"]: f for f in json.loads(result.stdout)["fields"]}
    for _, endpoint, path, status, _ in FIELDS:
        if endpoint == OMNI:
            assert set(shown[path.removesuffix("[]")]["status"]) == status
    for _, endpoint, path, value, status, _ in VALUES:
        if endpoint == OMNI:
            values = {v["value"]: v for v in shown[path]["values"]}
            assert set(values[value]["status"]) == status
