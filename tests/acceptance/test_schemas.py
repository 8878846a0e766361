"""Generated artefacts: fresh, deterministic, valid draft 2020-12, agreeing with the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kling_lint.register import artefacts, builtin_register
from kling_lint.register import docs as render
from kling_lint.register import schemas as schemagen
from kling_lint.run import Options, execute

from ..conftest import EXAMPLES, ROOT

SCHEMAS = ROOT / "schemas"


def test_schemas_are_fresh(run_cli: Any) -> None:
    result = run_cli("schemas", "check")
    assert result.exit_code == 0, result.stdout


def test_schemas_check_notices_a_stale_file(tmp_path: Path, run_cli: Any) -> None:
    artefacts.build(output=tmp_path)
    assert run_cli("schemas", "check", "--output", str(tmp_path)).exit_code == 0
    target = tmp_path / "tts.create.schema.json"
    target.write_text(target.read_text() + " ")
    result = run_cli("schemas", "check", "--output", str(tmp_path))
    assert result.exit_code == 1
    assert "tts.create.schema.json" in result.stdout


def test_build_is_deterministic(tmp_path: Path) -> None:
    first = artefacts.generate()
    assert artefacts.generate() == first
    artefacts.build(output=tmp_path)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == first


def test_register_document_is_fresh() -> None:
    assert (ROOT / "docs" / "REGISTER.md").read_text(encoding="utf-8") == render.render(
        builtin_register()
    )


def test_rule_reference_is_fresh() -> None:
    text = render.rules_markdown(builtin_register())
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == text
    for code in ("KL101", "KL301", "KL414", "KL501"):
        assert f"## {code}" in text


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_schema_is_valid_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


NOT_ENDPOINTS = {
    "register.meta.schema.json",
    "kling-lint-config.schema.json",
    "kling-lint-pyproject.schema.json",
    "exchange-log.schema.json",
    "migration.schema.json",
}


def test_one_schema_per_endpoint() -> None:
    names = {p.name for p in SCHEMAS.glob("*.schema.json")} - NOT_ENDPOINTS
    assert names == {schemagen.file_name(e) for e in builtin_register().endpoints}


def test_status_is_carried_for_editors() -> None:
    schema = json.loads((SCHEMAS / "omni-video.create.schema.json").read_text())
    item = schema["properties"]["image_list"]["items"]["properties"]
    assert item["image"]["deprecated"] is True
    assert item["image"]["x-kling-status"] == ["live-rejected"]
    assert "image_list[].image_url" in item["image"]["description"]
    assert schema["properties"]["mode"]["enum"] == ["std", "pro", "4k"]
    tags = {c.get("x-kling-rule") for c in schema["allOf"]}
    assert {"KL301", "KL305"} <= tags


def test_schema_and_linter_agree_on_examples() -> None:
    """Payloads the linter passes are schema-valid; the ones it blocks are schema-invalid."""
    from kling_lint.load import Payload, read_file, unwrap_envelope

    results = execute(Options(paths=(str(EXAMPLES),), isolated=True)).files
    checked = 0
    for result in results:
        if result.endpoint is None or "duplicate-key" in result.path:
            continue  # a duplicate key is invisible once parsed; only the linter sees it
        schema = json.loads((SCHEMAS / schemagen.file_name(result.endpoint)).read_text())
        (loaded,) = [
            p for p in read_file(Path(result.path), result.path) if p.record == result.record
        ]
        assert isinstance(loaded, Payload)
        valid = Draft202012Validator(schema).is_valid(unwrap_envelope(loaded).data)
        assert valid is (not result.blocked), (result.path, result.record)
        checked += 1
    assert checked >= 15


def test_declared_rules_become_json_schema_conditions() -> None:
    from kling_lint.register.model import DeclaredRule

    def rule(**kw: Any) -> DeclaredRule:
        return DeclaredRule(status=(), code="KL399", name="example", **kw)

    requires = schemagen._rule_schema(rule(kind="requires", fields=("voice_list", "sound")))
    assert requires is not None
    assert requires["x-kling-rule"] == "KL399"
    # Present means sent with content, in the schema as in the rest of the linter.
    assert not Draft202012Validator(requires).is_valid({"voice_list": [1]})
    assert not Draft202012Validator(requires).is_valid({"voice_list": [1], "sound": ""})
    assert Draft202012Validator(requires).is_valid({"voice_list": [], "sound": ""})
    assert Draft202012Validator(requires).is_valid({"voice_list": [1], "sound": "on"})
    when = schemagen._rule_schema(
        rule(
            kind="when",
            condition={"path": "multi_shot", "is": True},
            then={"required": ["shot_type"]},
        )
    )
    assert when is not None
    validator = Draft202012Validator({"allOf": [when]})
    assert not validator.is_valid({"multi_shot": True})
    assert validator.is_valid({"multi_shot": True, "shot_type": "customize"})
    assert validator.is_valid({"multi_shot": False})
    excludes = schemagen._rule_schema(rule(kind="excludes", fields=("a", "b")))
    assert excludes is not None
    assert not Draft202012Validator(excludes).is_valid({"a": 1, "b": 2})
    assert Draft202012Validator(excludes).is_valid({"a": 1, "b": ""})


def test_editor_hover_and_export(tmp_path: Path, run_cli: Any) -> None:
    schema = json.loads((SCHEMAS / "omni-video.create.schema.json").read_text())
    image = schema["properties"]["image_list"]["items"]["properties"]["image"]
    assert image["markdownDescription"].startswith(
        "**live-rejected**: use `image_list[].image_url`"
    )
    assert schema["$id"]
    assert schema["title"]
    result = run_cli("schemas", "export", str(tmp_path / "editor"))
    assert result.exit_code == 0
    settings = json.loads((tmp_path / "editor" / "settings.json").read_text())
    urls = {entry["url"] for entry in settings["json.schemas"]}
    assert len(urls) == len(set(SCHEMAS.glob("*.schema.json"))) - len(NOT_ENDPOINTS)
    for entry in settings["json.schemas"]:
        assert entry["url"].startswith((tmp_path / "editor").as_uri() + "/")  # a valid URL
        name = entry["url"].rsplit("/", 1)[1]
        assert (tmp_path / "editor" / name).read_text() == (SCHEMAS / name).read_text()
        endpoint_id = name.removesuffix(".schema.json")
        assert f"*.{endpoint_id}.yml" in settings["yaml.schemas"][entry["url"]]
    assert set(settings["yaml.schemas"]) == urls
    (toml_url,) = settings["evenBetterToml.schema.associations"].values()
    name = toml_url.rsplit("/", 1)[1]
    assert (tmp_path / "editor" / name).read_text() == (SCHEMAS / name).read_text()


def test_export_maps_the_config_endpoints_patterns(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".kling-lint.toml").write_text(
        '[endpoints]\n"payloads/omni/*.json" = "omni-video.create"\n'
        '"*.t2v.yml" = "POST /v1/videos/text2video"\n'
    )
    monkeypatch.chdir(tmp_path)
    assert run_cli("schemas", "export", ".vscode").exit_code == 0
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text())
    by_url = {e["url"]: e["fileMatch"] for e in settings["json.schemas"]}
    assert "/payloads/omni/*.json" in by_url["./.vscode/omni-video.create.schema.json"]
    assert "*.t2v.yml" in settings["yaml.schemas"]["./.vscode/text2video.create.schema.json"]
    assert run_cli("schemas", "export", "--isolated", "plain").exit_code == 0
    plain = json.loads((tmp_path / "plain" / "settings.json").read_text())
    assert all("/payloads/omni/*.json" not in e["fileMatch"] for e in plain["json.schemas"])


def _nodes(schema: Any) -> Any:
    """Every schema object inside `schema`."""
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _nodes(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nodes(value)


@pytest.mark.parametrize("endpoint", sorted(builtin_register().endpoints))
def test_editors_are_told_why_not_that_a_schema_is_not_allowed(endpoint: str) -> None:
    e = builtin_register().endpoints[endpoint]
    schema = json.loads((SCHEMAS / schemagen.file_name(endpoint)).read_text())
    for node in _nodes(schema):
        if node.get("x-kling-rule") in ("KL101", "KL102", "KL103", "KL104", "KL105", "KL414"):
            assert node.get("errorMessage"), node
        path = node.get("x-kling-field")
        field = e.fields.get(path) if isinstance(path, str) else None
        if field is None:
            continue
        if field.blocked:
            assert node["deprecationMessage"]
            if field.replaced_by:
                assert field.replaced_by in node["deprecationMessage"]
        if "enum" in node:
            assert len(node["enumDescriptions"]) == len(node["enum"])
            assert len(node["markdownEnumDescriptions"]) == len(node["enum"])
            for value, text in zip(node["enum"], node["enumDescriptions"], strict=True):
                info = field.value_info(value)
                if info is not None and info.meaning:
                    assert info.meaning in text
