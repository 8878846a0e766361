"""Legacy payloads rewritten in the new design: the table's mappings, what is refused, and
the oracle that every migrated body passes `check` on its new route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kling_lint
from kling_lint.migration import migrate, table
from kling_lint.register import builtin_register

REGISTER = builtin_register()
OFFICIAL = Path(__file__).parent.parent / "official"
IMG, IMG2, VID = "https://e.com/a.png", "https://e.com/b.png", "https://e.com/v.mp4"
LEGACY = sorted(table()["routes"])

# (legacy endpoint, payload, new endpoint, what the new body holds at these paths)
MAPPED: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "text2video.create",
        {
            "model_name": "kling-v3",
            "prompt": "a cat",
            "mode": "pro",
            "duration": "8",
            "sound": "on",
        },
        "text-to-video-3-0.create",
        {
            "/prompt": "a cat",
            "/settings/resolution": "1080p",
            "/settings/duration": 8,
            "/settings/audio": "native",
            # The legacy default (single shot) is written out: the new default is multi-shot.
            "/settings/multi_shot": False,
        },
    ),
    (
        "image2video.create",
        {"model_name": "kling-v2-5-turbo", "image": IMG, "image_tail": IMG2, "mode": "pro"},
        "image-to-video-2-5-turbo.create",
        {
            "/contents/0": {"type": "first_frame", "url": IMG},
            "/contents/1": {"type": "last_frame", "url": IMG2},
            "/settings/resolution": "1080p",
        },
    ),
    (
        "omni-video.create",
        {
            "model_name": "kling-v3-omni",
            "prompt": "<<<image_2>>> meets <<<element_1>>>",
            "image_list": [{"image_url": IMG, "type": "first_frame"}, {"image_url": IMG2}],
            "element_list": [{"element_id": 829836802793406551}],
            "callback_url": "https://e.com/cb",
        },
        "omni-video-3-0.create",
        {
            "/contents/0": {"type": "prompt", "text": "@image_2 meets @element_1"},
            "/contents/1": {"type": "first_frame", "url": IMG, "id": "image_1"},
            "/contents/2": {"type": "refer_image", "url": IMG2, "id": "image_2"},
            # A JSON number id past 2^53 keeps every digit as text.
            "/contents/3": {
                "type": "element",
                "element_id": "829836802793406551",
                "id": "element_1",
            },
            "/options/callback_url": "https://e.com/cb",
        },
    ),
    (
        "omni-video.create",
        {
            "model_name": "kling-video-o1",
            "prompt": "make it snow",
            "video_list": [{"video_url": VID, "refer_type": "base", "keep_original_sound": "yes"}],
        },
        "omni-video-o1.create",
        {
            "/contents/1": {"type": "base_video", "url": VID, "id": "video_1"},
            "/settings/audio": "original",
        },
    ),
    (
        "omni-video.create",
        {
            "model_name": "kling-v3-omni",
            "multi_shot": True,
            "shot_type": "customize",
            "duration": "5",
            "multi_prompt": [
                {"index": 2, "prompt": "the cat stretches", "duration": "3"},
                {"index": 1, "prompt": "a cat wakes up", "duration": "2"},
            ],
            "aspect_ratio": "9:16",
        },
        "omni-video-3-0.create",
        {
            "/contents/0/text": "shot 1, 2, a cat wakes up; shot 2, 3, the cat stretches;",
            "/settings/multi_shot": True,
            "/settings/aspect_ratio": "9:16",
        },
    ),
    (
        "motion-control.create",
        {
            "model_name": "kling-v2-6",
            "image_url": IMG,
            "video_url": VID,
            "character_orientation": "video",
            "keep_original_sound": "no",
            "mode": "std",
        },
        "motion-control-2-6.create",
        {
            "/contents/0": {"type": "image", "url": IMG},
            "/contents/1": {"type": "video", "url": VID},
            "/settings/character_orientation": "video",
            "/settings/audio": "off",
            "/settings/resolution": "720p",
        },
    ),
]


def _walk(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize(("legacy", "payload", "endpoint", "holds"), MAPPED)
def test_a_legacy_payload_is_rewritten_from_the_table(
    legacy: str, payload: dict[str, Any], endpoint: str, holds: dict[str, Any]
) -> None:
    done = migrate(payload, legacy)
    assert not done.refused, done.notes
    assert done.endpoint == endpoint
    assert done.route == REGISTER.endpoints[endpoint].route
    for pointer, value in holds.items():
        assert _walk(done.body, pointer) == value, pointer
    assert not kling_lint.lint(done.body, endpoint).blocked


# (legacy endpoint, payload, a word the reason names)
REFUSED = [
    (
        "text2video.create",
        {"model_name": "kling-v3", "prompt": "a", "negative_prompt": "x"},
        "negative_prompt",
    ),
    (
        "image2video.create",
        {"model_name": "kling-v3", "image": IMG, "camera_control": {"type": "simple"}},
        "camera_control",
    ),
    ("text2video.create", {"model_name": "kling-v1-6", "prompt": "a"}, "kling-v1-6"),
    # No model_name: the legacy default is kling-v1, which the new design lacks (and is retired).
    ("text2video.create", {"prompt": "a"}, "kling-v1"),
    ("tts.create", {"text": "hi"}, "tts.create"),
    (
        "text2video.create",
        {"model_name": "kling-v3", "prompt": "a", "voice_list": [{"voice_id": "v"}]},
        "voice_list",
    ),
    # 4k on Kling 2.6: the new page's resolutions stop at 1080p, so the result is blocked.
    ("text2video.create", {"model_name": "kling-v2-6", "prompt": "a", "mode": "4k"}, "KL107"),
    (
        "omni-video.create",
        {
            "model_name": "kling-v3-omni",
            "prompt": "a",
            "multi_prompt": [{"index": 1, "prompt": "b", "duration": "5"}],
        },
        "multi_prompt",
    ),
    ("text2video.create", ["not", "an", "object"], None),
]


@pytest.mark.parametrize(("legacy", "payload", "word"), REFUSED)
def test_what_the_new_design_cannot_say_is_refused_with_the_reason(
    legacy: str, payload: Any, word: str | None
) -> None:
    """`word`: the field, model, endpoint or code the reason names (None: any reason)."""
    done = migrate(payload, legacy)
    assert done.refused
    assert done.body is None
    assert done.notes
    assert word is None or any(word in note for note in done.notes)


def test_a_semicolon_inside_a_shot_is_rewritten_and_said() -> None:
    shots = [
        {"index": 1, "prompt": "a cafe; morning", "duration": "2"},
        {"index": 2, "prompt": "she smiles", "duration": "3"},
    ]
    payload = {"model_name": "kling-v3", "multi_shot": True, "duration": "5", "multi_prompt": shots}
    done = migrate(payload, "text2video.create")
    assert done.body is not None
    assert done.body["prompt"] == "shot 1, 2, a cafe, morning; shot 2, 3, she smiles;"
    assert any("shot 1" in note for note in done.notes)


def test_an_empty_refused_field_carries_nothing_and_does_not_block() -> None:
    done = migrate(json.loads((OFFICIAL / "E16.json").read_text()), "image2video.create")
    assert not done.refused  # "negative_prompt": "" says nothing
    assert done.route == "POST /image-to-video/kling-2.6"


# The official legacy bodies: those that pass `check` as printed migrate, and pass there.
@pytest.mark.parametrize(
    ("name", "legacy", "route"),
    [
        ("E02", "omni-video.create", "POST /omni-video/kling-3.0-omni"),
        ("E03", "text2video.create", "POST /text-to-video/kling-3.0"),
        ("E08", "omni-video.create", "POST /omni-video/kling-o1"),
        ("E15", "text2video.create", "POST /text-to-video/kling-2.6"),
        ("E24", "text2video.create", "POST /text-to-video/kling-3.0"),
    ],
)
def test_the_official_legacy_bodies_migrate(name: str, legacy: str, route: str) -> None:
    done = migrate(json.loads((OFFICIAL / f"{name}.json").read_text()), legacy)
    assert done.route == route
    assert done.body is not None
    assert not kling_lint.lint(done.body, done.endpoint).blocked


def test_the_table_names_only_what_the_registers_hold() -> None:
    """Every route leads from a legacy model to a new endpoint; every target path exists."""
    data = table()
    for legacy, models in data["routes"].items():
        model = REGISTER.endpoints[legacy].fields["model_name"]
        for name, target in models.items():
            assert name in (model.known_values or ()), (legacy, name)
            assert target in REGISTER.endpoints
    targets = [REGISTER.endpoints[t] for m in data["routes"].values() for t in m.values()]
    for rule in data["values"].values():
        assert any(rule["to"] in t.fields for t in targets), rule
    for name in (*data["refuse"], *data["drop"]):
        assert all(name not in t.fields for t in targets), name


# A migration that writes a wrong shape (a member its type does not take, a legacy field
# left in, a wrong type, a missing member) is the migrator's fault, never the payload's.
SHAPE_CODES = ("KL106", "KL112", "KL201", "KL205", "KL211", "KL212", "KL416")


def _legacy_seeds() -> list[tuple[str, dict[str, Any]]]:
    """The bundled legacy payloads that pass `check` (examples, cases, official bodies)."""
    from .test_schema_check import SEEDS

    return [(e, p) for e, p in SEEDS if e in LEGACY]


SEEDS = _legacy_seeds()
# Values a legacy payload may take for the fields migrate rewrites.
EDITS: dict[str, list[Any]] = {
    "mode": ["std", "pro", "4k"],
    "sound": ["on", "off"],
    "duration": ["5", "10", "8"],
    "aspect_ratio": ["16:9", "9:16", "1:1"],
    "callback_url": ["https://e.com/cb", ""],
    "external_task_id": ["job-1", ""],
    "watermark_info": [{"enabled": True}, {"enabled": False}],
    "multi_shot": [False],
}


@settings(deadline=None)  # the profile decides how many (`make fuzz` runs many more)
@given(st.data())
def test_every_migrated_body_passes_check_and_no_migration_writes_a_wrong_shape(
    data: st.DataObject,
) -> None:
    legacy, seed = data.draw(st.sampled_from(SEEDS))
    payload = json.loads(json.dumps(seed))
    fields = REGISTER.endpoints[legacy].fields
    for name in data.draw(st.lists(st.sampled_from(sorted(EDITS)), max_size=4, unique=True)):
        if name in fields:
            payload[name] = data.draw(st.sampled_from(EDITS[name]))
    if kling_lint.lint(payload, legacy).blocked:
        return  # only payloads the legacy register passes are the migrator's to keep
    done = migrate(payload, legacy)
    if done.refused:
        assert done.notes  # never refused without a reason
        assert not any(code in note for note in done.notes for code in SHAPE_CODES), done.notes
        return
    assert done.endpoint in table()["routes"][legacy].values()
    assert not kling_lint.lint(done.body, done.endpoint).blocked, (payload, done.body)
    # Nothing the legacy prompt said is lost: its words are in the new body.
    prompt = payload.get("prompt")
    if isinstance(prompt, str) and prompt and "<<<" not in prompt:
        assert prompt in json.dumps(done.body, ensure_ascii=False)


def test_most_bundled_legacy_payloads_migrate() -> None:
    """The seeds with a routed model and nothing the new design cannot say migrate; the
    others are refused for a reason the table or a new page gives."""
    data = table()
    done = [migrate(p, e) for e, p in SEEDS]
    migrated = sum(1 for d in done if not d.refused)
    assert migrated >= 0.8 * len(done), [d.notes[-1] for d in done if d.refused]
    for d in done:
        assert not any(code in n for n in d.notes for code in SHAPE_CODES), d.notes
    assert data["refuse"]


def test_a_table_of_the_wrong_shape_is_an_error_not_half_applied(tmp_path: Path) -> None:
    from kling_lint._resources import registry_dir
    from kling_lint.migration import TABLE_FILE, TableError

    broken = tmp_path / "table.yaml"
    text = (registry_dir() / TABLE_FILE).read_text(encoding="utf-8")
    broken.write_text(text.replace("  mode: {to: settings.resolution,", "  mode: {too: x,"))
    with pytest.raises(TableError) as raised:
        table(broken)
    assert "/values/mode" in str(raised.value)


def test_registry_validate_checks_the_migration_table(tmp_path: Path, run_cli: Any) -> None:
    import shutil

    from kling_lint._resources import registry_dir
    from kling_lint.migration import TABLE_FILE, table_problems

    assert table_problems(registry_dir(), REGISTER) == []
    copy = tmp_path / "registry"
    shutil.copytree(registry_dir(), copy)
    target = copy / TABLE_FILE
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace("kling-v3-omni: omni-video-3-0.create", "kling-v3-omni: nope.create")
    )
    result = run_cli("registry", "validate", str(copy))
    assert result.exit_code == 2
    assert "legacy-to-new.yaml" in result.output
    assert "nope.create" in result.output


def test_the_library_takes_a_route_and_keeps_its_name() -> None:
    import kling_lint

    done = kling_lint.migrate(
        {"model_name": "kling-v3", "prompt": "a"}, "POST /v1/videos/text2video"
    )
    assert done.route == "POST /text-to-video/kling-3.0"
    # Importing the module behind it does not hide the function.
    import kling_lint.migration

    assert callable(kling_lint.migrate)
    assert kling_lint.migrate({}, "no such endpoint").refused
