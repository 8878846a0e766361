"""Rules are decorated checks: the docstring is the documentation, the register the scope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kling_lint.check.rules import BUILTIN_RULES, Context, Finding
from kling_lint.check.rules._base import rule
from kling_lint.diagnostics import Severity
from kling_lint.register import builtin_register

REGISTER = builtin_register()

# The endpoints with a prompt and a list a template token can point into.
PROMPTS_WITH_LISTS = {
    "omni-video.create",
    "text2video.create",
    "image2video.create",
    "image-generation.create",
    "omni-image.create",
    "motion-control.create",
    "multi-elements.create",
    "multi-image2video.create",
}
# Where each built-in check runs on the shipped register: the endpoint lists the rules
# named before their scope was read from the register's fields.
SCOPES = {
    "KL401": {"omni-video.create", "text2video.create", "image2video.create"},
    "KL402": {"omni-video.create", "text2video.create", "image2video.create"},
    "KL404": PROMPTS_WITH_LISTS,
    "KL405": PROMPTS_WITH_LISTS,
    "KL406": {"text2video.create", "image2video.create"},
    "KL407": {"omni-video.create"},
    "KL408": {"omni-video.create"},
    "KL409": {"omni-video.create"},
    "KL411": {"omni-video.create"},
    "KL412": {"omni-video.create"},
    "KL413": {"text2video.create", "image2video.create"},
}


@pytest.mark.parametrize("code", sorted(SCOPES))
def test_a_check_runs_where_the_register_has_its_fields(code: str) -> None:
    (found,) = [r for r in BUILTIN_RULES if r.code == code]
    assert set(found.scope_in(REGISTER)) == SCOPES[code]


def test_every_built_in_check_is_a_documented_function() -> None:
    for found in BUILTIN_RULES:
        if found.payload is None:
            continue
        assert found.payload.__name__ == found.name.replace("-", "_")
        assert found.doc.what
        assert found.doc.why
        assert found.doc.example
        assert found.doc.fix


def test_the_docstring_is_read_into_the_four_headings() -> None:
    def made_up(ctx: Context) -> Iterator[Finding]:
        """Flags a thing
        that wraps.

        ## Why is this bad?
        Because it is.

        Twice.

        ## Example
        ```
        {"a":
          1}
        ```

        ## Use instead
        Something else.
        """
        yield from ()

    made = rule("KL999", "made-up", Severity.WARNING, requires=("prompt",))(made_up)
    assert made.doc.what == "Flags a thing that wraps."
    assert made.doc.why == "Because it is.\n\nTwice."
    assert made.doc.example == '{"a":\n  1}'
    assert made.doc.fix == "Something else."
    assert made.doc.not_in_schema is None
    assert set(made.scope_in(REGISTER)) == {
        "omni-video.create",
        "text2video.create",
        "image2video.create",
        "text-to-audio.create",
        "image-generation.create",
        "omni-image.create",
        "multi-image2image.create",
        "image-expand.create",
        "multi-image2video.create",
        "motion-control.create",
        "video-extend.create",
        "multi-elements.create",
        "avatar.create",
        # The new design's text-to-video takes a top-level prompt too.
        "text-to-video-3-0-turbo.create",
        "text-to-video-3-0.create",
        "text-to-video-2-6.create",
        "text-to-video-2-5-turbo.create",
    }


@pytest.mark.parametrize(
    "doc",
    [
        None,
        "Flags.\n\n## Why is this bad?\nx\n\n## Example\n{}\n",  # no Use instead
        "Flags.\n\n## Why?\nx\n\n## Example\n{}\n\n## Use instead\ny\n",  # unknown heading
        "\n## Why is this bad?\nx\n\n## Example\n{}\n\n## Use instead\ny\n",  # no summary
    ],
)
def test_a_rule_without_its_documentation_is_refused(doc: str | None) -> None:
    def undocumented(ctx: Context) -> Iterator[Finding]:
        yield from ()

    undocumented.__doc__ = doc
    with pytest.raises(ValueError, match="undocumented"):
        rule("KL999", "undocumented", Severity.WARNING)(undocumented)
