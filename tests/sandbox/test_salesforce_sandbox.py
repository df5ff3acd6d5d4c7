"""The Salesforce sandbox signs in, answers and refuses as Salesforce does, and posts its
Outbound Messages in the shape the bridge reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from connectors.base import TicketChanged
from connectors.salesforce.inbound import SalesforceInbound
from sandbox.salesforce import SalesforceSandbox
from sandbox.salesforce.signin import CLIENT_ID, CLIENT_SECRET
from sandbox.salesforce.wire import ORG_ID, outbound_message, with_checksum
from tests.conftest import FrozenClock

NOW = datetime(2026, 3, 2, 9, 0, 3, tzinfo=UTC)
API = "/services/data/v62.0"


@pytest.fixture
def sandbox() -> SalesforceSandbox:
    return SalesforceSandbox(clock=FrozenClock(NOW), daily_limit=50)


@pytest.fixture
def client(sandbox: SalesforceSandbox) -> Iterator[FlaskClient]:
    with sandbox.app.test_client() as client:
        yield client


@pytest.fixture
def auth(client: FlaskClient) -> dict[str, str]:
    answer = client.post(
        "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status_code == 200 and answer.json is not None
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def errors_of(response: Any) -> list[str]:
    return [e["errorCode"] for e in response.json]


def test_wrong_client_credentials_are_invalid_client(client: FlaskClient) -> None:
    answer = client.post(
        "/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "x"},
    )
    assert answer.status_code == 400 and answer.json == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }


def test_no_session_is_invalid_session_id_in_a_list(client: FlaskClient) -> None:
    response = client.get(f"{API}/limits/", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and errors_of(response) == ["INVALID_SESSION_ID"]


def test_every_answer_says_the_days_usage(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get(f"{API}/limits/", headers=auth)
    assert response.headers["Sforce-Limit-Info"] == "api-usage=1/50"
    assert response.json == {"DailyApiRequests": {"Max": 50, "Remaining": 49}}


def test_a_quoted_datetime_and_an_unknown_column_are_refused(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    quoted = "SELECT Id FROM Case WHERE SystemModstamp >= '2026-03-02T09:00:00Z'"
    response = client.get(f"{API}/query/", query_string={"q": quoted}, headers=auth)
    assert response.status_code == 400 and errors_of(response) == ["INVALID_FIELD"]
    unknown = "SELECT Nope__c FROM Case"
    response = client.get(f"{API}/query/", query_string={"q": unknown}, headers=auth)
    assert errors_of(response) == ["INVALID_FIELD"]
    response = client.get(f"{API}/query/", query_string={"q": "SELECT Id FROM"}, headers=auth)
    assert errors_of(response) == ["MALFORMED_QUERY"]


def test_results_come_in_batches_linked_by_next_records_url(
    sandbox: SalesforceSandbox, client: FlaskClient, auth: dict[str, str]
) -> None:
    sandbox.batch_size = 2
    made = [sandbox.create_case(f"Case {n}") for n in range(3)]
    query = "SELECT Id, CreatedBy.UserType FROM Case ORDER BY CreatedDate ASC"
    first = client.get(f"{API}/query/", query_string={"q": query}, headers=auth).json
    assert first is not None and (first["totalSize"], first["done"]) == (3, False)
    assert first["records"][0]["CreatedBy"]["UserType"] == "CspLitePortal"
    rest = client.get(first["nextRecordsUrl"], headers=auth).json
    assert rest is not None and rest["done"] is True and "nextRecordsUrl" not in rest
    assert [r["Id"] for r in first["records"] + rest["records"]] == made


def test_saves_are_refused_as_salesforce_refuses_them(
    sandbox: SalesforceSandbox, client: FlaskClient, auth: dict[str, str]
) -> None:
    case = sandbox.create_case("Refusals")
    path = f"{API}/sobjects/Case/{case}"
    for body, code in [
        ({"Priority": "Urgent"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"OwnerId": None}, "INVALID_CROSS_REFERENCE_KEY"),
        ({"SystemModstamp": "2026-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
    ]:
        response = client.patch(path, json=body, headers=auth)
        assert (response.status_code, errors_of(response)) == (400, [code])
    long = {"ParentId": case, "CommentBody": "x" * 4001, "IsPublished": False}
    response = client.post(f"{API}/sobjects/CaseComment/", json=long, headers=auth)
    assert errors_of(response) == ["STRING_TOO_LONG"]
    assert client.patch(path, json={"Status": "On Hold"}, headers=auth).status_code == 204
    assert sandbox.case(case)["LastModifiedById"] == sandbox.bridge_user_id


def test_a_spent_day_is_request_limit_exceeded(
    sandbox: SalesforceSandbox, client: FlaskClient, auth: dict[str, str]
) -> None:
    sandbox.api_used = 50
    response = client.get(f"{API}/limits/", headers=auth)
    assert response.status_code == 403 and errors_of(response) == ["REQUEST_LIMIT_EXCEEDED"]


def test_ids_carry_the_18_character_checksum() -> None:
    assert with_checksum("001A0000006Vm9r") == "001A0000006Vm9rIAC"


def test_its_outbound_message_is_what_the_bridge_reads(sandbox: SalesforceSandbox) -> None:
    case = sandbox.create_case("Announced")
    body = outbound_message([("04l1", sandbox.outbound_fields(case))], "04k1", "https://x")
    inbound = SalesforceInbound()
    inbound.verify({}, body, ORG_ID, NOW)
    assert inbound.parse(body) == TicketChanged(case, "salesforce.case")


def test_the_demo_page_lists_cases_with_their_comments(
    sandbox: SalesforceSandbox, client: FlaskClient
) -> None:
    case = sandbox.create_case("Checkout <down>")
    sandbox.comment(case, "Internal look", published=False, by=sandbox.lead_user_id)
    page = client.get("/").get_data(as_text=True)
    assert "Checkout &lt;down&gt;" in page and "Internal look" in page and "Case intake" in page
