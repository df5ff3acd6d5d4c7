"""The policy engine stays pure (policies/README.md): no I/O libraries, no bridge or connectors,
no clock reads, no file or network calls."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

POLICIES = Path(__file__).parents[2] / "policies"
FORBIDDEN_MODULES = {
    "bridge",
    "connectors",
    "flask",
    "requests",
    "httpx",
    "httpx2",
    "sqlalchemy",
    "zenpy",
    "slack_sdk",
    "pagerduty",
    "urllib",
    "urllib3",
    "socket",
    "ssl",
    "http",
    "time",
    "subprocess",
    "os",
    "io",
    "pathlib",
    "shutil",
    "tempfile",
    "sqlite3",
}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "mkdir"}
SOURCES = sorted(POLICIES.glob("*.py"))


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name} imports {name}"
        if isinstance(node, ast.Call):
            called = _called(node)
            where = f"{path.name}:{node.lineno}"
            if isinstance(node.func, ast.Attribute):
                assert called not in CLOCK_CALLS, f"{where} reads the clock"
            assert called not in FILE_CALLS, f"{where} touches a file ({called})"


def test_the_scan_sees_the_engine() -> None:
    assert {"engine.py", "calendar.py", "signals.py", "loader.py"} <= {p.name for p in SOURCES}


def test_the_scan_catches_a_file_read(tmp_path: Path) -> None:
    tree = ast.parse("from pathlib import Path\nPath('x').read_text()\nopen('y')\n")
    calls = {_called(node) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert {"read_text", "open"} <= calls
