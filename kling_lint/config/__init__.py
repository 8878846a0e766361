"""Configuration: `[tool.kling-lint]` in pyproject.toml or a `.kling-lint.toml`, validated."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.config.errors import ConfigError as ConfigError
from kling_lint.config.limits import DEFAULT_LIMITS, Limits
from kling_lint.diagnostics import Severity

STANDALONE = ".kling-lint.toml"
PYPROJECT = "pyproject.toml"
# Days ahead of its expiry date that an allow entry is a warning (KL904), by default.
DEFAULT_ALLOW_WARN_DAYS = 14
DEFAULT_RETIRE_WARN_DAYS = 30
# What the HTTP guards may do with a Kling call on a route the register does not cover.
UNKNOWN_ROUTES = ("block", "warn", "pass")


def checked_unknown_routes(value: str | None) -> None:
    """Refuse a misspelt unknown_routes where it is written (None: the configuration's)."""
    if value is not None and value not in UNKNOWN_ROUTES:
        raise ValueError(
            f"unknown_routes must be one of {', '.join(UNKNOWN_ROUTES)}, not {value!r}"
        )


class AllowEntry(NamedTuple):
    """One explicit, accountable exception to a status gate."""

    position: int
    endpoint: str
    field: str
    reason: str
    value: Any = None
    has_value: bool = False
    expires: _dt.date | None = None
    owner: str | None = None
    source: str | None = None
    line: int | None = None
    # The field is one the register does not know (a KL106 finding); said explicitly, so
    # that a misspelt field is an error rather than an entry that lifts nothing.
    unknown: bool = False
    # Path patterns (relative to the config's folder): the entry lifts findings in those
    # files only, and in none when the caller names no file.
    paths: tuple[str, ...] | None = None

    def expired(self, today: _dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Config:
    """Settings from a config file; the CLI may override them."""

    path: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    severity: dict[str, Severity] = field(default_factory=dict)
    endpoints: tuple[tuple[str, str], ...] = ()
    allow: tuple[AllowEntry, ...] = ()
    register: Path | None = None
    # Register overlays (folders) laid over `register` (or the built-in one), in order.
    overlays: tuple[Path, ...] = ()
    policies: tuple[str, ...] = ()
    plugins: tuple[str, ...] = ()
    policy_files: tuple[Path, ...] = ()
    limits: Limits = DEFAULT_LIMITS
    # Which files a folder walk reads (gitignore-style patterns, relative to the config's
    # folder): None keeps the defaults of `kling_lint.load.scope`.
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    include: tuple[str, ...] | None = None
    respect_gitignore: bool = True
    force_exclude: bool = False
    # Path pattern -> codes or prefixes those files do not report (never a status gate).
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # An allow entry this many days from its expiry is a warning (0: never); with a
    # maximum, every entry must expire within that many days of the day of the run.
    allow_warn_days: int = DEFAULT_ALLOW_WARN_DAYS
    # A value (a model, an effect) this many days from its retirement is a warning (KL210).
    retire_warn_days: int = DEFAULT_RETIRE_WARN_DAYS
    allow_max_days: int | None = None
    # Hosts (glob patterns) a team's gateway adds to the Kling API hosts, and what the HTTP
    # guards do with a request to one of them on a route the register does not cover.
    kling_hosts: tuple[str, ...] = ()
    unknown_routes: str = "block"
    # Keys the command line set, so that a message names the flag rather than the file.
    flags: frozenset[str] = frozenset()
    # The TOML key's name, accepted as well: `Config(policy=("pipeline",))`.
    policy: InitVar[tuple[str, ...] | str | None] = None

    def __post_init__(self, policy: tuple[str, ...] | str | None) -> None:
        # What the TOML file may give as one string or a path, Python callers may too.
        if policy is not None:
            if self.policies:
                raise TypeError("Config: give `policies` or its TOML name `policy`, not both")
            object.__setattr__(self, "policies", policy)
        for name in ("select", "extend_select", "ignore", "policies", "plugins", "kling_hosts"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        for name in ("path", "register"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))
        if isinstance(self.fail_on, str):
            object.__setattr__(self, "fail_on", Severity.parse(self.fail_on))
        checked_unknown_routes(self.unknown_routes)
        for name in ("overlays", "policy_files"):
            value = getattr(self, name)
            if isinstance(value, str | Path):
                value = (value,)
            object.__setattr__(self, name, tuple(Path(v) for v in value))

    @property
    def origin(self) -> str:
        """The config file, as messages name it ("<defaults>" without one)."""
        return str(self.path) if self.path else "<defaults>"

    def where(self, key: str) -> str:
        """Where a setting came from, for messages: `--select`, or `pyproject.toml: select`."""
        if key in self.flags or self.path is None:
            return f"--{key}"
        return f"{self.path}: {key}"


def _allow_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[...allow]]` table, in order."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        # A comment may follow the header: `[[tool.kling-lint.allow]]  # why`.
        if line.split("#", 1)[0].strip().replace(" ", "") == f"[[{header}]]":
            lines.append(number)
    return lines


def _strings(value: str | list[str]) -> tuple[str, ...]:
    """A key that takes one string or a list of them (the schema has checked which)."""
    return (value,) if isinstance(value, str) else tuple(value)


def _allow(
    raw: list[dict[str, Any]], lines: list[int], path: Path | None
) -> tuple[AllowEntry, ...]:
    entries = []
    for i, item in enumerate(raw):
        expires = item.get("expires")
        if isinstance(expires, str):  # TOML may write a date as text too
            expires = _dt.date.fromisoformat(expires)
        entries.append(
            AllowEntry(
                position=i,
                endpoint=item["endpoint"],
                field=item["field"],
                reason=item["reason"].strip(),
                value=item.get("value"),
                has_value="value" in item,
                expires=expires,
                owner=item.get("owner"),
                source=str(path) if path else None,
                line=lines[i] if i < len(lines) else None,
                unknown=item.get("unknown", False),
                paths=_strings(item["paths"]) if "paths" in item else None,
            )
        )
    return tuple(entries)


# Keys whose value is one string or a list of them, and the Config field each fills.
_STRING_LISTS = {
    "select": "select",
    "extend-select": "extend_select",
    "ignore": "ignore",
    "policy": "policies",
    "plugins": "plugins",
    "exclude": "exclude",
    "extend-exclude": "extend_exclude",
    "include": "include",
    "kling-hosts": "kling_hosts",
}
# Keys whose value is taken as it is.
_PLAIN = (
    "respect-gitignore",
    "force-exclude",
    "allow-warn-days",
    "allow-max-days",
    "unknown-routes",
    "retire-warn-days",
)


def parse_config(
    table: dict[str, Any], *, path: Path | None = None, text: str = "", header: str = "allow"
) -> Config:
    """One `[tool.kling-lint]` table (or a standalone file's top level), checked by the
    settings' own schema (`config.schema`), as Config."""
    from kling_lint.config import schema

    where = str(path) if path else "config"
    schema.check(table, where)
    base = path.parent if path else Path.cwd()
    kwargs: dict[str, Any] = {"path": path}
    for key, name in _STRING_LISTS.items():
        if key in table:
            kwargs[name] = _strings(table[key])
    for key in _PLAIN:
        if key in table:
            kwargs[key.replace("-", "_")] = table[key]
    if "fail-on" in table:
        kwargs["fail_on"] = Severity.parse(table["fail-on"])
    if "severity" in table:
        kwargs["severity"] = {
            code.strip().upper(): Severity.parse(level) for code, level in table["severity"].items()
        }
    if "endpoints" in table:
        kwargs["endpoints"] = tuple(table["endpoints"].items())
    if "per-file-ignores" in table:
        kwargs["per_file_ignores"] = tuple(
            (pattern, _strings(codes)) for pattern, codes in table["per-file-ignores"].items()
        )
    if "register" in table:
        kwargs["register"] = (base / table["register"]).resolve()
    for key, name in (("overlays", "overlays"), ("policy-files", "policy_files")):
        if key in table:
            kwargs[name] = tuple((base / f).resolve() for f in _strings(table[key]))
    if "limits" in table:
        kwargs["limits"] = Limits(**{k.replace("-", "_"): v for k, v in table["limits"].items()})
    if "allow" in table:
        kwargs["allow"] = _allow(table["allow"], _allow_lines(text, header), path)
    return Config(**kwargs)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read a config file; a pyproject.toml without `[tool.kling-lint]` gives the defaults."""
    path = Path(path)
    # Imported here: a run without a config file never pays for the TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name != STANDALONE and isinstance(data.get("tool"), dict):
        table = data["tool"].get("kling-lint")
        if table is None:
            return Config(path=None)
        return parse_config(table, path=path, text=text, header="tool.kling-lint.allow")
    return parse_config(data, path=path, text=text, header="allow")


def find_config(start: Path) -> Path | None:
    """The nearest `.kling-lint.toml`, or pyproject.toml with a `[tool.kling-lint]` table."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory.resolve(), *directory.resolve().parents):
        standalone = folder / STANDALONE
        if standalone.is_file():
            return standalone
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
            except OSError:
                continue
            if "[tool.kling-lint" in text:
                return pyproject
    return None
