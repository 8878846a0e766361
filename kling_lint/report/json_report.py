"""`--format json`: the documented, versioned machine shape (version 1)."""

from __future__ import annotations

from typing import Any, TextIO

from kling_lint.__about__ import __version__
from kling_lint.report._common import write_json
from kling_lint.report._counts import Summary
from kling_lint.results import FileResult, RunResult

VERSION = 1


def document(result: RunResult) -> dict[str, Any]:
    """The version-1 document; later versions may add keys, never change these."""
    return {
        "version": VERSION,
        "tool": {"name": "kling-lint", "version": __version__, "register": result.register_digest},
        "summary": Summary.of(result)._asdict(),
        "configs": [{"path": c.path, "gates_off": list(c.gates_off)} for c in result.configs],
        "notices": result.notices,
        "skipped": [{"path": path, "why": why} for path, why in result.skipped],
        "files": [_file(f) for f in result.files],
    }


def _file(f: FileResult) -> dict[str, Any]:
    diagnostics = f.diagnostics
    return {
        "path": f.path,
        "record": f.record,
        "endpoint": f.endpoint,
        "endpoint_from": f.endpoint_from,
        # most payloads have no finding: nothing to ask or list
        "blocked": f.blocked if diagnostics else False,
        "diagnostics": [d.as_dict() for d in diagnostics] if diagnostics else [],
    }


def report(
    result: RunResult, stream: TextIO, *, verbose: bool, color: bool, quiet: bool = False
) -> None:
    write_json(document(result), stream)
