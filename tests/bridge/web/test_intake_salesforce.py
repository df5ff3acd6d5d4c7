"""``POST /webhooks/salesforce``: Outbound Messages from the configured org stored once and
acknowledged as Salesforce expects; bad input refused with 4xx."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge import create_app
from bridge.config import Settings
from connectors.salesforce.inbound import ACK
from tests.conftest import FrozenClock, fixture_bytes, make_settings
from tests.support.store import count_inbound, db_of, unprocessed

ORG_ID = "00D5e000000KQ2eEAG"
BODY = fixture_bytes("salesforce/outbound_case.xml")
XML = {"Content-Type": "text/xml; charset=utf-8"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, SALESFORCE_ORG_ID=ORG_ID)


def test_a_message_is_acknowledged_and_stored_once(app: Flask, client: FlaskClient) -> None:
    first = client.post("/webhooks/salesforce", data=BODY, headers=XML)
    again = client.post("/webhooks/salesforce", data=BODY, headers=XML)
    assert first.status_code == again.status_code == 200
    assert first.mimetype == "text/xml" and first.get_data(as_text=True) == ACK
    [item] = unprocessed(db_of(app))
    assert (item.source, item.ticket_id, item.body) == ("salesforce", "5005e00000AbCdEAAV", BODY)


def test_the_15_character_org_id_is_the_same_org(database_url: str, clock: FrozenClock) -> None:
    settings = make_settings(database_url, SALESFORCE_ORG_ID=ORG_ID[:15])
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    try:
        response = app.test_client().post("/webhooks/salesforce", data=BODY, headers=XML)
        assert response.status_code == 200
    finally:
        app.extensions["bridge"].db.dispose()


OTHER_ORG = BODY.replace(ORG_ID.encode(), b"00D000000000001AAA")
NO_ORG = BODY.replace(f"<OrganizationId>{ORG_ID}</OrganizationId>".encode(), b"")
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + BODY.split(b"?>", 1)[1]
BAD_CASE_ID = BODY.replace(b"5005e00000AbCdEAAV", b"500'; DELETE")
NOT_SOAP = b"<notifications><Id>1</Id></notifications>"
REJECTIONS = [
    ("another org", OTHER_ORG, XML, 401),
    ("no org id", NO_ORG, XML, 401),
    ("not xml", b"{}", XML, 400),
    ("not a soap envelope", NOT_SOAP, XML, 400),
    ("a document type", DOCTYPE, XML, 400),
    ("a bad case id", BAD_CASE_ID, XML, 400),
    ("json content type", BODY, {"Content-Type": "application/json"}, 415),
]


@pytest.mark.parametrize(
    ("case", "body", "headers", "status"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_bad_input_is_refused_and_leaves_no_row(
    app: Flask,
    client: FlaskClient,
    case: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    response = client.post("/webhooks/salesforce", data=body, headers=headers)
    assert response.status_code == status, response.data
    assert count_inbound(db_of(app)) == 0


def test_without_the_org_id_the_endpoint_is_not_there(
    database_url: str, clock: FrozenClock
) -> None:
    app = create_app(
        {"TESTING": True, "BRIDGE_SETTINGS": make_settings(database_url), "BRIDGE_CLOCK": clock}
    )
    try:
        response = app.test_client().post("/webhooks/salesforce", data=BODY, headers=XML)
        assert response.status_code == 404
    finally:
        app.extensions["bridge"].db.dispose()
