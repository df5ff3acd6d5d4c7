"""The Teams confirmation page refuses at once what a restricted bridge never does from Teams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from bridge import create_app
from connectors.base import PersonRequestKind
from connectors.teams.links import ActionLink, sign
from connectors.teams.notifier import ACTIONS_PATH
from tests.conftest import FrozenClock, make_settings

LINK_SECRET = "teams-link-secret-for-tests-0123456789"


@pytest.fixture(params=[None, "U0LEAD"], ids=["open", "restricted"])
def teams_app(
    request: pytest.FixtureRequest, database_url: str, clock: FrozenClock
) -> Iterator[Flask]:
    settings = make_settings(
        database_url,
        TEAMS_WEBHOOK_URL="https://example.webhook.office.com/x",
        TEAMS_LINK_SECRET=LINK_SECRET,
        BRIDGE_PUBLIC_URL="https://bridge.example.com",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_ALLOWED_ESCALATORS=request.param,
    )
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    yield app
    app.extensions["bridge"].db.dispose()


@pytest.mark.parametrize("kind", list(PersonRequestKind))
def test_restricted_requests_are_not_offered_a_confirmation(
    teams_app: Flask, clock: FrozenClock, kind: PersonRequestKind
) -> None:
    expires = int((clock() + timedelta(hours=1)).timestamp())
    token = sign(ActionLink(kind, "zendesk:1", "TEAMS_WEBHOOK_URL", "card", expires), LINK_SECRET)
    page = teams_app.test_client().get(ACTIONS_PATH, query_string={"link": token})
    restricted = teams_app.extensions["bridge"].settings.people_restricted
    if restricted and kind is not PersonRequestKind.ACKNOWLEDGE:
        assert page.status_code == 403 and b"do it in Slack" in page.data
    else:
        assert page.status_code == 200 and b"Confirm" in page.data
