"""`select`, `ignore` and `severity`: which codes a run reports, and how loud.

Codes are chosen by prefix with Ruff's reading (the longer matching prefix wins, a tie goes
to ignore), with three limits that keep the gate closed:

- a rule that is `always_on` (a file that cannot be read, a payload that cannot be checked,
  the schema's catch-all) counts whatever the selection says, and cannot be lowered;
- a status gate (a rule an allowlist entry can lift) cannot be ignored or lowered: the
  allowlist, with its reason and expiry, is the one way to let a status through;
- a code or prefix that names no rule, and a selection that names nothing, are errors.

Without a `select`, rules that are not `by_default` (notes that restate the register) are
off; `extend-select` adds codes to whatever `select` chose, as in Ruff.

A `select` that leaves status gates out is allowed (a run may look at one thing), and the
report says which gates it switched off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from kling_lint.config import ConfigError
from kling_lint.diagnostics import Severity

if TYPE_CHECKING:
    from kling_lint.check.rules._base import Rule


class Selection(NamedTuple):
    """The codes a run reports, and the status gates its `select` left out."""

    codes: frozenset[str]
    gates_off: tuple[str, ...]


def _matches(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix that selects `code` (0 when none does)."""
    best = 0
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 1)
        elif code.startswith(prefix):
            best = max(best, len(prefix) + 1)
    return best


def selected(code: str, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> bool:
    """Ruff's rule: the longer matching prefix wins; a tie goes to ignore."""
    chosen = _matches(code, select) if select is not None else 1
    dropped = _matches(code, ignore)
    return chosen > 0 and chosen > dropped


def _span(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} and {codes[-1]}"


def _unknown(entry: str, rules: Mapping[str, Rule]) -> str:
    """Why `entry` names no rule, with the nearest thing it may have meant."""
    import difflib

    by_name = {r.name: r.code for r in rules.values()}
    wanted = entry.strip().lower()
    if wanted in by_name:
        return f"{entry!r} is a rule name; codes are selected by code: {by_name[wanted]}"
    close = difflib.get_close_matches(entry.strip().upper(), list(rules), 1, 0.6)
    close = close or [by_name[n] for n in difflib.get_close_matches(wanted, list(by_name), 1)]
    hint = f"; did you mean {close[0]} ({rules[close[0]].name})?" if close else ""
    return f"{entry!r} matches no rule code{hint} (`kling-lint rules` lists them)"


def _prefixes(at: str, raw: tuple[str, ...], rules: Mapping[str, Rule]) -> tuple[str, ...]:
    """The codes and prefixes of a setting (`at` names it in messages), checked."""
    out = []
    for entry in raw:
        prefix = entry.strip().upper()
        if not prefix:
            continue  # "KL101," is a trailing comma, not a code
        if prefix != "ALL" and not any(code.startswith(prefix) for code in rules):
            raise ConfigError(f"{at}: {_unknown(entry, rules)}")
        out.append(prefix)
    return tuple(out)


def _no_gates(rules: Mapping[str, Rule], dropped: tuple[str, ...], where: str) -> None:
    """ConfigError when ignoring `dropped` would switch off a gate or an always-on rule."""
    for prefix in dropped:
        covered = sorted(
            code
            for code, rule in rules.items()
            if (rule.liftable or rule.always_on) and _matches(code, (prefix,))
        )
        if covered:
            why = (
                "a status gate is lifted only by an allowlist entry, with a reason (an entry "
                "with `paths` limits it to some files)"
                if any(rules[c].liftable for c in covered)
                else "a payload that could not be checked always counts"
            )
            raise ConfigError(
                f"{where}: {prefix!r} would switch off {_span(covered)}, which "
                f"cannot be ignored: {why}"
            )


def per_file_ignores(
    rules: Mapping[str, Rule],
    table: tuple[tuple[str, tuple[str, ...]], ...],
    where: Callable[[str], str],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`per-file-ignores` validated as `ignore` is: known codes, and never a gate."""
    out = []
    for pattern, raw in table:
        at = f"{where('per-file-ignores')}: {pattern!r}"
        prefixes = _prefixes(at, raw, rules)
        _no_gates(rules, prefixes, at)
        out.append((pattern, prefixes))
    return tuple(out)


def choose(
    rules: Mapping[str, Rule],
    select: tuple[str, ...] | None,
    ignore: tuple[str, ...],
    severity: Mapping[str, Severity],
    where: Callable[[str], str],
    extend: tuple[str, ...] = (),
) -> Selection:
    """Validate a run's selection against the rule table; ConfigError (exit 2) if unusable.

    `where(key)` names the setting in messages: the config file's key, or the flag.
    """
    chosen = None if select is None else _prefixes(where("select"), select, rules)
    if chosen == ():
        raise ConfigError(
            f"{where('select')}: names no code, so it would check nothing; leave it out to "
            "check every rule, or name codes or prefixes"
        )
    dropped = _prefixes(where("ignore"), ignore, rules)
    extended = _prefixes(where("extend-select"), extend, rules)
    _no_gates(rules, dropped, where("ignore"))
    for code, level in severity.items():
        rule = rules.get(code.strip().upper())
        if rule is None:
            raise ConfigError(f"{where('severity')}: {_unknown(code, rules)}")
        if (rule.liftable or rule.always_on) and level < Severity.ERROR:
            raise ConfigError(
                f"{where('severity')}: {rule.code} cannot be lowered; "
                + (
                    "allowlist the field instead (with a reason)"
                    if rule.liftable
                    else "a payload that cannot be checked always fails"
                )
            )

    def on(code: str, rule: Rule) -> bool:
        if rule.always_on:
            return True
        # An opt-in rule is on only when a select or extend-select names it.
        base = (chosen is not None or rule.by_default) and selected(code, chosen, dropped)
        return base or (bool(extended) and selected(code, extended, dropped))

    codes = frozenset(code for code, rule in rules.items() if on(code, rule))
    gates_off = tuple(sorted(c for c, r in rules.items() if r.liftable and c not in codes))
    return Selection(codes, gates_off)
