"""Outside rules: an example plugin installed through its entry point, and broken plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import CLEAN_OMNI, ROOT, pip_install

PLUGIN = ROOT / "tests" / "plugin_pkg"
SHOUT = {**CLEAN_OMNI, "prompt": "A CAT ON A ROOF AT NIGHT"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, built and installed (with its entry point) into its own folder."""
    target = tmp_path_factory.mktemp("plugin-site")
    pip_install(PLUGIN, target)
    return target


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "kling_lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_entry_point_rule_is_listed_and_fires(installed: Path, tmp_path: Path) -> None:
    listed = _run(installed, tmp_path, "rules", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["code"]: r for r in json.loads(listed.stdout)}
    assert rows["KL801"]["origin"] == "plugin kling-lint-example-plugin"
    assert "## What it does" in _run(installed, tmp_path, "explain", "KL801").stdout
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(SHOUT))
    checked = _run(installed, tmp_path, "check", "--format", "json", str(payload))
    codes = [
        (d["code"], d["pointer"]) for d in json.loads(checked.stdout)["files"][0]["diagnostics"]
    ]
    assert ("KL801", "/prompt") in codes
    assert checked.returncode == 0  # a warning does not fail the run
    assert (
        _run(
            installed, tmp_path, "check", "--ignore", "KL8", "--fail-on", "warning", str(payload)
        ).returncode
        == 0
    )


def _config(tmp_path: Path, plugins: str) -> Path:
    (tmp_path / ".kling-lint.toml").write_text(f"plugins = [{plugins}]\n")
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(SHOUT))
    return payload


def test_configured_plugin_that_raises_blocks_and_exits_2(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(PLUGIN))
    payload = _config(tmp_path, '"kling_lint_example:broken"')
    result = run_cli("check", "--allow-config-plugins", "--format", "json", str(payload))
    assert result.exit_code == 2
    diags = json.loads(result.stdout)["files"][0]["diagnostics"]
    assert [(d["code"], d["severity"], d["line"]) for d in diags if d["code"] == "KL008"] == [
        ("KL008", "error", 1)
    ]


def test_plugin_that_cannot_be_imported_exits_2(tmp_path: Path, run_cli: Any) -> None:
    payload = _config(tmp_path, '"no_such_module:rules"')
    result = run_cli("check", "--allow-config-plugins", str(payload))
    assert result.exit_code == 2
    assert "no_such_module" in result.stderr
    assert ".kling-lint.toml" in result.stderr


def test_plugin_code_clash_exits_2(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "clash_plugin.py"
    module.write_text(
        "from kling_lint.check.rules import Rule, RuleDoc\n"
        "from kling_lint.diagnostics import Severity\n"
        "rules = [Rule('KL101', 'copy', Severity.INFO, RuleDoc('a', 'b', '{}', 'c'))]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = _config(tmp_path, '"clash_plugin:rules"')
    result = run_cli("check", "--allow-config-plugins", str(payload))
    assert result.exit_code == 2
    assert "KL101" in result.stderr


def test_guard_blocks_when_a_plugin_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kling_lint

    monkeypatch.syspath_prepend(str(PLUGIN))
    config = tmp_path / ".kling-lint.toml"
    config.write_text('plugins = ["kling_lint_example:broken"]\n')
    with pytest.raises(kling_lint.PayloadBlocked) as info:
        kling_lint.guard(SHOUT, "omni-video.create", config=config)
    assert [d.code for d in info.value.diagnostics] == ["KL008"]


# (module source, attribute): plugins that try to end or hang the run, or break a reporter
HOSTILE = {
    "exit-at-import": ("raise SystemExit(0)\n", "rules"),
    "exit-in-rule": (
        "from kling_lint.rules import Rule, RuleDoc\n"
        "from kling_lint.diagnostics import Severity\n"
        "def check(ctx):\n    raise SystemExit(0)\n"
        "rules = [Rule('KL881', 'exits', Severity.ERROR, RuleDoc('a', 'b', '{}', 'c'), "
        "payload=check)]\n",
        "rules",
    ),
    "yields-text": (
        "from kling_lint.rules import Rule, RuleDoc\n"
        "from kling_lint.diagnostics import Severity\n"
        "def check(ctx):\n    yield 'not a finding'\n"
        "rules = [Rule('KL882', 'text', Severity.ERROR, RuleDoc('a', 'b', '{}', 'c'), "
        "payload=check)]\n",
        "rules",
    ),
    "message-none": (
        "from kling_lint.rules import Finding, Rule, RuleDoc\n"
        "from kling_lint.diagnostics import Severity\n"
        "def check(ctx):\n    yield Finding((), None)\n"
        "rules = [Rule('KL883', 'none', Severity.ERROR, RuleDoc('a', 'b', '{}', 'c'), "
        "payload=check)]\n",
        "rules",
    ),
    "rules-exit": ("def rules():\n    raise SystemExit(0)\n", "rules"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_a_hostile_plugin_never_ends_the_run_as_a_pass(
    kind: str, fmt: str, tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, attr = HOSTILE[kind]
    module = f"hostile_{kind.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = _config(tmp_path, f'"{module}:{attr}"')
    result = run_cli("check", "--allow-config-plugins", "--format", fmt, str(payload))
    assert result.exit_code == 2, result.output


def test_a_plugin_that_hangs_at_import_stops_the_run(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kling_lint.check import plugins

    (tmp_path / "hangs_plugin.py").write_text("import time\ntime.sleep(30)\nrules = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "IMPORT_SECONDS", 0.3)
    payload = _config(tmp_path, '"hangs_plugin:rules"')
    result = run_cli("check", "--allow-config-plugins", str(payload))
    assert result.exit_code == 2
    assert "hangs_plugin" in result.stderr


def test_a_discovered_config_cannot_load_plugins(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request may add both evil.py and payloads/.kling-lint.toml naming it."""
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\nrules = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    payload = _config(tmp_path, '"evil:rules"')
    result = run_cli("check", str(payload))
    assert result.exit_code == 2
    assert not marker.exists()
    assert "--allow-config-plugins" in result.stderr
    # Named explicitly, the same config is trusted.
    config = tmp_path / ".kling-lint.toml"
    assert run_cli("check", "--config", str(config), str(payload)).exit_code == 0
    assert marker.exists()


@pytest.mark.parametrize(
    ("code", "fault", "exit_zero", "expected"),
    [
        ("KL008", True, False, 2),  # a rule that raised: the check failed
        ("KL008", True, True, 2),  # --exit-zero does not hide a failed check
        ("KL008", False, False, 1),  # the code alone decides nothing: the table does
        ("KL950", True, False, 2),  # an outside rule that says the check failed
        ("KL950", False, True, 0),
    ],
)
def test_exit_two_comes_from_the_rule_table(
    code: str, fault: bool, exit_zero: bool, expected: int
) -> None:
    import dataclasses

    from kling_lint.check.rules import BUILTIN_RULES, Rule, RuleDoc
    from kling_lint.diagnostics import Diagnostic, Severity
    from kling_lint.report.deliver import exit_code
    from kling_lint.results import FileResult, RunResult

    rules = {r.code: r for r in BUILTIN_RULES}
    doc = RuleDoc("Reports.", "Because.", "{}", "{}")
    rules["KL950"] = Rule("KL950", "outside-check", Severity.ERROR, doc, origin="plugin x")
    rules[code] = dataclasses.replace(rules[code], fault=fault)
    found = Diagnostic(code, rules[code].name, Severity.ERROR, "message")
    result = RunResult([FileResult("a.json", None, None, (found,))], rules=rules)
    assert exit_code(result, exit_zero=exit_zero) == expected
