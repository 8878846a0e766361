"""How a media value is written: the forms the register gives statuses to.

The patterns are ECMA-262 as well as Python regular expressions, because editors run the
generated schemas too.
"""

from __future__ import annotations

from typing import Any

FORM_PATTERNS = {
    "url": "^[hH][tT][tT][pP][sS]?://",
    "data-uri": "^[dD][aA][tT][aA]:",
    "base64": "^[A-Za-z0-9+/]{16,}={0,2}$",
}
#: The forms a media value may take at all; the register's form statuses gate them further.
MEDIA_FORMS = ("url", "base64")


def form_of(value: Any) -> str:
    """The form a media string is written in (`url`, `data-uri`, `base64`), "" for others."""
    if not isinstance(value, str):
        return ""
    head = value[:8].lower()
    if head.startswith(("http://", "https://")):
        return "url"
    if head.startswith("data:"):
        return "data-uri"
    return "base64"
