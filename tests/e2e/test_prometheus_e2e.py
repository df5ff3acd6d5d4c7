"""/metrics, served by the web app, shows what the worker knows: its help-desk budgets."""

from __future__ import annotations

import requests

from bridge.web.prometheus import CACHE_SECONDS
from tests.e2e.conftest import Bridge


def test_worker_budgets_reach_the_metrics_endpoint(bridge: Bridge) -> None:
    before = requests.get(f"{bridge.url}/metrics", timeout=10).text
    assert "bridge_helpdesk_api_budget_remaining" not in before
    bridge.jobs.sync()
    bridge.clock.advance(seconds=CACHE_SECONDS)  # past the cached answer
    text = requests.get(f"{bridge.url}/metrics", timeout=10).text
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("bridge_helpdesk_api_budget_remaining{")
    ]
    budgets = {line.split("{")[1].split("}")[0]: float(line.rsplit(" ", 1)[1]) for line in lines}
    # The bridge takes half of each plan: at most 200 a minute here for Zendesk, Freshdesk and
    # Help Scout (of its 400), 5,000 of Intercom's 10,000, 50,000 of Salesforce's 100,000 a day.
    ceilings = {
        'desk="freshdesk"': 200,
        'desk="helpscout"': 200,
        'desk="intercom"': 5000,
        'desk="salesforce"': 50_000,
        'desk="zendesk"': 200,
    }
    assert sorted(budgets) == sorted(ceilings)
    assert all(0 < budgets[desk] <= ceiling for desk, ceiling in ceilings.items())
