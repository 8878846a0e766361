"""What the command modules share: exit codes and the guard that keeps tracebacks away."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from kling_lint.config import ConfigError
from kling_lint.exit_codes import ERROR as EXIT_ERROR
from kling_lint.exit_codes import FINDINGS as EXIT_FINDINGS
from kling_lint.exit_codes import OK as EXIT_OK
from kling_lint.register import RegisterError
from kling_lint.report._common import printable

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "CommandError",
    "codes",
    "guarded",
    "reader_gone",
]


def reader_gone() -> None:
    """Stdout's reader closed the pipe: what is still buffered goes nowhere, quietly,
    instead of failing again when the process exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout has no descriptor (a library caller's stream): nothing to redirect


class CommandError(Exception):
    """A command that cannot do what was asked (an unknown endpoint or field): exit 2 with
    the message, as a configuration problem would."""


def guarded(func: F) -> F:
    """No traceback reaches a user: known errors exit 2 with a message, others too."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`| head`); nothing more to say to it.
            reader_gone()
            sys.exit(EXIT_OK)
        except (ConfigError, RegisterError, CommandError) as exc:
            # A register or overlay with several problems: one located line each.
            lines = [str(p) for p in exc.problems] if isinstance(exc, RegisterError) else []
            for line in lines or str(exc).split("\n"):
                click.echo(f"kling-lint: {printable(line)}", err=True)
            if lines:
                # Under pre-commit the cause may be in files the commit does not touch (an
                # overlay half staged): say that the fault lies in the files named above.
                click.echo(
                    "kling-lint: nothing was checked: the register or overlay files above are "
                    "not valid (a change to them left unstaged is not seen by a commit hook)",
                    err=True,
                )
            sys.exit(EXIT_ERROR)
        except OSError as exc:  # a write the disk refused; what was there is kept
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"kling-lint: {printable(where + (exc.strerror or str(exc)))}", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:
            if debug:
                import traceback

                traceback.print_exc()
            else:
                click.echo(
                    f"kling-lint: internal error: {printable(repr(exc))} (--debug shows the "
                    "traceback)",
                    err=True,
                )
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def codes(values: tuple[str, ...]) -> tuple[str, ...] | None:
    """The values of a repeatable, comma-separated option (codes, path patterns)."""
    if not values:
        return None
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())
