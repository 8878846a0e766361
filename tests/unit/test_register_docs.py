"""docs/REGISTER.md lists every endpoint of the register, grouped, an overlay's included."""

from __future__ import annotations

import re
from pathlib import Path

from kling_lint.register import builtin_register, load_register
from kling_lint.register.docs import OTHERS, render


def _headings(text: str) -> list[str]:
    return re.findall(r"^### `([^`]+)`", text, flags=re.MULTILINE)


def test_every_endpoint_is_rendered_once() -> None:
    register = builtin_register()
    endpoints = [h for h in _headings(render(register)) if h not in register.policies]
    assert sorted(endpoints) == sorted(register.endpoints)
    assert f"## {OTHERS}" not in render(register)  # every shipped endpoint has its group


def test_an_endpoint_no_group_names_is_listed_last(tmp_path: Path) -> None:
    folder = tmp_path / "team" / "endpoints"
    folder.mkdir(parents=True)
    (folder / "goods-studio.create.yaml").write_text(
        "id: goods-studio.create\ntitle: t\nmethod: POST\npath: /v1/e-commerce/goods-studio\n"
        "billable: true\nstatus: [hypothesis-only]\nevidence: []\n"
        "fields:\n  prompt:\n    type: string\n    status: [hypothesis-only]\n",
        encoding="utf-8",
    )
    text = render(load_register(None, [tmp_path / "team"]))
    assert text.index(f"## {OTHERS}") < text.index("### `goods-studio.create`")
