"""The settings are checked by their own shipped schema (`schemas/kling-lint-config.schema.json`,
the one editors are given): what an editor accepts, the linter accepts, and nothing else.

TOML has dates and times where JSON has none: an allow entry's `expires` date is checked
as its ISO text, and a date or time anywhere else is refused. What the schema cannot say
(a whole number written `2.0`) is checked after it.
"""

from __future__ import annotations

import datetime as _dt
import json
from functools import cache
from typing import Any

from kling_lint.config.errors import ConfigError

SCHEMA_FILE = "kling-lint-config.schema.json"
# Settings that are whole numbers: TOML's 2.0 is a float, which JSON Schema counts as 2.
_WHOLE = ("allow-warn-days", "allow-max-days", "retire-warn-days")


@cache
def _schema() -> dict[str, Any]:
    from kling_lint._resources import schemas_dir

    loaded: dict[str, Any] = json.loads((schemas_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Any:
    from kling_lint.validator_lib import jsonschema_rs

    return jsonschema_rs().validator_for(_schema(), validate_formats=True)


def check(table: dict[str, Any], where: str) -> None:
    """Raise ConfigError, naming the file and the key, unless `table` fits the schema."""
    document = _as_json(table, where)
    for error in _validator().iter_errors(document):
        raise ConfigError(f"{where}: {_said(error, document)}")
    for key in _WHOLE:
        if key in table and type(table[key]) is not int:
            raise ConfigError(f"{where}: {key} must be a whole number of days (0 or more)")
    for key, value in (table.get("limits") or {}).items():
        if type(value) is not int:
            raise ConfigError(f"{where}: limits.{key} must be a positive whole number")


def _as_json(table: dict[str, Any], where: str) -> dict[str, Any]:
    """The table as JSON: an allow entry's `expires` date as its ISO text (a date and time
    keeps its time, which the schema's `date` format refuses); any other date or time is
    refused here."""

    def walk(value: Any, at: str) -> Any:
        if isinstance(value, _dt.date | _dt.time):
            if at.startswith("allow[") and at.endswith("].expires"):
                return value.isoformat()
            raise ConfigError(f"{where}: {at}: a date or time is not a value this key takes")
        if isinstance(value, dict):
            return {k: walk(v, f"{at}.{k}" if at else k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{at}[{i}]") for i, v in enumerate(value)]
        return value

    converted: dict[str, Any] = walk(table, "")
    return converted


def _place(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _said(error: Any, document: dict[str, Any]) -> str:
    """A schema error as a located sentence."""
    path = list(error.instance_path)
    place = _place(path)
    kind = type(error.kind).__name__
    if kind == "AdditionalProperties":
        unexpected = list(getattr(error.kind, "unexpected", ()))
        name = str(unexpected[0]) if unexpected else "?"
        known = tuple(_node(error.schema_path).get("properties", {}))
        return f"{place + ': ' if place else ''}unknown key {name!r}{_suggest(name, known)}"
    if kind == "AnyOf":
        expected = _expected(_node(error.schema_path))
        return f"{place}: {_shown(error.instance)} is not {expected}"
    if kind == "PropertyNames":
        refused = _node(error.schema_path).get("not", {}).get("pattern")  # propertyNames.not
        return f"{place}: {_shown(_bad_name(error, document, path, refused))} is not a path pattern"
    if kind == "Not":
        return f"{place}: {_shown(error.instance)} is not a path pattern"
    if kind == "Required":
        return f"{place}: {error.kind.property} is required"
    if kind == "Enum":
        options = list(getattr(error.kind, "options", ()))
        what = "severity" if set(options) == {"error", "warning", "info"} else "value"
        return (
            f"{place}: unknown {what} {_shown(error.instance)} (choose from {', '.join(options)})"
        )
    if kind == "Pattern":  # the allow entry's texts: `\S`
        return f"{place}: must not be empty"
    return f"{place + ': ' if place else ''}{error.message}"


def _bad_name(
    error: Any, document: dict[str, Any], path: list[str | int], refused: str | None
) -> Any:
    """The key the schema's `propertyNames` refused, found by the schema's own pattern."""
    import re

    if refused is None:
        return error.instance
    node: Any = document
    for part in path:
        node = node[part]
    return next((name for name in node if re.search(refused, name)), error.instance)


def _node(schema_path: Any) -> dict[str, Any]:
    """The part of the schema an error's schema path leads to (the keyword's parent)."""
    node: Any = _schema()
    parts = list(schema_path)[:-1]
    for part in parts:
        if part == "$ref":
            continue
        node = node[part] if not isinstance(node, list) else node[int(part)]
        if isinstance(node, dict) and "$ref" in node and part != "properties":
            node = _resolve(node["$ref"])
    return node if isinstance(node, dict) else {}


def _resolve(ref: str) -> Any:
    node: Any = _schema()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _expected(node: dict[str, Any]) -> str:
    """What an `anyOf` of a value accepts, in words."""
    kinds = []
    for branch in node.get("anyOf", ()):
        if branch.get("type") == "array":
            least = "a non-empty list" if branch.get("minItems") else "a list"
            kinds.append(f"{least} of {_noun(branch.get('items', {}))}s")
        else:
            kinds.append(f"a {_noun(branch)}")
    return " or ".join(kinds) or "valid here"


def _noun(node: dict[str, Any]) -> str:
    if "not" in node:  # the schema's way to refuse an empty or commented-out pattern
        return "path pattern"
    return {"string": "string", "integer": "whole number", "boolean": "boolean"}.get(
        node.get("type", ""), "value"
    )


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(key: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(key, choices, 1, 0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(choices)})"
