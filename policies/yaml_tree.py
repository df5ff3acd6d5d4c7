"""The policy file's YAML, read defensively into plain data with the position of every value.

A policy file is edited by people and may come from anywhere, so reading it is bounded: only the
YAML core schema's tags (no ``!!python/…``, ``!!binary``, ``!!set`` or local ``!tags``), aliases
that expand to at most ``MAX_VALUES`` values in all (an "alias bomb" of nested aliases would
otherwise build billions), no alias inside its own anchor (``x: &a [*a]``), at most
``MAX_DEPTH`` levels and ``MAX_CHARS`` characters. Every problem is a ``YamlProblem`` with the
line and column it was found at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

MAX_CHARS = 1_000_000
MAX_VALUES = 50_000
MAX_DEPTH = 100
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(
    _CORE + name for name in ("null", "bool", "int", "float", "str", "seq", "map", "timestamp")
)


_TOO_MANY = f"YAML: more than {MAX_VALUES:,} values once aliases are expanded"
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


@dataclass
class Marks:
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def measure(root: yaml.Node) -> None:
    """Refuse a tree that would expand to more than ``MAX_VALUES`` values, or that contains
    itself, counting each shared (aliased) node once: linear in the file, however many
    aliases point where."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:  # aliases can nest deeper than the text does
            raise YamlProblem(*_pos(node), f"YAML: nested deeper than {MAX_DEPTH} levels")
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_:
            raise YamlProblem(*_pos(node), "YAML: an alias refers to a value that contains it")
        total = 1
        if not isinstance(node, yaml.ScalarNode):
            open_.add(id(node))
            # A sequence holds nodes, a mapping (key, value) pairs.
            for child in node.value:
                for part in child if isinstance(child, tuple) else (child,):
                    total += size(part, depth + 1)
                    if total > MAX_VALUES:
                        raise YamlProblem(*_pos(part), _TOO_MANY)
            open_.discard(id(node))
        sizes[id(node)] = total
        return total

    size(root, 0)


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (aliases still shared, nothing constructed yet)."""
    if len(text) > MAX_CHARS:
        raise YamlProblem(1, 1, f"YAML: the file is over {MAX_CHARS:,} characters")
    try:
        _check_depth(text)
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(line, col, f"YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, f"YAML: {exc}") from None


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream before the composer, which recurses once per
    level, could hit Python's recursion limit. libyaml's parser reads the stream in linear time
    (PyYAML's own scanner takes seconds on a line of ``[[[[…``); its syntax errors are left to
    the composer below, whose messages the tests and the docs show."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _event_pos(event)
                    raise YamlProblem(line, col, f"YAML: nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return


def _event_pos(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


@dataclass
class Builder:
    """Turns the node tree into dicts, lists and scalars, recording positions and duplicates."""

    marks: Marks = field(default_factory=Marks)
    issues: list[tuple[Path_, str]] = field(default_factory=list)
    _scalars: yaml.constructor.SafeConstructor = field(
        default_factory=yaml.constructor.SafeConstructor
    )

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        if not path:
            measure(node)  # before anything is expanded
        self._check(node, path)
        self.marks.values[path] = _pos(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                self._check(key_node, path)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(*_pos(key_node), "YAML: a key must be a plain value")
                key = self._scalar(key_node)
                self.marks.keys[(*path, key)] = _pos(key_node)
                if key in out:
                    self.issues.append(((*path, key), f"duplicate key {key!r}"))
                out[key] = self.build(value_node, (*path, key))
            return out
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def _check(self, node: yaml.Node, path: Path_) -> None:
        if node.tag not in ALLOWED_TAGS:
            raise YamlProblem(*_pos(node), f"YAML: tag {node.tag!r} is not allowed in a policy")
        if len(path) > MAX_DEPTH:
            raise YamlProblem(*_pos(node), f"YAML: nested deeper than {MAX_DEPTH} levels")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise YamlProblem(*_pos(node), f"YAML: cannot read {node.value!r}: {problem}") from None
