from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.actions import StatusIncident
from connectors.base import TicketKey
from connectors.statuspage import builders

FIXTURES = Path(__file__).parents[2] / "fixtures" / "statuspage"
PAGE = [
    {"id": "c1", "name": "API"},
    {"id": "c2", "name": "Checkout"},
    {"id": "c3", "name": "Email delivery"},
]


@pytest.mark.parametrize(
    ("named", "found"),
    [
        (("Checkout",), {"c2": "Checkout"}),
        ((" checkout ", "API"), {"c2": "Checkout", "c1": "API"}),
        (("email DELIVERY",), {"c3": "Email delivery"}),
        (("<script>", "Checkout; DROP"), {}),
        ((), {}),
    ],
)
def test_only_components_the_page_has_are_kept(
    named: tuple[str, ...], found: dict[str, str]
) -> None:
    assert builders.match_components(named, PAGE) == found


@pytest.mark.parametrize(
    ("text", "names", "limit", "shown"),
    [
        ("Problems with {components}", ["API", "Checkout"], 255, "Problems with API, Checkout"),
        ("Problems with {components}", [], 255, "Problems with some of our services"),
        ("{components} {components}", ["API"], 255, "API API"),
        ("x" * 300, [], 255, "x" * 254 + "…"),
    ],
)
def test_texts_are_filled_and_cut(text: str, names: list[str], limit: int, shown: str) -> None:
    assert builders.fill(text, names, limit) == shown


def test_the_create_request_uses_only_documented_incident_fields() -> None:
    documented = json.loads((FIXTURES / "incident.openapi_example.json").read_text())
    incident = StatusIncident(
        rule="outage",
        name="Service disruption: {components}",
        body="We are investigating problems with {components}.",
        components=("Checkout",),
        impact="critical",
    )
    body = builders.build_create(
        incident, {"c2": "Checkout"}, key="zendesk:1:statuspage:outage:status_open", ticket=TICKET
    )["incident"]
    # Request-only fields (postPagesPageIdIncidents) beside the Incident's own.
    request_only = {"body", "component_ids", "components", "deliver_notifications"}
    assert set(body) - request_only <= set(documented)
    assert body["name"] == "Service disruption: Checkout"
    assert body["status"] == "investigating"
    assert body["components"] == {"c2": "major_outage"} and body["component_ids"] == ["c2"]
    assert body["impact_override"] == "critical"
    assert all(isinstance(v, dict) for v in body["metadata"].values())  # the API requires it


TICKET = TicketKey("zendesk", "1")


@pytest.mark.parametrize(
    ("metadata", "mine"),
    [
        ({"escalation_bridge": {"key": "k"}}, True),
        ({"escalation_bridge": {"key": "other"}}, False),
        ({}, False),
        (None, False),
        ({"escalation_bridge": "k"}, False),
    ],
)
def test_an_incident_is_recognised_by_its_metadata(metadata: Any, mine: bool) -> None:
    assert builders.created_by({"metadata": metadata}, "k") is mine


def test_resolving_puts_the_components_back() -> None:
    body = builders.build_update("resolved", "Fixed.", {"c2": "Checkout"}, restore=True)
    assert body == {
        "incident": {"status": "resolved", "body": "Fixed.", "components": {"c2": "operational"}}
    }
