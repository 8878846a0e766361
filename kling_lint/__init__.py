"""kling-lint: check Kling API request payloads against a field-status register."""

from __future__ import annotations

from kling_lint.__about__ import __version__

__all__ = ["__version__"]
