"""Fixes from the register's data: what a finding's field, value or form is replaced by.

A fix is proposed only where the register says what to send instead, or where the contract
fixes it mechanically:

- a rejected or hypothesis-only value with a `replaced_by` (`mode: "standard"` → `"std"`);
- a number where the field takes a string that the register accepts (`duration: 5` → `"5"`);
- an image sent as a `data:` URL where raw Base64 is taken (the prefix is dropped);
- a rejected, hypothesis-only or ignored field with a `replaced_by` in the same object
  (`image_list[].image` → `image_url`, `model` → `model_name`), and a name the register
  lists as a misnomer of a documented field (TTS `language` → `voice_language`), when that
  key is not sent;
- a YAML scalar a YAML 1.1 reader takes for something else (`sound: on`): quoted.

Values and prefixes are safe: the request asks for the same thing. Renaming a key is
unsafe: what the API does with the request changes (the model that is billed, the shape
that is read), so it is applied only with `--unsafe-fixes`. Every fix is tried on the
payload first and kept only when the finding it fixes is gone and nothing new is found:
a fix never leads into another rule's finding.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, NamedTuple

from kling_lint import pointer as jp
from kling_lint.check.rules._base import value_text

if TYPE_CHECKING:
    from kling_lint.check.linter import Linter
    from kling_lint.diagnostics import Diagnostic
    from kling_lint.register.model import Endpoint

_KEEP = object()


class Edit(NamedTuple):
    """One change to a payload: a new value at `pointer`, or a new key for the member."""

    code: str
    pointer: str
    title: str
    safe: bool
    value: Any = _KEEP
    key: str | None = None
    # Write the (unchanged) string quoted: a YAML 1.1 reader would take it for a boolean
    # or a number (KL011).
    quote: bool = False

    @property
    def renames(self) -> bool:
        return self.key is not None

    def apply(self, data: Any) -> Any:
        """A copy of `data` with this edit made."""
        fixed = copy.deepcopy(data)
        parent, last = parent_of(fixed, self.pointer)
        if self.key is not None:
            items = list(parent.items())
            parent.clear()
            parent.update((self.key if k == last else k, v) for k, v in items)
        else:
            parent[last] = self.value
        return fixed


def parent_of(document: Any, pointer: str) -> tuple[Any, str | int]:
    """The container holding what `pointer` designates, and its key or index there; raises
    KeyError, IndexError or ValueError when there is no such member or item."""
    parts = jp.split(pointer)
    parent = jp.resolve(document, jp.join(parts[:-1]))
    last: str | int = int(parts[-1]) if isinstance(parent, list) else parts[-1]
    _ = parent[last]  # it must exist
    return parent, last


def propose(d: Diagnostic, data: Any, endpoint: Endpoint) -> Edit | None:
    """The fix the register's data gives for one finding, or None."""
    if d.code == "KL011" and d.pointer:
        try:
            value = jp.resolve(data, d.pointer)
        except (KeyError, IndexError, ValueError):
            return None
        # Quoted, the key or the value reads the same in YAML 1.1 and 1.2 (the edit quotes
        # whichever of the two is plain text a 1.1 reader would retype).
        return Edit(d.code, d.pointer, "quote the YAML 1.1 look-alike", True, value, quote=True)
    if not d.pointer or d.field_path is None:
        return None
    if d.code == "KL106" and d.field_path in endpoint.misnomers:
        return _rename(d, data, d.field_path, endpoint.misnomers[d.field_path])
    field = endpoint.fields.get(d.field_path.removesuffix("[]"))
    if field is None:
        return None
    try:
        value = jp.resolve(data, d.pointer)
    except (KeyError, IndexError, ValueError):
        return None
    if d.code in ("KL102", "KL105"):
        info = field.value_info(value)
        if info is not None and info.replaced_by is not None:
            new = info.replaced_by
            return Edit(d.code, d.pointer, f"{value_text(value)} → {value_text(new)}", True, new)
    number = isinstance(value, int) and not isinstance(value, bool)
    if d.code == "KL201" and "string" in field.type and number:
        new = str(value)
        return Edit(d.code, d.pointer, f"{value_text(value)} → {value_text(new)}", True, new)
    if d.code == "KL414" and isinstance(value, str) and value[:5].lower() == "data:":
        head, comma, body = value.partition(",")
        if comma and head.lower().endswith(";base64"):
            return Edit(d.code, d.pointer, "drop the data: prefix", True, body)
    if d.code in ("KL101", "KL104", "KL110") and field.replaced_by:
        return _rename(d, data, field.path, field.replaced_by)
    return None


def _rename(d: Diagnostic, data: Any, path: str, target: str) -> Edit | None:
    """Rename the key at `path` to `target`'s name, when both sit in the same object."""
    here, _, name = path.rpartition(".")
    there, _, new = target.rpartition(".")
    if here != there or not new or "[" in new:
        return None  # the replacement lives elsewhere: no mechanical move
    try:
        parent, _ = parent_of(data, d.pointer)
    except (KeyError, IndexError, ValueError):
        return None
    if not isinstance(parent, dict) or new in parent:
        return None
    return Edit(d.code, d.pointer, f"rename {name} to {new}", False, key=new)


def verified(edits: list[Edit], found: tuple[Diagnostic, ...], data: Any, lint: Any) -> list[Edit]:
    """The edits that, made one at a time, fix their finding and bring nothing new.

    `lint` checks a payload and returns its findings (the run's own linter and endpoint)."""
    before = {(d.code, d.pointer) for d in found if d.counts}
    out = []
    for edit in edits:
        try:
            after = {(d.code, d.pointer) for d in lint(edit.apply(data)) if d.counts}
        except Exception:  # a payload the edit cannot be made in: no fix
            continue
        fixed = (edit.code, edit.pointer)
        if fixed not in after and after <= before - {fixed}:
            out.append(edit)
    return out


def for_payload(
    linter: Linter, endpoint: Endpoint, data: Any, found: tuple[Diagnostic, ...]
) -> tuple[Edit, ...]:
    """Every verified fix for a payload's findings. A payload with a duplicated key gets
    none: which of the two a span edit would change is not the one the API keeps."""
    if any(d.code == "KL002" for d in found):
        return ()
    edits = [e for e in (propose(d, data, endpoint) for d in found if d.counts) if e is not None]
    if not edits:
        return ()
    return tuple(verified(edits, found, data, lambda p: linter.lint(p, endpoint).diagnostics))
