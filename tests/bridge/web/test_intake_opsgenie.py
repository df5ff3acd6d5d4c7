"""``POST /webhooks/opsgenie``: the Webhook integration's deliveries stored once; bad input
answered 4xx with no row, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge import create_app
from connectors.opsgenie.inbound import SECRET_HEADER
from tests.conftest import FrozenClock, fixture_json, make_settings
from tests.support.store import count_inbound, db_of

SECRET = "opsgenie-webhook-secret-1"
PATH = "/webhooks/opsgenie"


def delivery(
    clock: FrozenClock, action: str = "Acknowledge", ago: timedelta = timedelta()
) -> bytes:
    body = fixture_json("opsgenie/webhook_create.recorded.json")
    body["action"] = action
    body["alert"]["alias"] = "zendesk:4821"
    body["alert"]["updatedAt"] = int((clock() - ago).timestamp() * 1000) * 1_000_000
    return json.dumps(body).encode()


def headers(secret: str = SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", SECRET_HEADER: secret}


@pytest.fixture
def app(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    configured = make_settings(
        database_url, OPSGENIE_API_KEY="key-1", OPSGENIE_WEBHOOK_SECRET=SECRET
    )
    made = create_app({"TESTING": True, "BRIDGE_SETTINGS": configured, "BRIDGE_CLOCK": clock})
    yield made
    db_of(made).dispose()


def test_a_delivery_is_stored_once(app: Flask, client: FlaskClient, clock: FrozenClock) -> None:
    body = delivery(clock)
    first = client.post(PATH, data=body, headers=headers())
    assert first.status_code == 202 and not first.json["duplicate"]
    assert client.post(PATH, data=body, headers=headers()).json["duplicate"]
    basic = "Basic " + base64.b64encode(f"opsgenie:{SECRET}".encode()).decode()
    again = {"Content-Type": "application/json", "Authorization": basic}
    assert client.post(PATH, data=body, headers=again).json["duplicate"]
    assert count_inbound(db_of(app)) == 1


REJECTIONS = [
    ("no secret", lambda c: (delivery(c), {"Content-Type": "application/json"}), 401),
    ("wrong secret", lambda c: (delivery(c), headers("nope")), 401),
    ("stale", lambda c: (delivery(c, ago=timedelta(hours=2)), headers()), 401),
    ("not json", lambda c: (b"{nope", headers()), 400),
    ("no alert", lambda c: (b'{"action": "Close"}', headers()), 400),
    ("form", lambda c: (delivery(c), {**headers(), "Content-Type": "text/plain"}), 415),
    ("too large", lambda c: (b" " * (1024 * 1024 + 1), headers()), 413),
]


@pytest.mark.parametrize(("case", "build", "status"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_rejections_leave_no_row(
    app: Flask,
    client: FlaskClient,
    clock: FrozenClock,
    case: str,
    build: Callable[[FrozenClock], tuple[bytes, dict[str, str]]],
    status: int,
) -> None:
    body, sent = build(clock)
    response = client.post(PATH, data=body, headers=sent)
    assert response.status_code == status, response.data
    assert response.json and response.json["error"]
    assert SECRET not in response.get_data(as_text=True)
    assert count_inbound(db_of(app)) == 0


def test_unconfigured_is_404(database_url: str, clock: FrozenClock) -> None:
    bare = make_settings(database_url, OPSGENIE_API_KEY="key-1")  # no webhook secret
    made = create_app({"TESTING": True, "BRIDGE_SETTINGS": bare, "BRIDGE_CLOCK": clock})
    response = made.test_client().post(PATH, data=delivery(clock), headers=headers())
    assert response.status_code == 404
    db_of(made).dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300)
    | st.builds(
        lambda d: json.dumps(d).encode(),
        st.dictionaries(
            st.sampled_from(["action", "alert", "source"]),
            st.one_of(
                st.text(max_size=5),
                st.integers(),
                st.dictionaries(
                    st.sampled_from(["alertId", "alias", "updatedAt", "username", "note"]),
                    st.one_of(st.text(max_size=5), st.integers(), st.none()),
                ),
            ),
        ),
    )
)
def test_arbitrary_authentic_bodies_never_cause_a_500(client: FlaskClient, body: bytes) -> None:
    response = client.post(PATH, data=body, headers=headers())
    assert response.status_code in (202, 400, 401), response.status_code
