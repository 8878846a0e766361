"""The learning loop on the new design: a create's answer (`data.id`, `data.status`), the
/tasks answers (a list, or a cursor page), `succeeded`, `outputs[]` and `billing[]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kling_lint.evidence.log import append, read
from kling_lint.evidence.record import exchange
from kling_lint.register import builtin_register

HOST = "https://api-singapore.klingai.com"
ROUTE = f"{HOST}/omni-video/kling-3.0-omni"
BODY = {
    "contents": [
        {"type": "prompt", "text": "a cat"},
        {"type": "first_frame", "url": "https://e.com/a.png"},
    ],
    "settings": {"resolution": "1080p", "duration": 5},
}
TASK = {
    "id": "893605946402811985",
    "status": "succeeded",
    "create_time": 1781080778802,
    "outputs": [
        {
            "type": "video",
            "id": "v1",
            "url": "https://cdn.example.com/out.mp4?sig=s3cr3t",
            "duration": "5",
        }
    ],
    "billing": [{"charge_type": "unit", "amount": "5", "package_type": "video"}],
}


def _answer(data: Any) -> bytes:
    return json.dumps({"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}).encode()


def _records() -> list[dict[str, Any]]:
    register = builtin_register()
    created = {"id": TASK["id"], "status": "submitted", "create_time": 1, "external_id": ""}
    return [
        exchange(register, "POST", ROUTE, BODY, status=200, response=_answer(created)),
        exchange(
            register,
            "GET",
            f"{HOST}/tasks?task_ids={TASK['id']}",
            None,
            status=200,
            response=_answer([TASK]),
        ),
    ]


def test_a_create_answer_of_the_new_design_names_its_task() -> None:
    create, _ = _records()
    assert create["endpoint"] == "omni-video-3-0.create"
    assert create["response"]["task_id"] == TASK["id"]
    assert create["response"]["task_status"] == "submitted"


def test_a_tasks_answer_keeps_each_task_its_outputs_and_charges(tmp_path: Path) -> None:
    _, poll = _records()
    assert poll["endpoint"] == "tasks.get"
    assert poll["query"] == {"task_ids": TASK["id"]}
    (task,) = poll["response"]["tasks"]
    assert task["task_status"] == "succeeded"
    assert task["units"] == "5"
    assert task["billing"] == [{"charge_type": "unit", "amount": "5", "package_type": "video"}]
    assert task["outputs"] == [{"type": "video", "duration": "5"}]
    assert "s3cr3t" not in json.dumps(poll)  # the hotlinked output URL is never kept
    log = tmp_path / "runs.jsonl"
    for record in _records():
        append(log, record, validate=True)  # what the log's own schema accepts
    assert len(list(read(log))) == 2


def test_a_cursor_page_lists_its_tasks() -> None:
    page = {
        "result": [TASK, {**TASK, "id": "2", "status": "failed", "message": "risk"}],
        "count": 2,
        "next_cursor": "c",
        "has_more": False,
    }
    record = exchange(
        builtin_register(),
        "POST",
        f"{HOST}/tasks",
        {"limit": 2},
        status=200,
        response=_answer(page),
    )
    assert record["endpoint"] == "tasks.list"
    assert [t["task_status"] for t in record["response"]["tasks"]] == ["succeeded", "failed"]
    assert record["response"]["tasks"][1]["task_status_msg"] == "risk"


def test_review_reads_succeeded_from_a_tasks_poll(tmp_path: Path, run_cli: Any) -> None:
    log = tmp_path / "runs.jsonl"
    for record in _records():
        append(log, record, validate=True)
    done = json.loads(run_cli("evidence", "review", "--format", "json", str(log)).stdout)
    fields = {o["path"]: o for o in done["observations"] if o["kind"] == "field"}
    seen = fields["settings.resolution"]
    assert seen["succeeded"], seen  # the poll says the task succeeded
    assert seen["proposal"]["status"] == ["doc-derived", "live-confirmed"]
