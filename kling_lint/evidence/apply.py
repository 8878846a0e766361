"""`kling-lint evidence apply`: a review's justified changes, written into an overlay (or a
register folder) with the evidence attached.

Each change sets the status the review proposes on the field, value or form, and adds one
evidence entry that cites a source made for the logs (id `LOG-<date>-<digest>`, kind live).
A proposal for what was merely accepted (a hypothesis-only field) is applied only when named
with `--accept ENDPOINT:PATH`, and is written as live-confirmed with a caution that its
effect is not verified. Contradictions stop the whole apply. Everything else in the files is
kept byte for byte (`kling_lint.register.edit`), the result is validated before anything is
written, and each file is replaced atomically.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.evidence.review import Observation, Review
from kling_lint.files import read_exact
from kling_lint.register.errors import RegisterError, RegisterProblem
from kling_lint.register.model import Field, Register

UNVERIFIED = "accepted live; its effect is not verified"


class FileChange(NamedTuple):
    path: Path
    before: str
    after: str


class Plan(NamedTuple):
    changes: tuple[FileChange, ...]
    applied: tuple[Observation, ...]
    waiting: tuple[Observation, ...]  # proposals that need --accept
    skipped: tuple[tuple[Observation, str], ...]  # proposals that cannot be applied, and why


def source_id(logs: Iterable[Path], day: _dt.date) -> str:
    digest = hashlib.sha256()
    for log in logs:
        digest.update(Path(log).read_bytes())
    return f"LOG-{day:%Y%m%d}-{digest.hexdigest()[:8]}"


def is_register_folder(target: Path) -> bool:
    """A whole register (its endpoint files are complete) rather than an overlay."""
    files = list((target / "endpoints").glob("*.yaml")) if target.is_dir() else []
    return (
        bool(files)
        and (target / "sources.yaml").exists()
        and all("\ntitle:" in "\n" + f.read_text(encoding="utf-8") for f in files)
    )


def _evidence(o: Observation, status: str, source: str, day: _dt.date) -> dict[str, Any]:
    calls = {"live-rejected": o.rejected, "live-confirmed": o.succeeded or o.accepted}[status]
    shown = ", ".join(calls[:3]) + (f" and {len(calls) - 3} more" if len(calls) > 3 else "")
    return {
        "status": status,
        "source": source,
        "date": day.isoformat(),
        "observed": f"{o.key.label}: {o.why} ({shown})",
    }


def _quoted(value: Any) -> Any:
    """A string a YAML 1.1 reader would take for something else ("16:9" is a number to
    it), quoted, as the register writes such values."""
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    from kling_lint.load.yaml11 import differs

    if isinstance(value, str) and differs(value, value) is not None:
        return SingleQuotedScalarString(value)
    return value


def _edit(o: Observation, source: str, day: _dt.date, field: Field | None) -> Any:
    """The change to make in an endpoint file's document for one observation."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def flow(items: list[Any]) -> CommentedSeq:
        seq = CommentedSeq([_quoted(i) for i in items])
        seq.fa.set_flow_style()
        return seq

    def change(document: Any) -> None:
        document.setdefault("id", o.key.endpoint)
        fields = document.setdefault("fields", CommentedMap())
        entry = fields.setdefault(o.key.path, CommentedMap())
        rejected = "live-rejected" in o.proposal
        if o.key.kind == "value" and rejected and field is not None and field.enum is not None:
            # A blocked value is no longer one the field takes.
            kept = entry.get("enum", list(field.enum))
            entry["enum"] = flow([v for v in kept if v != o.key.value])
        if o.key.kind == "form" and rejected and field is not None and field.live_confirmed:
            # Confirmed in one form and rejected in another: partially live-confirmed.
            entry["qualifiers"] = flow(
                sorted({*entry.get("qualifiers", field.qualifiers), "partial"})
            )
        if o.key.kind != "field":
            group = entry.setdefault("values" if o.key.kind == "value" else "forms", CommentedMap())
            entry = group.setdefault(_quoted(o.key.value), CommentedMap())
        entry["status"] = flow(list(o.proposal))
        if o.needs_accept:
            entry["qualifiers"] = flow(sorted({*entry.get("qualifiers", ()), "caution"}))
            entry["caution"] = UNVERIFIED
        evidence = entry.setdefault("evidence", CommentedSeq())
        for status in o.proposal:
            if status not in ("live-confirmed", "live-rejected"):
                continue
            fresh = _evidence(o, status, source, day)
            if not any(e.get("source") == source and e.get("status") == status for e in evidence):
                evidence.append(CommentedMap(fresh))

    return change


def plan(
    done: Review,
    logs: list[Path],
    target: Path,
    *,
    base: Path | None,
    register: Register,
    accept: tuple[str, ...] = (),
    day: _dt.date | None = None,
) -> Plan:
    """The file changes a review (made against `register`) justifies in `target`;
    RegisterError when the result would not be a valid register (or overlay over `base`)."""
    from kling_lint.register.edit import edited

    day = day or _dt.date.today()
    wanted = set(accept)
    # A name the logs never sent is a typo; one already settled (applied before) is not.
    known = {f"{o.key.endpoint}:{o.key.path}" for o in done.observations}
    unknown = sorted(wanted - known)
    if unknown:
        why = f"{unknown[0]} names nothing the logs sent (ENDPOINT:PATH, as review lists them)"
        raise RegisterError([RegisterProblem("--accept", 1, 1, why)])
    applied, waiting, skipped = [], [], []
    for o in done.observations:
        if not o.proposal:
            continue
        if not o.status:
            skipped.append((o, "unknown to the register: add it by hand, with its type"))
        elif o.needs_accept and f"{o.key.endpoint}:{o.key.path}" not in wanted:
            waiting.append(o)
        else:
            applied.append(o)
    source = source_id(logs, day)
    texts: dict[Path, tuple[str, str]] = {}
    for o in applied:
        path = target / "endpoints" / f"{o.key.endpoint}.yaml"
        if path not in texts:
            text = read_exact(path)
            texts[path] = (text, text)
        before, current = texts[path]
        field = register.endpoints[o.key.endpoint].fields.get(o.key.path)
        texts[path] = (before, edited(current, _edit(o, source, day, field), str(path)))
    if applied:
        path = target / "sources.yaml"
        before = read_exact(path)

        def add_source(document: Any) -> None:
            from ruamel.yaml.comments import CommentedMap

            sources = document.setdefault("sources", CommentedMap())
            if source not in sources:
                names = ", ".join(str(p.name) for p in logs)
                sources[source] = CommentedMap(
                    title=f"Exchange log {names}", kind="live", captured=day.isoformat()
                )

        texts[path] = (before, edited(before, add_source, str(path)))
    changes = tuple(FileChange(p, b, a) for p, (b, a) in sorted(texts.items()) if a != b)
    _validate(changes, target, base)
    return Plan(changes, tuple(applied), tuple(waiting), tuple(skipped))


def _validate(changes: tuple[FileChange, ...], target: Path, base: Path | None) -> None:
    """The target with the changes made must validate (as a register, or as an overlay)."""
    from kling_lint.register import validate_directory

    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / (target.name or "overlay")
        if target.is_dir():
            shutil.copytree(target, trial)
        for change in changes:
            path = trial / change.path.relative_to(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(change.after, encoding="utf-8")
        trial.mkdir(parents=True, exist_ok=True)
        if is_register_folder(trial):
            problems = validate_directory(trial)
        else:
            from kling_lint._resources import registry_dir

            problems = validate_directory(base or registry_dir(), (trial,))
    if problems:
        raise RegisterError(problems)


def write(plan: Plan, target: Path) -> None:
    """Replace each changed file atomically; nothing is written if one of them changed
    since it was read, or if a link would take a write outside `target`."""
    from kling_lint.files import owned, replace_unchanged

    for change in plan.changes:
        owned(change.path, target)  # WriteRefused before anything is written
        if read_exact(change.path) != change.before:
            raise RegisterError(
                [RegisterProblem(str(change.path), 1, 1, "changed while it was read; run again")]
            )
    for change in plan.changes:
        replace_unchanged(change.path, change.before, change.after, within=target)
