"""The shipped JSON Schema of the settings (for editors: Taplo, Even Better TOML) says what
the config parser accepts: same keys, and, over generated tables, the same verdict."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kling_lint import config as settings
from kling_lint.config import ConfigError, parse_config
from kling_lint.config.limits import KEYS as LIMIT_KEYS

from ..conftest import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "kling-lint-config.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


KEYS = tuple(SCHEMA["properties"])
ALLOW_KEYS = tuple(SCHEMA["$defs"]["allow"]["properties"])


def test_the_schema_is_valid_and_names_every_limit() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert set(SCHEMA["properties"]["limits"]["properties"]) == set(LIMIT_KEYS)


def test_every_key_the_schema_names_reaches_the_settings() -> None:
    table = {
        "select": "KL1",
        "extend-select": ["KL108"],
        "ignore": ["KL109"],
        "fail-on": "warning",
        "severity": {"kl902": "error"},
        "endpoints": {"p/**": "omni-video.create"},
        "per-file-ignores": {"x/**": "KL109"},
        "allow": [{"endpoint": "e", "field": "f", "reason": " r ", "expires": dt.date(2030, 1, 1)}],
        "allow-warn-days": 3,
        "allow-max-days": 9,
        "retire-warn-days": 60,
        "register": "reg",
        "overlays": "team",
        "policy": "pipeline",
        "plugins": ["m:a"],
        "policy-files": ["p.yaml"],
        "limits": {"depth": 5},
        "exclude": ["a/"],
        "extend-exclude": "b/",
        "include": ["*.json"],
        "respect-gitignore": False,
        "force-exclude": True,
        "kling-hosts": "kling.gateway.example",
        "unknown-routes": "warn",
    }
    assert set(table) == set(KEYS)  # a key the schema gains joins this table
    made = parse_config(table)
    default = settings.Config()
    changed = {
        name
        for name in (
            "select",
            "extend_select",
            "ignore",
            "fail_on",
            "severity",
            "endpoints",
            "per_file_ignores",
            "allow",
            "allow_warn_days",
            "allow_max_days",
            "retire_warn_days",
            "register",
            "overlays",
            "policies",
            "plugins",
            "policy_files",
            "limits",
            "exclude",
            "extend_exclude",
            "include",
            "respect_gitignore",
            "force_exclude",
            "kling_hosts",
            "unknown_routes",
        )
        if getattr(made, name) != getattr(default, name)
    }
    assert len(changed) == len(KEYS)
    assert made.select == ("KL1",)
    assert made.severity == {"KL902": settings.Severity.ERROR}
    assert made.allow[0].reason == "r"
    assert made.allow[0].expires == dt.date(2030, 1, 1)


def test_the_pyproject_schema_puts_the_same_settings_under_tool() -> None:
    wrapper = json.loads((ROOT / "schemas" / "kling-lint-pyproject.schema.json").read_text())
    inner = wrapper["properties"]["tool"]["properties"]["kling-lint"]
    assert inner["properties"] == SCHEMA["properties"]
    validator = jsonschema.Draft202012Validator(wrapper)
    assert validator.is_valid({"project": {"name": "x"}, "tool": {"kling-lint": {"select": []}}})
    assert not validator.is_valid({"tool": {"kling-lint": {"selcet": []}}})


# Values of every shape TOML can hold (no integral floats: JSON Schema counts 2.0 as an
# integer, TOML and the parser do not), some right for a key and most wrong.
_scalars = st.one_of(
    st.booleans(),
    st.integers(-3, 20),
    st.sampled_from([0.5, -1.5]),
    st.sampled_from(["", " ", "#x", "KL1", "error", "warning", "info", "ERROR", "a/**", "x"]),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.sampled_from(["2020-01-31", "2020-13-01", "soon"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a/**", "KL109", "", "x"]), inner, max_size=2),
    ),
    max_leaves=6,
)
_allow_entry = st.dictionaries(st.sampled_from([*ALLOW_KEYS, "endpiont"]), _values, max_size=5).map(
    lambda d: d if len(d) > 1 else {**d, "endpoint": "e", "field": "f", "reason": "r"}
)
_limits = st.dictionaries(st.sampled_from([*LIMIT_KEYS, "depht"]), _values, max_size=2)
_key_values = {
    "allow": st.one_of(st.lists(_allow_entry, max_size=2), _values),
    "limits": st.one_of(_limits, _values),
}


@st.composite
def _tables(draw: Any) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from([*KEYS, "selcet"]), max_size=3, unique=True))
    return {key: draw(_key_values.get(key, _values)) for key in keys}


def _as_json(table: dict[str, Any]) -> dict[str, Any]:
    """What an editor's schema check sees of `expires`: a TOML date as its ISO text. (A date
    anywhere else stays a date, which no JSON type admits: the parser refuses it too.)"""
    entries = table.get("allow")
    if not isinstance(entries, list):
        return table
    dated = [
        {**e, "expires": e["expires"].isoformat()}
        if isinstance(e, dict) and isinstance(e.get("expires"), dt.date)
        else e
        for e in entries
    ]
    return {**table, "allow": dated}


def _parses(table: dict[str, Any]) -> bool:
    try:
        parse_config(table)
    except ConfigError:
        return False
    return True


@given(_tables())
def test_the_schema_and_the_parser_agree(table: dict[str, Any]) -> None:
    assert VALIDATOR.is_valid(_as_json(table)) is _parses(table), table


@pytest.mark.parametrize(
    "table",
    [
        {"select": ["KL1"], "fail-on": "warning", "severity": {"KL902": "error"}},
        {"per-file-ignores": {"payloads/experiments/**": ["KL109"]}, "allow-max-days": 90},
        {
            "allow": [
                {
                    "endpoint": "omni-video.create",
                    "field": "voice_list",
                    "reason": "probe",
                    "expires": "2027-01-31",
                    "paths": ["payloads/experiments/**"],
                }
            ]
        },
        {"limits": {"depth": 10}, "exclude": ["drafts/"], "respect-gitignore": False},
    ],
)
def test_documented_settings_are_valid_for_both(table: dict[str, Any]) -> None:
    assert VALIDATOR.is_valid(table)
    assert _parses(table)
