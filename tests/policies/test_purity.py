"""The policy engine stays pure: no I/O libraries, no bridge or connectors, no clock reads."""

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
    "sqlalchemy",
    "zenpy",
    "slack_sdk",
    "pagerduty",
    "urllib3",
    "socket",
    "time",
    "subprocess",
}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}
SOURCES = sorted(POLICIES.glob("*.py"))


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
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in CLOCK_CALLS, f"{path.name}:{node.lineno} reads the clock"


def test_the_scan_sees_the_engine() -> None:
    assert {"engine.py", "calendar.py", "signals.py"} <= {p.name for p in SOURCES}
