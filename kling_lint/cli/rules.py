"""`kling-lint rules` and `explain`: the rule table, and one rule's documentation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kling_lint.cli._support import CommandError, guarded
from kling_lint.cli.options import config_option, format_option, isolated_option, register_option


def _configured(
    register: Path | None,
    overlays: tuple[Path, ...] = (),
    config: Path | None = None,
    isolated: bool = False,
) -> tuple[Path | None, Any, Any]:
    """(config file, its settings, the register) a command other than `check` uses: the
    flags', else the config's register (`--config`, else the nearest config), with the
    config's overlays and then the flags' laid over it."""
    from kling_lint.config import find_config, load_config
    from kling_lint.register import load_register

    config_path = None if isolated else (config or find_config(Path.cwd()))
    settings = load_config(config_path) if config_path else None
    base = register or (settings.register if settings else None)
    layers = (*(settings.overlays if settings else ()), *overlays)
    return config_path, settings, load_register(base, layers)


def _rule_table(
    register: Path | None, config: Path | None, isolated: bool = False
) -> tuple[Any, list[Any]]:
    """Built-in, register and policy rules (the config's policy files too), and the plugins
    installed here or named by `--config`. A config found by walking up has its plugins left
    out, as `check` leaves them out: listing rules must not import code unasked."""
    import dataclasses

    from kling_lint.check.build import rule_table
    from kling_lint.config import Config

    _, settings, reg = _configured(register, (), config, isolated)
    settings = settings or Config()
    if config is None:
        settings = dataclasses.replace(settings, plugins=())
    reg, table = rule_table(reg, settings)
    return reg, sorted(table.values(), key=lambda r: r.code)


_RULE_CONFIG = config_option(
    "Config whose policy files and plugins to include (default: the nearest one, "
    "without its plugins)."
)
_RULE_ISOLATED = isolated_option()


@click.command()
@format_option("text", "json")
@register_option()
@_RULE_CONFIG
@_RULE_ISOLATED
@guarded
def rules(output_format: str, register: Path | None, config: Path | None, isolated: bool) -> None:
    """List every rule: code, name, default severity, where it comes from."""
    reg, table = _rule_table(register, config, isolated)
    if output_format == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "endpoints": list(r.scope_in(reg)),
                "origin": r.origin,
                "summary": r.doc.what,
            }
            for r in table
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for r in table:
        scope = r.scope_text(reg)
        click.echo(f"{r.code}  {r.name:<40} {r.severity.label:<8} {r.origin:<16} {scope}")


@click.command()
@click.argument("code")
@register_option()
@_RULE_CONFIG
@_RULE_ISOLATED
@guarded
def explain(code: str, register: Path | None, config: Path | None, isolated: bool) -> None:
    """Print the documentation of one rule (by code or name)."""
    reg, rules = _rule_table(register, config, isolated)
    table = {r.code: r for r in rules}
    by_name = {r.name: r for r in table.values()}
    rule = table.get(code.strip().upper()) or by_name.get(code.strip().lower())
    if rule is None:
        import difflib

        close = difflib.get_close_matches(code.strip().upper(), list(table), 1, 0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise CommandError(f"no rule {code!r}{hint} (`kling-lint rules` lists them)")
    scope = rule.scope_text(reg)
    click.echo(
        f"# {rule.code} {rule.name}\n\nDefault severity: {rule.severity.label}. "
        f"Applies to: {scope}. Defined by: {rule.origin}. Checked by: {rule.checked_by}."
        + (f" {rule.locked}" if rule.locked else "")
        + "\n"
    )
    click.echo(rule.render_doc())
