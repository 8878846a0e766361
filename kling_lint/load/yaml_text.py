"""YAML text to plain JSON-like data plus a map from JSON pointer to line and column.

The YAML is composed into nodes (which carry their marks) and built into data by hand, so
that duplicate keys and values JSON cannot hold become findings rather than crashes.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kling_lint import pointer as jp
from kling_lint.config.limits import DEFAULT_LIMITS, Limits
from kling_lint.load.yaml11 import differs

Position = tuple[int, int]

_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_JSON_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class Problem:
    """Something in the text that JSON could not hold; `kind` is `duplicate` or `non-json`."""

    kind: str
    pointer: str
    position: Position
    detail: str


@dataclass
class YamlDocument:
    data: Any
    positions: dict[str, Position]
    problems: list[Problem] = field(default_factory=list)


class YamlSyntaxError(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _shown(value: Any) -> str:
    return "text" if isinstance(value, str) else json.dumps(value)


def _mark(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, yaml: YAML, dates_as_text: bool, limits: Limits, yaml11: bool) -> None:
        self._constructor = yaml.constructor
        self._dates_as_text = dates_as_text
        self._yaml11 = yaml11
        self._limits = limits
        # Nodes left to build: an alias is built again wherever it is used, so a few lines
        # of nested aliases would expand without end.
        self._budget = limits.yaml_nodes
        self.positions: dict[str, Position] = {}
        self.problems: list[Problem] = []

    def build(self, node: Node, parts: list[str | int], depth: int = 0) -> Any:
        ptr = jp.join(parts)
        self.positions.setdefault(ptr, _mark(node))
        self._budget -= 1
        if self._budget < 0:
            message = self._limits.hit("yaml_nodes", "the document expands (aliases included)")
            raise YamlSyntaxError(message, _mark(node))
        if depth >= self._limits.depth:
            message = self._limits.hit("depth", "mappings and sequences nested too deeply")
            raise YamlSyntaxError(message, _mark(node))
        if isinstance(node, MappingNode | SequenceNode):
            tag = str(node.tag)
            if tag not in _COLLECTION_TAGS:
                # !!omap, !!pairs, !!set or a local tag: a YAML 1.1 reader builds another
                # shape (a list of pairs, a set) than the mapping or list read here.
                detail = f"YAML type {tag} has no JSON form; remove the tag"
                self.problems.append(Problem("non-json", ptr, _mark(node), detail))
        if isinstance(node, MappingNode):
            return self._mapping(node, parts, depth)
        if isinstance(node, SequenceNode):
            return [self.build(item, [*parts, i], depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, ptr)

    def _mapping(self, node: MappingNode, parts: list[str | int], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlSyntaxError("a mapping key must be a plain scalar", _mark(key_node))
            key = (
                key_node.value
                if key_node.tag == "tag:yaml.org,2002:str"
                else str(self._constructor.construct_object(key_node, deep=True))
            )
            child = [*parts, key]
            ptr = jp.join(child)
            self._check_yaml11(key_node, key, ptr, "key")
            if key in out:
                self.problems.append(
                    Problem("duplicate", ptr, _mark(key_node), f"duplicate key {key!r}")
                )
            # A member is located at its key (for a duplicate, the one the API would keep).
            self.positions[ptr] = _mark(key_node)
            out[key] = self.build(value_node, child, depth + 1)
        return out

    def _check_yaml11(self, node: Node, value: Any, ptr: str, what: str) -> None:
        """A plain scalar a YAML 1.1 reader (PyYAML) would read as something else."""
        if not self._yaml11 or not isinstance(node, ScalarNode) or node.style not in (None, ""):
            return
        other = differs(node.value, value)
        if other is None:
            return
        meant = "" if isinstance(other[0], str) else f", or {json.dumps(other[0])} for that"
        detail = (
            f"{what} {node.value} is {_shown(value)} in YAML 1.2 but {_shown(other[0])} to a "
            f"YAML 1.1 reader such as PyYAML; write {json.dumps(node.value)} for the text"
            f"{meant}, so that every reader sends the same"
        )
        self.problems.append(Problem("yaml11", ptr, _mark(node), detail))

    def _scalar(self, node: Node, ptr: str) -> Any:
        if node.tag == "tag:yaml.org,2002:int":
            digits = sum(c.isdigit() for c in node.value)
            if digits > self._limits.integer_digits:
                message = self._limits.hit("integer_digits", f"an integer of {digits} digits")
                raise YamlSyntaxError(message, _mark(node))
        value = self._constructor.construct_object(node, deep=True)
        if isinstance(value, (_dt.date, _dt.datetime)):
            if self._dates_as_text:
                return node.value
            self.problems.append(
                Problem("non-json", ptr, _mark(node), f"{node.value!r} is a YAML date; quote it")
            )
            return node.value
        self._check_yaml11(node, value, ptr, "value")
        if node.tag not in _JSON_TAGS and not isinstance(value, (str, int, float, bool)):
            self.problems.append(
                Problem("non-json", ptr, _mark(node), f"YAML type {node.tag} has no JSON form")
            )
            return None
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            self.problems.append(
                Problem("non-json", ptr, _mark(node), f"{node.value!r} is not a JSON number")
            )
        return value


def load_yaml(
    text: str,
    *,
    dates_as_text: bool = False,
    cache: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    yaml11: bool = False,
) -> YamlDocument:
    """Parse one YAML document; raises YamlSyntaxError with a 1-based position.

    The pure-Python parser is slow on the register's thousands of lines, so results are
    kept per text: validating a register again re-parses only the files that changed.
    Callers must treat the returned document as read-only.
    """
    if not cache:
        return _parse(text, dates_as_text, limits, yaml11)
    return _cached(text, dates_as_text, limits, yaml11)


@lru_cache(maxsize=128)
def _cached(text: str, dates_as_text: bool, limits: Limits, yaml11: bool) -> YamlDocument:
    return _parse(text, dates_as_text, limits, yaml11)


def _parse(text: str, dates_as_text: bool, limits: Limits, yaml11: bool) -> YamlDocument:
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
        if root is None:
            return YamlDocument(None, {"": (1, 1)})
        builder = _Builder(yaml, dates_as_text, limits, yaml11)
        data = builder.build(root, [])
    except RecursionError:  # the composer recurses per level of flow nesting
        message = limits.hit("depth", "nested too deeply to parse")
        raise YamlSyntaxError(message, (1, 1)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = str(exc.problem or exc.context or "invalid YAML")
        if "another document" in problem:  # the composer's words for a second `---`
            problem = (
                "a second YAML document: a YAML payload file holds one payload; put several "
                "in a JSON Lines file (.jsonl), one per line, or in one file each"
            )
        raise YamlSyntaxError(problem, pos) from exc
    except YAMLError as exc:
        raise YamlSyntaxError(str(exc).splitlines()[0], (1, 1)) from exc
    except (ValueError, TypeError) as exc:
        raise YamlSyntaxError(str(exc), (1, 1)) from exc
    return YamlDocument(data, builder.positions, builder.problems)
