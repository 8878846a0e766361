"""Where the built-in register and schemas are, in a wheel and in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder that holds `registry/` and `schemas/`.

    A wheel carries them under `kling_lint/_data` (see pyproject.toml); an editable install
    or a plain checkout reads the top-level folders that people edit.
    """
    packaged = _PACKAGE / "_data"
    if (packaged / "registry").is_dir():
        return packaged
    return _PACKAGE.parent


def registry_dir() -> Path:
    return data_root() / "registry"


#: The register's meta-schema, in schemas_dir().
META_SCHEMA_FILE = "register.meta.schema.json"


def schemas_dir() -> Path:
    return data_root() / "schemas"
