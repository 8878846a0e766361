"""Status rules: what the register knows about each field, value and value form.

The gates (KL101-KL107) are constraints of the generated schema, which reports them; the
notes (KL108, KL109) are not constraints at all but remarks on accepted fields, so they
are rules that read the register's status data for the fields a payload sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kling_lint.check.memo import kept_on
from kling_lint.check.rules._base import Context, Finding, Rule, RuleDoc, rule, value_text
from kling_lint.diagnostics import Severity, Status
from kling_lint.register.forms import form_of
from kling_lint.register.model import Endpoint, Field, Statused

Parts = tuple[str | int, ...]
Tree = dict[str, tuple["Field | None", "Tree"]]


def _tree(endpoint: Endpoint, wanted: Callable[[Field], bool]) -> Tree:
    """The fields `wanted` picks, as a tree of member names, leaving out whatever sits
    under a blocked field (a blocked field is reported once, as itself)."""
    root: Tree = {}
    for path, field in endpoint.fields.items():
        if not wanted(field):
            continue
        segments = path.split(".")
        names = [s.removesuffix("[]") for s in segments]
        # Register paths of the containers above: `a[].b.c` sits in `a` and in `a[].b`.
        parents = [".".join(segments[: i + 1]).removesuffix("[]") for i in range(len(names) - 1)]
        if any(_blocked(endpoint, p) for p in parents) or _blocked(endpoint, path):
            continue
        node = root
        for name in names[:-1]:
            node = node.setdefault(name, (None, {}))[1]
        kept = node.get(names[-1], (None, {}))[1]
        node[names[-1]] = (field, kept)
    return root


def _blocked(endpoint: Endpoint, path: str) -> bool:
    field = endpoint.fields.get(path)
    return field is not None and field.blocked


def _sent(tree: Tree, obj: Any, parts: Parts = ()) -> Iterator[tuple[Field, Any, Parts]]:
    """The picked fields a payload sends, with their values and places."""
    if not isinstance(obj, dict):
        return
    for key, value in obj.items():
        entry = tree.get(key)
        if entry is None:
            continue
        field, children = entry
        here = (*parts, key)
        if field is not None:
            yield field, value, here
        if children:
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield from _sent(children, item, (*here, i))
            else:
                yield from _sent(children, value, here)


def _may_be_doc_only(field: Field) -> bool:
    return field.status == (Status.DOC_DERIVED,) or (
        field.live_confirmed
        and any(v.status == (Status.DOC_DERIVED,) for v in field.values.values())
    )


def _may_caution(field: Field) -> bool:
    entries: list[Statused] = [field, *field.values.values(), *field.forms.values()]
    return any("caution" in e.qualifiers for e in entries)


@kept_on()
def _trees(endpoint: Endpoint) -> tuple[Tree, Tree]:
    return _tree(endpoint, _may_be_doc_only), _tree(endpoint, _may_caution)


def _doc_only_keys(endpoint: Endpoint) -> frozenset[str]:
    return frozenset(_trees(endpoint)[0])


def _caution_keys(endpoint: Endpoint) -> frozenset[str]:
    return frozenset(_trees(endpoint)[1])


@rule("KL108", "doc-derived-only", Severity.INFO, keys=_doc_only_keys, by_default=False)
def doc_derived_only(ctx: Context) -> Iterator[Finding]:
    """Notes a field (or a value of a live-confirmed field) that only the documents support: no
    live run has confirmed it yet.

    ## Why is this bad?
    Doc-derived fields are grounded but the docs are incomplete and sometimes contradict
    themselves; use them with care and record the outcome.

    ## Why not in the schema
    A rule, not a schema constraint: it is a note about an accepted field, read from the
    register's status data.

    ## Example
    ```
    {"model_name": "kling-v3-omni", "prompt": "a cat", "mode": "pro"}
    ```

    ## Use instead
    Nothing to change; after a live run, record its evidence in the register. Off by
    default: `--extend-select KL108` reports these notes.
    """
    for field, value, parts in _sent(_trees(ctx.endpoint)[0], ctx.payload):
        if field.status == (Status.DOC_DERIVED,):
            yield Finding(
                parts,
                f"{field.path} is doc-derived only: not yet confirmed by a live run",
                field.path,
                field.status_labels,
            )
            continue
        info = field.value_info(value)
        if info is not None and info.status == (Status.DOC_DERIVED,) and field.live_confirmed:
            yield Finding(
                parts,
                f"{field.path} value {value_text(value)} is doc-derived only: not yet confirmed live",
                field.path,
                info.status_labels,
                value,
                True,
            )


def _form_info(field: Field, value: Any) -> Statused | None:
    if not isinstance(value, str) or not field.forms:
        return None
    return field.forms.get(form_of(value))


@rule("KL109", "caution", Severity.WARNING, keys=_caution_keys)
def caution(ctx: Context) -> Iterator[Finding]:
    """Warns about a field, value or form that works but carries a caution, such as the
    top-level image on Omni-Video (accepted, weak reference adherence).

    ## Why is this bad?
    The request succeeds, but observed results were poor or the field behaves differently
    from what its name suggests.

    ## Why not in the schema
    A rule, not a schema constraint: the payload is valid; the caution is a note from the
    register's status data.

    ## Example
    ```
    {"model_name": "kling-v3-omni", "prompt": "she waves", "image": "iVBORw0KGgo..."}
    ```

    ## Use instead
    Use the strong path: {"image_list": [{"image_url": "...", "type": "first_frame"}]}
    """
    for field, value, parts in _sent(_trees(ctx.endpoint)[1], ctx.payload):
        entries: list[Statused | None] = [field, field.value_info(value), _form_info(field, value)]
        for entry in entries:
            if entry is not None and "caution" in entry.qualifiers:
                use = f"; consider {field.replaced_by}" if field.replaced_by else ""
                yield Finding(
                    parts, f"{field.path}: {entry.caution}{use}", field.path, entry.status_labels
                )
                break


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
        liftable=True,
    ),
    Rule(
        "KL102",
        "live-rejected-value",
        Severity.ERROR,
        RuleDoc(
            'Flags a value that live runs have rejected, such as mode "standard", and a field '
            "left out whose default is one (a retired default model).",
            "The API rejected the value in a live run; sending it again wastes a call." + _LIFT,
            '{"mode": "standard"}',
            'Use the replacement value: {"mode": "std"}',
        ),
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
            '{"video_list": [{"video_url": "AAAAIGZ0eXBpc29tAAACAGlzb21pc28y"}]}',
            'Send the form that works: {"video_list": [{"video_url": '
            '"https://example.com/clip.mp4"}]}',
        ),
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
        relaxed_on_free=True,
        liftable=True,
    ),
    Rule(
        "KL105",
        "hypothesis-only-value",
        Severity.ERROR,
        RuleDoc(
            "Flags a value the register holds only as a hypothesis: seen second-hand, or a "
            'value a team probes and records as such in its overlay (mode "8k" in the '
            "example, with an overlay that lists it).",
            "The value is not anchored in the official copies or in a live run." + _LIFT,
            '{"model_name": "kling-v3", "prompt": "a cat", "mode": "8k"}',
            'Use a documented value ("std", "pro" or "4k"), or allowlist the value with a reason.',
            endpoint="text2video.create",
        ),
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
        "KL112",
        "legacy-design-field",
        Severity.ERROR,
        RuleDoc(
            "Flags a field of the legacy /v1 design sent to an endpoint of the new design "
            "standard (model in the path, contents, settings, options), naming what replaces "
            "it: model_name (the path says the model), mode (settings.resolution), sound "
            "(settings.audio), a top-level duration (settings.duration, an integer).",
            "The new design dropped these fields; the service ignores or refuses them, so the "
            "request does not do what the legacy payload meant (`kling-lint migrate` rewrites "
            "a legacy payload)." + _LIFT,
            '{"prompt": "a cat", "mode": "pro"}',
            '{"prompt": "a cat", "settings": {"resolution": "1080p"}}',
            endpoint="text-to-video-3-0.create",
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
        relaxed_on_free=True,
        liftable=True,
    ),
    doc_derived_only,
    caution,
)
