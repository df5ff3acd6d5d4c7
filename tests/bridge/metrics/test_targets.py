"""``targets_for``: the policy's ``metrics:`` section, with the schema's defaults."""

from __future__ import annotations

import pytest

from bridge.metrics import DEFAULT_TARGETS, Targets, targets_for
from bridge.policy_files import DEFAULT_POLICY_PATH
from policies import parse_policy

SHIPPED = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def with_metrics(section: str) -> str:
    head, _, _ = SHIPPED.partition("\nmetrics:")
    return head + "\n" + section


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("", DEFAULT_TARGETS),
        ("metrics: {escalation_rate_max: 0.2}", Targets(escalation_rate_max=0.2)),
        (
            "metrics: {csat_min: 4.5, time_to_escalate_max: 2h}",
            Targets(csat_min=4.5, time_to_escalate_max=7200),
        ),
        ("metrics: {repeat_max: 0.05}", Targets(repeat_max=0.05)),
    ],
)
def test_targets_for(section: str, expected: Targets) -> None:
    assert targets_for(parse_policy(with_metrics(section))) == expected


def test_the_shipped_policy_states_the_default_targets() -> None:
    assert targets_for(parse_policy(SHIPPED)) == DEFAULT_TARGETS


def test_defaults_are_the_issue_targets() -> None:
    assert (DEFAULT_TARGETS.escalation_rate_max, DEFAULT_TARGETS.time_to_escalate_max) == (
        0.15,
        4 * 3600,
    )
    assert (DEFAULT_TARGETS.l2_resolution_min, DEFAULT_TARGETS.csat_min) == (0.8, 4.0)
    assert DEFAULT_TARGETS.repeat_max == 0.10
