from __future__ import annotations

import pytest
from pydantic import ValidationError

from bridge.config import ConfigError, Settings
from connectors.teams.settings import TeamsSettings

LINK_SECRET = "teams-link-secret-0123"
URL = "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETSIG"


def test_webhook_urls_are_secrets_named_by_their_variables() -> None:
    settings = TeamsSettings.from_env(
        {"TEAMS_WEBHOOK_URL": URL, "TEAMS_OPS_URL": URL + "2", "TEAMS_LINK_SECRET": LINK_SECRET}
    )
    assert settings.webhook_url_for("TEAMS_WEBHOOK_URL") == URL
    assert settings.webhook_url_for("TEAMS_OPS_URL") == URL + "2"
    assert settings.webhook_url_for("TEAMS_OTHER") is None
    assert {URL, URL + "2", LINK_SECRET} <= set(settings.secret_values())
    assert "SECRETSIG" not in repr(settings) and "SECRETSIG" not in settings.describe()


def test_links_need_the_public_url_and_the_link_secret() -> None:
    assert not TeamsSettings.from_env({"TEAMS_WEBHOOK_URL": URL}).links
    full = {
        "TEAMS_WEBHOOK_URL": URL,
        "TEAMS_LINK_SECRET": LINK_SECRET,
        "BRIDGE_PUBLIC_URL": "https://b",
    }
    assert TeamsSettings.from_env(full).links


@pytest.mark.parametrize("bad", ["not a url", "ftp://x/y"])
def test_a_bad_webhook_url_stops_start_up_naming_the_variable_only(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TeamsSettings.from_env({"TEAMS_WEBHOOK_URL": bad})
    assert "TEAMS_WEBHOOK_URL" in str(raised.value)


def test_the_bridge_lists_teams_and_statuspage() -> None:
    settings = Settings.from_env(
        {"TEAMS_WEBHOOK_URL": URL, "STATUSPAGE_API_KEY": "k", "STATUSPAGE_PAGE_ID": "p"}
    )
    assert settings.enabled("teams") and settings.enabled("statuspage")
    with pytest.raises(ConfigError, match="STATUSPAGE_PAGE_ID"):
        Settings.from_env({"STATUSPAGE_API_KEY": "k"})
