"""What a file is, told in one place: a payload file by its suffix, and the files a walk
finds beside payloads (an exchange log, a register or overlay file, kling-lint's own
baseline or report) by their content, with the exact shapes the schemas of those files
define. A file its name or a config pattern ties to an endpoint is a payload whatever its
content (the caller reads it with `as_payloads`).
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint.load.problems import Problem

if TYPE_CHECKING:
    from kling_lint.load import Loaded

# What each payload suffix is read as; a name without a suffix is read as JSON.
_KINDS = {".json": "json", ".jsonl": "jsonl", ".yaml": "yaml", ".yml": "yaml"}
SUFFIXES = tuple(_KINDS)
_NOT_JSON = tuple(s for s in _KINDS if s != ".json")


def by_content(loaded: list[Loaded]) -> bool:
    """Whether a file's load result is a skip decided by its content (not its name)."""
    from kling_lint.load import LoadFailure

    return (
        len(loaded) == 1
        and isinstance(loaded[0], LoadFailure)
        and loaded[0].problem.kind is Problem.NOT_A_PAYLOAD_BY_CONTENT
    )


OWN_OUTPUT = (
    "kling-lint's own output (a baseline or a JSON report), not a payload; a folder walk skips it"
)
_REPORT_KEYS = frozenset({"version", "tool", "summary", "configs", "notices", "skipped", "files"})
_BASELINE_KEYS = frozenset({"version", "tool", "entries"})
_GITLAB_KEYS = frozenset({"description", "check_name", "fingerprint", "severity", "location"})


def is_own_output(data: Any) -> bool:
    """Whether JSON data is a file kling-lint writes: a baseline, a `json` or a `gitlab`
    report. Their shapes are exact, so no request body is taken for one."""
    if type(data) is dict:
        if "tool" not in data:  # most payloads: told apart here
            return False
        tool = data["tool"]
        if tool == "kling-lint":
            return data.keys() == _BASELINE_KEYS and isinstance(data["entries"], list)
        return (
            isinstance(tool, dict)
            and tool.get("name") == "kling-lint"
            and data.keys() <= _REPORT_KEYS
            and "files" in data
        )
    if type(data) is list and data and all(type(item) is dict for item in data):
        return all(
            item.keys() == _GITLAB_KEYS and str(item["check_name"]).startswith("KL")
            for item in data
        )
    return False


EXCHANGE_LOG = (
    "an exchange log (recorded API calls), not payloads: `kling-lint evidence review` "
    "reads it; a folder walk skips it"
)


@cache
def _leading() -> re.Pattern[str]:  # compiled on first use: only JSON Lines files need it
    return re.compile("[\ufeff \t\r\n]*")


REGISTER_FILE = (
    "a register file (an endpoint, sources or policy of a register or overlay, or the "
    "migration table), not a payload: `kling-lint registry validate` checks it; a folder "
    "walk skips it"
)


class _Shapes(NamedTuple):
    """The top-level keys of the files a walk tells apart from payloads, read from the
    schemas that define those files (on first use: most runs meet none)."""

    endpoint: frozenset[str]  # an endpoint file of a register or an overlay
    policy: frozenset[str]
    log_required: frozenset[str]  # an exchange-log record
    log_allowed: frozenset[str]
    migration: frozenset[str]  # the migration table's keys (all required)


@cache
def _shapes() -> _Shapes:
    from kling_lint._resources import META_SCHEMA_FILE, schemas_dir
    from kling_lint.evidence.log import SCHEMA_FILE

    def read(name: str) -> Any:
        return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))

    meta = read(META_SCHEMA_FILE)["$defs"]
    log = read(SCHEMA_FILE)
    return _Shapes(
        frozenset(meta["endpoint"]["properties"]),
        frozenset(meta["policy"]["properties"]),
        frozenset(log["required"]),
        frozenset(log["properties"]),
        frozenset(read("migration.schema.json")["required"]),
    )


def is_register_file(data: Any) -> bool:
    """Whether YAML data is a register's (or an overlay's) endpoint, sources or policy
    file: only those keys, in those shapes. A payload that also has `id` and `fields` has
    other keys beside them, and is read as a payload."""
    if not isinstance(data, dict):
        return False
    keys = data.keys()
    if "id" in keys and isinstance(data.get("fields"), dict):
        return keys <= _shapes().endpoint  # an overlay's may hold only id and fields
    if keys == {"sources"} and isinstance(data["sources"], dict):
        return True
    if keys == _shapes().migration and isinstance(data.get("routes"), dict):
        return True  # the table `migrate` reads (registry/migrations/)
    return (
        {"id", "title"} <= keys and keys <= _shapes().policy and isinstance(data.get("rules"), list)
    )


def is_exchange_log(text: str) -> bool:
    """Whether a JSON Lines text is an exchange log: its first record has the log's keys
    and no others, and every record starts as the writer starts one (`{"format"`), so a
    payload after a log-like first line is not taken for part of a log."""
    start = _leading().match(text).end()  # type: ignore[union-attr]  # matches the empty string
    if not text.startswith('{"format"', start):  # most files: told apart here
        return False
    end = text.find("\n", start)
    first = text[start : end if end >= 0 else len(text)]
    try:
        record = json.loads(first)
    except ValueError:
        return False
    shapes = _shapes()
    if not (
        isinstance(record, dict) and shapes.log_required <= record.keys() <= shapes.log_allowed
    ):
        return False
    if end < 0:
        return True
    return all(
        line.lstrip(" \t\r").startswith('{"format"')
        for line in text[end + 1 :].split("\n")
        if line.strip()
    )


def not_a_payload(name: str) -> str | None:
    """Why a file named `name` cannot be a payload (a suffix kling-lint does not read, such
    as `.md`), or None. A name without a suffix is read as JSON."""
    if name[-5:].lower() == ".json":
        return None
    suffix = os.path.splitext(os.path.basename(name))[1]
    if not suffix or suffix.lower() in SUFFIXES:
        return None
    return (
        f"not a payload file ({suffix}): kling-lint reads .json, .jsonl, .yaml and .yml; "
        "rename it, or pass its text on standard input with --stdin-filename"
    )


def kind_of(name: str) -> str:
    # Most names end in .json: only the others pay for splitext (a Python function).
    if not name[-6:].lower().endswith(_NOT_JSON):
        return "json"
    return _KINDS.get(os.path.splitext(name)[1].lower(), "json")
