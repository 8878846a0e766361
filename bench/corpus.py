"""The benchmark corpus: Omni create bodies, 30% of them with one defect of eight kinds.

Each corpus folder has a manifest beside it (`<size>.manifest.json`: file name to defect
kind, or null for a clean file), so that both tools can be checked against what is
really wrong, not only timed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
VERSION = 2  # bump when the payloads change, so that old corpora are rebuilt

PROMPTS = [
    "A calm woman looks at the camera and smiles.",
    "A fox runs through snow.",
    "Rain on a window at night.",
]
CLIP = "https://cdn.example.com/clip.mp4"
FRAME = "https://cdn.example.com/f.png"

# kind -> what the defect does to a clean payload
DEFECTS: dict[str, Any] = {
    "legacy-image": lambda p: p.update(image_list=[{"image": FRAME}]),
    "mode-standard": lambda p: p.update(mode="standard"),
    "unknown-field": lambda p: p.update(keep_original_stound="yes"),
    "multi-prompt-without-multi-shot": lambda p: p.update(
        multi_shot=False, multi_prompt=[{"index": 1, "prompt": "a fox", "duration": "5"}]
    ),
    "sound-with-video": lambda p: p.update(
        sound="on", video_list=[{"video_url": CLIP, "refer_type": "feature"}]
    ),
    "base64-video": lambda p: p.update(
        video_list=[{"video_url": "AAAAIGZ0eXBpc29t" * 4, "refer_type": "feature"}]
    ),
    "duration-out-of-range": lambda p: p.update(duration="20"),
    "wrong-type": lambda p: p.update(duration=5),
}
KINDS = sorted(DEFECTS)

# The same kinds of mistake in the new design (POST /omni-video/kling-3.0-omni), each one
# the endpoint's schema states, so that check-jsonschema can find them too.
NEW_DEFECTS: dict[str, Any] = {
    "legacy-field": lambda p: p.update(mode="pro"),
    "duration-out-of-range": lambda p: p["settings"].update(duration=20),
    "wrong-type": lambda p: p["settings"].update(duration="5"),
    "resolution-8k": lambda p: p["settings"].update(resolution="8k"),
    "unknown-item-type": lambda p: p["contents"].append({"type": "image", "url": FRAME}),
    "member-missing": lambda p: p["contents"].append({"type": "element", "element_id": "162"}),
    "member-not-for-type": lambda p: p["contents"][0].update(url=FRAME),
    "two-videos": lambda p: p["contents"].extend([{"type": "feature_video", "url": CLIP}] * 2),
}
NEW_KINDS = sorted(NEW_DEFECTS)


def clean(rng: random.Random) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "model_name": "kling-v3-omni",
        "prompt": rng.choice(PROMPTS),
        "duration": rng.choice(["5", "10", "15"]),
        "mode": rng.choice(["std", "pro"]),
        "aspect_ratio": rng.choice(["16:9", "9:16", "1:1"]),
    }
    if rng.random() < 0.3:
        payload["image_list"] = [{"image_url": FRAME, "type": "first_frame"}]
    return payload


def clean_new(rng: random.Random) -> dict[str, Any]:
    """The same request in the new design (POST /omni-video/kling-3.0-omni)."""
    contents: list[dict[str, Any]] = [{"type": "prompt", "text": rng.choice(PROMPTS)}]
    if rng.random() < 0.3:
        contents.append({"type": "first_frame", "url": FRAME, "id": "image_1"})
    return {
        "contents": contents,
        "settings": {
            "duration": rng.choice([5, 10, 15]),
            "resolution": rng.choice(["720p", "1080p"]),
            "aspect_ratio": rng.choice(["16:9", "9:16", "1:1"]),
            "multi_shot": False,
        },
    }


def corpus(size: int, design: str = "legacy") -> tuple[Path, dict[str, str | None]]:
    """The folder of `size` payload files and its manifest, made once and reused; `design`
    "new" makes the same requests in the new design."""
    name = str(size) if design == "legacy" else f"{design}-{size}"
    folder = CORPUS / name
    manifest_path = CORPUS / f"{name}.manifest.json"
    if manifest_path.is_file() and folder.is_dir():
        saved = json.loads(manifest_path.read_text(encoding="utf-8"))
        if saved.get("version") == VERSION and len(list(folder.iterdir())) == size:
            return folder, saved["files"]
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    rng = random.Random(size)
    make, defects, kinds = (
        (clean, DEFECTS, KINDS) if design == "legacy" else (clean_new, NEW_DEFECTS, NEW_KINDS)
    )
    files: dict[str, str | None] = {}
    for i in range(size):
        payload = make(rng)
        kind = kinds[(i // 10) % len(kinds)] if i % 10 in (3, 6, 9) else None  # 30%
        if kind is not None:
            defects[kind](payload)
        file_name = f"p{i:05d}.json"
        (folder / file_name).write_text(json.dumps(payload, indent=2), encoding="utf-8")
        files[file_name] = kind
    manifest_path.write_text(
        json.dumps({"version": VERSION, "files": files}, indent=1), encoding="utf-8"
    )
    return folder, files
