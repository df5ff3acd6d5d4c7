"""The web-security settings: secrets long enough, lists parsed, mistakes named at start-up."""

from __future__ import annotations

import pytest

from bridge.config import ConfigError, Settings

SHORT = "admin-token-0123456789"  # 22 characters: guessable offline from a cookie, and online


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"BRIDGE_ADMIN_TOKEN": SHORT}, "BRIDGE_ADMIN_TOKEN: Value error, must be at least 32"),
        ({"BRIDGE_SECRET_KEY": SHORT}, "BRIDGE_SECRET_KEY: Value error, must be at least 32"),
        ({"BRIDGE_METRICS_TOKEN": SHORT}, "BRIDGE_METRICS_TOKEN: Value error, must be at least"),
        ({"BRIDGE_METRICS_ALLOW": "10.0.0.0/8,intranet"}, "'intranet' is not an address"),
        ({"BRIDGE_SESSION_HOURS": "0"}, "BRIDGE_SESSION_HOURS: Value error, must be a positive"),
        ({"BRIDGE_INBOX_RETENTION_DAYS": "-1"}, "BRIDGE_INBOX_RETENTION_DAYS"),
        ({"BRIDGE_DASHBOARD_OPEN": "perhaps"}, "BRIDGE_DASHBOARD_OPEN"),
    ],
)
def test_bad_security_settings_stop_the_start(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(environ)
    assert message in str(error.value)
    assert SHORT not in str(error.value)


def test_defaults_and_lists() -> None:
    settings = Settings.from_env({})
    assert settings.trusted_hosts == ("localhost", "127.0.0.1", "::1")
    assert (settings.session_hours, settings.inbox_retention_days) == (12.0, 7.0)
    assert settings.dashboard_open is False and settings.metrics_allow == ()
    custom = Settings.from_env(
        {
            "BRIDGE_TRUSTED_HOSTS": "Bridge.LAN, [::1]",
            "BRIDGE_METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1",
            "BRIDGE_DASHBOARD_OPEN": "1",
        }
    )
    assert custom.trusted_hosts == ("bridge.lan", "::1")
    assert custom.metrics_allow == ("10.0.0.0/8", "127.0.0.1")
    assert custom.dashboard_open is True
