"""The Markdown register document (docs/REGISTER.md), generated from the YAML."""

from __future__ import annotations

import json
from pathlib import Path

from kling_lint._resources import data_root
from kling_lint.register.model import Endpoint, Field, Register, Statused
from kling_lint.register.wording import limits_text, status_text

# The groups of the user's register, in its order; each endpoint lands in one.
GROUPS = (
    ("Video generation: Omni-Video", ("omni-video.",)),
    ("Video generation: Text-to-Video", ("text2video.",)),
    ("Video generation: Image-to-Video", ("image2video.",)),
    (
        "Video generation: more ways",
        ("multi-image2video.", "motion-control.", "video-extend.", "video-effects.", "avatar."),
    ),
    (
        "Video generation: new design standard (model in the path)",
        ("text-to-video-", "image-to-video-", "omni-video-", "motion-control-", "tasks."),
    ),
    ("Video editing: multi-elements", ("multi-elements.", "multi-elements-selection.")),
    ("Lip-sync", ("identify-face.", "advanced-lip-sync.", "lip-sync.")),
    (
        "Images",
        (
            "image-generation.",
            "omni-image.",
            "multi-image2image.",
            "image-expand.",
            "ai-multi-shot.",
            "virtual-try-on.",
            "image-recognize.",
        ),
    ),
    (
        "Elements",
        (
            "elements.",
            "presets-elements.",
            "advanced-elements.",
            "custom-elements.",
            "old-presets-elements.",
        ),
    ),
    (
        "Audio and voice",
        ("tts.", "text-to-audio.", "video-to-audio.", "custom-voices.", "presets-voices."),
    ),
    ("Account", ("account-", "billing-")),
)
# Endpoints no group names (an overlay's, a new family) are listed last, never left out.
OTHERS = "Other endpoints"


def default_path() -> Path:
    return data_root() / "docs" / "REGISTER.md"


def _evidence(entry: Statused, indent: str = "") -> list[str]:
    lines = [
        f"{indent}- evidence: {e.status.value}: {e.source} {e.date}: {e.observed}"
        + (f" ({e.ref})" if e.ref else "")
        for e in entry.evidence
    ]
    lines += [f"{indent}- note: {n}" for n in entry.notes]
    for c in entry.conflicts:
        readings = "; ".join(f"{s}: {r}" for s, r in c.readings)
        name = f"conflict {c.id}" if c.id else "conflict"
        lines.append(f"{indent}- {name} ({c.topic}): {readings}. Enforced: {c.enforced} ({c.why})")
    return lines


def field_markdown(f: Field) -> str:
    lines = [
        f"#### `{f.path}`",
        "",
        f"- status: **{status_text(f)}**"
        + (f" (set by the overlay `{f.overlay}`)" if f.overlay else ""),
        f"- type: {' | '.join(f.type)}",
    ]
    if f.location != "body":
        lines.append(f"- in: {f.location}")
    if f.required != "never":
        lines.append(
            f"- required: {f.required}" + (f" ({f.required_when})" if f.required_when else "")
        )
    if f.has_default:
        lines.append(f"- default: `{json.dumps(f.default)}`")
    if f.enum is not None:
        lines.append("- values: " + ", ".join(f"`{v}`" for v in f.enum))
    limits = limits_text(f)
    if limits:
        lines.append("- limits: " + "; ".join(limits))
    if f.replaced_by:
        lines.append(f"- replaced by: `{f.replaced_by}`")
    if f.caution:
        lines.append(f"- caution: {f.caution}")
    lines += _evidence(f)
    for v in f.values.values():
        lines.append(
            f"- value `{json.dumps(v.value)}`: **{status_text(v)}**"
            + (f", use `{v.replaced_by}`" if v.replaced_by else "")
        )
        lines += _evidence(v, "  ")
    for name, info in f.forms.items():
        lines.append(f"- form {name}: **{status_text(info)}**")
        lines += _evidence(info, "  ")
    return "\n".join(lines) + "\n"


def _endpoint(e: Endpoint) -> str:
    lines = [
        f"### `{e.id}`: {e.method} `{e.path}`",
        "",
        f"{e.title}. Status: **{status_text(e)}**; "
        f"{'billable' if e.billable else 'free'}."
        + (f" Billing: {e.billing}." if e.billing else ""),
        "",
    ]
    lines += _evidence(e)
    lines.append("")
    for f in e.fields.values():
        lines.append(field_markdown(f))
    for r in e.rules:
        lines += [
            f"#### Rule {r.code} `{r.name}` ({r.kind}, {r.severity})",
            "",
            f"- status: **{status_text(r)}**",
        ]
        lines += _evidence(r)
        lines.append("")
    for u in e.unknowns:
        lines += [
            f"#### Unknown {u.id} ({status_text(u)})",
            "",
            u.text + (" Fields: " + ", ".join(f"`{p}`" for p in u.fields) if u.fields else ""),
            "",
        ]
    return "\n".join(lines)


def render(register: Register) -> str:
    out = [
        "# Kling API field-status register",
        "",
        "Generated from `registry/` by `kling-lint registry render`; do not edit by hand.",
        "",
        f"Register digest: `{register.digest}`.",
        "",
        "Statuses: **doc-derived** (in the official copies), "
        "**live-confirmed** (worked in a live run), "
        "**live-rejected** (failed in a live run, or rejected as a method), **hypothesis-only** "
        "(plausible, anchored in neither).",
        "",
        "When a later official document changes what an earlier one said (the 2026-09 "
        "kling.ai documents, KD-UPD and KD-PV, against S3 and SN of 2026-03), both stay in "
        "the evidence with their dates, the conflict names both readings, and the verdict "
        "follows the newest official reading. A live observation is never replaced by a "
        "document: a later document that changes a rule adds its dated doc-derived evidence "
        "beside it. Secondary and aggregator sources (COMFY, AGG-DMX) are kept as readings in "
        "conflicts but never decide a verdict; what rests on them alone is hypothesis-only. A "
        "value with a `retires` date (a model, a video effect) is refused from that day (KL209) "
        "and a warning in the days before it (KL210).",
        "",
        "Left out, because the sources name no endpoint or field for them: the Virtual "
        "Try-On 3.0 options (pose lock, face keep, background), the Video Commerce, Goods "
        "Studio and AI Apparel Replicator APIs, webhook-secret management, and 'Kling 4.0' "
        "(an aggregator's page only). Routes resting on third-party code or an aggregator "
        "alone (the old lip-sync, the old element list and presets) are in the register as "
        "hypothesis-only. A team that meets such an endpoint adds it to its overlay with "
        "`kling-lint registry scaffold`.",
        "",
        "## Sources",
        "",
    ]
    for s in register.sources.values():
        out.append(f"- **{s.id}** ({s.kind}, captured {s.captured}): {s.title}")
    out.append("")
    grouped = [
        (title, [e for e in register.endpoints.values() if e.id.startswith(prefixes)])
        for title, prefixes in GROUPS
    ]
    placed = {e.id for _, group in grouped for e in group}
    grouped.append((OTHERS, [e for e in register.endpoints.values() if e.id not in placed]))
    for title, group in grouped:
        if group:
            out += [f"## {title}", "", *(_endpoint(e) for e in group)]
    out += ["## Policies", ""]
    for p in register.policies.values():
        out += [f"### `{p.id}`: {p.title}", "", p.description, ""]
        for r in p.rules:
            out.append(
                f"- {r.code} `{r.name}` ({r.severity}, {', '.join(r.endpoints)}): {r.doc.what}"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def rules_path() -> Path:
    return data_root() / "docs" / "rules.md"


def rules_markdown(register: Register) -> str:
    """The rule reference, from each rule's own documentation (plugins not included)."""
    from kling_lint.check.rules import all_rules

    table = all_rules(register)
    out = [
        "# Rule reference",
        "",
        "Generated by `kling-lint registry render` from the rules' own documentation; do not edit"
        " by hand. `kling-lint explain CODE` prints one entry.",
        "",
        "| code | name | default | applies to | defined by | checked by |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in table:
        scope = r.scope_text(register)
        link = f"[{r.code}](#{r.code.lower()})"
        out.append(
            f"| {link} | `{r.name}` | {r.severity.label} | {scope} | {r.origin} | {r.checked_by} |"
        )
    out.append("")
    for r in table:
        body = r.render_doc().replace("## ", "#### ")
        checked = f"Checked by the {r.checked_by}." if r.checked_by != "rule" else "A rule."
        head = f"`{r.name}`, {r.severity.label} by default. {checked} {r.locked}".rstrip()
        out += [f"## {r.code}", "", head, "", body]
    return "\n".join(out).rstrip() + "\n"
