"""`python -m kling_lint`."""

from kling_lint.cli import main

main()
