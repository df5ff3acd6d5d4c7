"""Opsgenie's variables: the key enables it, the policy's further keys are read by name, the
EU or a stand-in's URL replaces the US one, and no key is ever shown."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.opsgenie.settings import EU_API_URL, US_API_URL, OpsgenieSettings

KEY = "5e81c312-2f6f-4f49-ad4b-56e9627325bd"


def test_the_key_enables_it_and_further_keys_are_read_by_variable() -> None:
    settings = OpsgenieSettings.from_env(
        {"OPSGENIE_API_KEY": KEY, "OPSGENIE_KEY_PAYMENTS": "payments-key", "OTHER": "x"}
    )
    assert settings.enabled and settings.api_url == US_API_URL
    assert settings.api_key_for("OPSGENIE_API_KEY") == KEY
    assert settings.api_key_for("OPSGENIE_KEY_PAYMENTS") == "payments-key"
    assert settings.api_key_for("OTHER") is None
    assert settings.inbound_secret is None  # no secret: the endpoint answers 404
    assert sorted(settings.secret_values()) == sorted([KEY, "payments-key"])
    assert KEY not in settings.describe() and "payments-key" not in settings.describe()


def test_eu_accounts_and_stand_ins_set_the_url() -> None:
    eu = OpsgenieSettings.from_env({"OPSGENIE_API_KEY": KEY, "OPSGENIE_API_URL": EU_API_URL + "/"})
    assert eu.api_url == EU_API_URL
    assert eu.describe() == f"Opsgenie: configured ({EU_API_URL})"
    with pytest.raises(ValidationError, match="OPSGENIE_API_URL"):
        OpsgenieSettings.from_env({"OPSGENIE_API_KEY": KEY, "OPSGENIE_API_URL": "api.opsgenie.com"})


def test_without_a_key_it_is_off() -> None:
    settings = OpsgenieSettings.from_env({"OPSGENIE_WEBHOOK_SECRET": "s"})
    assert not settings.enabled and settings.describe() == "Opsgenie: off"
