"""Reading the inputs of `kling-lint evidence`, and writing a review as text, JSON, Markdown."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kling_lint.evidence import har, log
from kling_lint.evidence.log import LogProblem
from kling_lint.evidence.review import VERSION, Observation, Review, Seen
from kling_lint.register.model import Register


def read_inputs(
    paths: Iterable[str | Path], register: Register, hosts: tuple[str, ...] = ()
) -> tuple[list[Seen], list[LogProblem]]:
    """The exchanges of exchange logs and HAR files, each with where it was read (`hosts`:
    gateway hosts whose HAR entries are Kling calls too)."""
    seen: list[Seen] = []
    problems: list[LogProblem] = []
    for path in paths:
        if har.is_har(path):
            for number, entry in har.read(path, register, hosts):
                if isinstance(entry, LogProblem):
                    problems.append(entry)
                else:
                    seen.append(Seen(f"{path}:entry {number}", entry))
            continue
        for number, item in log.read(path):
            if isinstance(item, LogProblem):
                problems.append(item)
            else:
                seen.append(Seen(f"{path}:{number}", item))
    return seen, problems


def _observation(o: Observation) -> dict[str, Any]:
    return {
        "endpoint": o.key.endpoint,
        "path": o.key.path,
        "kind": o.key.kind,
        "value": o.key.value if o.key.kind != "field" else None,
        "status": list(o.status),
        "accepted": list(o.accepted),
        "succeeded": list(o.succeeded),
        "rejected": list(o.rejected),
        "proposal": (
            {"status": list(o.proposal), "needs_accept": o.needs_accept} if o.proposal else None
        ),
        "contradiction": o.contradiction,
        "why": o.why,
    }


def as_json(done: Review, problems: list[LogProblem]) -> str:
    """The versioned review report (`docs/evidence.md` describes it)."""
    document = {
        "version": VERSION,
        "summary": {
            "exchanges": done.exchanges,
            "skipped": len(done.skipped),
            "unattributed": len(done.unattributed),
            "proposals": sum(1 for o in done.observations if o.proposal),
            "contradictions": len(done.contradictions),
            "problems": len(problems),
        },
        "observations": [_observation(o) for o in done.observations],
        "skipped": [{"where": w, "why": why} for w, why in done.skipped],
        "unattributed": [
            {"where": w, "endpoint": e, "message": m} for w, e, m in done.unattributed
        ],
        "capability": [{"where": w, "about": a, "message": m} for w, a, m in done.capability],
        "problems": [{"where": f"{p.path}:{p.line}", "message": p.message} for p in problems],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _status(o: Observation) -> str:
    return " + ".join(o.status) or "unknown to the register"


def _change(o: Observation) -> str:
    if o.contradiction:
        return f"CONTRADICTION: {o.contradiction}"
    if not o.proposal:
        return o.why
    target = " + ".join(o.proposal)
    ask = " (needs --accept)" if o.needs_accept else ""
    return f"propose {target}{ask}: {o.why}"


# Logs are data from whoever made the calls (a pull request's, say): every piece of one
# is shown escaped, so that no text in it can repaint a terminal, forge a CI workflow
# command on a line of its own, or add rows and links to a pull-request comment.


def as_text(done: Review, problems: list[LogProblem]) -> str:
    from kling_lint.report._common import printable as p

    lines = [p(str(problem)) for problem in problems]
    endpoint = None
    for o in done.observations:
        if o.key.endpoint != endpoint:
            endpoint = o.key.endpoint
            lines.append(f"\n{p(endpoint)}")
        seen = (
            f"accepted {len(o.accepted)}, succeeded {len(o.succeeded)}, rejected {len(o.rejected)}"
        )
        lines.append(f"  {p(o.key.label)}  [{p(_status(o))}]  {seen}\n    {p(_change(o))}")
    for where, about, message in done.capability:
        lines.append(f"{p(where)}: capability limit on {p(about)}, not a rejection: {p(message)}")
    for where, endpoint_id, message in done.unattributed:
        lines.append(f"{p(where)}: unattributed parameter error on {p(endpoint_id)}: {p(message)}")
    for where, why in done.skipped:
        lines.append(f"{p(where)}: skipped: {p(why)}")
    proposals = sum(1 for o in done.observations if o.proposal)
    lines.append(
        f"\n{done.exchanges} exchanges: {proposals} proposed changes, "
        f"{len(done.contradictions)} contradictions, {len(done.skipped)} skipped, "
        f"{len(done.unattributed)} unattributed"
    )
    return "\n".join(lines).lstrip("\n") + "\n"


def as_markdown(done: Review, problems: list[LogProblem]) -> str:
    """A table per endpoint, ready for a pull request."""
    from kling_lint.report._common import markdown_code as code
    from kling_lint.report._common import markdown_text as md

    out = [f"## Evidence review: {done.exchanges} exchanges", ""]
    endpoint = None
    for o in done.observations:
        if o.key.endpoint != endpoint:
            endpoint = o.key.endpoint
            out += ["", f"### {code(endpoint)}", "", "| what | register | seen | change |"]
            out.append("| --- | --- | --- | --- |")
        seen = (
            f"{len(o.accepted)} accepted, {len(o.succeeded)} succeeded, {len(o.rejected)} rejected"
        )
        out.append(f"| {code(o.key.label)} | {md(_status(o))} | {seen} | {md(_change(o))} |")
    if done.skipped or done.unattributed or problems:
        out += ["", "### Not evidence", ""]
        out += [f"- {code(w)}: {md(why)}" for w, why in done.skipped]
        out += [f"- {code(w)}: unattributed ({md(e)}): {md(m)}" for w, e, m in done.unattributed]
        out += [f"- {code(f'{p.path}:{p.line}')}: {md(p.message)}" for p in problems]
    return "\n".join(out) + "\n"
