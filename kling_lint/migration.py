"""Legacy /v1 payloads turned into payloads of the new design standard.

What changes is data (`registry/migrations/legacy-to-new.yaml`): the route a legacy
endpoint and model lead to, the values that change form, the inputs that become typed
contents items, what the new design cannot say. This module applies it, and then checks
the result on its new route: a migration whose body the linter would block is refused,
with the findings as the reasons, so that every body it hands out passes `check`.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from kling_lint.check.memo import kept_on
from kling_lint.check.values import is_present
from kling_lint.config import ConfigError
from kling_lint.register.model import Endpoint, Register

TOKEN = re.compile(r"<<<(image|element|video|voice)_([1-9][0-9]*)>>>")
TABLE_FILE = Path("migrations") / "legacy-to-new.yaml"


class Migration(NamedTuple):
    """One payload's migration: the new endpoint, route and body, and what to know; or,
    when refused, `body` None and the reasons in `notes`."""

    endpoint: str | None
    route: str | None
    body: dict[str, Any] | None
    notes: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return self.body is None


class Refused(Exception):
    """The payload cannot be said in the new design (the message says why)."""


SCHEMA_FILE = "migration.schema.json"


class TableError(ConfigError):
    """The migration table does not have the shape its schema gives."""


@cache
def table(path: Path | None = None) -> dict[str, Any]:
    """The migration table (the shipped one unless `path` names another), checked against
    `schemas/migration.schema.json`: a table of the wrong shape is an error, never half
    applied."""
    from ruamel.yaml import YAML

    from kling_lint._resources import registry_dir, schemas_dir
    from kling_lint.validator_lib import jsonschema_rs

    where = path or registry_dir() / TABLE_FILE
    data: Any = YAML(typ="safe").load(where.read_text(encoding="utf-8"))
    schema = json.loads((schemas_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    errors = [
        f"{where}: /{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in jsonschema_rs().Draft202012Validator(schema).iter_errors(data)
    ]
    if errors:
        raise TableError("the migration table is not valid:\n" + "\n".join(errors[:20]))
    result: dict[str, Any] = data
    return result


def table_problems(directory: Path, register: Register) -> list[str]:
    """What is wrong with a register folder's migration table (none when it has none): its
    shape, then every name it gives that the register does not hold."""
    path = directory / TABLE_FILE
    if not path.is_file():
        return []
    try:
        data = table(path)
    except TableError as error:
        return str(error).splitlines()[1:]
    except (OSError, ValueError) as error:  # unreadable, or not YAML
        return [f"{path}: {error}"]
    out = []
    targets = []
    for legacy, models in data["routes"].items():
        endpoint = register.endpoints.get(legacy)
        field = endpoint.fields.get("model_name") if endpoint is not None else None
        if field is None:
            out.append(f"{path}: /routes/{legacy}: no legacy endpoint with a model_name")
            continue
        for model, target in models.items():
            if model not in (field.known_values or ()):
                out.append(f"{path}: /routes/{legacy}/{model}: not a model_name of {legacy}")
            if target not in register.endpoints:
                out.append(f"{path}: /routes/{legacy}/{model}: unknown endpoint {target}")
            else:
                targets.append(register.endpoints[target])
    for name, rule in data["values"].items():
        if targets and not any(rule["to"] in t.fields for t in targets):
            out.append(f"{path}: /values/{name}: no target endpoint has {rule['to']}")
    return out


def migrate(
    payload: Any,
    endpoint: str,
    register: Register | None = None,
    linter: Any = None,
) -> Migration:
    """The new-design form of a legacy `endpoint` payload (an id or a route), checked on
    its new route by `linter` (by default one with no config, over `register`)."""
    from kling_lint.check.endpoint import resolve

    if register is None:
        from kling_lint.register import builtin_register

        register = builtin_register()
    found = resolve(register, endpoint)
    try:
        if found is None:
            raise Refused(f"{endpoint!r} is no endpoint of the register")
        target_id, body, notes = _convert(payload, found.id, register, table())
    except Refused as refused:
        return Migration(None, None, None, (str(refused),))
    target = register.endpoints[target_id]
    linter = linter or _linter(register)
    report = linter.lint(body, target_id)
    said = [f"{d.code} {d.pointer or '/'}: {d.message}" for d in report.diagnostics if d.counts]
    if report.blocked:
        reasons = [f"the migrated body would be blocked on {target.route}: {f}" for f in said]
        return Migration(target_id, target.route, None, (*notes, *reasons))
    return Migration(target_id, target.route, body, (*notes, *said))


@kept_on(1)
def _linter(register: Register) -> Any:
    """One configless Linter per register, built once: building one compiles its plans."""
    from kling_lint.check.linter import Linter

    return Linter(register=register)


def _convert(
    payload: Any, endpoint: str, register: Register, data: dict[str, Any]
) -> tuple[str, dict[str, Any], list[str]]:
    if not isinstance(payload, dict):
        raise Refused("the payload is not a JSON object")
    routes = data["routes"].get(endpoint)
    if routes is None:
        known = ", ".join(sorted(data["routes"]))
        raise Refused(f"{endpoint} has no new-design counterpart (migrated: {known})")
    legacy = register.endpoints.get(endpoint)
    model = payload.get("model_name")
    if model is None and legacy is not None and "model_name" in legacy.fields:
        model = legacy.fields["model_name"].default
    target_id = routes.get(model) if isinstance(model, str) else None
    if target_id is None:
        has = ", ".join(sorted(routes))
        raise Refused(f"model {model!r} has no new-design route from {endpoint} (it has: {has})")
    target = register.endpoints[target_id]
    return target_id, *_Body(payload, target, data).build()


class _Body:
    """The new body, built from a legacy payload for one target endpoint."""

    def __init__(self, payload: dict[str, Any], target: Endpoint, data: dict[str, Any]) -> None:
        self.payload = payload
        self.target = target
        self.data = data
        self.body: dict[str, Any] = {}
        self.items: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.prompt: str | None = None

    def build(self) -> tuple[dict[str, Any], list[str]]:
        data = self.data
        for key in self.payload:
            if key in data["refuse"] and is_present(self.payload[key]):
                raise Refused(f"{key}: {data['refuse'][key]}")
        for key, value in self.payload.items():
            if key in data["refuse"] or key in data["drop"]:
                continue
            if key == "prompt":
                self.prompt = value if isinstance(value, str) else None
                if value is not None and not isinstance(value, str):
                    raise Refused("prompt is not text")
            elif key == data["shots"]["list"]:
                continue  # read with the prompt, below
            elif key in data["values"]:
                self._value(key, value, data["values"][key])
            elif key in data["items"]:
                self._item(key, value, data["items"][key])
            elif key in data["lists"]:
                self._list(key, value, data["lists"][key])
            else:
                self._move(key, value)
        self._shots()
        self._place_prompt()
        self._keep_defaults()
        if self.items:
            self.body["contents"] = self.items
        return self.body, self.notes

    # -- where a value goes ------------------------------------------------------------------

    def _takes(self, path: str) -> bool:
        return path in self.target.fields

    def _put(self, path: str, value: Any, said: str) -> None:
        if not self._takes(path):
            raise Refused(f"{said}: {self.target.id} has no {path}")
        head, _, leaf = path.rpartition(".")
        node = self.body
        for part in head.split(".") if head else ():
            node = node.setdefault(part, {})
        if leaf in node and node[leaf] != value:
            raise Refused(f"{said}: {path} is already {node[leaf]!r}")
        node[leaf] = value

    def _move(self, key: str, value: Any) -> None:
        """A field the table does not name goes where the target takes it by name."""
        for path in (key, f"settings.{key}", f"options.{key}"):
            if self._takes(path):
                self._put(path, copy.deepcopy(value), key)
                if path != key:
                    self.notes.append(f"{key} -> {path}")
                return
        if not is_present(value):
            self.notes.append(f"{key} was empty and is left out")
            return
        raise Refused(f"{key}: {self.target.id} has no place for it")

    def _value(self, key: str, value: Any, rule: dict[str, Any]) -> None:
        to = rule["to"]
        if "map" in rule:
            mapped = rule["map"].get(value) if isinstance(value, str) else None
            if mapped is None:
                raise Refused(f"{key} {value!r} has no new-design value")
            if not self._takes(to):
                if mapped == rule.get("absent"):  # what the target does without the field
                    self.notes.append(f"{key} {value!r}: {self.target.id} has no {to}; left out")
                    return
                raise Refused(f"{key} {value!r}: {self.target.id} has no {to}")
            self._put(to, mapped, key)
            self.notes.append(f"{key} {value!r} -> {to} {mapped!r}")
            return
        number = _whole(value)
        if number is None:
            raise Refused(f"{key} {value!r} is not a whole number of seconds")
        if not self._takes(to):
            raise Refused(f"{key}: {self.target.id} has no {to} (the output follows its input)")
        self._put(to, number, key)
        self.notes.append(f"{key} {value!r} -> {to} {number}")

    def _item(self, key: str, value: Any, rule: dict[str, Any]) -> None:
        if not is_present(value):
            return
        if not isinstance(value, str):
            raise Refused(f"{key} is not text")
        self._add_item(rule["type"], {rule["to"]: value}, key)

    def _add_item(self, kind: str, members: dict[str, Any], said: str) -> None:
        variants = self.target.fields.get("contents")
        taken = variants.variants if variants is not None else None
        if taken is None or kind not in taken.required:
            raise Refused(f"{said}: {self.target.id} takes no {kind} item")
        allowed = set(taken.allowed(kind))
        item = {"type": kind, **{k: v for k, v in members.items() if k in allowed}}
        self.items.append(item)

    def _list(self, key: str, value: Any, rule: dict[str, Any]) -> None:
        if not is_present(value):
            return
        if not isinstance(value, list):
            raise Refused(f"{key} is not a list")
        for n, entry in enumerate(value, 1):
            if not isinstance(entry, dict):
                raise Refused(f"{key}[{n - 1}] is not an object")
            source = entry.get(rule["from"])
            if source is None:
                raise Refused(f"{key}[{n - 1}] has no {rule['from']}")
            kind = rule.get("type") or rule["types"].get(
                entry.get(rule["type_from"]), rule["otherwise"]
            )
            text = str(source) if not isinstance(source, bool) else None
            if text is None:
                raise Refused(f"{key}[{n - 1}].{rule['from']} is not text or a number")
            self._add_item(kind, {rule["to"]: text, "id": f"{rule['id']}_{n}"}, key)
            for field, values in rule.get("audio_from", {}).items():
                if field in entry:
                    audio = values.get(entry[field])
                    if audio is None:
                        raise Refused(f"{key}[{n - 1}].{field} {entry[field]!r} is not known")
                    self._put("settings.audio", audio, f"{key}[{n - 1}].{field}")
            extra = set(entry) - {
                rule["from"],
                rule.get("type_from"),
                *rule.get("audio_from", {}),
            }
            if extra:
                raise Refused(f"{key}[{n - 1}] holds {', '.join(sorted(map(str, extra)))}")

    # -- the prompt --------------------------------------------------------------------------

    def _shots(self) -> None:
        rule = self.data["shots"]
        shots = self.payload.get(rule["list"])
        if not is_present(shots):
            return
        if self.prompt:
            raise Refused(f"both prompt and {rule['list']}: the new design has one prompt")
        if not isinstance(shots, list):
            raise Refused(f"{rule['list']} is not a list")
        parts: list[str] = []
        for shot in sorted(
            (s for s in shots if isinstance(s, dict)),
            key=lambda s: _whole(s.get(rule["index"])) or 0,
        ):
            seconds = _whole(shot.get(rule["duration"]))
            words = shot.get(rule["text"])
            if seconds is None or not isinstance(words, str):
                raise Refused(f"{rule['list']}: a shot without whole seconds or words")
            words = words.strip().rstrip(";")
            if ";" in words:
                words = words.replace(";", rule["in_words"])
                self.notes.append(
                    f"shot {len(parts) + 1}: ';' in its words is written {rule['in_words']!r} "
                    "(a ';' ends a shot in the prompt's plan)"
                )
            parts.append(f"shot {len(parts) + 1}, {seconds}, {words};")
        self.prompt = " ".join(parts)
        self.notes.append(f"{rule['list']} -> the prompt's shot plan")

    def _place_prompt(self) -> None:
        text = self.prompt
        if text is None:
            return
        rewritten = TOKEN.sub(lambda m: f"@{m.group(1)}_{m.group(2)}", text)
        if rewritten != text:
            self.notes.append("<<<kind_N>>> tokens -> @kind_N")
        if self._takes("prompt"):
            self.body["prompt"] = rewritten
        elif self._takes("contents[].text"):
            self.items.insert(0, {"type": "prompt", "text": rewritten})
        elif text:
            raise Refused(f"prompt: {self.target.id} takes no prompt")

    def _keep_defaults(self) -> None:
        for path, rule in self.data["keep_defaults"].items():
            if not self._takes(path) or _get(self.body, path) is not None:
                continue
            beside = [i["type"] for i in self.items if i["type"] in rule.get("unless_items", ())]
            if beside:
                self.notes.append(
                    f"{path} is left to its new default: the new design takes a {beside[0]} "
                    "only with it (the legacy request had the other value)"
                )
                continue
            self._put(path, rule["value"], "the legacy default")
            self.notes.append(f"{path} {rule['value']!r}: the legacy default, written out")


def _get(body: dict[str, Any], path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _whole(value: Any) -> int | None:
    """A whole number written as a number or as digits ("8")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
