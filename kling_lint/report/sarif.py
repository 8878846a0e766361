"""`--format sarif`: SARIF 2.1.0 for code scanning, with the rules' own documentation.

Allowlisted findings are results with an accepted suppression that carries the entry's
reason, so the exception stays visible in the code-scanning UI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kling_lint.__about__ import __version__
from kling_lint.diagnostics import Severity
from kling_lint.report._common import findings, write_json
from kling_lint.results import RunResult

if TYPE_CHECKING:
    from kling_lint.check.rules._base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def help_uri(code: str) -> str:
    """A stable identifier for a rule's documentation (the text itself is in `help`)."""
    return f"urn:kling-lint:rule:{code}"


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.doc.what},
        "fullDescription": {"text": f"{rule.doc.what} {rule.doc.why}"},
        "help": {
            "text": f"{rule.doc.why} Use instead: {rule.doc.fix}",
            "markdown": rule.render_doc(),
        },
        "helpUri": help_uri(rule.code),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"origin": rule.origin},
    }


# A relative path of plain segments (none "." or "..", nothing to percent-encode) is its
# own URI reference: most paths of a folder walk, which then need no parsing.
_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


def _location(path: str) -> dict[str, Any]:
    """An artifact location whose `uri` is a valid URI reference: `#`, `?`, `:`, `%`,
    spaces and non-ASCII characters in a file name are percent-encoded."""
    if _PLAIN.fullmatch(path):
        return {"uri": path, "uriBaseId": "%SRCROOT%"}
    return _encoded(path)


def _encoded(path: str) -> dict[str, Any]:
    from urllib.parse import quote

    target = Path(path)
    try:  # a file name that is not UTF-8 comes back as its own bytes
        raw = target.as_posix().encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = target.as_posix().encode("utf-8", "surrogatepass")
    encoded = quote(raw, safe="/")
    if target.is_absolute():
        return {"uri": "file://" + encoded}
    # A relative reference whose first segment holds ":" would read as a scheme.
    return {"uri": encoded, "uriBaseId": "%SRCROOT%"}


def document(result: RunResult) -> dict[str, Any]:
    codes = sorted(result.rules)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for file, d in findings(result, suppressed=True):
        entry: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _location(file.path),
                        "region": {"startLine": d.line or 1, "startColumn": d.column or 1},
                    },
                    "logicalLocations": [
                        {"fullyQualifiedName": d.pointer or "/", "kind": "member"}
                    ],
                }
            ],
            "properties": {
                "field": d.field_path,
                "status": list(d.status),
                "endpoint": file.endpoint,
                "endpoint_from": file.endpoint_from,
                "record": file.record,
            },
        }
        if d.suppressed_by is not None:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": d.suppressed_by.reason}
            ]
        results.append(entry)
    driver = {
        "name": "kling-lint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(result.rules[code]) for code in codes],
    }
    run = {
        "tool": {"driver": driver},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolConfigurationNotifications": [
                    {"level": "warning", "message": {"text": notice}} for notice in result.notices
                ],
                "properties": {"configs": [c.path for c in result.configs]},
            }
        ],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "properties": {"register": result.register_digest},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    write_json(document(result), stream)
