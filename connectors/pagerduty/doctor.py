"""``bridge doctor`` for PagerDuty: every routing key the policy names is set and looks like an
integration key; with ``--send-test``, a test alert is triggered and resolved through each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from connectors.base import Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.pagerduty.notifier import PagerDutyNotifier

# Events API v2 integration keys are 32 characters ("routing_key ... 32 character").
ROUTING_KEY = re.compile(r"[A-Za-z0-9]{32}")
TEST_DEDUP_KEY = "escalation-bridge:doctor-test"


def diagnose(
    notifier: PagerDutyNotifier, needs: PolicyNeeds, *, send_test: bool
) -> Iterator[Check]:
    events = notifier.events
    for variable in sorted(needs.routing_keys | {"PAGERDUTY_ROUTING_KEY"}):
        key = events.routing_key(variable)
        label = f"pagerduty: {variable}"
        if not key:
            yield Check(
                label, CheckStatus.FAIL, "not set", f"set {variable} to the integration key"
            )
            continue
        if not ROUTING_KEY.fullmatch(key):
            yield Check(
                label,
                CheckStatus.FAIL,
                f"{len(key)} characters, not a 32-character integration key",
                "copy the Integration Key of the service's Events API v2 integration",
            )
            continue
        if not send_test:
            yield Check(label, CheckStatus.OK, "set, 32 characters")
            continue
        try:
            events.trigger(variable, test_event())
            events.resolve(variable, TEST_DEDUP_KEY)
            yield Check(label, CheckStatus.OK, "test alert triggered and resolved")
        except ConnectorError as exc:
            yield Check(
                label,
                CheckStatus.FAIL,
                f"test alert failed: {exc}",
                "check the key and the service",
            )


def test_event() -> dict[str, Any]:
    return {
        "event_action": "trigger",
        "dedup_key": TEST_DEDUP_KEY,
        "payload": {
            "summary": "Escalation bridge test alert (bridge doctor --send-test); resolved at once",
            "source": "escalation-bridge",
            "severity": "info",
        },
        "client": "Escalation bridge",
    }
