"""``targets_for``: the policy's ``metrics:`` section over the defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bridge.metrics import DEFAULT_TARGETS, Targets, targets_for
from policies import load_policy


class _Section:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (None, DEFAULT_TARGETS),
        ({"escalation_rate_max": 0.2}, Targets(escalation_rate_max=0.2)),
        ({"csat_min": 4.5, "unknown": 1}, Targets(csat_min=4.5)),
        (_Section(repeat_max=0.05, csat_min=None), Targets(repeat_max=0.05)),
    ],
)
def test_targets_for(section: object, expected: Targets) -> None:
    policy = load_policy(None)
    doc = _Section(metrics=section) if section is not None else policy.doc
    assert targets_for(dataclasses.replace(policy, doc=doc)) == expected  # type: ignore[arg-type]


def test_defaults_are_the_issue_targets() -> None:
    assert (DEFAULT_TARGETS.escalation_rate_max, DEFAULT_TARGETS.time_to_escalate_max) == (
        0.15,
        4 * 3600,
    )
    assert (DEFAULT_TARGETS.l2_resolution_min, DEFAULT_TARGETS.csat_min) == (0.8, 4.0)
    assert DEFAULT_TARGETS.repeat_max == 0.10
