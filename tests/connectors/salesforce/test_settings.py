"""Salesforce's settings: one complete sign-in or none, the org's picklist meanings checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.salesforce.settings import SalesforceSettings
from policies.model import Priority, Status

URL = "https://acme.my.salesforce.com"


def test_nothing_set_is_off_and_a_client_credentials_sign_in_is_on() -> None:
    assert not SalesforceSettings.from_env({}).enabled
    on = SalesforceSettings.from_env(
        {
            "SALESFORCE_INSTANCE_URL": URL,
            "SALESFORCE_CLIENT_ID": "3MVG9id",
            "SALESFORCE_CLIENT_SECRET": "s3cret",
        }
    )
    assert on.enabled and on.inbound_secret is None  # no org id: the endpoint answers 404
    assert "s3cret" not in on.describe()


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"SALESFORCE_CLIENT_ID": "x", "SALESFORCE_CLIENT_SECRET": "y"}, "SALESFORCE_INSTANCE_URL"),
        (
            {"SALESFORCE_INSTANCE_URL": URL, "SALESFORCE_USERNAME": "bridge@acme.example"},
            "SALESFORCE_SECURITY_TOKEN",
        ),
        ({"SALESFORCE_ORG_ID": "001000000000001"}, "SALESFORCE_ORG_ID"),
        ({"SALESFORCE_STATUSES": "On Hold=paused"}, "'paused' is not one of"),
    ],
)
def test_partial_or_wrong_settings_name_what_to_fix(
    environment: dict[str, str], named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        SalesforceSettings.from_env(environment)


def test_the_orgs_own_values_are_read_with_their_meaning() -> None:
    settings = SalesforceSettings.from_env(
        {
            "SALESFORCE_STATUSES": "Waiting on Customer=pending, Closed=solved",
            "SALESFORCE_PRIORITIES": "P1=urgent,P2=high",
        }
    )
    assert settings.status_map == {"Waiting on Customer": Status.PENDING, "Closed": Status.SOLVED}
    assert settings.priority_map == {"P1": Priority.URGENT, "P2": Priority.HIGH}
