"""The `kling-lint` program (also `python -m kling_lint`)."""

from __future__ import annotations

import gc


def run() -> None:
    """Load the command line, then run it and leave as soon as the report is out."""
    # Start-up builds tens of thousands of long-lived objects (modules, classes, the
    # command tree) and no garbage. Collecting while they load, and traversing them again
    # in every later collection, costs a one-file run more than its check: the collector
    # waits until they are loaded, and they are then set aside for the process's life.
    gc.disable()
    try:
        from kling_lint.cli import main
        from kling_lint.cli._exit import leave
    finally:
        gc.freeze()
        gc.enable()
    try:
        main()
    except SystemExit as done:
        leave(done.code)


if __name__ == "__main__":
    run()
