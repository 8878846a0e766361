"""The register's facts in words: a status, a field's limits, a rule's documentation.

Every view of the register (the rule reference, `fields`/`field`, editor hovers, schema
messages, `registry diff`) words these the same way, from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kling_lint.register.model import Field, RuleDoc, Statused


def status_text(entry: Statused) -> str:
    """A status with its qualifiers ("partially live-confirmed", "(caution)")."""
    text = " + ".join(entry.status_labels)
    if "partial" in entry.qualifiers:
        text = text.replace("live-confirmed", "partially live-confirmed")
    if "methodology" in entry.qualifiers:
        text += " (rejected as methodology)"
    if "caution" in entry.qualifiers:
        text += " (caution)"
    return text


def limits_text(field: Field) -> list[str]:
    """The limits and capabilities, in words, for views and editor hovers."""
    out = [
        f"{label} {value:g}"
        for label, value in (("min", field.minimum), ("max", field.maximum))
        if value is not None
    ]
    for noun, low, high in (
        ("character", field.min_length, field.max_length),
        ("item", field.min_items, field.max_items),
    ):
        for bound, number in (("at least", low), ("at most", high)):
            if number is not None:
                out.append(f"{bound} {number} {noun}{'' if number == 1 else 's'}")
    media = field.media or {}
    if media.get("formats"):
        out.append("formats " + "/".join(media["formats"]))
    if media.get("max_bytes"):
        out.append(f"at most {media['max_bytes'] // 1048576} MB")
    if field.models:
        out.append("models: " + ", ".join(field.models))
    if field.variants is not None:
        out.append("items by " + field.variants.by + ": " + "; ".join(_variant_text(field)))
    if field.mentions:
        out.append(f"names items as @id ({field.mentions})")
    if field.shot_syntax:
        most, words = field.shot_syntax["max_shots"], field.shot_syntax["max_words"]
        out.append(f'shot plan "shot n, m, words;": at most {most} shots of {words} characters')
    return out


def _variant_text(field: Field) -> list[str]:
    variants = field.variants
    assert variants is not None
    out = []
    for kind, needed in variants.required.items():
        members = [*needed, *(f"{m}?" for m in variants.optional.get(kind, ()))]
        out.append(f"{kind} ({', '.join(members) or 'nothing else'})")
    return out


def rule_doc_markdown(doc: RuleDoc, checked_as: str | None = None) -> str:
    """Ruff's four headings; `checked_as` names the endpoint a payload example is for."""
    why = f"{doc.why}\n\n{doc.not_in_schema}" if doc.not_in_schema else doc.why
    how = ""
    if checked_as is not None:
        how = f"\nChecked as {checked_as}: `kling-lint check -e {checked_as} example.json`.\n"
    return (
        f"## What it does\n{doc.what}\n\n## Why is this bad?\n{why}\n\n"
        f"## Example\n```json\n{doc.example}\n```\n{how}\n## Use instead\n{doc.fix}\n"
    )
