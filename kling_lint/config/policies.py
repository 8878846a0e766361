"""Policy files a team keeps beside its config (`policy-files = [...]`), added to a register."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kling_lint import pointer as jp
from kling_lint.config import ConfigError
from kling_lint.register.model import Policy, Register


def _problem(path: Path, position: tuple[int, int], message: str) -> ConfigError:
    return ConfigError(f"{path}:{position[0]}:{position[1]}: {message}")


def load_policy(path: Path, register: Register, taken: set[str]) -> Policy:
    """One policy file, checked against the register format and the register's endpoints."""
    from kling_lint.load.yaml_text import YamlSyntaxError, load_yaml
    from kling_lint.register.validate import validators

    try:
        doc = load_yaml(path.read_text(encoding="utf-8"), dates_as_text=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy file: {exc.strerror or exc}") from None
    except YamlSyntaxError as exc:
        raise _problem(path, exc.position, f"invalid YAML: {exc.message}") from None

    def where(pointer: str) -> tuple[int, int]:
        while pointer not in doc.positions and pointer:
            pointer = pointer.rsplit("/", 1)[0]
        return doc.positions.get(pointer, (1, 1))

    for error in validators()["policy"].iter_errors(doc.data):
        raise _problem(path, where(jp.join(error.absolute_path)), error.message)
    for i, rule in enumerate(doc.data["rules"]):
        at = where(f"/rules/{i}")
        if rule["code"] in taken:
            raise _problem(path, at, f"rule code {rule['code']} is already used")
        taken.add(rule["code"])
        for endpoint_id in rule["endpoints"]:
            endpoint = register.endpoints.get(endpoint_id)
            if endpoint is None:
                raise _problem(path, at, f"unknown endpoint {endpoint_id!r}")
            for field in [*rule.get("allow_values", {}), *rule.get("max_number", {})]:
                if jp.normalise_path(field) not in endpoint.fields:
                    raise _problem(path, at, f"{endpoint_id} has no field {field!r}")
    return Policy.from_dict(doc.data)


def with_policy_files(register: Register, paths: tuple[Path, ...], taken: set[str]) -> Register:
    """The register plus the policies in `paths` (ids must not repeat)."""
    policies = dict(register.policies)
    for path in paths:
        policy = load_policy(path, register, taken)
        if policy.id in policies:
            raise ConfigError(f"{path}: policy {policy.id!r} is already defined")
        policies[policy.id] = policy
    return dataclasses.replace(register, policies=policies)
