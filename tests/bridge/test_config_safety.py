"""Configuration foot-guns refused at start-up, with a message naming the variable and never the
secret: credentials inside base URLs, plain http:// beyond loopback, short webhook secrets."""

from __future__ import annotations

import pytest

from bridge.config import ConfigError, Settings

PASSWORD = "hunter2-not-for-logs"
SHORT = "fifteen-chars!!"  # 15

REFUSED = [
    ("ZENDESK_URL", f"https://bot:{PASSWORD}@acme.zendesk.com", "user name or password"),
    ("FRESHDESK_URL", f"http://agent:{PASSWORD}@127.0.0.1:8002", "user name or password"),
    ("SLACK_API_URL", f"https://{PASSWORD}@slack.com/api/", "user name or password"),
    ("PAGERDUTY_EVENTS_URL", f"https://:{PASSWORD}@events.pagerduty.com", "user name or password"),
    ("STATUSPAGE_API_URL", f"https://u:{PASSWORD}@api.statuspage.io/v1", "user name or password"),
    ("BRIDGE_PUBLIC_URL", f"https://u:{PASSWORD}@bridge.example.com", "user name or password"),
    ("TEAMS_WEBHOOK_URL", f"https://u:{PASSWORD}@x.logic.azure.com/w", "user name or password"),
    ("ZENDESK_URL", "http://zendesk-proxy.internal:8080", "https://"),
    ("SLACK_API_URL", "http://slack.com/api/", "https://"),
    ("PAGERDUTY_EVENTS_URL", "http://10.0.0.5", "https://"),
    ("BRIDGE_PUBLIC_URL", "http://bridge.example.com", "https://"),
    ("TEAMS_WEBHOOK_URL", "http://x.logic.azure.com/workflows/1", "https://"),
    ("ZENDESK_URL", "http://127.0.0.1.evil.example", "https://"),
    ("ZENDESK_URL", "https://acme.zendesk.com:99999", "port"),
    ("ZENDESK_WEBHOOK_SECRET", SHORT, "at least 16 characters"),
    ("FRESHDESK_WEBHOOK_SECRET", SHORT, "at least 16 characters"),
    ("SLACK_SIGNING_SECRET", SHORT, "at least 16 characters"),
    ("PAGERDUTY_WEBHOOK_SECRET", SHORT, "at least 16 characters"),
    ("TEAMS_LINK_SECRET", SHORT, "at least 16 characters"),
]


@pytest.mark.parametrize(
    ("name", "value", "problem"), REFUSED, ids=[r[0] + ":" + r[2] for r in REFUSED]
)
def test_refused_at_start_with_the_variable_named_and_no_secret_shown(
    name: str, value: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    message = str(caught.value)
    assert f"{name}: " in message and problem in message, message
    assert PASSWORD not in message and SHORT not in message


ACCEPTED = [
    ("ZENDESK_URL", "http://127.0.0.1:8001"),
    ("ZENDESK_URL", "http://127.8.9.10:8001/"),
    ("ZENDESK_URL", "http://localhost:8001"),
    ("ZENDESK_URL", "http://[::1]:8001"),
    ("ZENDESK_URL", "https://zendesk-proxy.internal:8443"),
    ("SLACK_API_URL", "https://slack.com/api/"),
    ("BRIDGE_PUBLIC_URL", "http://127.0.0.1:8000"),
    ("ZENDESK_WEBHOOK_SECRET", "sixteen-chars-ok"),
    ("TEAMS_LINK_SECRET", "x" * 64),
]


@pytest.mark.parametrize(("name", "value"), ACCEPTED)
def test_loopback_http_and_long_enough_secrets_are_accepted(name: str, value: str) -> None:
    Settings.from_env({name: value})
