"""Files a user could lose: nothing is overwritten that a command does not own, every
write is atomic, and folder walks say what they skipped and read nothing outside."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kling_lint import files
from kling_lint.register import artefacts

from ..conftest import CLEAN_OMNI, ROOT, registry_repo

SCHEMAS = ROOT / "schemas"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_export_merges_into_existing_editor_settings(tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / ".vscode"
    target.mkdir()
    mine = {"json.schemas": [{"fileMatch": ["x.json"], "url": "./x.schema.json"}]}
    (target / "settings.json").write_text(json.dumps({"editor.tabSize": 2, **mine}))
    assert run_cli("schemas", "export", str(target)).exit_code == 0
    assert run_cli("schemas", "export", str(target)).exit_code == 0  # twice: no duplicates
    settings = json.loads((target / "settings.json").read_text())
    assert settings["editor.tabSize"] == 2
    urls = [e["url"] for e in settings["json.schemas"]]
    assert "./x.schema.json" in urls
    assert len(urls) == len(set(urls))
    assert any(u.endswith("omni-video.create.schema.json") for u in urls)


def test_export_leaves_settings_it_cannot_merge_and_writes_beside(
    tmp_path: Path, run_cli: Any
) -> None:
    target = tmp_path / ".vscode"
    target.mkdir()
    original = '{\n  // a comment VS Code allows\n  "editor.tabSize": 2,\n}\n'
    (target / "settings.json").write_text(original)
    result = run_cli("schemas", "export", str(target))
    assert result.exit_code == 0
    assert (target / "settings.json").read_text() == original
    assert "json.schemas" in json.loads((target / "settings.kling-lint.json").read_text())
    assert "settings.kling-lint.json" in result.stdout


def test_build_removes_only_what_it_generated(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.schema.json").write_text('{"$id": "https://example.com/mine"}')
    (out / "notes.txt").write_text("keep me")
    (out / "gone.create.schema.json").write_text(json.dumps({"$id": artefacts.SCHEMA_ID + "gone"}))
    assert run_cli("schemas", "build", "--output", str(out)).exit_code == 0
    assert (out / "mine.schema.json").read_text() == '{"$id": "https://example.com/mine"}'
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / "gone.create.schema.json").exists()
    assert (out / "omni-video.create.schema.json").exists()


def test_build_of_another_register_needs_an_output(tmp_path: Path, run_cli: Any) -> None:
    before = _snapshot(SCHEMAS)
    register = tmp_path / "team-register"
    shutil.copytree(ROOT / "registry", register)
    result = run_cli("schemas", "build", "--register", str(register))
    assert result.exit_code == 2
    assert _snapshot(SCHEMAS) == before


def test_nothing_is_written_inside_an_installed_package(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(SCHEMAS)
    docs = _snapshot(ROOT / "docs")
    monkeypatch.setattr(files, "packaged", lambda: True)
    assert run_cli("schemas", "build").exit_code == 2
    assert run_cli("registry", "render").exit_code == 2
    assert _snapshot(SCHEMAS) == before
    assert _snapshot(ROOT / "docs") == docs


def test_a_report_never_replaces_an_input(tmp_path: Path, run_cli: Any) -> None:
    payload = tmp_path / "in.json"
    payload.write_text(json.dumps(CLEAN_OMNI))
    config = tmp_path / ".kling-lint.toml"
    config.write_text("ignore = ['KL108']\n")
    for target in (payload, config, tmp_path / "." / "in.json"):
        before = target.read_bytes()
        result = run_cli("check", "--format", "json", "-o", str(target), str(payload))
        assert result.exit_code == 2, target
        assert target.read_bytes() == before


def test_a_report_is_written_atomically(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(CLEAN_OMNI))
    out = tmp_path / "report.json"
    out.write_text("previous report")

    def fail(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    result = run_cli("check", "--format", "json", "-o", str(out), str(payload))
    assert result.exit_code == 2
    assert out.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json", "report.json"]


def test_write_text_keeps_the_mode_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o640)
    files.write_text(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    fresh = tmp_path / "g.txt"
    files.write_text(fresh, "x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~files._umask()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_walks_say_what_they_skip_and_read_nothing_outside(tmp_path: Path, run_cli: Any) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text('{"mode": "standard"}')
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / ".hidden").mkdir()
    (tree / ".hidden" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    (tree / "sub" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    (tree / "linked").symlink_to(outside, target_is_directory=True)
    (tree / "leak.json").symlink_to(outside / "secret.json")
    (tree / "sub" / "inside.json").symlink_to(tree / "sub" / "p.json")
    result = run_cli("check", "--isolated", "--format", "json", str(tree))
    document = json.loads(result.stdout)
    read = sorted(Path(f["path"]).name for f in document["files"])
    assert read == ["inside.json", "p.json"]
    why = {Path(s["path"]).name: s["why"] for s in document["skipped"]}
    assert set(why) == {".hidden", "linked", "leak.json"}
    assert result.exit_code == 0
    followed = run_cli("check", "--isolated", "--follow-links", "--format", "json", str(tree))
    names = sorted(Path(f["path"]).name for f in json.loads(followed.stdout)["files"])
    assert names == ["inside.json", "leak.json", "p.json", "secret.json"]
    verbose = run_cli("check", "--isolated", "-v", str(tree)).stdout
    assert "leak.json" in verbose


def test_an_unreadable_folder_is_an_error(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("check", "--isolated", "--format", "json", str(tmp_path))
    assert result.exit_code == 1
    by_name = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert [d["code"] for d in by_name["locked"]["diagnostics"]] == ["KL001"]
    assert by_name["p.json"]["blocked"] is False


def test_a_walk_that_finds_nothing_says_so(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{}")
    for fmt in ("text", "json"):
        result = run_cli("check", "--isolated", "--format", fmt, str(tmp_path))
        assert result.exit_code == 0
        assert "no payloads found" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_following_links_stops_at_a_loop(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    result = run_cli("check", "--isolated", "--follow-links", "--format", "json", str(tmp_path))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [Path(f["path"]).name for f in document["files"]] == ["p.json"]
    assert any("loop" in s["why"] for s in document["skipped"])


def test_no_fork_from_a_threaded_host(tmp_path: Path) -> None:
    """A service that runs checks from threads gets one process: a fork would copy the
    locks its other threads hold."""
    import threading

    from kling_lint.run import Options
    from kling_lint.run.parallel import fork_is_default, jobs_for

    options = Options(jobs=2, fork=True)
    if threading.active_count() == 1 and fork_is_default():  # a test may have left a thread
        assert jobs_for(options, 1000) == 2
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert jobs_for(options, 1000) == 1
    finally:
        stop.set()
        other.join()


def _git_tree(repo: Path, entries: list[tuple[bytes, bytes, str]]) -> str:
    """A tree object written as given, names unchecked (as git takes it without fsck)."""
    data = b"".join(mode + b" " + name + b"\0" + bytes.fromhex(sha) for mode, name, sha in entries)
    made = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        input=data,
        capture_output=True,
        check=True,
    )
    return made.stdout.decode().strip()


def test_registry_diff_of_a_revision_writes_nothing(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A revision whose register tree holds an entry named `..` (and `.`): the old reader
    # unpacked it into a temporary folder, so `..` reached outside it. Nothing is written
    # now; such names are not files of the register.
    repo, git = registry_repo(tmp_path)
    blob = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
        input=b"escaped: yes\n",
        capture_output=True,
        check=True,
    ).stdout.decode()
    evil = _git_tree(repo, [(b"100644", b"ESCAPED.yaml", blob.strip())])
    for _ in range(3):
        evil = _git_tree(repo, [(b"40000", b"..", evil)])
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "HEAD:registry"], capture_output=True, check=True
    ).stdout.decode()
    entries = [(b"40000", b"..", evil), (b"40000", b".", evil)]
    for line in listed.splitlines():
        meta, name = line.split("\t")
        mode, _, sha = meta.split()
        entries.append((mode.encode(), name.encode(), sha))
    top = _git_tree(repo, [(b"40000", b"registry", _git_tree(repo, sorted(entries)))])
    commit = subprocess.run(
        [*git, "commit-tree", top, "-m", "evil"], capture_output=True, check=True
    ).stdout.decode()
    subprocess.run([*git, "branch", "-f", "evil", commit.strip()], check=True)
    scratch = tmp_path / "t" / "a" / "b"
    scratch.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.chdir(repo)
    before = sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts)
    result = run_cli("registry", "diff", "--format", "json", "evil:registry", "HEAD:registry")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"] == []
    assert sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts) == before
    assert not list(tmp_path.rglob("ESCAPED.yaml"))


_LOG_LIKE_FIRST = {
    "format": 1,
    "time": "x",
    "endpoint": "omni-video.create",
    "method": "POST",
    "path": "/v1/videos/omni-video",
    "query": {},
    "body": {},
}
_BAD = {**CLEAN_OMNI, "mode": "standard", "voice_list": [{"voice_id": "v1"}]}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # A JSON Lines file whose first record looks like a log's, a payload after it.
        (
            "batch.omni-video.create.jsonl",
            json.dumps({**_LOG_LIKE_FIRST, **CLEAN_OMNI}) + "\n" + json.dumps(_BAD) + "\n",
        ),
        # The same, named for no endpoint: the first record has keys no log has.
        ("batch.jsonl", json.dumps({**_LOG_LIKE_FIRST, **_BAD}) + "\n"),
        # A log's first record, then a line no log writer writes.
        ("runs.jsonl", json.dumps(_LOG_LIKE_FIRST) + "\n" + json.dumps(_BAD) + "\n"),
        # YAML with a register endpoint file's `id` and `fields`, and payload keys beside.
        (
            "scene.omni-video.create.yaml",
            "id: scene-7\nfields: {note: internal}\nmodel_name: kling-v3-omni\nprompt: a cat\n"
            'duration: "5"\nmode: standard\naspect_ratio: "16:9"\nvoice_list: [{voice_id: v1}]\n',
        ),
        # Only register keys, but the name ties it to an endpoint: read as a payload.
        ("scene.omni-video.create.yml", "id: scene-7\nfields: {mode: standard}\n"),
        # kling-lint's own baseline shape, named for an endpoint.
        (
            "b.omni-video.create.json",
            json.dumps({"version": 1, "tool": "kling-lint", "entries": []}),
        ),
    ],
)
def test_a_walk_never_skips_a_payload_by_its_shape(
    tmp_path: Path, run_cli: Any, name: str, text: str
) -> None:
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / name).write_text(text)
    result = run_cli("check", "--isolated", "--format", "json", str(tmp_path / "payloads"))
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["files"]
    assert not document["skipped"]
    shown = run_cli("check", "--isolated", "--show-files", str(tmp_path / "payloads"))
    assert [Path(line).name for line in shown.stdout.splitlines()] == [name]


def test_what_a_walk_skips_by_content_it_says_and_the_preview_agrees(
    tmp_path: Path, run_cli: Any
) -> None:
    (tmp_path / "p.json").write_text(json.dumps(CLEAN_OMNI))
    (tmp_path / "runs.jsonl").write_text(json.dumps(_LOG_LIKE_FIRST) + "\n")
    (tmp_path / "over").mkdir()
    (tmp_path / "over" / "omni.yaml").write_text("id: omni-video.create\nfields: {}\n")
    result = run_cli("check", "--isolated", "--format", "json", str(tmp_path))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert len(document["skipped"]) == 2
    assert len(document["notices"]) == 1  # the walk says it skipped by content
    shown = run_cli("check", "--isolated", "--show-files", str(tmp_path))
    assert [Path(line).name for line in shown.stdout.splitlines()] == ["p.json"]
    clean = run_cli("check", "--isolated", "--format", "json", str(tmp_path / "p.json"))
    assert json.loads(clean.stdout)["notices"] == []


def test_the_baseline_and_reports_a_run_writes_are_not_payloads(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documented adoption flow: write a baseline, then run with it; the baseline (and
    # a JSON report written beside the payloads) is not linted by the next walk.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.kling-lint]\npolicy = ["pipeline"]\n')
    legacy = {**CLEAN_OMNI, "model_name": "kling-v2-6", "mode": "pro", "duration": "10"}
    (tmp_path / "p.text2video.create.json").write_text(json.dumps(legacy))
    assert run_cli("check", "--write-baseline", "kling-lint-baseline.json", ".").exit_code == 0
    for fmt in ("json", "gitlab"):
        run_cli("check", "--format", fmt, "-o", f"report-{fmt}.json", ".")
    again = run_cli("check", "--format", "json", "--baseline", "kling-lint-baseline.json", ".")
    assert again.exit_code == 0, again.output
    paths = [Path(f["path"]).name for f in json.loads(again.stdout)["files"]]
    assert paths == ["p.text2video.create.json"]
    assert run_cli("check", ".").exit_code == 1  # without the baseline, the finding counts


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_allowlist_prune_never_rewrites_a_config_a_link_leads_to(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim" / ".kling-lint.toml"
    victim.parent.mkdir()
    original = '[[allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\nreason = "probe"\n'
    victim.write_text(original)
    (tmp_path / "pr").mkdir()
    (tmp_path / "pr" / ".kling-lint.toml").symlink_to("../victim/.kling-lint.toml")
    (tmp_path / "pr" / "p.json").write_text(json.dumps(CLEAN_OMNI))
    monkeypatch.chdir(tmp_path / "pr")
    result = run_cli("allowlist", "prune", ".")
    assert result.exit_code == 2
    assert victim.read_text() == original
    assert (tmp_path / "pr" / ".kling-lint.toml").is_symlink()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_link_inside_the_folder_is_written_where_it_leads(tmp_path: Path) -> None:
    from kling_lint.files import WriteRefused, write_text

    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    write_text(tmp_path / "link.txt", "new", within=tmp_path)
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text() == "new"
    (tmp_path / "inner").mkdir()
    with pytest.raises(WriteRefused):
        write_text(tmp_path / "inner" / "x.txt", "x", within=tmp_path / "inner" / "sub")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_evidence_import_and_apply_never_write_through_a_link_out(
    tmp_path: Path, run_cli: Any
) -> None:
    from kling_lint.evidence import log
    from kling_lint.evidence.record import exchange
    from kling_lint.register import builtin_register

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.jsonl").write_text("mine\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "runs.jsonl").symlink_to(outside / "notes.jsonl")
    url = "https://api.example/v1/videos/omni-video"
    answer = json.dumps({"code": 0, "message": "SUCCEED", "data": {"task_id": "t"}})
    record = exchange(builtin_register(), "POST", url, CLEAN_OMNI, status=200, response=answer)
    with pytest.raises(files.WriteRefused):
        log.append(repo / "runs.jsonl", record)
    good = tmp_path / "good.jsonl"
    # callback_url is doc-derived: a succeeded call would promote it in the overlay.
    sent = {**CLEAN_OMNI, "callback_url": "https://x.test/cb"}
    log.append(good, exchange(builtin_register(), "POST", url, sent, status=200, response=answer))
    entry = {
        "request": {"method": "POST", "url": url, "postData": {"text": json.dumps(CLEAN_OMNI)}},
        "response": {"status": 200, "content": {"text": answer}},
    }
    har = {"log": {"entries": [entry]}}
    (tmp_path / "s.har").write_text(json.dumps(har))
    result = run_cli("evidence", "import", str(tmp_path / "s.har"), "-o", str(repo / "runs.jsonl"))
    assert result.exit_code == 2
    assert (outside / "notes.jsonl").read_text() == "mine\n"
    # An overlay folder whose endpoints/ is a link out of it.
    team = tmp_path / "team"
    team.mkdir()
    (team / "endpoints").symlink_to(outside, target_is_directory=True)
    poll = json.dumps({"code": 0, "data": {"task_id": "t", "task_status": "succeed"}})
    log.append(
        good, exchange(builtin_register(), "GET", url + "/t", None, status=200, response=poll)
    )
    result = run_cli("evidence", "apply", str(good), "--to", str(team))
    assert result.exit_code == 2
    assert sorted(p.name for p in outside.iterdir()) == ["notes.jsonl"]


def test_diffs_of_absolute_paths_are_taken_by_git_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kling_lint.files import unified_diff

    monkeypatch.chdir(tmp_path)
    target = tmp_path / "x.toml"
    target.write_text("a = 1\n")
    patch = unified_diff(str(target), "a = 1\n", "a = 2\n")
    (tmp_path / "p.diff").write_text(patch)
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert target.read_text() == "a = 2\n"
    elsewhere = unified_diff("/elsewhere/y.toml", "a\n", "b\n")
    assert elsewhere.splitlines()[:2] == ["--- a/elsewhere/y.toml", "+++ b/elsewhere/y.toml"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a = 1", "a = 2"),  # no line end at all
        ("a = 1\nb = 1", "a = 1\nb = 2"),
        ("a = 1", "a = 2\n"),  # the fix adds one
        ("x\na = 1\n", "x\na = 2"),
    ],
)
def test_a_diff_of_a_file_without_a_last_line_end_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str
) -> None:
    from kling_lint.files import unified_diff

    monkeypatch.chdir(tmp_path)
    target = tmp_path / "x.json"
    target.write_text(before)
    (tmp_path / "p.diff").write_text(unified_diff("x.json", before, after))
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert target.read_text() == after
