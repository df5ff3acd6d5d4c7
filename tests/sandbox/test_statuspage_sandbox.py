from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.common import serve
from sandbox.statuspage import SEED_COMPONENTS, StatuspageSandbox

FIXTURES = Path(__file__).parents[1] / "fixtures" / "statuspage"
KEY = "statuspage-key-for-tests"


@dataclass
class Clock:
    now: float = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    sandbox: StatuspageSandbox
    url: str
    clock: Clock

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"OAuth {KEY}", **kwargs.pop("headers", {})}
        url = f"{self.url}/v1/pages/{self.sandbox.page_id}{path}"
        return requests.request(method, url, json=body, headers=headers, timeout=5, **kwargs)


@pytest.fixture(scope="module")
def served() -> Iterator[Rig]:
    clock = Clock()
    sandbox = StatuspageSandbox(api_key=KEY, clock=clock)
    with serve(sandbox) as running:
        yield Rig(sandbox, running.url, clock)


@pytest.fixture
def sp(served: Rig) -> Rig:
    served.sandbox.reset()
    served.clock.now += 120  # a fresh rate-limit window for every test
    return served


def documented(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def create(sp: Rig, **incident: Any) -> requests.Response:
    return sp.call("POST", "/incidents", {"incident": {"name": "Checkout errors", **incident}})


def test_api_key_goes_in_an_oauth_header_or_the_api_key_param(sp: Rig) -> None:
    url = f"{sp.url}/v1/pages/{sp.sandbox.page_id}/components"
    missing = requests.get(url, timeout=5)
    bearer = requests.get(url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
    wrong = requests.get(url, headers={"Authorization": "OAuth not-the-key"}, timeout=5)
    assert [r.status_code for r in (missing, bearer, wrong)] == [401, 401, 401]
    assert missing.json() == {"error": "Could not authenticate"}
    assert requests.get(url, params={"api_key": KEY}, timeout=5).status_code == 200
    assert sp.call("GET", "/components").status_code == 200


def test_seeded_components_have_the_documented_fields(sp: Rig) -> None:
    answer = sp.call("GET", "/components")
    assert answer.status_code == 200
    assert [c["name"] for c in answer.json()] == list(SEED_COMPONENTS)
    assert set(documented("component.openapi_example.json")) <= set(answer.json()[0])
    assert {c["status"] for c in answer.json()} == {"operational"}


def test_components_are_paged_with_page_and_per_page(sp: Rig) -> None:
    second = sp.call("GET", "/components", params={"page": 2, "per_page": 3})
    assert [c["name"] for c in second.json()] == [SEED_COMPONENTS[3]]
    capped = sp.call("GET", "/components", params={"per_page": 500})
    assert len(capped.json()) == len(SEED_COMPONENTS)


def test_create_moves_components_and_records_the_first_update(sp: Rig) -> None:
    checkout, api = sp.sandbox.component_id("Checkout"), sp.sandbox.component_id("API")
    answer = create(
        sp,
        status="investigating",
        body="Payments are failing for some customers.",
        component_ids=[checkout, api],
        components={checkout: "major_outage"},
        deliver_notifications=False,
        metadata={"bridge": {"ticket": "zendesk:42"}},
    )
    assert answer.status_code == 201
    incident = answer.json()
    assert set(documented("incident.openapi_example.json")) <= set(incident)
    assert incident["impact"] == "critical"
    assert {c["id"] for c in incident["components"]} == {checkout, api}
    [update] = incident["incident_updates"]
    assert set(documented("incident_update.openapi_example.json")) <= set(update)
    assert update["body"] == "Payments are failing for some customers."
    assert update["deliver_notifications"] is False
    assert update["affected_components"] == [
        {
            "code": checkout,
            "name": "Checkout",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    statuses = {c["name"]: c["status"] for c in sp.call("GET", "/components").json()}
    assert statuses["Checkout"] == "major_outage"
    assert incident["metadata"] == {"bridge": {"ticket": "zendesk:42"}}


def test_impact_override_wins_over_the_calculated_impact(sp: Rig) -> None:
    checkout = sp.sandbox.component_id("Checkout")
    incident = create(sp, components={checkout: "degraded_performance"}).json()
    assert incident["impact"] == "minor"
    overridden = create(sp, components={checkout: "degraded_performance"}, impact_override="major")
    assert overridden.json()["impact"] == "major"


def test_updates_append_to_the_timeline_until_resolved(sp: Rig) -> None:
    checkout = sp.sandbox.component_id("Checkout")
    incident_id = create(sp, components={checkout: "partial_outage"}).json()["id"]
    identified = sp.call(
        "PATCH",
        f"/incidents/{incident_id}",
        {"incident": {"status": "identified", "body": "Bad deploy."}},
    )
    assert identified.status_code == 200
    assert [u["status"] for u in identified.json()["incident_updates"]] == [
        "identified",
        "investigating",
    ]
    assert [i["id"] for i in sp.call("GET", "/incidents/unresolved").json()] == [incident_id]

    resolved = sp.call(
        "PATCH",
        f"/incidents/{incident_id}",
        {"incident": {"status": "resolved", "components": {checkout: "operational"}}},
    ).json()
    assert resolved["status"] == "resolved"
    assert resolved["resolved_at"] is not None
    assert resolved["incident_updates"][0]["body"] == "This incident has been resolved."
    assert resolved["impact"] == "none"
    assert sp.call("GET", "/incidents/unresolved").json() == []
    assert sp.call("GET", f"/incidents/{incident_id}.json").json()["status"] == "resolved"


def test_listing_searches_with_q_and_pages_with_limit(sp: Rig) -> None:
    first = create(sp, name="Email delays").json()["id"]
    create(sp, name="Login failures")
    assert [i["id"] for i in sp.call("GET", "/incidents", params={"q": "email"}).json()] == [first]
    newest = sp.call("GET", "/incidents", params={"limit": 1}).json()
    assert [i["name"] for i in newest] == ["Login failures"]


@pytest.mark.parametrize(
    "incident",
    [
        {"name": ""},
        {"name": "x" * 256},
        {"name": "ok", "body": "b" * 25001},
        {"name": "ok", "status": "scheduled"},
        {"name": "ok", "status": "on_fire"},
        {"name": "ok", "impact_override": "catastrophic"},
        {"name": "ok", "component_ids": ["nosuchcompnt"]},
        {"name": "ok", "metadata": {"jira": "not-an-object"}},
    ],
)
def test_invalid_incidents_are_unprocessable(sp: Rig, incident: dict[str, Any]) -> None:
    answer = sp.call("POST", "/incidents", {"incident": incident})
    assert answer.status_code == 422
    assert isinstance(answer.json()["error"], str)
    assert sp.call("GET", "/incidents").json() == []


def test_invalid_component_status_is_refused_without_changes(sp: Rig) -> None:
    checkout = sp.sandbox.component_id("Checkout")
    answer = create(sp, components={checkout: "exploded"})
    assert answer.status_code == 422
    assert sp.call("GET", f"/components/{checkout}").json()["status"] == "operational"


def test_unknown_ids_answer_404_with_the_error_body(sp: Rig) -> None:
    for path in ("/incidents/zzzzzzzzzzzz", "/components/zzzzzzzzzzzz"):
        answer = sp.call("GET", path)
        assert answer.status_code == 404
        assert answer.json() == {"error": "The requested resource could not be found."}
    other_page = requests.get(
        f"{sp.url}/v1/pages/nosuchpage123/incidents",
        headers={"Authorization": f"OAuth {KEY}"},
        timeout=5,
    )
    assert other_page.status_code == 404


def test_body_must_be_json_or_form_encoded(sp: Rig) -> None:
    url = f"{sp.url}/v1/pages/{sp.sandbox.page_id}/incidents"
    auth = {"Authorization": f"OAuth {KEY}"}
    checkout = sp.sandbox.component_id("Checkout")
    form = {
        "incident[name]": "Form incident",
        f"incident[components][{checkout}]": "degraded_performance",
        "incident[component_ids][]": [checkout],
        "incident[deliver_notifications]": "f",
    }
    created = requests.post(url, data=form, headers=auth, timeout=5)
    assert created.status_code == 201
    assert created.json()["components"][0]["status"] == "degraded_performance"
    assert created.json()["incident_updates"][0]["deliver_notifications"] is False
    text = requests.post(
        url, data="name=x", headers={**auth, "Content-Type": "text/plain"}, timeout=5
    )
    assert text.status_code == 415
    broken = requests.post(
        url, data="{", headers={**auth, "Content-Type": "application/json"}, timeout=5
    )
    assert broken.status_code == 400
    assert sp.call("POST", "/incidents", {"name": "not wrapped"}).status_code == 400


def test_patching_a_component_sets_its_status(sp: Rig) -> None:
    api = sp.sandbox.component_id("API")
    answer = sp.call("PATCH", f"/components/{api}", {"component": {"status": "partial_outage"}})
    assert answer.json()["status"] == "partial_outage"
    bad = sp.call("PATCH", f"/components/{api}", {"component": {"status": "meh"}})
    assert bad.status_code == 422


def test_sixty_requests_a_rolling_minute_then_429(sp: Rig) -> None:
    answers = [sp.call("GET", "/components").status_code for _ in range(60)]
    assert set(answers) == {200}
    sp.clock.now += 30
    limited = sp.call("GET", "/components")
    assert limited.status_code == 429
    assert limited.json() == {"error": "Rate limit exceeded"}
    assert limited.headers["Retry-After"] == "30"
    sp.clock.now += 30
    assert sp.call("GET", "/components").status_code == 200


def test_injected_faults_answer_first(sp: Rig) -> None:
    sp.sandbox.rate_limit("incidents.list", retry_after=7)
    limited = sp.call("GET", "/incidents")
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert sp.call("GET", "/incidents").status_code == 200
    assert sp.sandbox.calls["incidents.list"] == 2


def test_status_page_shows_components_and_open_incidents_escaped(sp: Rig) -> None:
    checkout = sp.sandbox.component_id("Checkout")
    create(
        sp,
        name="<script>alert(1)</script>",
        body="Fix & retry",
        components={checkout: "major_outage"},
    )
    html = requests.get(sp.url + "/", timeout=5).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "Fix &amp; retry" in html
    assert "Major Outage" in html
    assert "Email delivery" in html
