"""What an editor shows on hover over a field: the status first, then what to do."""

from __future__ import annotations

from kling_lint.register.model import Field
from kling_lint.register.wording import limits_text, status_text


def describe(f: Field) -> str:
    """The hover text: status first, then replacement, caution, limits, requirement."""
    parts = [status_text(f) + "."]
    if f.replaced_by:
        parts.append(f"Use {f.replaced_by} instead.")
    if f.caution:
        parts.append(f"Caution: {f.caution}.")
    if f.ignored:
        parts.append(f"Ignored by the API: {f.ignored['observed']}.")
    if f.hypothesis:
        parts.append("Blocked unless allowlisted.")
    if f.description:
        parts.append(f.description + ".")
    limits = limits_text(f)
    if limits:
        parts.append("Limits: " + "; ".join(limits) + ".")
    if f.required == "conditional" and f.required_when:
        parts.append(f"Required when {f.required_when}.")
    rejected = [v.value for v in f.values.values() if v.rejected]
    if rejected:
        parts.append("Live-rejected values: " + ", ".join(map(str, rejected)) + ".")
    return " ".join(parts)


def markdown(f: Field) -> str:
    """The hover text for editors that render Markdown: the verdict first."""
    status = f"**{status_text(f)}**"
    if f.replaced_by:
        head = f"{status}: use `{f.replaced_by}`"
    elif f.hypothesis:
        head = f"{status}: blocked unless allowlisted"
    elif f.ignored:
        head = f"{status}: ignored by the API; {f.ignored['observed']}"
    elif f.caution:
        head = f"{status}: {f.caution}"
    else:
        head = status
    lines = [head]
    if f.description:
        lines.append(f.description)
    limits = limits_text(f)
    if limits:
        lines.append("Limits: " + "; ".join(limits))
    if f.required == "conditional" and f.required_when:
        lines.append(f"Required when {f.required_when}.")
    for info in f.values.values():
        if info.blocked:
            use = f", use `{info.replaced_by}`" if info.replaced_by is not None else ""
            lines.append(f"Value `{info.value}`: **{status_text(info)}**{use}")
    for form, form_info in f.forms.items():
        if form_info.rejected:
            lines.append(f"As {form}: **{status_text(form_info)}**")
    return "\n\n".join(lines)
