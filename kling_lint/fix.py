"""Making fixes in files: span edits in JSON text, everything else kept byte for byte.

A fix changes one value (written by the C encoder) or one member's key, at the place the
position finder locates; the rest of the file (indentation, key order, spacing, other
values' spelling) is untouched. JSON Lines files are edited record by record, on their
own line. Edits that overlap an earlier one in the same pass are left for the next pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from kling_lint.check.fixes import Edit, parent_of
from kling_lint.load import json_text, kind_of
from kling_lint.results import FileResult

_DECODER = json.JSONDecoder()


def _span(text: str, data: object, edit: Edit) -> tuple[int, int, str] | None:
    """(start, end, replacement) of an edit in `text`, or None when it is not found."""
    at = json_text.find(text, [edit.pointer]).get(edit.pointer)
    try:
        parent, _ = parent_of(data, edit.pointer)
    except (KeyError, IndexError, ValueError):
        return None
    if at is None:
        return None
    if isinstance(parent, dict):  # the finder places a member at its key
        key_end, value_at = json_text.member_value(text, at)
        if edit.renames:
            return at, key_end, json.dumps(edit.key, ensure_ascii=False)
        at = value_at
    elif edit.renames:
        return None
    return at, json_text.value_end(text, at), json.dumps(edit.value, ensure_ascii=False)


def apply_json(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """`text` with the edits made; also the edits that were (those overlapping one made
    before them are left for the next pass)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text, []
    spans = sorted(
        ((*found, edit) for edit in edits if (found := _span(text, data, edit)) is not None),
        key=lambda span: span[:2],
    )
    picked: list[tuple[int, int, str, Edit]] = []
    for span in spans:
        if not picked or span[0] >= picked[-1][1]:
            picked.append(span)
    for start, end, new, _ in reversed(picked):
        text = text[:start] + new + text[end:]
    return text, [edit for *_, edit in picked]


def apply_jsonl(text: str, by_record: dict[int, list[Edit]]) -> tuple[str, list[Edit]]:
    """A JSON Lines text with each record's edits made on its own line."""
    lines = text.split("\n")  # records end at "\n" only, as the loader reads them
    made: list[Edit] = []
    for record, edits in by_record.items():
        if 1 <= record <= len(lines):
            lines[record - 1], done = apply_json(lines[record - 1], edits)
            made += done
    return "\n".join(lines), made


def apply_yaml(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """A YAML text with the edits made through ruamel.yaml's round trip, which keeps
    comments, key order, quoting and layout of everything it does not change."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        document = yaml.load(text)
    except YAMLError:
        return text, []
    made = []
    for edit in edits:
        try:
            parent, last = parent_of(document, edit.pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        if edit.key is not None:
            if not hasattr(parent, "insert") or edit.key in parent:
                continue
            position = list(parent).index(last)
            comments = getattr(parent, "ca", None)
            note = comments.items.pop(last, None) if comments is not None else None
            parent.insert(position, edit.key, parent.pop(last))
            if comments is not None and note is not None:  # the member keeps its comment
                comments.items[edit.key] = note
        elif edit.quote:
            parent[last] = DoubleQuotedScalarString(edit.value)
        else:
            parent[last] = edit.value
        made.append(edit)
    if not made:
        return text, []
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue(), made


class FileFix(NamedTuple):
    """A file's text before and after its fixes, and the fixes made."""

    path: str
    before: str
    after: str
    made: list[Edit]


def plan(results: Iterable[FileResult], unsafe: bool) -> list[FileFix]:
    """What fixing would change, file by file (nothing is written here)."""
    by_file: dict[str, dict[int | None, list[Edit]]] = {}
    for result in results:
        chosen = [e for e in result.fixes if e.safe or unsafe]
        if chosen:
            by_file.setdefault(result.path, {}).setdefault(result.record, []).extend(chosen)
    out = []
    for path, by_record in sorted(by_file.items()):
        try:
            raw = Path(path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # it changed or went away since it was read: left alone
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        text = raw[len(bom) :]
        if None in by_record and kind_of(path) == "yaml":
            after, made = apply_yaml(text, by_record[None])
        elif None in by_record:
            after, made = apply_json(text, by_record[None])
        else:
            records = {r: e for r, e in by_record.items() if r is not None}
            after, made = apply_jsonl(text, records)
        if made and after != text:
            out.append(FileFix(path, raw, bom + after, made))
    return out


def write(fixes: Iterable[FileFix]) -> None:
    """Write each fixed file atomically (its mode kept)."""
    from kling_lint.files import write_text

    for fix in fixes:
        write_text(Path(fix.path), fix.after)


def diff(fix: FileFix) -> str:
    """A unified diff of one file's fixes."""
    from kling_lint.files import unified_diff

    return unified_diff(fix.path, fix.before, fix.after)
