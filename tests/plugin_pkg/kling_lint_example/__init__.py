"""An outside rule for kling-lint: prompts written in capitals."""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.diagnostics import Severity
from kling_lint.rules import Context, Finding, Rule, RuleDoc


def _shouting(ctx: Context) -> Iterator[Finding]:
    prompt = ctx.payload.get("prompt")
    if isinstance(prompt, str) and len(prompt) > 10 and prompt.isupper():
        yield Finding(("prompt",), "the prompt is all capitals; models read it as shouting", "prompt")


def _explodes(ctx: Context) -> Iterator[Finding]:
    raise RuntimeError("this rule is broken on purpose")


rules = [
    Rule(
        "KL801",
        "shouting-prompt",
        Severity.WARNING,
        RuleDoc(
            "Warns about a prompt written entirely in capitals.",
            "Capitals change the tone the model reads; it is rarely what was meant.",
            '{"prompt": "A CAT ON A ROOF AT NIGHT"}',
            '{"prompt": "A cat on a roof at night"}',
        ),
        endpoints=("omni-video.create", "text2video.create", "image2video.create"),
        payload=_shouting,
    )
]

#: A rule that raises, for the tests of how a broken plugin is handled.
broken = [
    Rule(
        "KL899",
        "broken-on-purpose",
        Severity.WARNING,
        RuleDoc("Raises.", "To test failure handling.", "{}", "Remove it."),
        payload=_explodes,
    )
]
