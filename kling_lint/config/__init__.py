"""Configuration: `[tool.kling-lint]` in pyproject.toml or a `.kling-lint.toml`, validated."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.config.limits import DEFAULT_LIMITS, Limits, parse_limits
from kling_lint.diagnostics import Severity

STANDALONE = ".kling-lint.toml"
PYPROJECT = "pyproject.toml"
_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "severity",
    "endpoints",
    "allow",
    "register",
    "policy",
    "plugins",
    "policy-files",
    "limits",
    "exclude",
    "extend-exclude",
    "include",
    "respect-gitignore",
    "force-exclude",
    "per-file-ignores",
    "allow-warn-days",
    "allow-max-days",
    "overlays",
)
_ALLOW_KEYS = ("endpoint", "field", "value", "reason", "expires", "owner", "unknown", "paths")
# Days ahead of its expiry date that an allow entry is a warning (KL904), by default.
DEFAULT_ALLOW_WARN_DAYS = 14


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


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
    allow_max_days: int | None = None
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
        for name in ("select", "extend_select", "ignore", "policies", "plugins"):
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
        for name in ("overlays", "policy_files"):
            value = getattr(self, name)
            if isinstance(value, str | Path):
                value = (value,)
            object.__setattr__(self, name, tuple(Path(v) for v in value))

    @property
    def display(self) -> str:
        return str(self.path) if self.path else "<defaults>"

    def where(self, key: str) -> str:
        """Where a setting came from, for messages: `--select`, or `pyproject.toml: select`."""
        if key in self.flags or self.path is None:
            return f"--{key}"
        return f"{self.path}: {key}"


def _suggest(key: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(key, choices, 1, 0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(choices)})"


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _patterns(where: str, key: str, value: Any) -> tuple[str, ...]:
    """Path patterns as in .gitignore; one that could never match is an error, not a no-op."""
    patterns = _strings(where, key, value)
    for pattern in patterns:
        if not pattern.strip() or pattern.lstrip().startswith("#"):
            raise ConfigError(f"{where}: {key}: {pattern!r} is not a path pattern")
    return patterns


def _level(where: str, value: Any) -> Severity:
    """A severity as the config spells it: "error", "warning" or "info"."""
    labels = [s.label for s in Severity]
    if value not in labels:
        raise ConfigError(f"{where}: unknown severity {value!r} (choose from {', '.join(labels)})")
    return Severity.parse(value)


def _per_file(where: str, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f'{where}: per-file-ignores must be a table of "pattern" = [codes]')
    out = []
    for pattern, codes in raw.items():
        (checked,) = _patterns(where, "per-file-ignores", [pattern])
        out.append((checked, _strings(where, f"per-file-ignores: {pattern!r}", codes)))
    return tuple(out)


def _allow_lines(text: str, header: str) -> list[int]:
    """1-based line numbers of each `[[...allow]]` table, in order."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        # A comment may follow the header: `[[tool.kling-lint.allow]]  # why`.
        if line.split("#", 1)[0].strip().replace(" ", "") == f"[[{header}]]":
            lines.append(number)
    return lines


def _allow(where: str, raw: Any, lines: list[int], path: Path | None) -> tuple[AllowEntry, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: allow must be an array of tables ([[...allow]])")
    entries = []
    for i, item in enumerate(raw):
        at = f"{where}: allow entry {i + 1}"
        if not isinstance(item, dict):
            raise ConfigError(f"{at} must be a table")
        for key in item:
            if key not in _ALLOW_KEYS:
                raise ConfigError(f"{at}: unknown key {key!r}{_suggest(key, _ALLOW_KEYS)}")
        for key in ("endpoint", "field", "reason"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ConfigError(f"{at}: {key} is required (a non-empty string)")
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = _dt.date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(f"{at}: expires must be a date (YYYY-MM-DD)") from None
        # A date and nothing else: a time of day would say more than the entry means.
        if expires is not None and (
            not isinstance(expires, _dt.date) or isinstance(expires, _dt.datetime)
        ):
            raise ConfigError(f"{at}: expires must be a date (YYYY-MM-DD)")
        owner = item.get("owner")
        if owner is not None and not isinstance(owner, str):
            raise ConfigError(f"{at}: owner must be a string")
        if not isinstance(item.get("unknown", False), bool):
            raise ConfigError(f"{at}: unknown must be true or false")
        paths = _patterns(at, "paths", item["paths"]) if "paths" in item else None
        if paths == ():
            raise ConfigError(f"{at}: paths names no pattern, so the entry would lift nothing")
        entries.append(
            AllowEntry(
                position=i,
                endpoint=item["endpoint"],
                field=item["field"],
                reason=item["reason"].strip(),
                value=item.get("value"),
                has_value="value" in item,
                expires=expires,
                owner=owner,
                source=str(path) if path else None,
                line=lines[i] if i < len(lines) else None,
                unknown=item.get("unknown", False),
                paths=paths,
            )
        )
    return tuple(entries)


def parse_config(
    table: dict[str, Any], *, path: Path | None = None, text: str = "", header: str = "allow"
) -> Config:
    """Validate one `[tool.kling-lint]` table (or a standalone file's top level)."""
    where = str(path) if path else "config"
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_suggest(key, _KEYS)}")
    kwargs: dict[str, Any] = {"path": path}
    if "select" in table:
        kwargs["select"] = _strings(where, "select", table["select"])
    if "extend-select" in table:
        kwargs["extend_select"] = _strings(where, "extend-select", table["extend-select"])
    if "ignore" in table:
        kwargs["ignore"] = _strings(where, "ignore", table["ignore"])
    if "policy" in table:
        kwargs["policies"] = _strings(where, "policy", table["policy"])
    if "plugins" in table:
        kwargs["plugins"] = _strings(where, "plugins", table["plugins"])
    if "policy-files" in table:
        base = path.parent if path else Path.cwd()
        files = _strings(where, "policy-files", table["policy-files"])
        kwargs["policy_files"] = tuple((base / f).resolve() for f in files)
    if "fail-on" in table:
        kwargs["fail_on"] = _level(f"{where}: fail-on", table["fail-on"])
    if "severity" in table:
        raw = table["severity"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: severity must be a table of CODE = level")
        kwargs["severity"] = {
            k.strip().upper(): _level(f"{where}: severity: {k}", v) for k, v in raw.items()
        }
    if "endpoints" in table:
        raw = table["endpoints"]
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise ConfigError(f"{where}: endpoints must map path globs to endpoint ids")
        kwargs["endpoints"] = tuple(raw.items())
    if "register" in table:
        if not isinstance(table["register"], str):
            raise ConfigError(f"{where}: register must be a path")
        base = path.parent if path else Path.cwd()
        kwargs["register"] = (base / table["register"]).resolve()
    if "overlays" in table:
        base = path.parent if path else Path.cwd()
        folders = _strings(where, "overlays", table["overlays"])
        kwargs["overlays"] = tuple((base / f).resolve() for f in folders)
    if "limits" in table:
        kwargs["limits"] = parse_limits(where, table["limits"])
    for key in ("exclude", "extend-exclude", "include"):
        if key in table:
            kwargs[key.replace("-", "_")] = _patterns(where, key, table[key])
    for key in ("respect-gitignore", "force-exclude"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{where}: {key} must be true or false")
            kwargs[key.replace("-", "_")] = table[key]
    if "per-file-ignores" in table:
        kwargs["per_file_ignores"] = _per_file(where, table["per-file-ignores"])
    for key in ("allow-warn-days", "allow-max-days"):
        if key in table:
            days = table[key]
            if isinstance(days, bool) or not isinstance(days, int) or days < 0:
                raise ConfigError(f"{where}: {key} must be a whole number of days (0 or more)")
            kwargs[key.replace("-", "_")] = days
    if "allow" in table:
        kwargs["allow"] = _allow(where, table["allow"], _allow_lines(text, header), path)
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
