"""The generated files: `schemas/` (endpoint schemas and the compiled register) on disk,
checked for staleness, and exported with an editor settings fragment."""

from __future__ import annotations

from pathlib import Path

from kling_lint._resources import registry_dir, schemas_dir
from kling_lint.register import COMPILED_FILE, compile_directory
from kling_lint.register.compile import dumps
from kling_lint.register.model import Register
from kling_lint.register.schemas import endpoint_schema, file_name
from kling_lint.register.validate import META_SCHEMA_FILE


def generate(registry: Path | None = None) -> dict[str, str]:
    """File name to content for everything `schemas build` writes."""
    compiled = compile_directory(registry or registry_dir())
    register = Register.from_compiled(compiled)
    out = {COMPILED_FILE: dumps(compiled)}
    for endpoint in register.endpoints.values():
        out[file_name(endpoint.id)] = dumps(endpoint_schema(endpoint))
    return out


def build(registry: Path | None = None, output: Path | None = None) -> list[Path]:
    target = output or schemas_dir()
    target.mkdir(parents=True, exist_ok=True)
    files = generate(registry)
    for old in target.glob("*.schema.json"):
        if old.name not in files and old.name != META_SCHEMA_FILE:
            old.unlink()
    written = []
    for name, text in sorted(files.items()):
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def export(target: Path, url_base: str | None = None) -> list[Path]:
    """Copy the endpoint schemas to `target` and write an editor settings fragment there.

    The fragment maps `**/<endpoint-id>/*.json` and `*.<endpoint-id>.json` (and the YAML
    spellings) to each endpoint's schema, for VS Code's `json.schemas` and `yaml.schemas`.
    """
    target.mkdir(parents=True, exist_ok=True)
    base = (url_base or "./" + target.as_posix()).rstrip("/")
    written, json_schemas, yaml_schemas = [], [], {}
    for source in sorted(schemas_dir().glob("*.schema.json")):
        if source.name == META_SCHEMA_FILE:
            continue
        endpoint_id = source.name.removesuffix(".schema.json")
        copy = target / source.name
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        written.append(copy)
        url = f"{base}/{source.name}"
        json_schemas.append(
            {"fileMatch": [f"**/{endpoint_id}/*.json", f"*.{endpoint_id}.json"], "url": url}
        )
        yaml_schemas[url] = [f"**/{endpoint_id}/*.yaml", f"*.{endpoint_id}.yaml"]
    settings = target / "settings.json"
    fragment = {"json.schemas": json_schemas, "yaml.schemas": yaml_schemas}
    settings.write_text(dumps(fragment), encoding="utf-8")
    return [*written, settings]


def stale(registry: Path | None = None, output: Path | None = None) -> list[str]:
    """Names of generated files that are missing, different, or no longer generated."""
    target = output or schemas_dir()
    files = generate(registry)
    out = [
        name
        for name, text in sorted(files.items())
        if not (target / name).exists() or (target / name).read_text(encoding="utf-8") != text
    ]
    out += sorted(
        p.name
        for p in target.glob("*.schema.json")
        if p.name not in files and p.name != META_SCHEMA_FILE
    )
    return out
