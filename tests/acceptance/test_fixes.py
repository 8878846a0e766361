"""Fixes: made from the register's data, in place, everything else kept byte for byte;
fixing twice is fixing once, and a fixed file has none of the fixed findings and no new
ones."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kling_lint.register import builtin_register
from kling_lint.run import Options, execute

from ..conftest import CLEAN_OMNI
from ..strategies import conforming_payloads, near_payloads

T2V = {"prompt": "a cat", "duration": "5", "aspect_ratio": "16:9"}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# (file name, text before, text after --fix, text after --fix --unsafe-fixes)
# A double-quoted scalar past 80 columns, with escapes and invisible characters in it.
_LONG = '"a \\u00e9 \\u200b cat\u00a0' + " and a long prompt" * 6 + '"'
CASES = [
    (
        "values.json",
        '{\n  "model_name": "kling-v3-omni", "prompt": "a",\n  "duration" :5,\n'
        '  "mode":   "standard", "aspect_ratio": "16:9"\n}\n',
        '{\n  "model_name": "kling-v3-omni", "prompt": "a",\n  "duration" :"5",\n'
        '  "mode":   "std", "aspect_ratio": "16:9"\n}\n',
        None,
    ),
    (
        "legacy.json",
        '{"model_name": "kling-v3-omni", "prompt": "a", "duration": "5", "mode": "std",'
        ' "aspect_ratio": "16:9", "image_list": [{"image": "https://x.test/a.png"}]}',
        None,
        '{"model_name": "kling-v3-omni", "prompt": "a", "duration": "5", "mode": "std",'
        ' "aspect_ratio": "16:9", "image_list": [{"image_url": "https://x.test/a.png"}]}',
    ),
    (
        "t2v.text2video.create.json",
        '{"model": "kling-v2-6", "prompt": "a cat", "duration": "5", "aspect_ratio": "16:9"}',
        None,
        '{"model_name": "kling-v2-6", "prompt": "a cat", "duration": "5", "aspect_ratio": "16:9"}',
    ),
    (
        "voice.tts.create.json",
        '{"text": "Hi", "voice_id": "oversea_male1", "voice_language": "en", "speed": 1}',
        None,
        '{"text": "Hi", "voice_id": "oversea_male1", "voice_language": "en", "voice_speed": 1}',
    ),
    (
        "misnomer.tts.create.json",  # a name the register knows as another field's misnomer
        '{"text": "Hi", "voice_id": "oversea_male1", "language": "en"}',
        None,
        '{"text": "Hi", "voice_id": "oversea_male1", "voice_language": "en"}',
    ),
    (
        "misnomer.image2video.create.json",
        '{"model_name": "kling-v2-1", "image_url": "https://x.test/a.png", "prompt": "p"}',
        None,
        '{"model_name": "kling-v2-1", "image": "https://x.test/a.png", "prompt": "p"}',
    ),
    (
        "log.jsonl",
        json.dumps({**CLEAN_OMNI, "mode": "standard"})
        + "\n"
        + json.dumps(CLEAN_OMNI)
        + "\n"
        + json.dumps({**CLEAN_OMNI, "duration": 10})
        + "\n",
        json.dumps(CLEAN_OMNI)
        + "\n"
        + json.dumps(CLEAN_OMNI)
        + "\n"
        + json.dumps({**CLEAN_OMNI, "duration": "10"})
        + "\n",
        None,
    ),
    (
        "envelope.json",
        json.dumps({"endpoint": "omni-video.create", "body": {**CLEAN_OMNI, "mode": "standard"}}),
        json.dumps({"endpoint": "omni-video.create", "body": CLEAN_OMNI}),
        None,
    ),
    (
        "scene.yaml",
        '# the pilot\nmodel_name: kling-v3-omni\nprompt: "a cat"   # short\nduration: 5\n'
        "mode: standard\nsound: on\naspect_ratio: '16:9'\n",
        # A string a fix writes is quoted as every other one it writes: double quotes.
        '# the pilot\nmodel_name: kling-v3-omni\nprompt: "a cat"   # short\nduration: "5"\n'
        "mode: std\nsound: \"on\"\naspect_ratio: '16:9'\n",
        None,
    ),
    (
        "legacy.yml",
        "model_name: kling-v3-omni\nprompt: a\nduration: '5'\nmode: std\naspect_ratio: '16:9'\n"
        "image_list:\n- image: https://x.test/a.png  # the first frame\n",
        None,
        "model_name: kling-v3-omni\nprompt: a\nduration: '5'\nmode: std\naspect_ratio: '16:9'\n"
        # the key is replaced where it stands: the rest of the line is as it was
        "image_list:\n- image_url: https://x.test/a.png  # the first frame\n",
    ),
    (
        # CRLF, a comment, a long plain scalar, escapes and invisible characters: only the
        # value fixed changes; every other byte (line endings included) stays.
        "crlf.yaml",
        "model_name: kling-v3-omni   # the model\r\nprompt: " + _LONG + "\r\n"
        'duration: "5"\r\nmode: standard  # legacy\r\naspect_ratio: "16:9"\r\n',
        "model_name: kling-v3-omni   # the model\r\nprompt: " + _LONG + "\r\n"
        'duration: "5"\r\nmode: std  # legacy\r\naspect_ratio: "16:9"\r\n',
        None,
    ),
    (
        "crlf.json",
        '\ufeff{\r\n  "model_name": "kling-v3-omni",\r\n  "prompt": "a",\r\n  "duration": "5",\r\n'
        '  "mode": "standard",\r\n  "aspect_ratio": "16:9"\r\n}\r\n',
        '\ufeff{\r\n  "model_name": "kling-v3-omni",\r\n  "prompt": "a",\r\n  "duration": "5",\r\n'
        '  "mode": "std",\r\n  "aspect_ratio": "16:9"\r\n}\r\n',
        None,
    ),
]


@pytest.mark.parametrize(("name", "before", "safe", "unsafe"), CASES, ids=[c[0] for c in CASES])
def test_fixes_edit_in_place(
    here: Path, run_cli: Any, name: str, before: str, safe: str | None, unsafe: str | None
) -> None:
    path = here / name
    path.write_bytes(before.encode())
    run_cli("check", "--fix", name)
    assert path.read_bytes().decode() == (safe or before)
    result = run_cli("check", "--fix", "--unsafe-fixes", name)
    assert path.read_bytes().decode() == (unsafe or safe or before)
    assert result.exit_code == 0


def test_a_misnomer_whose_value_would_be_wrong_under_the_right_name_is_not_renamed(
    here: Path, run_cli: Any
) -> None:
    # fal's boolean generate_audio: under the documented name sound it would be a wrong type
    path = here / "audio.omni-video.create.json"
    path.write_text(json.dumps({**CLEAN_OMNI, "generate_audio": True}))
    before = path.read_bytes()
    result = run_cli("check", "--fix", "--unsafe-fixes", "--format", "json", path.name)
    assert path.read_bytes() == before
    (only,) = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert (only["code"], only["pointer"]) == ("KL106", "/generate_audio")


def test_diff_writes_nothing_and_says_whether_anything_would_change(
    here: Path, run_cli: Any
) -> None:
    (here / "a.json").write_text(json.dumps({**CLEAN_OMNI, "mode": "standard"}))
    before = (here / "a.json").read_bytes()
    result = run_cli("check", "--diff", "a.json")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("-{")] == [
        line.replace('"std"', '"standard"').replace("+", "-", 1)
        for line in lines
        if line.startswith("+{")
    ]
    assert any(line.startswith("+{") and '"mode": "std"' in line for line in lines)
    # The file ends without a line end: the diff says so, and git applies it.
    assert lines.count("\\ No newline at end of file") == 2
    done = subprocess.run(
        ["git", "apply", "--check", "-"],
        input=result.stdout,
        text=True,
        cwd=here,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert (here / "a.json").read_bytes() == before
    (here / "b.json").write_text(json.dumps(CLEAN_OMNI))
    assert run_cli("check", "--diff", "b.json").exit_code == 0


def test_files_without_a_fix_are_not_touched(here: Path, run_cli: Any) -> None:
    (here / "clean.json").write_text(json.dumps(CLEAN_OMNI))
    (here / "unfixable.json").write_text(json.dumps({**CLEAN_OMNI, "voice_list": []}))
    (here / "twice.json").write_text('{"mode": "std", "mode": "standard", "prompt": "a"}')
    (here / "unfixable.yaml").write_text(f"{json.dumps({**CLEAN_OMNI, 'voice_list': []})}\n")
    stats = {p.name: os.stat(p) for p in here.iterdir()}
    run_cli("check", "--fix", "--unsafe-fixes", ".")
    for path in here.iterdir():
        assert os.stat(path).st_ino == stats[path.name].st_ino, path.name  # not rewritten
        assert os.stat(path).st_mtime_ns == stats[path.name].st_mtime_ns, path.name


def _findings(path: Path, endpoint: str) -> set[tuple[str, str]]:
    result = execute(Options(paths=(str(path),), endpoint=endpoint, isolated=True))
    return {(d.code, d.pointer) for f in result.files for d in f.diagnostics if d.counts}


def _mutations(endpoint_id: str, payload: dict[str, Any]) -> list[Any]:
    """Defects the register gives a fix for, which this payload can be given."""
    endpoint = builtin_register().endpoints[endpoint_id]
    out: list[Any] = []
    for path, field in endpoint.fields.items():
        if "." in path or "[" in path:
            continue
        for info in field.values.values():
            if info.replaced_by is not None and isinstance(info.value, str):
                out.append(("set", path, info.value))
        sent = payload.get(path)
        if field.numeric_string and isinstance(sent, str) and sent.isdigit():
            out.append(("set", path, int(sent)))
        new = field.replaced_by
        if new and "." not in new and new in payload and path not in payload:
            out.append(("rename", new, path))
    for misnomer, use in endpoint.misnomers.items():
        if "." not in misnomer and use in payload and misnomer not in payload:
            out.append(("rename", use, misnomer))
    return out


@st.composite
def fixable_payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A conforming payload given up to three defects the register has a fix for."""
    endpoint_id = draw(st.sampled_from(["omni-video.create", "text2video.create"]))
    payload = dict(draw(conforming_payloads(endpoint_id)))
    possible = _mutations(endpoint_id, payload)
    chosen = draw(st.lists(st.sampled_from(possible), max_size=3)) if possible else []
    for kind, name, value in chosen:
        if kind == "set":
            payload[name] = value
        elif name in payload:  # back to the legacy key
            payload = {value if k == name else k: v for k, v in payload.items()}
    return endpoint_id, payload


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fixable_payloads() | near_payloads(),
    st.sampled_from(["json", "indented", "yaml"]),
    st.booleans(),
)
def test_fixing_twice_is_fixing_once_and_brings_nothing_new(
    tmp_path: Path, case: tuple[str, dict[str, Any]], form: str, unsafe: bool
) -> None:
    import io

    from ruamel.yaml import YAML

    from kling_lint.fix import apply as fix

    endpoint, payload = case
    path = tmp_path / ("p.yaml" if form == "yaml" else "p.json")
    if form == "yaml":
        text = io.StringIO()
        YAML(typ="safe", pure=True).dump(payload, text)
        path.write_text(text.getvalue())
    else:
        path.write_text(json.dumps(payload, indent=2 if form == "indented" else None))
    before = _findings(path, endpoint)
    options = Options(paths=(str(path),), endpoint=endpoint, isolated=True, fixes=True)
    made: set[tuple[str, str]] = set()
    for _ in range(5):  # to completion, as --fix does
        changes = fix.plan(execute(options).files, unsafe)
        if not changes:
            break
        fix.write(changes)
        made |= {(e.code, e.pointer) for c in changes for e in c.made}
    after = _findings(path, endpoint)
    assert not made & after  # what was fixed is gone
    assert after <= before  # and nothing new came
    assert fix.plan(execute(options).files, unsafe) == []  # fixing again changes nothing


def test_the_generated_payloads_are_mostly_fixable() -> None:
    """The property above is not vacuous: most payloads it tries have a fix to make."""
    from hypothesis import find

    from kling_lint.check.linter import Linter
    from kling_lint.fix.propose import for_payload

    linter = Linter()

    def fixable(case: tuple[str, dict[str, Any]]) -> bool:
        endpoint, payload = case
        found = linter.lint(payload, endpoint).diagnostics
        return bool(for_payload(linter, linter.endpoint(endpoint), payload, found))

    for kind in ("set", "rename"):
        find(
            fixable_payloads(),
            lambda c, kind=kind: fixable(c) and any(m[0] == kind for m in _mutations(*c) or []),
        )


def test_standard_input_is_never_fixed_into_the_file_it_is_named_after(
    here: Path, run_cli: Any
) -> None:
    (here / "x.json").write_text(json.dumps(CLEAN_OMNI))
    (here / "-").write_text(json.dumps(CLEAN_OMNI))
    before = {p.name: p.read_bytes() for p in here.iterdir()}
    text = json.dumps({**CLEAN_OMNI, "mode": "standard"})
    for args in (("-", "--stdin-filename", "x.json"), ("-",)):
        result = run_cli("check", "--fix", "--unsafe-fixes", *args, input=text)
        assert result.exit_code == 1  # the finding stands: nothing was fixed
    assert {p.name: p.read_bytes() for p in here.iterdir()} == before


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A YAML 1.1 look-alike as a key: the key is quoted, not the value.
        ("callback_url: {N: ''}\n", "callback_url: {\"N\": ''}\n"),
        ("callback_url:\n  on: x\n", 'callback_url:\n  "on": x\n'),
        # An anchor no alias uses stays; the value after it is fixed.
        ("mode: &m standard\n", "mode: &m std\n"),
        # A tag would retype the new value: it goes with the old one.
        ("mode: !!str standard  # x\r\n", "mode: std  # x\r\n"),
        # A value an alias shares would change in both places: left undone.
        ("mode: &m standard\nnegative_prompt: *m\n", None),
    ],
)
def test_yaml_fixes_edit_only_what_they_fix(before: str, after: str | None) -> None:
    from kling_lint.fix.apply import apply_yaml
    from kling_lint.fix.propose import Edit

    quote = "callback_url" in before
    edit = (
        Edit("KL011", "/callback_url/" + ("N" if "N" in before else "on"), "q", True, quote=True)
        if quote
        else Edit("KL102", "/mode", "std", True, "std")
    )
    text, made = apply_yaml(before, [edit])
    assert text == (after or before)
    assert bool(made) == (after is not None)


def test_a_fix_never_overwrites_what_changed_since_it_was_read(tmp_path: Path) -> None:
    """Between the check and the write someone else may save the file: their text stays."""
    from kling_lint.config import ConfigError
    from kling_lint.fix.apply import FileFix, write

    path = tmp_path / "p.json"
    path.write_text('{"mode": "standard"}\n')
    planned = FileFix(str(path), '{"mode": "standard"}\n', '{"mode": "std"}\n', [])
    path.write_text('{"mode": "standard", "prompt": "theirs"}\n')  # saved meanwhile
    with pytest.raises(ConfigError):
        write([planned])
    assert path.read_text() == '{"mode": "standard", "prompt": "theirs"}\n'
    path.write_text('{"mode": "standard"}\n')
    write([planned])
    assert path.read_text() == '{"mode": "std"}\n'
