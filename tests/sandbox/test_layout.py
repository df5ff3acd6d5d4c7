"""Every stand-in follows the package layout: imports go routes -> state -> wire, a sandbox follows
the vendor rather than the bridge, and each service lists its facts with their sources."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).parents[2] / "sandbox"
SERVICES = sorted(p for p in SANDBOX.iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_every_service_is_found() -> None:
    assert {p.name for p in SERVICES} >= {"zendesk", "freshdesk", "slack", "pagerduty"}


@pytest.mark.parametrize(
    "module", sorted(SANDBOX.rglob("*.py")), ids=lambda p: str(p.relative_to(SANDBOX))
)
def test_no_sandbox_module_imports_the_bridge(module: Path) -> None:
    ours = {
        m
        for m in imported_modules(module)
        if m.split(".")[0] in ("bridge", "connectors", "policies")
    }
    assert not ours


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_wire_imports_nothing_from_its_package(service: Path) -> None:
    assert not {m for m in imported_modules(service / "wire.py") if m.startswith("sandbox.")}


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_state_knows_no_flask_and_no_routes(service: Path) -> None:
    imports = imported_modules(service / "state.py")
    assert not {m for m in imports if m.split(".")[0] == "flask"}
    assert f"sandbox.{service.name}.routes" not in imports


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_facts_are_written_down_with_their_sources(service: Path) -> None:
    assert "https://" in (service / "FACTS.md").read_text(encoding="utf-8")
