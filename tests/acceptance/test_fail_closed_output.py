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
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import CLEAN_OMNI

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


# Exchange logs are committed and reviewed in pull requests: no credential may reach them,
# whatever the name of the parameter or member that holds it, and wherever a URL sits.
_SECRET_STEMS = [
    "token", "secret", "key", "sig", "auth", "password", "credential", "signature", "apikey",
]  # fmt: skip
_SEPARATORS = ["", "_", "-", ".", " "]
SECRET = "S3CR3T-VALUE-9"


@st.composite
def _secret_names(draw: st.DrawFn) -> str:
    """A name that says it holds a credential: a secret word in any case, with words of
    any case around it, joined by any separator (or camelCase)."""
    word = st.text(alphabet="abcdefghxyz", min_size=1, max_size=6)
    stem = draw(st.sampled_from(_SECRET_STEMS))
    before = draw(st.lists(word, max_size=2))
    after = draw(st.lists(word, max_size=2))
    case = draw(st.sampled_from([str.lower, str.upper, str.capitalize]))
    sep = draw(st.sampled_from(_SEPARATORS))
    words = [*before, case(stem), *after]
    if sep == "" and draw(st.booleans()):  # camelCase: each later word capitalised
        return words[0] + "".join(w.capitalize() if w is not words[0] else w for w in words[1:])
    return sep.join(words)


def _urls(raw: str) -> list[str]:
    name = quote(raw)  # as a URL carries it
    return [
        f"https://x.example/p?{name}={SECRET}&a=1",
        f"  https://x.example/p?{name}={SECRET}",
        f"https://user:{SECRET}@x.example/p",
        f"https://x.example/p#{name}={SECRET}",
        f"see https://x.example/p?q=1&{name}={SECRET} now",
        f"https://x.example/p?next={quote(f'https://y/?{name}={SECRET}', safe='')}",
        f"http://[::1/{SECRET}",  # a URL no reader takes apart
    ]


@given(name=_secret_names())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_no_credential_reaches_an_exchange_log(name: str) -> None:
    _assert_redacted(name)


def _assert_redacted(name: str) -> None:
    from kling_lint.evidence.record import exchange
    from kling_lint.register import builtin_register

    body = {
        **CLEAN_OMNI,
        name: SECRET,
        "callback_url": _urls(name)[0],
        "nested": [{name: SECRET, "u": u} for u in _urls(name)],
    }
    url = f"https://api.example/v1/videos/omni-video?{quote(name)}={SECRET}"
    record = exchange(builtin_register(), "POST", url, body, status=200, response=b"{}")
    assert SECRET not in json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize(
    "name",
    ["accessToken", "sessionToken", "clientSecret", "privateKey", "apiToken", "OSSAccessKeyId",
     "X-Amz-Signature", "sig", "client_secret", "PASSWORD", "x.auth", "Credential"],
)  # fmt: skip
def test_named_credentials_are_redacted(name: str) -> None:
    _assert_redacted(name)


def test_ordinary_names_are_kept() -> None:
    from kling_lint.evidence.record import is_secret

    for name in ["prompt", "mode", "callback_url", "external_task_id", "image_url", "aspect_ratio"]:
        assert not is_secret(name)


HOSTILE_MESSAGE = f"bad\x1b[2J\x1b]0;owned\x07\n{FORGED}\n| fake | row |\n[link](https://x.test)"


def _hostile_log(path: Path) -> None:
    from kling_lint.evidence import log
    from kling_lint.evidence.record import exchange
    from kling_lint.register import builtin_register

    register = builtin_register()
    url = "https://api.example/v1/videos/omni-video"
    ok = json.dumps({"code": 0, "message": HOSTILE_MESSAGE, "data": {"task_id": "t"}})
    bad = json.dumps({"code": 1201, "message": HOSTILE_MESSAGE})
    body = {**CLEAN_OMNI, HOSTILE_KEYS[0]: "x", "mode": f"std|`{FORGED}"}
    log.append(path, exchange(register, "POST", url, body, status=200, response=ok))
    log.append(path, exchange(register, "POST", url, body, status=400, response=bad))


def _forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("::", "| fake"))]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_evidence_review_shows_log_text_escaped(fmt: str, tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / "runs.jsonl"
    _hostile_log(target)
    result = run_cli("evidence", "review", "--format", fmt, str(target))
    assert result.exit_code in (0, 1), result.output
    assert not [line for line in result.stdout.splitlines() if _unsafe(line)]
    assert not _forged_lines(result.stdout)
    if fmt == "markdown":
        rows = [line for line in result.stdout.splitlines() if line.startswith("|")]
        assert all(_cells(row) == 4 for row in rows)
        assert "](" not in result.stdout.replace("\\](", "")


def _cells(row: str) -> int:
    """Cells of a GFM table row: pipes not escaped with a backslash."""
    import re

    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_registry_diff_shows_register_text_escaped(fmt: str, tmp_path: Path, run_cli: Any) -> None:
    import shutil

    from ..conftest import REGISTRY

    new = tmp_path / "registry"
    shutil.copytree(REGISTRY, new)
    omni = new / "endpoints" / "omni-video.create.yaml"
    text = omni.read_text()
    hostile = json.dumps(f"x\x1b[2J\x1b]0;owned\x07\n{FORGED}|`")
    assert "    enum: [std, pro, 4k]" in text
    omni.write_text(
        text.replace("    enum: [std, pro, 4k]", f"    enum: [std, pro, 4k, {hostile}]", 1)
    )
    result = run_cli("registry", "diff", "--format", fmt, str(REGISTRY), str(new))
    assert result.exit_code == 0, result.output
    assert not [line for line in result.stdout.splitlines() if _unsafe(line)]
    assert not _forged_lines(result.stdout)
    if fmt == "markdown":
        rows = [line for line in result.stdout.splitlines() if line.startswith("|")]
        assert all(_cells(row) == 5 for row in rows)
