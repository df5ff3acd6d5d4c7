"""Help Scout's settings: both halves of the app or none, and a webhook secret Help Scout takes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.helpscout.settings import HelpScoutSettings


def test_off_without_the_app_and_partial_configuration_is_refused() -> None:
    assert not HelpScoutSettings.from_env({}).enabled
    with pytest.raises(ValidationError, match="HELPSCOUT_APP_SECRET"):
        HelpScoutSettings.from_env({"HELPSCOUT_APP_ID": "app"})


def test_the_webhook_secret_is_16_to_40_characters() -> None:
    app = {"HELPSCOUT_APP_ID": "app", "HELPSCOUT_APP_SECRET": "secret"}
    with pytest.raises(ValidationError, match="at most 40"):
        HelpScoutSettings.from_env({**app, "HELPSCOUT_WEBHOOK_SECRET": "s" * 41})
    with pytest.raises(ValidationError, match="at least 16"):
        HelpScoutSettings.from_env({**app, "HELPSCOUT_WEBHOOK_SECRET": "short"})
    settings = HelpScoutSettings.from_env({**app, "HELPSCOUT_WEBHOOK_SECRET": "s" * 40})
    assert settings.inbound_secret is not None


def test_the_default_api_and_web_addresses_and_a_sandbox_override() -> None:
    app = {"HELPSCOUT_APP_ID": "app", "HELPSCOUT_APP_SECRET": "secret"}
    default = HelpScoutSettings.from_env(app)
    assert (default.base_url, default.web_url) == (
        "https://api.helpscout.net",
        "https://secure.helpscout.net",
    )
    local = HelpScoutSettings.from_env({**app, "HELPSCOUT_URL": "http://127.0.0.1:8010/"})
    assert local.base_url == local.web_url == "http://127.0.0.1:8010"
