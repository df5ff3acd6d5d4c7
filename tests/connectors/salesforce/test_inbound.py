"""Outbound Messages: the org check, the parse, the dedup key and the loop guard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.base import SignatureError, TicketChanged, WebhookParseError
from connectors.salesforce.inbound import SalesforceInbound, changed_by, read_message
from sandbox.salesforce.wire import outbound_message
from tests.conftest import fixture_bytes

BODY = fixture_bytes("salesforce/outbound_case.xml")
ORG = "00D5e000000KQ2eEAG"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
inbound = SalesforceInbound()


def test_the_message_names_the_case_and_its_notification() -> None:
    inbound.verify({}, BODY, ORG, NOW)
    receipt = inbound.receipt({}, BODY)
    assert (receipt.kind, receipt.ticket_id) == ("salesforce.case", "5005e00000AbCdEAAV")
    assert receipt.dedup_key == "salesforce:04l5e00000Gx7QzAAJ"  # a retry carries the same id
    assert inbound.parse(BODY) == TicketChanged("5005e00000AbCdEAAV", "salesforce.case")


def test_another_orgs_message_is_refused() -> None:
    with pytest.raises(SignatureError, match="another Salesforce org"):
        inbound.verify({}, BODY, "00D000000000001AAA", NOW)


def test_entities_are_refused_before_parsing() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "a"><!ENTITY b "&a;&a;">]><x>&b;</x>'
    with pytest.raises(WebhookParseError, match="document type"):
        read_message(bomb)


def test_a_message_about_another_object_is_ignored() -> None:
    body = BODY.replace(b'xsi:type="sf:Case"', b'xsi:type="sf:Account"')
    assert not isinstance(inbound.parse(body), TicketChanged)


def test_the_loop_guard_reads_last_modified_by() -> None:
    assert changed_by(BODY, "0055e000003XyZa")  # the 15-character form is the same user
    assert not changed_by(BODY, "0055e000003OthrAAA")
    assert not changed_by(b"not xml", "0055e000003XyZaAAK")


def test_several_records_in_one_message_dedup_on_every_notification() -> None:
    fields = {"Id": "5005e00000AbCdEAAV", "LastModifiedById": "0055e000003XyZaAAK"}
    body = outbound_message([("04l2", fields), ("04l1", fields)], "04k1", "https://x")
    assert inbound.receipt({}, body).dedup_key == "salesforce:04l1,04l2"
