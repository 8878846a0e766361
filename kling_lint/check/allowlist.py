"""The allowlist: which entry lifts a finding, and what the run says about the entries.

An entry is an explicit, accountable exception to a status gate. Besides lifting, the run
reports on the entries of the config it used, each at the entry's line:

- KL901: past its `expires` date (it lifts nothing any more);
- KL904: within `allow-warn-days` of that date;
- KL905: without an `expires`, or expiring later than `allow-max-days` allows (it lifts
  nothing, as an expired entry does);
- KL906: what it names is no longer gated (the register now holds it live-confirmed or
  doc-derived), so it lifts nothing and can go;
- KL902: it matched nothing in a run that walked folders (a run of a few named files, as
  pre-commit makes, says nothing about the rest).

Expiry and lifetime findings are made only when the run linted the entry's endpoint: a
commit that touches other payloads is not failed for them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator
from typing import Any

from kling_lint import pointer as jp
from kling_lint.check.endpoint import resolve, suggest_endpoint
from kling_lint.config import AllowEntry, Config, ConfigError
from kling_lint.config.paths import matches
from kling_lint.register import Register
from kling_lint.register.forms import form_of
from kling_lint.register.model import Field


def checked(register: Register, entry: AllowEntry) -> AllowEntry:
    """The entry with its endpoint as an id (a route is accepted too). It must name an
    endpoint and a field the register has, or say that the field is unknown to it: a typo
    would otherwise lift nothing, silently."""
    where = f"{entry.source or 'config'}:{entry.line or 1}: allow entry"
    endpoint = resolve(register, entry.endpoint)
    if endpoint is None:
        raise ConfigError(
            f"{where} names unknown endpoint {entry.endpoint!r}"
            f"{suggest_endpoint(register, entry.endpoint)}"
        )
    path = jp.normalise_path(entry.field)
    known = {jp.normalise_path(p) for p in endpoint.fields}
    # An `unknown = true` entry for a field the register has since learnt goes on working
    # (or, once the field is accepted, is reported as no longer needed): an upgrade of the
    # register must not turn a config that worked into a usage error.
    if not entry.unknown and path not in known:
        import difflib

        close = difflib.get_close_matches(path, sorted(known), 1, 0.7)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{where}: {endpoint.id} has no field {entry.field!r}; {hint}(to lift a field the "
            "register does not know, add `unknown = true`)"
        )
    return entry._replace(endpoint=endpoint.id)


def covers(entry: AllowEntry, path: str | None) -> bool:
    """Whether the entry applies to the file at `path` (relative to its config's folder)."""
    if entry.paths is None:
        return True
    return path is not None and any(matches(path, pattern) for pattern in entry.paths)


def _gated_value(field: Field, value: Any) -> bool:
    info = field.value_info(value)
    if info is not None:
        return info.blocked
    if field.enum is not None:
        return True  # a value outside the known ones (KL107)
    form = field.forms.get(form_of(value)) if isinstance(value, str) else None
    return form is not None and form.rejected


def needed(register: Register, entry: AllowEntry) -> bool:
    """Whether a gate could still fire on what the entry names. False only when the
    register now accepts all of it; when in doubt the entry is needed."""
    endpoint = register.endpoints[entry.endpoint]
    wanted = jp.normalise_path(entry.field)
    field = next((f for p, f in endpoint.fields.items() if jp.normalise_path(p) == wanted), None)
    if field is None:
        return True  # unknown to the register: KL106 still fires
    if field.blocked:
        return True
    if entry.has_value:
        return _gated_value(field, entry.value)
    return (
        field.enum is not None
        or any(v.blocked for v in field.values.values())
        or any(f.rejected for f in field.forms.values())
    )


def remarks(
    register: Register,
    config: Config,
    entries: Iterable[AllowEntry],
    today: _dt.date,
    used: set[int],
    linted: set[str] | None,
    report_unused: bool,
) -> Iterator[tuple[str, str, AllowEntry]]:
    """(code, message, entry) for each thing the run has to say about the allowlist."""
    for entry in entries:
        where = f"allow entry {entry.position + 1} ({entry.endpoint} {entry.field})"
        covered = linted is None or entry.endpoint in linted
        if covered and entry.expired(today):
            yield "KL901", f"{where} expired on {entry.expires}: {entry.reason}", entry
            continue
        if covered and not needed(register, entry):
            yield (
                "KL906",
                f"{where} is no longer needed: the register no longer gates what it names",
                entry,
            )
            continue
        if covered:
            lifetime = breaks_cap(config, entry, today)
            if lifetime:
                yield "KL905", f"{where} {lifetime}; it lifts nothing until it does", entry
            elif entry.expires is not None:
                left = (entry.expires - today).days
                if config.allow_warn_days and left <= config.allow_warn_days:
                    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
                    yield "KL904", f"{where} expires {when} ({entry.expires})", entry
        if entry.position not in used and report_unused:
            yield "KL902", f"{where} matched nothing in this run", entry


def lifts(config: Config, entry: AllowEntry, today: _dt.date) -> bool:
    """Whether the entry may lift a finding today: not expired, and within the team's
    `allow-max-days` (an entry that breaks the cap lifts nothing, in the library too)."""
    return not entry.expired(today) and not breaks_cap(config, entry, today)


def breaks_cap(config: Config, entry: AllowEntry, today: _dt.date) -> str:
    """What breaks `allow-max-days`, if anything."""
    most = config.allow_max_days
    if most is None:
        return ""
    if entry.expires is None:
        return f"has no expires date; allow-max-days = {most} asks every entry for one"
    if (entry.expires - today).days > most:
        return f"expires on {entry.expires}, later than allow-max-days = {most} allows"
    return ""
