"""Status gates: what the register knows about each field, value and value form."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from kling_lint.diagnostics import Severity, Status
from kling_lint.register.model import Field, Statused
from kling_lint.rules._base import Context, Finding, Rule, RuleDoc, display
from kling_lint.rules.structure import type_ok

Parts = tuple[str | int, ...]


def value_form(value: str) -> str | None:
    """How a media string is written: `url`, `data-uri`, `base64`, or None when unclear."""
    head = value[:16].lower()
    if head.startswith(("http://", "https://")):
        return "url"
    if head.startswith("data:"):
        return "data-uri"
    if len(value) >= 16 and "://" not in value[:16]:
        try:
            base64.b64decode(value[:64] + "=" * (-len(value[:64]) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
        return "base64"
    return None


def _why(entry: Statused) -> str:
    for ev in entry.evidence:
        if ev.status is Status.LIVE_REJECTED:
            return f" ({ev.source} {ev.date}: {ev.observed})"
    return ""


def _rejected_field(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    use = f"; use {field.replaced_by}" if field.replaced_by else ""
    kind = "rejected as methodology" if "methodology" in field.qualifiers else "live-rejected"
    yield Finding(
        parts, f"{field.path} is {kind}{use}{_why(field)}", field.path, field.status_labels
    )


def _rejected_value(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    info = field.value_info(value)
    if info is not None and info.rejected:
        use = f"; use {display(info.replaced_by)}" if info.replaced_by is not None else ""
        yield Finding(
            parts,
            f"{field.path} value {display(value)} is live-rejected{use}{_why(info)}",
            field.path,
            info.status_labels,
            value,
            True,
        )


def _form(field: Field, value: Any) -> tuple[str, Statused] | None:
    if not isinstance(value, str):
        return None
    form = value_form(value)
    info = field.forms.get(form) if form else None
    return (form, info) if form and info else None


def _rejected_form(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    found = _form(field, value)
    if found and found[1].rejected:
        form, info = found
        replacement = getattr(info, "replaced_by", None)
        use = f"; send a {replacement} instead" if replacement else ""
        yield Finding(
            parts,
            f"{field.path} as {form} is live-rejected{use}{_why(info)}",
            field.path,
            info.status_labels,
            form,
            True,
        )


def _hypothesis_field(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    yield Finding(
        parts,
        f"{field.path} is hypothesis-only: no document or live run supports it",
        field.path,
        field.status_labels,
    )


def _hypothesis_value(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    info = field.value_info(value)
    if info is not None and info.hypothesis:
        yield Finding(
            parts,
            f"{field.path} value {display(value)} is hypothesis-only: no document or live run "
            "supports it",
            field.path,
            info.status_labels,
            value,
            True,
        )


def _known_values(field: Field) -> list[Any]:
    known = list(field.enum or ())
    known += [v.value for v in field.values.values() if v.value not in known]
    return known


def _unknown_value(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if field.enum is None or isinstance(value, (dict, list)) or value is None:
        return
    if value in field.enum or field.value_info(value) is not None:
        return
    if not type_ok(field, value):
        return  # the type rule reports it
    accepted = ", ".join(display(v) for v in field.enum)
    hint = ""
    if isinstance(value, str):
        import difflib

        close = difflib.get_close_matches(value, [str(v) for v in _known_values(field)], 1, 0.6)
        hint = f"; did you mean {display(close[0])}?" if close else ""
    yield Finding(
        parts,
        f"{field.path} value {display(value)} is not known to the register "
        f"(known: {accepted}){hint}",
        field.path,
        (),
        value,
        True,
    )


def _doc_only(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    if field.status == (Status.DOC_DERIVED,):
        yield Finding(
            parts,
            f"{field.path} is doc-derived only: not yet confirmed by a live run",
            field.path,
            field.status_labels,
        )
        return
    info = field.value_info(value)
    if info is not None and info.status == (Status.DOC_DERIVED,) and field.live_confirmed:
        yield Finding(
            parts,
            f"{field.path} value {display(value)} is doc-derived only: not yet confirmed live",
            field.path,
            info.status_labels,
            value,
            True,
        )


def _caution(ctx: Context, field: Field, value: Any, parts: Parts) -> Iterator[Finding]:
    entries: list[Statused] = [field]
    info = field.value_info(value)
    if info is not None:
        entries.append(info)
    found = _form(field, value)
    if found:
        entries.append(found[1])
    for entry in entries:
        if "caution" in entry.qualifiers:
            use = f"; consider {field.replaced_by}" if field.replaced_by else ""
            yield Finding(
                parts, f"{field.path}: {entry.caution}{use}", field.path, entry.status_labels
            )
            return


def unknown_field_finding(
    ctx: Context, name: str, path: str, siblings: list[str], parts: Parts
) -> Finding:
    """The KL106 finding for a key the register does not know; used by the engine's walk."""
    import difflib

    close = difflib.get_close_matches(name, siblings, 1, 0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    return Finding(
        parts, f"{path} is not a field of {ctx.endpoint.id} in the register{hint}", path, ()
    )


_LIFT = (
    " An allowlist entry with a reason can let it through, so that a deliberate probe stays "
    "visible in review."
)

RULES = (
    Rule(
        "KL101",
        "live-rejected-field",
        Severity.ERROR,
        RuleDoc(
            "Flags a field that live runs have rejected (or that was rejected as a method), "
            "such as image_list[].image on Omni-Video.",
            "The API answered such requests with an error, or the field was never part of the "
            "contract: the billable call is wasted." + _LIFT,
            '{"image_list": [{"image": "https://example.com/a.png"}]}',
            'Use the replacement the register names: {"image_list": [{"image_url": '
            '"https://example.com/a.png"}]}',
        ),
        node=_rejected_field,
        applies=lambda f: f.rejected,
        liftable=True,
    ),
    Rule(
        "KL102",
        "live-rejected-value",
        Severity.ERROR,
        RuleDoc(
            'Flags a value that live runs have rejected, such as mode "standard".',
            "The API rejected the value in a live run; sending it again wastes a call." + _LIFT,
            '{"mode": "standard"}',
            'Use the replacement value: {"mode": "std"}',
        ),
        node=_rejected_value,
        applies=lambda f: any(v.rejected for v in f.values.values()),
        liftable=True,
    ),
    Rule(
        "KL103",
        "live-rejected-form",
        Severity.ERROR,
        RuleDoc(
            "Flags a value written in a form that live runs rejected, such as a Base64 video in "
            "video_list[].video_url.",
            'The field is fine but this way of writing its value failed live ("Video URL is '
            'invalid").' + _LIFT,
            '{"video_list": [{"video_url": "AAAAIGZ0eXBpc29tAAACAGlzb21pc28y..."}]}',
            'Send the form that works: {"video_list": [{"video_url": '
            '"https://example.com/clip.mp4"}]}',
        ),
        node=_rejected_form,
        applies=lambda f: any(i.rejected for i in f.forms.values()),
        liftable=True,
    ),
    Rule(
        "KL104",
        "hypothesis-only-field",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the register holds only as a hypothesis (plausible, but anchored in "
            "no document and no live run), such as voice_list on Omni-Video.",
            "Sending guessed fields to a billable endpoint pays for an experiment. On endpoints "
            "that cost nothing it is a warning." + _LIFT,
            '{"model_name": "kling-v3-omni", "prompt": "<<<voice_1>>> says hi", '
            '"voice_list": [{"voice_id": "v1"}]}',
            "Drop the field, or allowlist it for this endpoint with the reason and an expiry "
            "while you probe it.",
        ),
        node=_hypothesis_field,
        applies=lambda f: f.hypothesis,
        relaxed_on_free=True,
        liftable=True,
    ),
    Rule(
        "KL105",
        "hypothesis-only-value",
        Severity.ERROR,
        RuleDoc(
            'Flags a value the register holds only as a hypothesis, such as mode "4k" on '
            "Text-to-Video (seen only second-hand).",
            "The value is not anchored in the official copies or in a live run." + _LIFT,
            '{"model_name": "kling-v3", "prompt": "a cat", "mode": "4k"}',
            'Use a documented value ("std" or "pro"), or allowlist the value with a reason.',
        ),
        node=_hypothesis_value,
        applies=lambda f: any(v.hypothesis for v in f.values.values()),
        relaxed_on_free=True,
        liftable=True,
    ),
    Rule(
        "KL106",
        "unknown-field",
        Severity.ERROR,
        RuleDoc(
            "Flags a field the register does not know for this endpoint, with the nearest "
            "known name when it looks like a typo.",
            "An unknown field is either a typo (the API ignores it and the request does not do "
            "what was meant) or a guess sent to a billable endpoint. Many APIs ignore unknown "
            "fields silently, so a success response proves nothing." + _LIFT,
            '{"video_list": [{"video_url": "https://example.com/a.mp4", '
            '"keep_original_stound": "yes"}]}',
            'Fix the name: {"video_list": [{"video_url": "https://example.com/a.mp4", '
            '"keep_original_sound": "yes"}]}',
        ),
        relaxed_on_free=True,
        liftable=True,
    ),
    Rule(
        "KL107",
        "unknown-value",
        Severity.ERROR,
        RuleDoc(
            "Flags a value outside the values the register knows for a field.",
            "Values outside the documented set are rejected or silently replaced by a "
            "default." + _LIFT,
            '{"aspect_ratio": "4:3"}',
            'Use a known value: {"aspect_ratio": "16:9"}',
        ),
        node=_unknown_value,
        applies=lambda f: f.enum is not None,
        relaxed_on_free=True,
        liftable=True,
    ),
    Rule(
        "KL108",
        "doc-derived-only",
        Severity.INFO,
        RuleDoc(
            "Notes a field (or a value of a live-confirmed field) that only the documents "
            "support: no live run has confirmed it yet.",
            "Doc-derived fields are grounded but the docs are incomplete and sometimes "
            "contradict themselves; use them with care and record the outcome.",
            '{"model_name": "kling-v3-omni", "prompt": "a cat", "mode": "pro"}',
            "Nothing to change; after a live run, record its evidence in the register.",
        ),
        node=_doc_only,
        applies=lambda f: (
            f.status == (Status.DOC_DERIVED,)
            or (
                f.live_confirmed
                and any(v.status == (Status.DOC_DERIVED,) for v in f.values.values())
            )
        ),
    ),
    Rule(
        "KL109",
        "caution",
        Severity.WARNING,
        RuleDoc(
            "Warns about a field, value or form that works but carries a caution, such as the "
            "top-level image on Omni-Video (accepted, weak reference adherence).",
            "The request succeeds, but observed results were poor or the field behaves "
            "differently from what its name suggests.",
            '{"model_name": "kling-v3-omni", "prompt": "she waves", "image": "iVBORw0KGgo..."}',
            'Use the strong path: {"image_list": [{"image_url": "...", "type": "first_frame"}]}',
        ),
        node=_caution,
        applies=lambda f: (
            "caution" in f.qualifiers
            or any("caution" in v.qualifiers for v in f.values.values())
            or any("caution" in i.qualifiers for i in f.forms.values())
        ),
    ),
)
