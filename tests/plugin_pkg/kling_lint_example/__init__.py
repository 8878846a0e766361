"""An outside rule for kling-lint: prompts written in capitals."""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.diagnostics import Severity
from kling_lint.rules import Context, Finding, Rule, RuleDoc, rule


@rule("KL801", "shouting-prompt", Severity.WARNING, requires=("prompt",), triggers=("prompt",))
def shouting_prompt(ctx: Context) -> Iterator[Finding]:
    """Warns about a prompt written entirely in capitals.

    ## Why is this bad?
    Capitals change the tone the model reads; it is rarely what was meant.

    ## Example
    {"prompt": "A CAT ON A ROOF AT NIGHT"}

    ## Use instead
    {"prompt": "A cat on a roof at night"}
    """
    prompt = ctx.payload.get("prompt")
    if isinstance(prompt, str) and len(prompt) > 10 and prompt.isupper():
        yield Finding(("prompt",), "the prompt is all capitals; models read it as shouting", "prompt")


def _explodes(ctx: Context) -> Iterator[Finding]:
    raise RuntimeError("this rule is broken on purpose")


rules = [shouting_prompt]

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
