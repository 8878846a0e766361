"""Dated values: retired from their day on (KL209), a warning in the window before it
(KL210), defaults counted when the field is left out, and the window set by config."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kling_lint.check.linter import Linter
from kling_lint.config import Config
from kling_lint.register import load_register

DAY = dt.date(2027, 3, 1)
GEN = "image-generation.create"


def _overlay(tmp_path: Path, retires: dt.date) -> Path:
    folder = tmp_path / "team"
    (folder / "endpoints").mkdir(parents=True, exist_ok=True)
    (folder / "endpoints" / f"{GEN}.yaml").write_text(
        f"""id: {GEN}
fields:
  model_name:
    values:
      kling-v3:
        status: [doc-derived]
        retires: '{retires.isoformat()}'
        replaced_by: kling-v2-1
        evidence:
          - {{status: doc-derived, source: KD-UPD, date: '2026-09-20', observed: 'made up'}}
""",
        encoding="utf-8",
    )
    return folder


def _found(tmp_path: Path, left: int, payload: dict[str, Any], window: int = 30) -> list[Any]:
    register = load_register(None, [_overlay(tmp_path, DAY + dt.timedelta(days=left))])
    linter = Linter(register, Config(retire_warn_days=window), today=DAY)
    return [
        (d.code, d.pointer)
        for d in linter.lint(payload, GEN).diagnostics
        if d.code in ("KL209", "KL210")
    ]


SENT = {"model_name": "kling-v3", "prompt": "a red bicycle"}


@pytest.mark.parametrize(
    ("left", "window", "expected"),
    [
        (-400, 30, [("KL209", "/model_name")]),
        (0, 30, [("KL209", "/model_name")]),  # the day itself: gone
        (1, 30, [("KL210", "/model_name")]),
        (30, 30, [("KL210", "/model_name")]),
        (31, 30, []),
        (5, 0, []),  # a window of 0 turns the warning off
        (200, 365, [("KL210", "/model_name")]),
    ],
)
def test_the_day_and_the_window(tmp_path: Path, left: int, window: int, expected: Any) -> None:
    assert _found(tmp_path, left, SENT, window) == expected


def test_a_field_left_out_sends_its_dated_default(tmp_path: Path) -> None:
    payload = {"prompt": "a red bicycle"}
    assert _found(tmp_path, 0, payload) == [("KL209", "")]
    assert _found(tmp_path, 3, payload) == [("KL210", "")]


def test_another_value_is_not_dated(tmp_path: Path) -> None:
    assert _found(tmp_path, 0, {**SENT, "model_name": "kling-v2-1"}) == []


@pytest.mark.parametrize("odd", [["kling-v3"], {"v": 1}, 3, None, True])
def test_a_value_of_another_type_is_not_read_as_dated(tmp_path: Path, odd: Any) -> None:
    assert _found(tmp_path, 0, {**SENT, "model_name": odd}) == []


def test_the_shipped_register_dates_retired_effects() -> None:
    linter = Linter(today=dt.date(2026, 1, 29))
    body = {"effect_scene": "hug", "input": {"images": ["https://e.com/a", "https://e.com/b"]}}
    codes = [d.code for d in linter.lint(body, "video-effects.create").diagnostics]
    assert "KL210" in codes  # the day before: still a warning
    later = Linter(today=dt.date(2026, 1, 30))
    assert "KL209" in [d.code for d in later.lint(body, "video-effects.create").diagnostics]


def test_retire_warn_days_in_a_config_file(tmp_path: Path) -> None:
    from kling_lint.config import ConfigError, load_config

    path = tmp_path / ".kling-lint.toml"
    path.write_text("retire-warn-days = 90\n")
    assert load_config(path).retire_warn_days == 90
    for bad in ("-1", "2.5", '"30"'):
        path.write_text(f"retire-warn-days = {bad}\n")
        with pytest.raises(ConfigError):
            load_config(path)
