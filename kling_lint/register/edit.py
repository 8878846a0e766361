"""Editing register YAML so that only what changes changes.

ruamel.yaml's round-trip mode keeps comments, key order and quoting, but it re-wraps long
plain scalars as it writes them. So the change is worked out in ruamel's own writing (the
document dumped before and after the edit), and only those lines are carried over into the
original text, at the places the unchanged lines of both writings line up. The result is
parsed again and must hold exactly the edited data; otherwise the edit is refused rather
than made in a way that would touch what it should not.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML

from kling_lint.files import lines_of
from kling_lint.register.errors import RegisterError, RegisterProblem


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(yaml: YAML, document: Any) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def edited(text: str, change: Callable[[Any], None], display: str) -> str:
    """`text` with `change` made to its document (a ruamel round-trip mapping)."""
    from kling_lint.load.yaml_text import load_yaml

    yaml = _yaml()
    document = yaml.load(text) if text.strip() else None
    before = _dump(yaml, document) if document is not None else ""
    if document is None:
        from ruamel.yaml.comments import CommentedMap

        document = CommentedMap()
    change(document)
    after = _dump(yaml, document)
    original = lines_of(text)
    ended = [line for line in original if line.endswith("\n")]
    crlf = bool(ended) and all(line.endswith("\r\n") for line in ended)
    # ruamel keeps a comment's "\r" but ends its own lines with "\n": compare and carry
    # over lines without their endings, then give them the file's.
    ours = lines_of(before.replace("\r\n", "\n"))
    theirs = lines_of(after.replace("\r\n", "\n"))
    if crlf:  # the lines carried over get the file's own line ending
        theirs = [line[:-1] + "\r\n" if line.endswith("\n") else line for line in theirs]
    bare = [line.rstrip("\r\n") for line in original]
    # Where each line of ruamel's unchanged writing stands in the original text.
    where: dict[int, int] = {}
    for a, b, size in difflib.SequenceMatcher(
        None, bare, [line.rstrip("\r\n") for line in ours], autojunk=False
    ).get_matching_blocks():
        for k in range(size):
            where[b + k] = a + k
    out: list[str] = []
    cursor = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, ours, theirs, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            continue
        # The lines being replaced must be lines the original has, and the place an
        # insertion goes must be one: then the original around them is kept as it is.
        if i2 > i1 and not all(k in where for k in range(i1, i2)):
            raise _refused(display)
        if i1 < len(ours):
            if i1 not in where:
                raise _refused(display)
            start = where[i1]
        else:
            start = len(original)
        end = where[i2 - 1] + 1 if i2 > i1 else start
        out += original[cursor:start]
        out += theirs[j1:j2]
        cursor = end
    out += original[cursor:]
    result = "".join(out)
    if load_yaml(result, dates_as_text=True).data != load_yaml(after, dates_as_text=True).data:
        raise _refused(display)
    return result


def _refused(display: str) -> RegisterError:
    return RegisterError(
        [RegisterProblem(display, 1, 1, "cannot make this edit without touching the rest")]
    )
