"""Declared rules that count across fields (items-at-most, product-at-most): what they count,
what they leave to the schema, and that the register validator keeps them to what they can
count."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import kling_lint
from kling_lint.register import load_register
from kling_lint.register.errors import RegisterError

from ..conftest import REGISTRY

IMG = "https://cdn.example.com/a.png"
EXPAND = "image-expand.create"
SIDES = ("up", "down", "left", "right")


def _expand(**ratios: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"image": IMG}
    for side in SIDES:
        body[f"{side}_expansion_ratio"] = ratios.get(side, 0)
    return body


def _codes(payload: Any, endpoint: str) -> list[str]:
    return [d.code for d in kling_lint.lint(payload, endpoint).diagnostics]


@pytest.mark.parametrize(
    ("ratios", "fires"),
    [
        ({}, False),
        ({"up": 2}, False),  # 3 x 1
        ({"up": 1, "down": 1}, False),  # 3 x 1
        ({"left": 0.5, "right": 0.5, "up": 0.5}, False),  # 1.5 x 2 = 3
        ({"left": 0.5, "right": 0.5, "up": 0.5, "down": 0.01}, True),
        ({"up": 2, "left": 0.001}, True),
        ({"up": 2, "down": 2, "left": 2, "right": 2}, True),  # 25
    ],
)
def test_the_area_bound(ratios: dict[str, float], fires: bool) -> None:
    assert ("KL324" in _codes(_expand(**ratios), EXPAND)) is fires


@pytest.mark.parametrize("odd", ["2", True, None, [2], {"x": 2}, 10**400])
def test_a_value_of_the_wrong_type_is_the_schemas_finding_not_a_count(odd: Any) -> None:
    codes = _codes(_expand(up=odd, left=1), EXPAND)
    assert "KL324" not in codes
    assert kling_lint.lint(_expand(up=odd, left=1), EXPAND).blocked


@pytest.mark.parametrize(
    ("images", "elements", "fires"),
    [(10, 0, False), (0, 10, False), (7, 3, False), (8, 3, True), (11, 0, True)],
)
def test_images_and_elements_together(images: int, elements: int, fires: bool) -> None:
    body: dict[str, Any] = {"prompt": "p", "aspect_ratio": "1:1"}
    if images:
        body["image_list"] = [{"image": IMG}] * images
    if elements:
        body["element_list"] = [{"element_id": i + 1} for i in range(elements)]
    assert ("KL320" in _codes(body, "omni-image.create")) is fires


def test_a_body_that_is_not_an_object_is_not_counted() -> None:
    for body in ([], "x", 3, None):
        assert "KL324" not in _codes(body, EXPAND)


def _with_rule(tmp_path: Path, rule: str) -> Path:
    copy = tmp_path / "registry"
    shutil.copytree(REGISTRY, copy)
    target = copy / "endpoints" / f"{EXPAND}.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("rules:\n", "rules:\n" + rule, 1), encoding="utf-8")
    return copy


RULE = """  - code: KL399
    name: made-up
    kind: {kind}
    severity: error
    status: [doc-derived]
    evidence:
      - {{status: doc-derived, source: KD, date: '2026-09-20', observed: x}}
    {paths}
    max: 2
    doc: {{what: w, why: w, example: '{{}}', fix: f}}
"""


@pytest.mark.parametrize(
    ("kind", "paths"),
    [
        ("items-at-most", "fields: [image, prompt]"),  # strings, not arrays
        ("product-at-most", "groups: [[image], [prompt]]"),  # not numbers
        ("items-at-most", "fields: [watermark_info.enabled]"),  # not top-level
    ],
)
def test_the_validator_refuses_what_a_counted_rule_cannot_count(
    tmp_path: Path, kind: str, paths: str
) -> None:
    folder = _with_rule(tmp_path, RULE.format(kind=kind, paths=paths))
    with pytest.raises(RegisterError, match="KL399"):
        load_register(folder)


def test_a_counted_rule_needs_its_bound(tmp_path: Path) -> None:
    text = RULE.format(kind="items-at-most", paths="fields: [n]").replace("    max: 2\n", "")
    with pytest.raises(RegisterError):
        load_register(_with_rule(tmp_path, text))


def test_the_finding_sits_on_a_number_that_was_sent() -> None:
    found = kling_lint.lint({"image": IMG, "down_expansion_ratio": 3}, EXPAND).diagnostics
    assert [d.pointer for d in found if d.code == "KL324"] == ["/down_expansion_ratio"]
