"""jsonschema-rs imported without the e-mail package: same module, same build data, and
the stand-in date reader agrees with `email.utils` on every text."""

from __future__ import annotations

import datetime
import email.utils
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint.validator_lib import parsedate_to_datetime

_ZONES = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


def _outcome(parse: object, text: str) -> object:
    try:
        return parse(text)  # type: ignore[operator]
    except Exception as exc:  # the same kind of failure counts as agreement
        return type(exc)


@given(st.datetimes(timezones=_ZONES))
def test_dates_as_written_agree(moment: datetime.datetime) -> None:
    text = email.utils.format_datetime(moment.replace(microsecond=0))
    ours = parsedate_to_datetime(text)
    assert ours == email.utils.parsedate_to_datetime(text)
    assert ours.utcoffset() == moment.utcoffset()


_PIECES = st.sampled_from(
    [
        "Thu, ",
        "12 ",
        "Nov ",
        "nov ",
        "0099 ",
        "2026 ",
        "99 ",
        "07:50:16 ",
        "25:61:61 ",
        "+0000",
        "-0000",
        "+9999",
        "-0130",
        "+0075",
        "GMT",
        " ",
        ",",
        "Foo",
    ]
)


@given(st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=40))
def test_any_text_agrees(text: str) -> None:
    assert _outcome(parsedate_to_datetime, text) == _outcome(
        email.utils.parsedate_to_datetime, text
    )


_PROGRAM = """
import json, sys
if sys.argv[1] == "ours":
    from kling_lint.validator_lib import jsonschema_rs
    module = jsonschema_rs()
    before = "email.utils" in sys.modules
else:
    import jsonschema_rs as module
    before = None
import email.utils
info = module.jsonschema_rs.__build__["info-time"]
print(json.dumps([before, info.isoformat(), hasattr(email.utils, "__file__"),
                  module.Draft202012Validator({"type": "string"}).is_valid("x")]))
"""


def _import(way: str) -> list[object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, way], capture_output=True, text=True, check=True
    )
    import json

    result: list[object] = json.loads(done.stdout)
    return result


def test_the_module_is_the_same_and_email_utils_real_afterwards() -> None:
    ours, plain = _import("ours"), _import("plain")
    assert ours[0] is False  # the stand-in is gone once the import returns
    assert ours[1:] == plain[1:]  # same build date, a real email.utils, a working validator


_FAKE = """
import email.utils
FORMATTED = email.utils.formatdate(0, usegmt=True)  # a name the stand-in does not define
if {strict}:
    assert hasattr(email.utils, "__file__"), "wants the real e-mail package"
"""


def _fake_import(tmp_path: Path, strict: bool) -> list[object]:
    """Our import of a stand-in `jsonschema_rs` that reads the e-mail package otherwise."""
    (tmp_path / "jsonschema_rs.py").write_text(_FAKE.format(strict=strict))
    program = (
        "import json, sys\n"
        "from kling_lint.validator_lib import jsonschema_rs\n"
        "module = jsonschema_rs()\n"
        "import email.utils\n"
        "print(json.dumps([module.FORMATTED, hasattr(email.utils, '__file__')]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=env
    )
    result: list[object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("strict", [False, True])
def test_a_release_that_reads_the_email_package_otherwise_still_loads(
    tmp_path: Path, strict: bool
) -> None:
    formatted, real_afterwards = _fake_import(tmp_path, strict)
    assert formatted == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert real_afterwards is True
