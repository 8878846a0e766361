"""Output that cannot be forged: hostile keys, values and file names in every format.

A key or a file name is data from the payload's author. Printed raw, an escape sequence
repaints the terminal, and a newline followed by `::error file=...::` forges a GitHub
workflow command in a CI log. Each format must escape it its own way and stay parseable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest

from .conftest import CLEAN_OMNI

FORGED = "::error file=forged.json,line=1::forged"
HOSTILE_KEYS = [
    f"x\n{FORGED}",
    f"x\r\n{FORGED}",
    "x\x1b[2J\x1b]0;pwned\x07",
    "x\u202egnp.exe",
    "x\u2028y\x85z",
    "x\x00y\x0bz",
]
HOSTILE_VALUES = [f"std\n{FORGED}", "std\x1b[31m"]
HOSTILE_NAMES = [
    f"a\n{FORGED}.json",
    "b\x1b[31m.json",
    "c #1?.json",
    "d:e%41.json",
    "f\u202e.json",
    "g 中.json",
]
FORMATS = ["text", "full", "concise", "github", "gitlab", "json", "sarif", "junit"]


def _payloads(folder: Path) -> None:
    for i, key in enumerate(HOSTILE_KEYS):
        (folder / f"key{i}.json").write_text(json.dumps({**CLEAN_OMNI, key: 1}), encoding="utf-8")
    for i, value in enumerate(HOSTILE_VALUES):
        (folder / f"value{i}.json").write_text(
            json.dumps({**CLEAN_OMNI, "mode": value}), encoding="utf-8"
        )
    if sys.platform != "win32":
        for name in HOSTILE_NAMES:
            (folder / name).write_text(
                json.dumps({**CLEAN_OMNI, "mode": "standard"}), encoding="utf-8"
            )


def _unsafe(line: str) -> list[str]:
    return [c for c in line if (ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_hostile_text_raw(fmt: str, tmp_path: Path, run_cli: Any) -> None:
    _payloads(tmp_path)
    result = run_cli(
        "check", "--isolated", "-e", "omni-video.create", "--format", fmt, str(tmp_path)
    )
    assert result.exit_code == 1
    out = result.stdout
    assert "\x1b" not in out
    if fmt not in ("json", "sarif", "gitlab"):  # in JSON strings it is data, not display
        assert "\u202e" not in out
    for line in out.splitlines():
        assert not _unsafe(line), repr(line)
        if fmt != "github":
            assert not line.startswith("::"), repr(line)
    if fmt == "github":
        commands = [line for line in out.splitlines() if line.startswith("::")]
        assert len(commands) == len(out.splitlines())
        assert not any(line.startswith("::error file=forged.json") for line in commands)
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out)
    if fmt == "junit":
        ET.fromstring(out)


def test_json_keeps_hostile_keys_exactly(tmp_path: Path, run_cli: Any) -> None:
    _payloads(tmp_path)
    result = run_cli(
        "check", "--isolated", "-e", "omni-video.create", "--format", "json", str(tmp_path)
    )
    pointers = {d["pointer"] for f in json.loads(result.stdout)["files"] for d in f["diagnostics"]}
    for key in HOSTILE_KEYS:
        assert "/" + key.replace("~", "~0").replace("/", "~1") in pointers


@pytest.mark.skipif(sys.platform == "win32", reason="file names with control characters")
@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_sarif_artifact_uris_are_encoded(
    where: str, tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _payloads(tmp_path)
    monkeypatch.chdir(tmp_path)
    target = "." if where == "relative" else str(tmp_path)
    result = run_cli("check", "--isolated", "-e", "omni-video.create", "--format", "sarif", target)
    run = json.loads(result.stdout)["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    for uri in uris:
        parts = urlsplit(uri)
        assert parts.scheme == ("" if where == "relative" else "file")
        assert not parts.query
        assert not parts.fragment
        assert " " not in uri
        assert not _unsafe(uri)
    names = {Path(unquote(urlsplit(uri).path)).name for uri in uris}
    assert set(HOSTILE_NAMES) <= names


def test_a_hostile_config_path_is_escaped_on_stderr(tmp_path: Path, run_cli: Any) -> None:
    folder = tmp_path / f"x\n{FORGED}"
    folder.mkdir()
    (folder / ".kling-lint.toml").write_text("select = []\n")
    (folder / "p.json").write_text(json.dumps(CLEAN_OMNI))
    result = run_cli("check", str(folder / "p.json"))
    assert result.exit_code == 2
    assert not any(line.startswith("::") for line in result.stderr.splitlines())
