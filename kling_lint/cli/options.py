"""The options several commands take, each declared once: a flag means the same thing
wherever it appears."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def config_option(help: str) -> Callable[[F], F]:
    """`--config FILE`: the config file to use in place of the nearest one."""
    return click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help=help)


def isolated_option(help: str = "Ignore all configuration files.") -> Callable[[F], F]:
    """`--isolated`: no config file at all."""
    return click.option("--isolated", is_flag=True, help=help)


def register_option() -> Callable[[F], F]:
    """`--register DIR`: a register folder in place of the built-in one."""
    return click.option(
        "--register",
        type=click.Path(file_okay=False, path_type=Path),
        help="Use this register folder instead of the built-in one.",
    )


def overlay_option(help: str) -> Callable[[F], F]:
    """`--overlay DIR` (repeatable): register overlays laid over the register, in order."""
    return click.option(
        "--overlay",
        "overlays",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


def kling_host_option() -> Callable[[F], F]:
    """`--kling-host PATTERN` (repeatable): gateway hosts whose calls are Kling calls too."""
    return click.option(
        "--kling-host",
        "hosts",
        multiple=True,
        metavar="PATTERN",
        help="A gateway host (glob) whose calls are Kling calls too, besides the Kling API "
        "hosts (repeatable).",
    )


def format_option(*choices: str, help: str = "Output format.") -> Callable[[F], F]:
    """`--format` among `choices` (the first is the default), as `output_format`."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def document_format_option() -> Callable[[F], F]:
    """`--format text|json|markdown`: how a review or a diff is written."""
    return format_option("text", "json", "markdown")
