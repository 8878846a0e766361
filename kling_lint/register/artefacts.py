"""The generated files: `schemas/` (endpoint schemas and the compiled register) on disk,
checked for staleness, and exported with an editor settings fragment."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint._resources import META_SCHEMA_FILE, registry_dir, schemas_dir
from kling_lint.files import WriteRefused, refuse_package_write, write_text
from kling_lint.register import COMPILED_FILE, compile_directory
from kling_lint.register.compile import dumps, dumps_compiled
from kling_lint.register.model import Register
from kling_lint.register.schemas import endpoint_schema, file_name

# The settings' schema (hand-written: it mirrors the config parser, which a test holds it
# to) and the one generated from it for pyproject.toml, where the settings sit under
# tool.kling-lint. Neither is an endpoint schema.
CONFIG_SCHEMA_FILE = "kling-lint-config.schema.json"
PYPROJECT_SCHEMA_FILE = "kling-lint-pyproject.schema.json"
# The exchange log's schema (hand-written, like the settings'): what `evidence` reads.
EXCHANGE_SCHEMA_FILE = "exchange-log.schema.json"
# The migration table's schema (hand-written): what `migrate` reads.
MIGRATION_SCHEMA_FILE = "migration.schema.json"
_NOT_ENDPOINTS = frozenset(
    {
        META_SCHEMA_FILE,
        CONFIG_SCHEMA_FILE,
        PYPROJECT_SCHEMA_FILE,
        EXCHANGE_SCHEMA_FILE,
        MIGRATION_SCHEMA_FILE,
    }
)


def pyproject_schema(settings: dict[str, Any]) -> dict[str, Any]:
    """A pyproject.toml schema that checks `[tool.kling-lint]` and leaves the rest alone."""
    inner = {k: v for k, v in settings.items() if k not in ("$schema", "$id")}
    return {
        "$schema": settings["$schema"],
        "$id": "urn:kling-lint:pyproject",
        "title": "pyproject.toml with kling-lint settings",
        "type": "object",
        "properties": {"tool": {"type": "object", "properties": {"kling-lint": inner}}},
    }


def generate(registry: Path | None = None) -> dict[str, str]:
    """File name to content for everything `schemas build` writes."""
    compiled = compile_directory(registry or registry_dir())
    register = Register.from_compiled(compiled)
    out = {COMPILED_FILE: dumps_compiled(compiled)}
    for endpoint in register.endpoints.values():
        out[file_name(endpoint.id)] = dumps(endpoint_schema(endpoint))
    if registry is None:
        settings = json.loads((schemas_dir() / CONFIG_SCHEMA_FILE).read_text(encoding="utf-8"))
        out[PYPROJECT_SCHEMA_FILE] = dumps(pyproject_schema(settings))
    return out


SCHEMA_ID = "urn:kling-lint:schema:"


def _generated(path: Path) -> bool:
    """Whether a `*.schema.json` file is one this tool wrote (it carries our `$id`)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and str(document.get("$id", "")).startswith(SCHEMA_ID)


def _leftovers(target: Path, files: dict[str, str]) -> list[Path]:
    """Schemas this tool wrote for endpoints the register no longer has."""
    return sorted(
        p
        for p in target.glob("*.schema.json")
        if p.name not in files and p.name not in _NOT_ENDPOINTS and _generated(p)
    )


def build(registry: Path | None = None, output: Path | None = None) -> list[Path]:
    """Write the generated files; remove only schemas this tool generated and no longer
    would. Without `output` the built-in `schemas/` of a source checkout is the target."""
    if output is None:
        if registry is not None and registry.resolve() != registry_dir().resolve():
            raise WriteRefused(
                f"{registry}: building another register's schemas into the built-in schemas/ "
                "would change every check that uses them; name the folder with --output"
            )
        refuse_package_write(schemas_dir(), "schemas build")
    target = output or schemas_dir()
    target.mkdir(parents=True, exist_ok=True)
    files = generate(registry)
    for old in _leftovers(target, files):
        old.unlink()
    written = []
    for name, text in sorted(files.items()):
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_text(path, text, within=target)
        written.append(path)
    return written


def _merged(settings: Path, fragment: dict[str, Any]) -> dict[str, Any] | None:
    """The editor settings with our schema mappings merged in, or None when the existing
    file cannot be merged safely (JSON with comments, an unexpected shape)."""
    try:
        current = json.loads(settings.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(current, dict):
        return None
    json_old = current.get("json.schemas", [])
    if not isinstance(json_old, list):
        return None
    ours = {entry["url"] for entry in fragment["json.schemas"]}
    merged = {
        **current,
        "json.schemas": [e for e in json_old if not (isinstance(e, dict) and e.get("url") in ours)]
        + fragment["json.schemas"],
    }
    for key in _MAPPED:  # url -> patterns (YAML), pattern -> url (TOML): ours replace theirs
        old = current.get(key, {})
        if not isinstance(old, dict):
            return None
        merged[key] = {**{k: v for k, v in old.items() if k not in fragment[key]}, **fragment[key]}
    return merged


_MAPPED = ("yaml.schemas", "evenBetterToml.schema.associations")
_YAML = (".yaml", ".yml")


def file_match(pattern: str, config_folder: Path) -> str:
    """A config `endpoints` pattern as an editor's file pattern: anchored at the working
    folder (an editor's workspace) when it names folders, by name anywhere otherwise."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern.rstrip("/"):
        return pattern
    try:
        folder = config_folder.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return "**/" + pattern
    return "/" + (pattern if folder == "." else f"{folder}/{pattern}")


class Export(NamedTuple):
    schemas: list[Path]
    settings: Path
    # "wrote", "merged" (into an existing settings.json) or "beside" (that file could not
    # be merged safely, so the fragment went next to it).
    how: str


def export(
    target: Path, url_base: str | None = None, endpoints: Iterable[tuple[str, str]] = ()
) -> Export:
    """Copy the schemas to `target` and write an editor settings fragment there.

    The fragment maps `**/<endpoint-id>/*.json` and `*.<endpoint-id>.json` (and the YAML
    spellings), and the editor patterns given in `endpoints` (pattern, endpoint id), to each
    endpoint's schema for VS Code's `json.schemas` and `yaml.schemas`, and `.kling-lint.toml`
    to the settings' schema for Even Better TOML. An existing `settings.json` keeps every
    other setting: the mappings are merged into it, or, when it is not plain JSON, written
    beside it as `settings.kling-lint.json`.
    """
    target.mkdir(parents=True, exist_ok=True)
    if url_base is None:
        # A relative folder is named as VS Code reads it, from the workspace; an absolute
        # one by its file URL ("./" + "/tmp/x" would be no URL at all).
        url_base = target.resolve().as_uri() if target.is_absolute() else "./" + target.as_posix()
    base = url_base.rstrip("/")
    extra: dict[str, list[str]] = {}
    for pattern, endpoint_id in endpoints:
        extra.setdefault(endpoint_id, []).append(pattern)
    written, json_schemas, yaml_schemas = [], [], {}
    for source in sorted(schemas_dir().glob("*.schema.json")):
        if source.name == META_SCHEMA_FILE:
            continue
        copy = target / source.name
        write_text(copy, source.read_text(encoding="utf-8"), within=target)
        written.append(copy)
        if source.name in _NOT_ENDPOINTS:
            continue
        endpoint_id = source.name.removesuffix(".schema.json")
        url = f"{base}/{source.name}"
        mine = extra.get(endpoint_id, [])
        json_schemas.append(
            {
                "fileMatch": [
                    f"**/{endpoint_id}/*.json",
                    f"*.{endpoint_id}.json",
                    *(p for p in mine if not p.endswith(_YAML)),
                ],
                "url": url,
            }
        )
        yaml_schemas[url] = [
            *(f"**/{endpoint_id}/*{suffix}" for suffix in _YAML),
            *(f"*.{endpoint_id}{suffix}" for suffix in _YAML),
            *(p for p in mine if not p.endswith((".json", ".jsonl"))),
        ]
    toml = {r"(^|/)\.kling-lint\.toml$": f"{base}/{CONFIG_SCHEMA_FILE}"}
    settings = target / "settings.json"
    fragment: dict[str, Any] = {
        "json.schemas": json_schemas,
        "yaml.schemas": yaml_schemas,
        "evenBetterToml.schema.associations": toml,
    }
    if not settings.exists():
        write_text(settings, dumps(fragment), within=target)
        return Export(written, settings, "wrote")
    merged = _merged(settings, fragment)
    if merged is None:
        beside = target / "settings.kling-lint.json"
        write_text(beside, dumps(fragment), within=target)
        return Export(written, beside, "beside")
    write_text(settings, json.dumps(merged, indent=2, ensure_ascii=False) + "\n", within=target)
    return Export(written, settings, "merged")


def stale(registry: Path | None = None, output: Path | None = None) -> list[str]:
    """Names of generated files that are missing, different, or no longer generated."""
    target = output or schemas_dir()
    files = generate(registry)
    out = [
        name
        for name, text in sorted(files.items())
        if not (target / name).exists() or (target / name).read_text(encoding="utf-8") != text
    ]
    out += [p.name for p in _leftovers(target, files)]
    return out
