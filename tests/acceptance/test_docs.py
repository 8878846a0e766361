"""The README and docs do what they say: every command runs as written, shown output is what
the command prints, every rule's example fires its rule, and the install, CI and pre-commit
recipes work on a machine with only the package index."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from ruamel.yaml import YAML

from kling_lint.check.rules import all_rules
from kling_lint.register import builtin_register

from ..conftest import EXAMPLES, ROOT

# docs/REGISTER.md and docs/rules.md are generated from the register; the rules' examples
# are checked one by one below.
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md"))]
DOCS = [p for p in DOCS if p.name not in ("REGISTER.md", "rules.md")]
BIN = Path(sys.executable).parent
# The placeholders the recipes ask a reader to fill in, and what this test fills in.
GIT_URL = "https://git.example.com/you/kling-lint"
SHA = "<full commit sha>"


class Block(NamedTuple):
    doc: Path
    lang: str
    body: str


def _blocks(doc: Path) -> Iterator[Block]:
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", doc.read_text(), re.S | re.M):
        yield Block(doc, match.group(1), match.group(2))


class Command(NamedTuple):
    line: str
    shown: tuple[str, ...]  # the output a console block shows under it


def _commands(doc: Path) -> list[Command]:
    """The commands of a doc's console and sh blocks, in reading order."""
    out: list[Command] = []
    for block in _blocks(doc):
        if block.lang == "console":
            for line in block.body.splitlines():
                if line.startswith("$ "):
                    out.append(Command(line[2:], ()))
                elif out and line.strip():
                    out[-1] = out[-1]._replace(shown=(*out[-1].shown, line))
        elif block.lang in ("sh", "shell", "bash"):
            out += [Command(line, ()) for line in block.body.splitlines() if line.strip()]
    return out


def _without_comment(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def _sandbox(tmp_path: Path) -> Path:
    """A repository a reader might have: payloads (good, blocked, fixable), a config, a team
    config with an allowlist, and the bundled examples."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root / "examples")
    payloads = root / "payloads"
    shutil.copytree(EXAMPLES / "good", payloads)
    for name in ("omni-mode-standard.json", "omni-voice-list.json"):
        shutil.copy(EXAMPLES / "blocked" / name, payloads / name)
    entry = (
        '[[tool.kling-lint.allow]]\nendpoint = "omni-video.create"\nfield = "mode"\n'
        'value = "std"\nreason = "before std was confirmed"\n'
    )
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.kling-lint]\n')
    (root / "team").mkdir()
    (root / "team" / ".kling-lint.toml").write_text(entry.replace("tool.kling-lint.", ""))
    _exchange_log(root / "runs.jsonl")
    shutil.copytree(ROOT / "registry", root / "registry")
    shutil.copytree(ROOT / "registry", root / "old-registry")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root)]
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "registry"], check=True)
    subprocess.run([*git, "commit", "-qm", "the register"], check=True)
    return root


def _exchange_log(target: Path) -> None:
    """A few recorded calls, as docs/evidence.md shows them."""
    from kling_lint.evidence.log import append
    from kling_lint.evidence.record import exchange

    from ..conftest import CLEAN_OMNI

    register = builtin_register()
    omni = "/v1/videos/omni-video"

    def answer(code: int, **data: str) -> str:
        return json.dumps({"code": code, "message": "SUCCEED" if not code else "x", "data": data})

    calls = [
        ("POST", omni, {**CLEAN_OMNI, "external_task_id": "e1"}, 200, answer(0, task_id="t1")),
        ("POST", omni, {**CLEAN_OMNI, "aspect_ratio": "1:1"}, 400, answer(1201)),
        ("POST", omni, {**CLEAN_OMNI, "voice_list": [{"voice_id": "v"}]}, 200, answer(0)),
        ("POST", omni, CLEAN_OMNI, 429, answer(1302)),
        ("GET", f"{omni}/t1", None, 200, answer(0, task_id="t1", task_status="succeed")),
    ]
    for method, path, body, status, response in calls:
        append(target, exchange(register, method, path, body, status=status, response=response))


def _env(extra: dict[str, str] | None = None, bin_dir: Path = BIN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV"))}
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "NO_COLOR": "1", **(extra or {})}


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _lint_commands(doc: Path) -> list[Command]:
    return [c for c in _commands(doc) if _without_comment(c.line).startswith("kling-lint")]


@pytest.mark.parametrize("doc", [d for d in DOCS if _lint_commands(d)], ids=lambda d: d.name)
def test_every_command_runs_as_written(doc: Path, tmp_path: Path) -> None:
    root = _sandbox(tmp_path)
    for command in _commands(doc):
        line = _without_comment(command.line)
        if line.startswith("make "):  # the project's own targets (`make test` runs this file)
            target = line.split()[1]
            assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), re.M), line
            continue
        if not line.startswith(("kling-lint", "git ")):
            continue  # installs: see the recipe tests below
        done = _run(line, root, _env())
        assert done.returncode in (0, 1), f"{doc.name}: {line}\n{done.stderr}"
        assert "internal error" not in done.stderr
        assert "Traceback" not in done.stderr
        _same_output(doc, command, done.stdout + done.stderr)


_FINDING = re.compile(r"^(\S+:\d+:\d+: KL\d{3}\b)")


def _same_output(doc: Path, command: Command, actual: str) -> None:
    """A shown finding is printed (its place and code; messages may be elided with "..."),
    and a shown summary line is printed exactly."""
    lines = actual.splitlines()
    for shown in command.shown:
        finding = _FINDING.match(shown)
        if finding:
            assert any(line.startswith(finding.group(1)) for line in lines), (doc.name, shown)
        elif re.match(r"^\d+ of \d+ payloads? blocked|^Found \d+ finding", shown):
            assert shown in lines, (doc.name, shown, lines)
    shown_findings = [s for s in command.shown if _FINDING.match(s)]
    if shown_findings:  # and nothing else: the count a doc shows is the count there is
        assert len(shown_findings) == len([x for x in lines if _FINDING.match(x)]), doc.name


RULES = sorted(all_rules(builtin_register()), key=lambda r: r.code)
# Examples that are not a payload file: a guard call, a plugin, the schema's catch-all, a
# command, or a config (the allowlist and baseline rules, which tests/cases cover).
NOT_A_FILE = {"KL007", "KL008", "KL012", "KL200", "KL901", "KL902", "KL903", "KL904", "KL905"}
NOT_A_FILE |= {"KL906"}
# Examples that need a register state the shipped register does not have (no value of it is
# hypothesis-only today); the rule's documentation names the overlay.
NEEDS_OVERLAY = {"KL105": "tests/data/overlays/probe-8k"}
# Examples of a value retiring soon: the overlay dates it a week from the day of the run.
RETIRING_NEXT_WEEK = {
    "KL210": ("video-effects.create", "effect_scene", "a_scene_retiring_next_week")
}


def _retiring_overlay(folder: Path, endpoint: str, field: str, value: str) -> Path:
    import datetime as dt

    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    (folder / "endpoints").mkdir(parents=True)
    (folder / "endpoints" / f"{endpoint}.yaml").write_text(
        f"id: {endpoint}\nfields:\n  {field}:\n    values:\n      {value}:\n"
        f"        status: [doc-derived]\n        retires: '{day}'\n        evidence:\n"
        "          - {status: doc-derived, source: KD-UPD, date: '2026-09-20', observed: x}\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in NOT_A_FILE], ids=str)
def test_every_rule_example_fires_its_rule(rule: Any, tmp_path: Path, run_cli: Any) -> None:
    suffix = ".yaml" if rule.code == "KL011" else ".json"
    example = tmp_path / f"example{suffix}"
    example.write_text(rule.doc.example)
    args = ["check", "--isolated", "--format", "json", "--extend-select", rule.code]
    if rule.example_endpoint:  # the endpoint the docs name beside the example
        args += ["-e", rule.example_endpoint]
        assert f"-e {rule.example_endpoint}" in rule.render_doc()
    if rule.origin.startswith("policy "):
        args += ["--policy", rule.origin.split()[-1]]
    if rule.code in NEEDS_OVERLAY:  # a register state the shipped register lacks
        args += ["--overlay", str(ROOT / NEEDS_OVERLAY[rule.code])]
    if rule.code in RETIRING_NEXT_WEEK:
        overlay = _retiring_overlay(tmp_path / "team", *RETIRING_NEXT_WEEK[rule.code])
        args += ["--overlay", str(overlay)]
    result = run_cli(*args, str(example))
    codes = [d["code"] for f in json.loads(result.stdout)["files"] for d in f["diagnostics"]]
    assert rule.code in codes, (rule.code, codes)


def test_rule_examples_that_are_not_files_are_rules_without_a_payload_check() -> None:
    for rule in RULES:
        if rule.code in NOT_A_FILE:
            assert rule.payload is None, rule.code


# The install, CI and pre-commit recipes: run in a virtual environment of their own, with
# only the package index to fetch from.


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This tree as a repository of its own (what a git URL at a commit gives), and the
    commit: the working tree, not whatever was last committed."""
    target = tmp_path_factory.mktemp("source") / "kling-lint"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(target)]
    subprocess.run([*git[:5], "init", "-q", str(target)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], check=True)
    sha = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return target, sha


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    return target / "bin"


def _filled(text: str, checkout: tuple[Path, str]) -> str:
    # A requirement's URL needs a host, even a file URL's: localhost.
    return text.replace(GIT_URL, f"file://localhost{checkout[0]}").replace(SHA, checkout[1])


def _yaml_blocks(doc: Path) -> list[Any]:
    return [YAML(typ="safe").load(b.body) for b in _blocks(doc) if b.lang == "yaml"]


def _ci_jobs() -> list[tuple[str, dict[str, str], list[str]]]:
    """(where, environment, commands) of each CI recipe: GitHub steps and GitLab scripts."""
    jobs = []
    for doc in (ROOT / "README.md", ROOT / "docs" / "ci.md"):
        for i, data in enumerate(_yaml_blocks(doc)):
            if isinstance(data, dict) and "steps" in data:  # a bare GitHub job
                data = {"jobs": {"job": data}}
            for name, job in (data.get("jobs") or {}).items() if isinstance(data, dict) else ():
                runs = [s["run"] for s in job.get("steps", ()) if "run" in s]
                jobs.append((f"{doc.name}#{i}:{name}", job.get("env", {}), runs))
            for name, job in data.items() if isinstance(data, dict) else ():
                if isinstance(job, dict) and "script" in job:
                    jobs.append((f"{doc.name}#{i}:{name}", job.get("variables", {}), job["script"]))
    return jobs


def test_the_ci_recipes_are_found() -> None:
    where = [w for w, _, _ in _ci_jobs()]
    assert len(where) == 4, where  # GitHub and GitLab, in the README and in docs/ci.md
    for _, env, commands in _ci_jobs():
        assert "KLING_LINT" in env
        assert 'pip install "$KLING_LINT"' in commands


@pytest.mark.parametrize("job", range(4))
def test_a_ci_recipe_runs_as_written(
    job: int, checkout: tuple[Path, str], venv: Path, tmp_path: Path
) -> None:
    where, variables, commands = _ci_jobs()[job]
    root = _sandbox(tmp_path)
    env = _env({k: _filled(str(v), checkout) for k, v in variables.items()}, venv)
    for line in commands:
        done = _run(line, root, env)
        ok = (0,) if line.startswith("pip ") else (0, 1)
        assert done.returncode in ok, f"{where}: {line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
    for report in ("kling-lint.sarif", "gl-code-quality.json"):
        if (root / report).exists():
            json.loads((root / report).read_text())


@pytest.mark.hook
def test_the_readme_install_recipes_work(
    checkout: tuple[Path, str], venv: Path, tmp_path: Path
) -> None:
    (block,) = [b for b in _blocks(ROOT / "README.md") if "pip install ./kling-lint" in b.body]
    here = tmp_path / "elsewhere"
    here.mkdir()
    os.symlink(checkout[0], here / "kling-lint")
    env = _env({}, venv)
    for line in filter(None, map(_without_comment, block.body.splitlines())):
        done = _run(_filled(line, checkout), here, env)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        version = _run(
            "kling-lint --version && kling-lint check examples 2>&1 | tail -1", here, env
        )
        assert version.returncode in (0, 1), version.stderr


@pytest.mark.hook
def test_the_local_pre_commit_recipe_runs_as_written(tmp_path: Path) -> None:
    (config,) = [
        b.body
        for b in _blocks(ROOT / "docs" / "ci.md")
        if b.lang == "yaml" and "repo: local" in b.body
    ]
    root = _sandbox(tmp_path)
    shutil.rmtree(root / "examples")  # a team's repository: its own payloads only
    (root / ".pre-commit-config.yaml").write_text(config)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (root / "package.json").write_text('{"name": "ui"}\n')
    env = _env({"PRE_COMMIT_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    blocked = _run(f"{sys.executable} -m pre_commit run --all-files", root, env)
    assert blocked.returncode == 1, blocked.stdout
    assert "omni-mode-standard.json" in blocked.stdout
    assert "package.json" not in blocked.stdout
    for name in ("omni-mode-standard.json", "omni-voice-list.json"):
        (root / "payloads" / name).unlink()
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    clean = _run(f"{sys.executable} -m pre_commit run --all-files", root, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.hook
def test_the_projects_own_hooks_pass_on_a_clean_tree(
    checkout: tuple[Path, str], tmp_path: Path
) -> None:
    tree = checkout[0]
    if not (tree / ".venv").exists():
        os.symlink(ROOT / ".venv", tree / ".venv")
    # mypy is `make typecheck`'s job (and takes a minute on a cold cache).
    env = _env({"PRE_COMMIT_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path), "SKIP": "mypy"})
    done = _run(f"{sys.executable} -m pre_commit run --all-files", tree, env)
    assert done.returncode == 0, done.stdout + done.stderr
