"""The money a task cost (final_balance_deduction, in every legacy query answer since
2026-09) is kept in the exchange record, as text; anything else in its place is dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kling_lint.evidence.log import append, read
from kling_lint.evidence.record import exchange
from kling_lint.register import builtin_register

URL = "https://api-singapore.klingai.com/v1/videos/omni-video/t1"


def _record(balance: Any) -> dict[str, Any]:
    data = {"task_id": "t1", "task_status": "succeed", "final_unit_deduction": "6"}
    if balance is not ...:
        data["final_balance_deduction"] = balance
    answer = json.dumps({"code": 0, "message": "SUCCEED", "data": data}).encode()
    return exchange(builtin_register(), "GET", URL, None, status=200, response=answer)


@pytest.mark.parametrize(
    ("balance", "kept"),
    [
        ({"quota": "0.42", "list_price": "0.60"}, {"quota": "0.42", "list_price": "0.60"}),
        ({"quota": 0.42, "list_price": 1}, {"quota": "0.42", "list_price": "1"}),
        ({"quota": "0.42"}, {"quota": "0.42"}),
        ({"quota": True, "list_price": {"x": 1}, "other": "9"}, None),
        ("0.42", None),
        (None, None),
        (..., None),
    ],
)
def test_the_balance_deduction_is_kept_as_text(balance: Any, kept: Any, tmp_path: Path) -> None:
    record = _record(balance)
    assert record["response"].get("balance") == kept
    assert record["response"]["units"] == "6"
    log = tmp_path / "runs.jsonl"
    append(log, record, validate=True)  # what the log's own schema accepts
    assert [r for _, r in read(log)] == [record]
