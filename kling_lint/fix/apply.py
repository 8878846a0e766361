"""Making fixes in files: span edits in JSON and YAML text, everything else byte for byte.

A fix changes one value (written by the C encoder) or one member's key, at the place the
position finder (JSON) or the YAML composer locates; the rest of the file (indentation,
key order, spacing, comments, line endings, other values' spelling) is untouched. JSON
Lines files are edited record by record, on their own line. Edits that overlap an earlier
one in the same pass are left for the next pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.fix.propose import Edit, parent_of
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
    spans = [(*found, edit) for edit in edits if (found := _span(text, data, edit)) is not None]
    return _splice(text, spans)


_Span = tuple[int, int, str, Edit]  # start, end, new text, the edit it makes


def _splice(text: str, spans: list[_Span]) -> tuple[str, list[Edit]]:
    """`text` with the spans replaced, and the edits made; a span that overlaps one before
    it is left for the next pass."""
    picked: list[_Span] = []
    for span in sorted(spans, key=lambda span: span[:2]):
        if not picked or span[0] >= picked[-1][1]:
            picked.append(span)
    for start, end, new, _ in reversed(picked):
        text = text[:start] + new + text[end:]
    return text, list({id(edit): edit for *_, edit in picked}.values())


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
    """A YAML text with the edits made in place, as in JSON: a value or a key is replaced
    where it stands, by one line of text, and every other byte of the file (comments,
    line endings, quoting, escapes, long lines) stays as it was. A string is written plain
    where it was plain and reads the same in YAML 1.1 and 1.2, else double-quoted; other
    values as JSON, which YAML reads alike. An edit of a collection, or of a node an
    anchor shares with other places, is left undone (it would change them all)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        root = YAML(typ="rt").compose(text)
    except YAMLError:
        return text, []
    if root is None:
        return text, []
    shared = _shared_nodes(root)
    spans: list[_Span] = []
    for edit in edits:
        found = _yaml_member(root, edit.pointer, shared)
        if found is None:
            continue
        key, value = found
        spans += [(*span, edit) for span in _yaml_spans(text, key, value, edit)]
    return _splice(text, spans)


def _shared_nodes(root: Any) -> set[int]:
    """The nodes reached from more than one place (an anchor and its aliases)."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))
    return shared


def _yaml_member(root: Any, pointer: str, shared: set[int]) -> tuple[Any, Any] | None:
    """(key node or None, value node) of what `pointer` designates, or None when it is not
    there or lies in a node shared through an anchor."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    from kling_lint import pointer as jp

    key, node = None, root
    for part in jp.split(pointer):
        if id(node) in shared:
            return None
        if isinstance(node, MappingNode):
            # The last of duplicate keys is the member the API keeps (and the loader reads).
            hits = [(k, v) for k, v in node.value if getattr(k, "value", None) == part]
            if not hits:
                return None
            key, node = hits[-1]
        elif isinstance(node, SequenceNode) and part.isdigit() and int(part) < len(node.value):
            key, node = None, node.value[int(part)]
        else:
            return None
    if id(node) in shared or (key is not None and id(key) in shared):
        return None
    return key, node


def _yaml_spans(text: str, key: Any, value: Any, edit: Edit) -> list[tuple[int, int, str]]:
    from ruamel.yaml.nodes import ScalarNode

    from kling_lint.load.yaml11 import differs

    if edit.key is not None:
        return [] if key is None else [_replace(text, key, _yaml_text(edit.key, key))]
    if edit.quote:  # KL011: the key, the value or both are plain text a 1.1 reader retypes
        out = []
        for node in (key, value):
            if (
                isinstance(node, ScalarNode)
                and node.style in (None, "")
                and str(node.tag).endswith(":str")
                and differs(node.value, node.value) is not None
            ):
                out.append(_replace(text, node, json.dumps(node.value, ensure_ascii=False)))
        return out
    if not isinstance(value, ScalarNode):
        return []
    return [_replace(text, value, _yaml_text(edit.value, value))]


def _replace(text: str, node: Any, new: str) -> tuple[int, int, str]:
    start, end, anchors = _bounds(text, node)
    return start, end, anchors + new


def _bounds(text: str, node: Any) -> tuple[int, int, str]:
    """Where a scalar stands in the text, without the line breaks a block scalar ends in,
    and its anchor (kept before the new text; a tag is dropped with the old value, since
    it would retype the new one)."""
    start, end = node.start_mark.index, node.end_mark.index
    properties = _PROPERTIES.match(text, start, end).group(0)  # type: ignore[union-attr]
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    anchors = "".join(p + " " for p in properties.split() if p.startswith("&"))
    return start, end, anchors


# An anchor (`&name`) and a tag (`!!str`, `!local`) that may stand before a node's value.
_PROPERTIES = re.compile(r"(?:[&!][^\s]*[ \t]+)*")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


def _yaml_text(value: Any, was: Any) -> str:
    """`value` as YAML text on one line, plain where the node it replaces was plain."""
    from kling_lint.load.yaml11 import differs

    if isinstance(value, str):
        plain = was.style in (None, "") and _PLAIN.fullmatch(value) is not None
        if plain and differs(value, value) is None and value.lower() not in _YAML12_WORDS:
            return value
    return json.dumps(value, ensure_ascii=False)


# Plain words YAML 1.2 itself reads as something other than text.
_YAML12_WORDS = frozenset({"true", "false", "null", "~", ".inf", ".nan"})


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
    """Write each fixed file atomically (its mode kept), unless it changed since it was
    read for the fix: then ConfigError, and what its writer wrote stays."""
    from kling_lint.files import replace_unchanged

    for fix in fixes:
        path = Path(fix.path)
        replace_unchanged(path, fix.before, fix.after, within=path.parent)


def diff(fix: FileFix) -> str:
    """A unified diff of one file's fixes."""
    from kling_lint.files import unified_diff

    return unified_diff(fix.path, fix.before, fix.after)
