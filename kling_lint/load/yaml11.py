"""How a YAML 1.1 reader (PyYAML, which most pipelines use to send YAML) reads a plain scalar.

kling-lint reads YAML as 1.2, where `on`, `yes`, `16:9` and `010` are the text or number
they look like. A 1.1 reader turns them into `True`, `True`, `969` (base 60) and `8`
(octal): the request the pipeline sends is not the one that was checked. The resolver
below follows the YAML 1.1 type definitions (bool, int, float, null) as PyYAML applies them,
and also reads `y` and `n` as booleans, as the 1.1 spec (and readers other than PyYAML) do.
"""

from __future__ import annotations

import re
from typing import Any

_BOOL = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
)
_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_INT = re.compile(
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NULL = re.compile(r"~|null|Null|NULL|")


def _sexagesimal(text: str) -> float:
    value = 0.0
    for part in text.split(":"):
        value = value * 60 + float(part)
    return value


def _integer(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace("_", "")
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if ":" in digits:
        return sign * int(_sexagesimal(digits))
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _float(text: str) -> float:
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-").replace("_", "").lower()
    if body == ".inf":
        return sign * float("inf")
    if body == ".nan":
        return float("nan")
    if ":" in body:
        return sign * _sexagesimal(body)
    return sign * float(body)


def read_as_yaml11(text: str) -> Any:
    """The value a YAML 1.1 reader gives a plain (unquoted) scalar."""
    if _BOOL.fullmatch(text):
        return text in _TRUE
    if _NULL.fullmatch(text):
        return None
    if _INT.fullmatch(text):
        return _integer(text)
    if _FLOAT.fullmatch(text):
        try:
            return _float(text)
        except ValueError:  # `._`: PyYAML fails to load it at all
            return text
    return text


def differs(text: str, value: Any) -> tuple[Any] | None:
    """What a YAML 1.1 reader makes of `text` if it is not `value` (as read here), else None.

    Returned wrapped in a tuple so that a 1.1 reading of `None` is still a difference.
    """
    other = read_as_yaml11(text)
    if type(other) is type(value) and (other == value or (other != other and value != value)):
        return None
    return (other,)
