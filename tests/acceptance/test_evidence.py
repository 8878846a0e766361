"""Live runs as evidence: recording exchanges through the HTTP integrations against a
loopback fake of the Kling API, importing HAR files, and reviewing what they prove."""

from __future__ import annotations

import base64
import json
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kling_lint
import kling_lint.integrations as ki
from kling_lint.cli import main
from kling_lint.evidence import log
from kling_lint.evidence.record import exchange
from kling_lint.evidence.report import read_inputs
from kling_lint.evidence.review import review
from kling_lint.register import builtin_register, load_register

from ..conftest import CLEAN_OMNI
from ..loopback import base_url, running
from ..strategies import json_values

OMNI = "/v1/videos/omni-video"
SECRET = "sk-do-not-log-me"


def _png(width: int, height: int) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return base64.b64encode(raw + b"\0" * 200).decode()


class FakeKling(ThreadingHTTPServer):
    """Deterministic answers, chosen by what the request holds."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.polls: dict[str, str] = {}


class _Handler(BaseHTTPRequestHandler):
    server: FakeKling

    def _send(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if not self.headers.get("Authorization"):
            return self._send(401, {"code": 1001, "message": "Authorization is empty"})
        if payload.get("prompt") == "rate":
            return self._send(429, {"code": 1302, "message": "request rate over limit"})
        if payload.get("aspect_ratio") == "1:1":
            return self._send(400, {"code": 1201, "message": "aspect_ratio value 1:1 is invalid"})
        if payload.get("callback_url"):
            return self._send(400, {"code": 1201, "message": "callback_url is invalid"})
        task = f"t{len(self.server.polls) + 1}"
        self.server.polls[task] = "succeed" if "external_task_id" in payload else "processing"
        data = {"task_id": task, "task_status": "submitted"}
        return self._send(200, {"code": 0, "message": "SUCCEED", "request_id": "r1", "data": data})

    def do_GET(self) -> None:
        task = self.path.rsplit("/", 1)[-1].split("?")[0]
        data = {"task_id": task, "task_status": self.server.polls.get(task, "failed")}
        data["final_unit_deduction"] = "1"
        self._send(200, {"code": 0, "message": "SUCCEED", "request_id": "r2", "data": data})

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def api() -> Iterator[FakeKling]:
    with running(FakeKling()) as server:
        yield server


ALLOW_VOICE = (
    '[[allow]]\nendpoint = "omni-video.create"\nfield = "voice_list"\nreason = "voice probe"\n'
)
VOICE = {**CLEAN_OMNI, "prompt": "<<<voice_1>>> hi", "voice_list": [{"voice_id": "v1"}]}


def _drive(client_post: Any, client_get: Any, base: str) -> None:
    """The same calls through either client: each kind of answer once."""
    auth = {"Authorization": f"Bearer {SECRET}"}
    client_post(f"{base}{OMNI}?token={SECRET}", {**CLEAN_OMNI, "external_task_id": "e1"}, auth)
    client_post(f"{base}{OMNI}", {**CLEAN_OMNI, "aspect_ratio": "1:1"}, auth)  # 1201 on a value
    client_post(f"{base}{OMNI}", {**CLEAN_OMNI, "callback_url": "https://x.test/cb?sig=9"}, auth)
    client_post(f"{base}{OMNI}", {**CLEAN_OMNI, "prompt": "rate"}, auth)  # rate limited
    client_post(f"{base}{OMNI}", CLEAN_OMNI, {})  # no credentials: 1001
    client_post(f"{base}{OMNI}", VOICE, auth)  # hypothesis-only, allowlisted, accepted
    image = {**CLEAN_OMNI, "image_list": [{"image_url": _png(400, 400)}]}
    client_post(f"{base}{OMNI}", image, auth)
    with pytest.raises(kling_lint.PayloadBlocked):
        client_post(f"{base}{OMNI}", {**CLEAN_OMNI, "mode": "standard"}, auth)
    client_get(f"{base}{OMNI}/t1", auth)  # the task with external_task_id succeeded
    client_get(f"{base}{OMNI}/t2", auth)


def _record_with_httpx(base: str, config: Path, target: Path) -> None:
    hooks = ki.httpx_event_hooks(config=config, record=target)
    with httpx.Client(event_hooks=hooks, timeout=5) as client:
        _drive(
            lambda url, body, headers: client.post(url, json=body, headers=headers),
            lambda url, headers: client.get(url, headers=headers),
            base,
        )


def _record_with_requests(base: str, config: Path, target: Path) -> None:
    with requests.Session() as session:
        session.mount("http://", ki.GuardedAdapter(config=config, record=target))
        _drive(
            lambda url, body, headers: session.post(url, json=body, headers=headers, timeout=5),
            lambda url, headers: session.get(url, headers=headers, timeout=5),
            base,
        )


RECORDERS = {"httpx": _record_with_httpx, "requests": _record_with_requests}


def _recorded(client: str, api: FakeKling, folder: Path) -> Path:
    """The exchange log of the fake's calls through `client`, under the voice allowance."""
    config = folder / ".kling-lint.toml"
    config.write_text(ALLOW_VOICE)
    target = folder / "runs.jsonl"
    RECORDERS[client](base_url(api), config, target)
    return target


@pytest.mark.parametrize("client", sorted(RECORDERS))
def test_recorded_exchanges_review_as_the_evidence_justifies(
    client: str, api: FakeKling, tmp_path: Path, run_cli: Any
) -> None:
    target = _recorded(client, api, tmp_path)
    text = target.read_text()
    assert SECRET not in text  # no header, no credential in a query or a URL in the body
    assert "REDACTED" in text
    records = [r for _, r in log.read(target)]
    assert all(isinstance(r, dict) for r in records)
    assert len(records) == 10  # every Kling call, the blocked one included
    assert [r["blocked"] for r in records if "blocked" in r] == [["KL102"]]
    media = records[6]["body"]["image_list"][0]["image_url"]["$media"]
    assert (media["form"], media["format"], media["width"], media["height"]) == (
        "base64",
        "png",
        400,
        400,
    )
    assert len(media["sha256"]) == 64

    result = run_cli("evidence", "review", "--format", "json", str(target))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["version"] == 1
    by_key = {(o["path"], o["kind"], o["value"]): o for o in report["observations"]}
    confirmed = by_key[("external_task_id", "field", None)]
    assert confirmed["proposal"] == {
        "status": ["doc-derived", "live-confirmed"],
        "needs_accept": False,
    }
    voice = by_key[("voice_list", "field", None)]
    # A hypothesis gives way to what the run showed; documents stay beside it.
    assert voice["proposal"] == {
        "status": ["live-confirmed"],
        "needs_accept": True,
    }
    rejected = ["doc-derived", "live-rejected"]
    assert by_key[("aspect_ratio", "value", "1:1")]["proposal"]["status"] == rejected
    assert by_key[("callback_url", "field", None)]["proposal"]["status"] == rejected
    assert by_key[("image_list[].image_url", "form", "base64")]["contradiction"] is None
    assert by_key[("prompt", "field", None)]["proposal"] is None  # live-confirmed already
    why = {s["why"].split(":")[0] for s in report["skipped"]}
    assert why == {
        "code 1302",  # rate
        "code 1001",  # authentication
        "kling-lint blocked it, so the API never saw it",
    }
    assert report["summary"]["contradictions"] == 0
    assert report["unattributed"] == []


def test_a_contradiction_fails_the_review(tmp_path: Path, run_cli: Any) -> None:
    register = builtin_register()
    target = tmp_path / "runs.jsonl"
    sent = {**CLEAN_OMNI, "mode": "standard"}  # live-rejected in the register
    answer = json.dumps({"code": 0, "message": "SUCCEED", "data": {"task_id": "t9"}})
    log.append(target, exchange(register, "POST", OMNI, sent, status=200, response=answer))
    result = run_cli("evidence", "review", str(target))
    assert result.exit_code == 1
    done = json.loads(run_cli("evidence", "review", "--format", "json", str(target)).stdout)
    (bad,) = [o for o in done["observations"] if o["contradiction"]]
    assert (bad["path"], bad["value"]) == ("mode", "standard")
    markdown = run_cli("evidence", "review", "--format", "markdown", str(target)).stdout
    assert '| `mode = "standard"` |' in markdown


def test_a_rejection_is_attributed_by_the_one_difference_from_an_accepted_call(
    tmp_path: Path,
) -> None:
    register = builtin_register()
    ok = json.dumps({"code": 0, "message": "SUCCEED", "data": {"task_id": "t1"}})
    bad = json.dumps({"code": 1201, "message": "invalid parameter"})
    records = [
        exchange(register, "POST", OMNI, CLEAN_OMNI, status=200, response=ok),
        exchange(register, "POST", OMNI, {**CLEAN_OMNI, "mode": "pro"}, status=400, response=bad),
        exchange(
            register,
            "POST",
            OMNI,
            {**CLEAN_OMNI, "mode": "pro", "duration": "10"},
            status=400,
            response=bad,
        ),
    ]
    seen = [log_seen(i, r) for i, r in enumerate(records)]
    done = review(seen, register)
    rejected = {o.key.label: o for o in done.observations if o.rejected}
    assert list(rejected) == ['mode = "pro"']  # the second differs in two places: unattributed
    assert len(done.unattributed) == 1


def log_seen(i: int, record: dict[str, Any]) -> Any:
    from kling_lint.evidence.review import Seen

    return Seen(f"runs.jsonl:{i + 1}", record)


def test_appends_from_threads_and_processes_are_whole_lines(tmp_path: Path) -> None:
    target = tmp_path / "runs.jsonl"
    record = exchange(builtin_register(), "POST", OMNI, CLEAN_OMNI, status=200, response="{}")
    threads = [
        threading.Thread(target=lambda: [log.append(target, record) for _ in range(25)])
        for _ in range(8)
    ]
    code = (
        "import json, sys; from kling_lint.evidence import log;"
        "r = json.loads(sys.argv[2]); [log.append(sys.argv[1], r) for _ in range(50)]"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", code, str(target), json.dumps(record)])
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(child.wait(timeout=60) == 0 for child in children)
    read = [r for _, r in log.read(target)]
    assert len(read) == 8 * 25 + 2 * 50
    assert all(r == record for r in read)


def test_a_line_cut_short_stays_alone_and_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "runs.jsonl"
    record = exchange(builtin_register(), "POST", OMNI, CLEAN_OMNI, status=200, response="{}")
    log.append(target, record)
    with open(target, "a") as handle:
        handle.write('{"format": 1, "time": "2026-')  # a crash mid-write
    assert [type(r).__name__ for _, r in log.read(target)] == ["dict", "LogProblem"]
    log.append(target, record)
    read = list(log.read(target))
    assert [n for n, _ in read] == [1, 2, 3]
    assert [type(r).__name__ for _, r in read] == ["dict", "LogProblem", "dict"]


def _har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}
    }


def _entry(method: str, url: str, body: Any, status: int, answer: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": "Authorization", "value": f"Bearer {SECRET}"}],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": -1,
    }
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": json.dumps(body)}
    text = base64.b64encode(json.dumps(answer).encode()).decode()
    return {
        "startedDateTime": "2026-11-30T10:00:00.000Z",
        "time": 120,
        "request": request,
        "response": {
            "status": status,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {
                "size": len(text),
                "mimeType": "application/json",
                "text": text,
                "encoding": "base64",
            },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 100, "receive": 20},
    }


def test_a_har_file_imports_and_reviews(tmp_path: Path, run_cli: Any) -> None:
    host = "https://api-singapore.klingai.com"
    har = tmp_path / "session.har"
    created = {
        "code": 0,
        "message": "SUCCEED",
        "data": {"task_id": "t1", "task_status": "submitted"},
    }
    polled = {"code": 0, "data": {"task_id": "t1", "task_status": "succeed"}}
    har.write_text(
        json.dumps(
            _har(
                [
                    _entry(
                        "POST",
                        f"{host}{OMNI}",
                        {**CLEAN_OMNI, "external_task_id": "e"},
                        200,
                        created,
                    ),
                    _entry("GET", f"{host}{OMNI}/t1", None, 200, polled),
                    _entry("GET", "https://cdn.example.com/app.js", None, 200, {}),  # not Kling's
                ]
            )
        )
    )
    target = tmp_path / "runs.jsonl"
    result = run_cli("evidence", "import", str(har), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert SECRET not in target.read_text()
    assert len(list(log.read(target))) == 2
    for source in (har, target):  # the HAR file reviews as the log it imports to does
        done = json.loads(run_cli("evidence", "review", "--format", "json", str(source)).stdout)
        by_path = {o["path"]: o for o in done["observations"] if o["kind"] == "field"}
        assert by_path["external_task_id"]["proposal"]["status"] == [
            "doc-derived",
            "live-confirmed",
        ]


@pytest.mark.parametrize(
    "text",
    ['{"entries": []}', "[1, 2]", "not json", '{"log": {"entries": [{"request": 1}]}}'],
)
def test_an_unknown_shape_is_a_located_error(text: str, tmp_path: Path, run_cli: Any) -> None:
    source = tmp_path / "odd.har"
    source.write_text(text)
    result = run_cli("evidence", "review", str(source))
    assert result.exit_code == 2
    assert f"{source}:1:" in result.output


def test_a_log_line_that_is_no_record_is_located(tmp_path: Path) -> None:
    target = tmp_path / "runs.jsonl"
    target.write_text('{"format": 1}\n\n{"format": 2, "time": "x"}\n')
    problems = [(n, r) for n, r in log.read(target)]
    assert [n for n, _ in problems] == [1, 3]
    seen, found = read_inputs([target], builtin_register())
    assert seen == []
    assert [p.line for p in found] == [1, 3]


_names = st.sampled_from(
    ["token", "api_key", "X-Amz-Signature", "sig", "access-token", "password", "auth", "jwt"]
)
_plain = st.sampled_from(["prompt", "mode", "callback_url", "image_url", "duration"])


_leaves = (
    st.just("plain text")
    | _names.map(lambda n: f"https://x.test/a.png?{n}={SECRET}&w=1")
    | _names.map(lambda n: {n: SECRET})
)
_bodies = st.recursive(
    _leaves,
    lambda inner: st.dictionaries(_plain | _names, inner, max_size=3) | st.lists(inner, max_size=2),
    max_leaves=10,
)


@given(_bodies, _names)
def test_no_credential_reaches_a_record(body: Any, name: str) -> None:
    """A secret under a credential's name, or in a credential parameter of a URL (the
    request's or one inside the body), never reaches the log."""
    record = exchange(builtin_register(), "POST", f"{OMNI}?{name}={SECRET}", body)
    assert SECRET not in json.dumps(record)


def test_an_exchange_log_is_no_payload_file(tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / "runs.jsonl"
    record = exchange(builtin_register(), "POST", OMNI, CLEAN_OMNI, status=200, response="{}")
    log.append(target, record)
    (tmp_path / "p.json").write_text(json.dumps(CLEAN_OMNI))
    walked = json.loads(run_cli("check", "--isolated", "--format", "json", str(tmp_path)).stdout)
    assert [Path(f["path"]).name for f in walked["files"]] == ["p.json"]
    assert [Path(s["path"]).name for s in walked["skipped"]] == ["runs.jsonl"]
    named = run_cli("check", "--isolated", "--format", "json", str(target))
    assert named.exit_code == 1
    (only,) = json.loads(named.stdout)["files"]
    assert [d["code"] for d in only["diagnostics"]] == ["KL012"]
    hooked = run_cli("check", "--isolated", "--force-exclude", str(target))  # as pre-commit
    assert hooked.exit_code == 0


def test_the_async_httpx_hooks_record_too(api: FakeKling, tmp_path: Path) -> None:
    import asyncio

    target = tmp_path / "runs.jsonl"

    async def run() -> None:
        hooks = ki.httpx_async_event_hooks(record=target)
        async with httpx.AsyncClient(event_hooks=hooks, timeout=5) as client:
            headers = {"Authorization": f"Bearer {SECRET}"}
            await client.post(f"{base_url(api)}{OMNI}", json=CLEAN_OMNI, headers=headers)

    asyncio.run(run())
    ((_, record),) = list(log.read(target))
    assert record["response"]["code"] == 0
    assert SECRET not in target.read_text()


@pytest.mark.parametrize("client", sorted(RECORDERS))
def test_the_loop_record_review_apply_changes_verdicts_as_justified(
    client: str, api: FakeKling, tmp_path: Path, run_cli: Any
) -> None:
    runs = _recorded(client, api, tmp_path)
    team = tmp_path / "team"
    square = {**CLEAN_OMNI, "aspect_ratio": "1:1"}

    def verdict(payload: dict[str, Any], *overlay: str) -> set[str]:
        path = tmp_path / "p.json"
        path.write_text(json.dumps(payload))
        args = ["check", "--isolated", "--format", "json", "-e", "omni-video.create"]
        args += [a for o in overlay for a in ("--overlay", o)]
        result = run_cli(*args, str(path))
        return {d["code"] for f in json.loads(result.stdout)["files"] for d in f["diagnostics"]}

    assert "KL104" in verdict(VOICE)
    assert verdict(square) == set()
    dry = run_cli("evidence", "apply", str(runs), "--to", str(team), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert not team.exists()
    assert "needs --accept omni-video.create:voice_list" in dry.stderr
    accept = ["--accept", "omni-video.create:voice_list"]
    accept += ["--accept", "omni-video.create:voice_list[].voice_id"]
    done = run_cli("evidence", "apply", str(runs), "--to", str(team), *accept)
    assert done.exit_code == 0, done.output
    assert run_cli("registry", "validate", "--overlay", str(team)).exit_code == 0
    assert "KL104" not in verdict(VOICE, str(team))  # accepted live: passes, with a caution
    assert "KL109" in verdict(VOICE, str(team))
    assert verdict(square, str(team)) == {"KL102"}  # rejected live now: blocked
    written = (team / "endpoints" / "omni-video.create.yaml").read_text()
    for untouched in ("prompt:", "mode:", "callback_url:\n    status: [doc-derived]"):
        assert untouched not in written  # skipped and unproven calls changed nothing
    # A team's edit to the overlay survives a later apply byte for byte.
    edited = "# our probes, reviewed weekly\n" + written
    (team / "endpoints" / "omni-video.create.yaml").write_text(edited)
    again = run_cli("evidence", "apply", str(runs), "--to", str(team), *accept)
    assert again.exit_code == 0, again.output
    assert (team / "endpoints" / "omni-video.create.yaml").read_text() == edited
    shown = run_cli("fields", "--overlay", str(team), "omni-video.create").stdout
    assert "[team]" in shown


def test_apply_into_a_register_folder_touches_only_what_changes(
    tmp_path: Path, run_cli: Any
) -> None:
    import shutil

    from ..conftest import REGISTRY

    folder = tmp_path / "registry"
    shutil.copytree(REGISTRY, folder)
    runs = tmp_path / "runs.jsonl"
    register = builtin_register()
    ok = json.dumps({"code": 0, "data": {"task_id": "t1"}})
    log.append(runs, exchange(register, "POST", OMNI, {**CLEAN_OMNI, "external_task_id": "e"},
                              status=200, response=ok))  # fmt: skip
    polled = json.dumps({"code": 0, "data": {"task_id": "t1", "task_status": "succeed"}})
    log.append(runs, exchange(register, "GET", f"{OMNI}/t1", None, status=200, response=polled))
    before = {p.name: p.read_text() for p in folder.rglob("*.yaml")}
    done = run_cli("evidence", "apply", str(runs), "--to", str(folder))
    assert done.exit_code == 0, done.output
    after = {p.name: p.read_text() for p in folder.rglob("*.yaml")}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"omni-video.create.yaml", "sources.yaml"}
    import difflib

    diff = [
        line
        for line in difflib.unified_diff(
            before["omni-video.create.yaml"].splitlines(),
            after["omni-video.create.yaml"].splitlines(),
            lineterm="",
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff[0] == "-    status: [doc-derived]"
    assert diff[1] == "+    status: [doc-derived, live-confirmed]"
    assert all(line.startswith("+") for line in diff[2:])  # the evidence entry, added
    assert run_cli("registry", "validate", str(folder)).exit_code == 0


def test_apply_refuses_while_the_logs_contradict_the_register(tmp_path: Path, run_cli: Any) -> None:
    runs = tmp_path / "runs.jsonl"
    ok = json.dumps({"code": 0, "data": {"task_id": "t1"}})
    sent = {**CLEAN_OMNI, "mode": "standard"}
    log.append(runs, exchange(builtin_register(), "POST", OMNI, sent, status=200, response=ok))
    result = run_cli("evidence", "apply", str(runs), "--to", str(tmp_path / "team"))
    assert result.exit_code == 1
    assert not (tmp_path / "team").exists()
    typo = run_cli("evidence", "apply", str(runs), "--to", str(tmp_path / "t"), "--accept", "x:y")
    assert typo.exit_code in (1, 2)


def test_an_accept_that_names_nothing_the_logs_sent_is_refused(
    tmp_path: Path, run_cli: Any
) -> None:
    runs = tmp_path / "runs.jsonl"
    ok = json.dumps({"code": 0, "data": {"task_id": "t1"}})
    log.append(runs, exchange(builtin_register(), "POST", OMNI, VOICE, status=200, response=ok))
    team = tmp_path / "team"
    typo = run_cli(
        "evidence", "apply", str(runs), "--to", str(team), "--accept", "omni-video.create:voice_lst"
    )
    assert typo.exit_code == 2
    assert not team.exists()
    named = run_cli(
        "evidence",
        "apply",
        str(runs),
        "--to",
        str(team),
        "--accept",
        "omni-video.create:voice_list",
    )
    assert named.exit_code == 0
    assert team.exists()


def test_a_form_rejected_beside_a_confirmed_one_makes_the_field_partial(
    tmp_path: Path, run_cli: Any
) -> None:
    register = builtin_register()
    runs = tmp_path / "runs.jsonl"
    ok = json.dumps({"code": 0, "data": {"task_id": "t1"}})
    bad = json.dumps({"code": 1201, "message": "invalid parameter"})
    inline = {**CLEAN_OMNI, "image_list": [{"image_url": _png(400, 400)}]}
    linked = {**CLEAN_OMNI, "image_list": [{"image_url": "https://x.test/a.png"}]}
    log.append(runs, exchange(register, "POST", OMNI, inline, status=200, response=ok))
    log.append(runs, exchange(register, "POST", OMNI, linked, status=400, response=bad))
    team = tmp_path / "team"
    done = run_cli("evidence", "apply", str(runs), "--to", str(team))
    assert done.exit_code == 0, done.output
    layered = load_register(None, (team,))
    field = layered.endpoints["omni-video.create"].fields["image_list[].image_url"]
    assert "partial" in field.qualifiers
    assert field.forms["url"].rejected


@pytest.mark.parametrize(
    ("message", "attributed"),
    [
        ("Video URL is invalid", True),
        ("video_url is invalid", True),
        ("model is not found", False),  # names no field sent ("mode" is not "model")
        ("the mode and the duration do not fit", False),  # two fields: not guessed
        ("prompts are too long", False),  # "prompt" only inside another word
    ],
)
def test_a_message_names_a_field_as_a_word(message: str, attributed: bool) -> None:
    register = builtin_register()
    video = base64.b64encode(b"\0\0\0\x18ftypmp42" + b"\0" * 100).decode()
    body = {**CLEAN_OMNI, "video_list": [{"video_url": video, "refer_type": "base"}]}
    answer = json.dumps({"code": 1201, "message": message})
    record = exchange(register, "POST", OMNI, body, status=400, response=answer)
    done = review([log_seen(0, record)], register)
    rejected = [o.key.label for o in done.observations if o.rejected]
    if attributed:  # the form the video was written in, which live runs had rejected
        assert rejected == ["video_list[].video_url as base64"]
        assert done.unattributed == ()
    else:
        assert rejected == []
        assert len(done.unattributed) == 1


def test_crlf_text_edits_keep_the_files_line_ending() -> None:
    """An edit made through ruamel (evidence apply) keeps a CRLF file CRLF."""
    from kling_lint.register.edit import edited

    text = "id: x  # keep\r\nfields:\r\n  a:\r\n    status: [doc-derived]\r\n"
    after = edited(text, lambda d: d["fields"]["a"].__setitem__("note", "n"), "x.yaml")
    assert after.startswith("id: x  # keep\r\nfields:\r\n")
    assert "\n" not in after.replace("\r\n", "")


def _har_text(entries: list[Any]) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": entries}})


def _har_entry(url: str, text: str, status: Any = 200) -> dict[str, Any]:
    return {
        "startedDateTime": "2026-12-01T10:00:00Z",
        "request": {"method": "POST", "url": url, "postData": {"text": text}},
        "response": {"status": status, "content": {"text": "{}"}},
    }


def test_one_unreadable_har_entry_is_reported_and_the_rest_imported(
    tmp_path: Path, run_cli: Any
) -> None:
    good = _har_entry(OMNI, json.dumps(CLEAN_OMNI))
    entries = [
        good,
        _har_entry(OMNI, "[" * 100_000),  # too deep for any reader
        _har_entry("http://[::1/v1/videos/omni-video", json.dumps(CLEAN_OMNI)),  # bad IPv6
        _har_entry(OMNI, '{"prompt": 1e400, "a": NaN}'),  # not finite: kept as a stand-in
        _har_entry(OMNI, json.dumps(CLEAN_OMNI), status=True),  # a boolean is no status
        good,
    ]
    (tmp_path / "s.har").write_text(_har_text(entries))
    out = tmp_path / "runs.jsonl"
    result = run_cli("evidence", "import", str(tmp_path / "s.har"), "-o", str(out))
    assert result.exit_code == 2, result.output  # some entries were not readable
    records = list(log.read(out))
    assert len(records) == 4
    assert all(isinstance(r, dict) and not log.problems_of(r) for _, r in records)
    assert "http_status" not in records[2][1].get("response", {})
    review = run_cli("evidence", "review", str(out))
    assert review.exit_code in (0, 1), review.output


def test_a_har_file_too_deep_to_read_is_a_problem(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / "deep.har").write_text("[" * 100_000)
    for args in (("import", "-o", str(tmp_path / "o.jsonl")), ("review",)):
        command, *rest = args
        result = run_cli("evidence", command, str(tmp_path / "deep.har"), *rest)
        assert result.exit_code == 2
        assert "internal error" not in result.output
    (tmp_path / "deep.jsonl").write_text('{"format": ' + "[" * 100_000 + "\n")
    result = run_cli("evidence", "review", str(tmp_path / "deep.jsonl"))
    assert result.exit_code == 2
    assert "internal error" not in result.output


_URLS = st.sampled_from(
    [OMNI, "http://[::1/v1/videos/omni-video", "https://x/v1/videos/omni-video?token=s", "x"]
)
_ENTRIES = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "request": st.fixed_dictionaries(
                {
                    "method": st.sampled_from(["POST", "GET", 1]),
                    "url": _URLS,
                    "postData": st.fixed_dictionaries(
                        {"text": st.one_of(st.text(max_size=20), json_values.map(json.dumps))}
                    ),
                }
            ),
            "response": st.fixed_dictionaries({"status": json_values, "content": json_values}),
            "startedDateTime": json_values,
        }
    ),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_ENTRIES, max_size=4), lines=st.lists(json_values, max_size=3))
def test_any_har_entries_and_log_lines_import_and_review_without_an_internal_error(
    tmp_path_factory: Any, entries: list[Any], lines: list[Any], run_cli: Any
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "s.har").write_text(json.dumps({"log": {"entries": entries}}))
    (folder / "in.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = folder / "runs.jsonl"
    for args in (
        ("import", str(folder / "s.har"), str(folder / "in.jsonl"), "-o", str(out)),
        ("review", str(folder / "s.har"), str(folder / "in.jsonl")),
    ):
        result = CliRunner().invoke(main, ["evidence", *args])
        assert result.exit_code in (0, 1, 2)
        assert "internal error" not in result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        )
    if out.exists():
        assert all(isinstance(r, dict) and not log.problems_of(r) for _, r in log.read(out))
