"""SLACK_ALLOWED_ESCALATORS: user ids and user-group ids work, anything else stops start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.slack.settings import SlackSettings


def test_users_and_groups_are_told_apart() -> None:
    settings = SlackSettings.model_validate({"SLACK_ALLOWED_ESCALATORS": "U0ANA, W0BO,S0LEADS"})
    assert settings.allowed_users == {"U0ANA", "W0BO"}
    assert settings.allowed_groups == {"S0LEADS"}
    assert settings.restricts_people
    assert not SlackSettings.model_validate({}).restricts_people


@pytest.mark.parametrize("given", ["ana@example.com", "@leads", "u0ana", "C0CHANNEL", "U0ANA,bo"])
def test_anything_but_ids_is_refused_at_start_up(given: str) -> None:
    with pytest.raises(ValidationError, match="neither a Slack user id"):
        SlackSettings.model_validate({"SLACK_ALLOWED_ESCALATORS": given})
