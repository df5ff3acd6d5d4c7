"""The tree shows the architecture (DESIGN.md, Layout): the web side never imports the worker,
the store is the only place with SQL, and connectors never import the bridge."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def imports(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("bridge/web", "bridge.worker"),
        ("bridge/store", "bridge.worker"),
        ("bridge/store", "bridge.web"),
        ("connectors", "bridge"),
        ("policies", "bridge"),
        ("policies", "connectors"),
    ],
)
def test_imports_go_one_way(folder: str, forbidden: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imports(ROOT / folder)
        if module == forbidden or module.startswith(forbidden + ".")
    ]
    assert offenders == []


SQL_OUTSIDE_STORE = ("sqlalchemy",)


@pytest.mark.parametrize(
    "folder", ["bridge/web", "bridge/cli", "bridge/worker", "bridge/metrics", "connectors"]
)
def test_sql_lives_in_the_store(folder: str) -> None:
    """Jobs, commands, Prometheus and the dashboard call store functions; they may hold an
    Engine or a Connection, never build a query."""
    builders = {"select", "insert", "update", "delete", "text", "func", "and_", "or_"}
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                used = {alias.name for alias in node.names} & builders
                if used:
                    offenders.append(f"{path.relative_to(ROOT)} imports {sorted(used)}")
    assert offenders == []
