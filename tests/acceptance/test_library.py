"""The library: lint, guard (fail closed), a shared Linter, and parity with the CLI."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

import kling_lint
from kling_lint.check.linter import Linter
from kling_lint.load import Payload, read_file, unwrap_envelope
from kling_lint.run import Options, execute

from ..conftest import CLEAN_OMNI as GOOD
from ..conftest import EXAMPLES


def test_lint_reports_codes_and_pointers() -> None:
    report = kling_lint.lint({**GOOD, "mode": "standard"}, "omni-video.create")
    assert report.blocked
    assert not report.ok
    assert [(d.code, d.pointer) for d in report.diagnostics] == [("KL102", "/mode")]


def test_lint_accepts_routes_and_rejects_unknown_endpoints() -> None:
    assert kling_lint.lint(GOOD, "POST /v1/videos/omni-video").ok
    with pytest.raises(KeyError):
        kling_lint.lint(GOOD, "omni.create")


def test_guard_raises_with_diagnostics() -> None:
    assert kling_lint.guard(GOOD, "omni-video.create").ok
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(
            {**GOOD, "image_list": [{"image": "https://e.example/a.png"}]}, "omni-video.create"
        )
    assert [d.code for d in info.value.diagnostics] == ["KL101"]
    assert info.value.endpoint == "omni-video.create"


def test_guard_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(GOOD, "omni-video.create", config=tmp_path / "missing.toml")
    assert [d.code for d in info.value.diagnostics] == ["KL007"]
    broken = tmp_path / "pyproject.toml"
    broken.write_text("[tool.kling-lint]\nregister = 'nowhere'\n")
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(GOOD, "omni-video.create", config=broken)
    assert [d.code for d in info.value.diagnostics] == ["KL007"]
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(GOOD, "omni.create")
    assert [d.code for d in info.value.diagnostics] == ["KL004"]


def test_guard_honours_a_config_allowlist(tmp_path: Path) -> None:
    config = tmp_path / ".kling-lint.toml"
    config.write_text(
        '[[allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\nreason = "probe"\n'
    )
    probe = {**GOOD, "voice_list": [{"voice_id": "v1"}]}
    with pytest.raises(kling_lint.PayloadBlocked):
        kling_lint.guard(probe, "omni-video.create")
    report = kling_lint.guard(probe, "omni-video.create", config=config)
    assert [d.suppressed_by.reason for d in report.diagnostics if d.suppressed_by] == ["probe"]


def test_linter_is_shared_safely_between_threads() -> None:
    linter = Linter()
    bad = {**GOOD, "mode": "standard"}
    expected = [(d.code, d.pointer) for d in linter.lint(bad, "omni-video.create").diagnostics]
    seen: list[Any] = []

    def work() -> None:
        for i in range(200):
            payload = bad if i % 2 else GOOD
            seen.append(
                (
                    payload is bad,
                    [
                        (d.code, d.pointer)
                        for d in linter.lint(payload, "omni-video.create").diagnostics
                    ],
                )
            )

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 800
    assert all(got == (expected if is_bad else []) for is_bad, got in seen)


def test_cli_and_library_agree_on_every_example() -> None:
    """One engine: the same payload gives the same diagnostics either way."""
    results = execute(Options(paths=(str(EXAMPLES),), isolated=True)).files
    compared = 0
    for result in results:
        if result.endpoint is None:
            continue
        (loaded,) = [
            p for p in read_file(Path(result.path), result.path) if p.record == result.record
        ]
        assert isinstance(loaded, Payload)
        payload = unwrap_envelope(loaded)
        library = kling_lint.lint(payload.data, result.endpoint).diagnostics
        load_codes = {"KL002", "KL003"}
        cli = [
            (d.code, d.pointer, d.severity) for d in result.diagnostics if d.code not in load_codes
        ]
        assert sorted(cli) == sorted((d.code, d.pointer, d.severity) for d in library), result.path
        compared += 1
    assert compared >= 15


def test_a_config_object_is_compiled_once() -> None:
    from kling_lint.api import _linter
    from kling_lint.config import parse_config

    config = parse_config({"ignore": ["KL108", "KL109"]})
    assert _linter(config) is _linter(config)
    assert (
        kling_lint.lint({**GOOD, "sound": "off"}, "omni-video.create", config=config).diagnostics
        == ()
    )


def test_an_unreadable_endpoint_schema_blocks_in_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema is read on first use of an endpoint; if it cannot be, guard fails closed."""
    import dataclasses

    from kling_lint import api
    from kling_lint.register import RegisterError, builtin_register

    broken = Linter(dataclasses.replace(builtin_register(), schemas=tmp_path))
    with pytest.raises(RegisterError):
        broken.lint(GOOD, "omni-video.create")
    monkeypatch.setattr(api, "_linter", lambda config: broken)
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(GOOD, "omni-video.create")
    assert [d.code for d in info.value.diagnostics] == ["KL007"]


def test_auto_finds_the_config_the_cli_finds(
    tmp_path: Path, monkeypatch: Any, run_cli: Any
) -> None:
    """The same payload, the same verdict: `kling-lint check` and guard(config="auto")."""
    import kling_lint

    (tmp_path / "pyproject.toml").write_text(
        '[tool.kling-lint]\n[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\n'
        'field = "voice_list"\nreason = "probe"\n'
    )
    payload = {**GOOD, "voice_list": [{"voice_id": "829836802793406552"}]}
    (tmp_path / "p.json").write_text(json.dumps(payload))
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "p.json").exit_code == 0
    assert not kling_lint.guard(payload, "omni-video.create", config="auto").blocked
    with pytest.raises(kling_lint.PayloadBlocked):
        kling_lint.guard(payload, "omni-video.create")  # the defaults: the gate stands


def test_auto_refuses_plugins_of_a_discovered_config(tmp_path: Path, monkeypatch: Any) -> None:
    import kling_lint

    (tmp_path / ".kling-lint.toml").write_text('plugins = ["some_module:RULES"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(kling_lint.PayloadBlocked) as blocked:
        kling_lint.guard(GOOD, "omni-video.create", config="auto")
    assert [d.code for d in blocked.value.diagnostics] == ["KL007"]


# The first hour of a Python service: str paths, a Linter handed on, the TOML key names.


def _allowing(tmp_path: Path) -> Path:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.kling-lint]\n"
        "[[tool.kling-lint.allow]]\n"
        'endpoint = "omni-video.create"\nfield = "mode"\nvalue = "standard"\nreason = "probe"\n'
    )
    return config


def test_a_config_file_may_be_named_by_a_plain_string(tmp_path: Path) -> None:
    from kling_lint.config import load_config

    config = _allowing(tmp_path)
    probe = {**GOOD, "mode": "standard"}
    assert load_config(str(config)).allow
    assert Linter(config=str(config)).lint(probe, "omni-video.create").ok
    assert Linter(config=config).lint(probe, "omni-video.create").ok
    assert Linter().lint(probe, "omni-video.create").blocked


def test_config_takes_the_toml_key_names_and_plain_values() -> None:
    from kling_lint import Config
    from kling_lint.diagnostics import Severity

    assert Config(policy=("pipeline",)).policies == ("pipeline",)
    assert Config(policy="pipeline").policies == ("pipeline",)
    assert Config(policies=["pipeline"]).policies == ("pipeline",)
    assert Config(register="registry").register == Path("registry")
    assert Config(overlays="team").overlays == (Path("team"),)
    assert Config(fail_on="warning").fail_on is Severity.WARNING
    with pytest.raises(TypeError):
        Config(policy=("pipeline",), policies=("pipeline",))
    # The policy named the TOML way is applied, not dropped.
    sixteen = {**GOOD, "model_name": "kling-v2-6"}
    with_policy = Linter(config=Config(policy="pipeline")).lint(sixteen, "omni-video.create")
    assert with_policy.diagnostics != Linter().lint(sixteen, "omni-video.create").diagnostics


def test_every_entry_point_takes_a_linter_it_is_handed(tmp_path: Path) -> None:
    import kling_lint.integrations as ki

    linter = Linter(config=_allowing(tmp_path))
    probe = {**GOOD, "mode": "standard"}
    assert kling_lint.lint(probe, "omni-video.create", config=linter).ok
    assert kling_lint.guard(probe, "omni-video.create", config=linter).ok
    body = json.dumps(probe).encode()
    url = "https://api-singapore.klingai.com/v1/videos/omni-video"
    ki.check_request("POST", url, body, config=linter)  # allowed by the linter: no raise
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        ki.check_request("POST", url, body)  # the defaults block it
    assert [d.code for d in info.value.diagnostics] == ["KL102"]


def test_a_dropped_linter_leaves_no_register_behind(tmp_path: Path) -> None:
    """A service that builds a Linter per request config must not keep every register it
    ever loaded: every answer remembered about a register lives on it, and goes with it."""
    import gc
    import shutil
    import weakref

    from kling_lint import Config
    from kling_lint.integrations import check_request

    folder = tmp_path / "registry"
    shutil.copytree(Path(__file__).parent.parent.parent / "registry", folder)
    left: list[weakref.ref[Any]] = []
    body = json.dumps({**GOOD, "mode": "standard"}).encode()
    for _ in range(4):
        linter = Linter(config=Config(register=folder))
        # Use every remembered path: a named endpoint, a route, a shape, a finding's
        # wording, the HTTP route table.
        linter.lint({**GOOD, "mode": "standard", "made_up": 1}, "omni-video.create")
        linter.lint(GOOD, "POST /v1/videos/omni-video")
        from kling_lint.check.endpoint import infer

        infer(linter.register, GOOD)
        with pytest.raises(kling_lint.PayloadBlocked):
            check_request("POST", "https://x.example/v1/videos/omni-video", body, config=linter)
        left.append(weakref.ref(linter.register))
        del linter
    gc.collect()
    assert [ref() for ref in left] == [None] * 4


def test_an_unknown_endpoint_reads_as_a_sentence() -> None:
    with pytest.raises(KeyError) as info:
        kling_lint.lint(GOOD, "omni.create")
    assert str(info.value).startswith("unknown endpoint")  # not a quoted key
