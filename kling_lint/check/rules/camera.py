"""camera_control on Text- and Image-to-Video."""

from __future__ import annotations

from collections.abc import Iterator

from kling_lint.check.rules._base import Context, Finding, rule
from kling_lint.check.rules._payload import (
    number,
)
from kling_lint.diagnostics import Severity

AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")


@rule(
    "KL413",
    "camera-control-config",
    Severity.ERROR,
    requires=("camera_control",),
    triggers=("camera_control",),
    example_endpoint="text2video.create",
)
def camera_control_config(ctx: Context) -> Iterator[Finding]:
    """Flags camera_control whose config does not fit its type: simple needs a config with
    exactly one non-zero axis; the other types take no config.

    ## Why is this bad?
    The service rejects a camera move it cannot read.

    ## Why not in the schema
    A rule, not a schema constraint: exactly one of six axes being non-zero is a count over
    members, which JSON Schema cannot say readably.

    ## Example
    ```
    {"camera_control": {"type": "simple", "config": {"pan": 2, "zoom": 3}}}
    ```

    ## Use instead
    {"camera_control": {"type": "simple", "config": {"zoom": 3}}}
    """
    camera = ctx.payload.get("camera_control")
    if not isinstance(camera, dict):
        return
    kind = camera.get("type")
    config = camera.get("config")
    if kind == "simple":
        if not isinstance(config, dict) or not config:
            yield Finding(
                ("camera_control",),
                "type simple needs config with one axis",
                "camera_control.config",
            )
            return
        moving = [a for a in AXES if number(config.get(a)) not in (None, 0.0)]
        if len(moving) != 1:
            yield Finding(
                ("camera_control", "config"),
                f"exactly one axis may be non-zero; found {len(moving)}: "
                f"{', '.join(moving) or 'none'}",
                "camera_control.config",
            )
    elif kind is not None and config not in (None, {}):
        yield Finding(
            ("camera_control", "config"),
            f"type {kind} takes no config (only simple does)",
            "camera_control.config",
        )


RULES = (camera_control_config,)
