"""The error every configuration problem is raised as."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""
