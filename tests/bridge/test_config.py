from __future__ import annotations

from pathlib import Path

import pytest

from bridge.config import ConfigError, Settings
from connectors.pagerduty import PagerDutySettings
from connectors.slack import SlackSettings
from connectors.zendesk import ZendeskSettings

SECRET = "zd-api-token-0123456789"


def test_empty_environment_starts_with_everything_off() -> None:
    settings = Settings.from_env({})
    assert settings.describe() == [
        "Zendesk: off",
        "Freshdesk: off",
        "Intercom: off",
        "Help Scout: off",
        "Salesforce: off",
        "Slack: off",
        "Microsoft Teams: off",
        "PagerDuty: off",
        "Opsgenie: off",
        "Statuspage: off",
        "ClickUp: off",
    ]
    assert settings.provider(SlackSettings).api_url == "https://slack.com/api/"
    assert settings.provider(PagerDutySettings).events_url == "https://events.pagerduty.com"


def test_configured_integrations_are_described_without_secrets() -> None:
    settings = Settings.from_env(
        {
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_EMAIL": "bot@acme.test",
            "ZENDESK_API_TOKEN": SECRET,
            "SLACK_BOT_TOKEN": "xoxb-secret-value",
            "SLACK_CHANNEL": "#escalations",
            "ZENDESK_URL": "http://127.0.0.1:8001/",
        }
    )
    assert settings.describe()[0] == "Zendesk: configured (http://127.0.0.1:8001)"
    assert "Slack: configured (#escalations)" in settings.describe()
    assert settings.provider(ZendeskSettings).base_url == "http://127.0.0.1:8001"
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert "xoxb-secret-value" not in repr(settings)
    assert set(settings.secret_values()) == {SECRET, "xoxb-secret-value"}


def test_blank_values_count_as_unset() -> None:
    assert Settings.from_env({"SLACK_BOT_TOKEN": "  "}).enabled("slack") is False


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ZENDESK_URL": "ftp://x"}, "ZENDESK_URL: Value error, must be an http"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL: Value error, is not a SQLAlchemy"),
        ({"DATABASE_URL": "mysql://x/y"}, "only sqlite and postgresql"),
        (
            {
                "ZENDESK_SUBDOMAIN": "acme.zendesk.com",
                "ZENDESK_EMAIL": "a@b",
                "ZENDESK_API_TOKEN": "t",
            },
            "ZENDESK_SUBDOMAIN: Value error, must be the bare",
        ),
        (
            {"ZENDESK_EMAIL": "a@b", "ZENDESK_API_TOKEN": SECRET},
            "Zendesk API is partly configured: set ZENDESK_SUBDOMAIN",
        ),
        ({"FRESHDESK_DOMAIN": "acme"}, "Freshdesk API is partly configured: set FRESHDESK_API_KEY"),
        ({"BRIDGE_LOG_FORMAT": "xml"}, "BRIDGE_LOG_FORMAT"),
        ({"BRIDGE_SWEEP_SECONDS": "0"}, "BRIDGE_SWEEP_SECONDS: Value error, must be a positive"),
        ({"BRIDGE_SYNC_SECONDS": "soon"}, "BRIDGE_SYNC_SECONDS"),
    ],
)
def test_bad_configuration_names_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(environ)
    assert message in str(error.value)
    assert SECRET not in str(error.value)


def test_template_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="BRIDGE_TEMPLATES: Value error, is not a folder"):
        Settings.from_env({"BRIDGE_TEMPLATES": "/nonexistent/templates"})
    assert Settings.from_env({"BRIDGE_TEMPLATES": str(tmp_path)}).templates_dir == str(tmp_path)
