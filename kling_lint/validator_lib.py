"""Importing jsonschema-rs without the e-mail package.

When its extension loads, jsonschema-rs records when it was built: it imports
`email.utils` (and with it `socket`, `random`, `calendar`, `urllib.parse` and the e-mail
package) only to call `parsedate_to_datetime` once on its build date. That is about a
tenth of a one-file run. While the extension loads, `email.utils` is a stand-in whose
`parsedate_to_datetime` reads that one date form (RFC 5322, numeric zone) exactly as the
real function does and hands any other text to the real function; any other name asked
of it comes from the real module. The stand-in is gone once the import returns; code that
imports `email.utils` later gets the real module. Should the import fail with the stand-in
in place, for any reason, the module is imported again the ordinary way.
"""

from __future__ import annotations

import datetime
import re
import sys
import threading
import types
from typing import Any

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(
    r"[A-Za-z]{3}, (\d{1,2}) ([A-Za-z]{3}) ([1-9]\d{3}) "  # "Thu, 12 Nov 2026 "
    r"(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"  # "07:50:16 +0000"
)
# "-0000" says "zone unknown": the real function returns a naive time for it.
_NO_ZONE = ("-", "00", "00")


_loaded: Any = None
_loading = threading.Lock()


def jsonschema_rs() -> Any:
    """The `jsonschema_rs` module, once its import has finished: a thread never sees it
    half-initialised while another thread imports it (`sys.modules` holds it from the
    start of its import)."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = _import()
    return _loaded


def _import() -> Any:
    # Another thread could import `email.utils` while the stand-in is in place: only a
    # process with one thread takes the short way.
    if "email.utils" in sys.modules or threading.active_count() > 1:
        import jsonschema_rs as module

        return module
    stand_in = types.ModuleType("email.utils")
    stand_in.parsedate_to_datetime = parsedate_to_datetime  # type: ignore[attr-defined]
    stand_in.__getattr__ = _from_the_real_module  # type: ignore[method-assign]
    sys.modules["email.utils"] = stand_in
    try:
        import jsonschema_rs as module
    except Exception:
        # A release that reads the e-mail package some other way: the ordinary import.
        sys.modules.pop("jsonschema_rs", None)
        _drop(stand_in)
        import jsonschema_rs as module
    finally:
        _drop(stand_in)
    return module


def _drop(stand_in: types.ModuleType) -> None:
    if sys.modules.get("email.utils") is stand_in:
        del sys.modules["email.utils"]


def _from_the_real_module(name: str) -> Any:
    """Whatever else is asked of the stand-in, from the real `email.utils`."""
    if name.startswith("__"):  # the import system's own questions: the stand-in has none
        raise AttributeError(name)
    stand_in = sys.modules.get("email.utils")
    if stand_in is not None and not hasattr(stand_in, "__file__"):
        del sys.modules["email.utils"]
    import email.utils

    return getattr(email.utils, name)


def parsedate_to_datetime(text: str) -> datetime.datetime:
    """`email.utils.parsedate_to_datetime` for "Thu, 12 Nov 2026 07:50:16 +0000"."""
    match = _DATE.fullmatch(text)
    if match is not None and match[2].lower() in _MONTHS and match.groups()[6:] != _NO_ZONE:
        day, month, year, hour, minute, second, sign, zone_h, zone_m = match.groups()
        offset = datetime.timedelta(hours=int(zone_h), minutes=int(zone_m))
        try:
            return datetime.datetime(
                int(year),
                _MONTHS.index(month.lower()) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=datetime.timezone(-offset if sign == "-" else offset),
            )
        except ValueError:
            pass  # out of range: the real function decides
    return _real_parsedate_to_datetime(text)


def _real_parsedate_to_datetime(text: str) -> datetime.datetime:
    stand_in = sys.modules.get("email.utils")
    if stand_in is not None and not hasattr(stand_in, "__file__"):
        del sys.modules["email.utils"]
    from email.utils import parsedate_to_datetime as real

    return real(text)
