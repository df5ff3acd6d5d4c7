from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from bridge.policy_files import DEFAULT_POLICY_PATH
from bridge.worker.ownership import OWNERSHIP_GRACE, hand_over, ownership_gap, rca_written
from policies import parse_policy
from policies.model import AuthorRole, EscalationState, ManualRequest, Status, Tier
from tests.policies.factory import MON, M, comment, default_policy, ticket

AT_L2 = EscalationState(tier=Tier.L2, tier_since=MON)
KEY = "zendesk:42:ownership-gap:L2"


@pytest.mark.parametrize(
    ("name", "state", "changes", "now", "alert", "check_at"),
    [
        (
            "L1 has its frontline owner",
            EscalationState(tier=Tier.L1, tier_since=MON),
            {},
            MON + 60 * M,
            False,
            None,
        ),
        ("within the grace period", AT_L2, {}, MON + 5 * M, False, MON + OWNERSHIP_GRACE),
        ("grace over, nobody took it", AT_L2, {}, MON + OWNERSHIP_GRACE, True, None),
        ("assigned in the desk", AT_L2, {"assignee_id": "7"}, MON + 60 * M, False, None),
        ("solved", AT_L2, {"status": Status.SOLVED}, MON + 60 * M, False, None),
        (
            "already told",
            dataclasses.replace(AT_L2, fired={KEY: MON}),
            {},
            MON + 60 * M,
            False,
            None,
        ),
        (
            "taken in Slack",
            dataclasses.replace(AT_L2, manual=(ManualRequest("take_ownership", "ana", MON + M),)),
            {},
            MON + 60 * M,
            False,
            None,
        ),
        (
            "the previous tier's agent is still assigned",
            dataclasses.replace(AT_L2, handed_from="5"),
            {"assignee_id": "5"},
            MON + OWNERSHIP_GRACE,
            True,
            None,
        ),
        (
            "a new agent assigned after the hand-over",
            dataclasses.replace(AT_L2, handed_from="5"),
            {"assignee_id": "6"},
            MON + 60 * M,
            False,
            None,
        ),
        (
            "acknowledged in Slack",
            dataclasses.replace(AT_L2, manual=(ManualRequest("acknowledge", "ana", MON + M),)),
            {},
            MON + 60 * M,
            False,
            None,
        ),
        (
            "page acknowledged",
            dataclasses.replace(AT_L2, acknowledged_by="ana", acknowledged_at=MON + M),
            {},
            MON + 60 * M,
            False,
            None,
        ),
        (
            "back-dated tier time, escalated just now: the grace starts now",
            dataclasses.replace(
                AT_L2, tier_since=MON - 180 * M, fired={"zendesk:42:matrix:L2:escalate": MON}
            ),
            {},
            MON + 5 * M,
            False,
            MON + OWNERSHIP_GRACE,
        ),
        (
            "taken before it reached this tier",
            dataclasses.replace(AT_L2, manual=(ManualRequest("take_ownership", "ana", MON - M),)),
            {},
            MON + 60 * M,
            True,
            None,
        ),
    ],
)
def test_ownership_gap(
    name: str,
    state: EscalationState,
    changes: dict[str, object],
    now: datetime,
    alert: bool,
    check_at: datetime | None,
) -> None:
    gap = ownership_gap(dataclasses.replace(ticket(), **changes), state, now)
    assert (gap.alert, gap.check_at) == (alert, check_at)
    assert gap.key == f"zendesk:42:ownership-gap:{state.tier}"


def test_hand_over_remembers_the_previous_assignee() -> None:
    before = EscalationState(tier=Tier.L1)
    after = EscalationState(tier=Tier.L2, tier_since=MON)
    assert hand_over(before, after, ticket(assignee_id="5")).handed_from == "5"
    # No move up: nothing changes.
    assert hand_over(after, after, ticket(assignee_id="6")) == after


def test_hand_over_forgets_the_previous_assignee_once_they_are_gone() -> None:
    handed = EscalationState(tier=Tier.L2, tier_since=MON, handed_from="5")
    # Still assigned (the desk could not remove them): still not the new owner.
    assert hand_over(handed, handed, ticket(assignee_id="5")).handed_from == "5"
    # Removed at the hand-over: whoever takes it next owns it, the same agent included.
    gone = hand_over(handed, handed, ticket(assignee_id=None))
    assert gone.handed_from is None
    back = ticket(assignee_id="5")
    assert not ownership_gap(back, gone, MON + 60 * M).alert


def test_rca_recorded_by_an_agent_note_with_the_marker() -> None:
    note = comment(MON, role=AuthorRole.AGENT, public=False, body="[RCA] a config push")
    request = comment(MON, role=AuthorRole.BRIDGE, public=False, body="[RCA] requested")
    public = comment(MON, role=AuthorRole.AGENT, public=True, body="[RCA] told the customer")
    policy = default_policy()
    assert rca_written(ticket(comments=(note,)), policy)
    assert not rca_written(ticket(comments=(request, public)), policy)


def test_rca_recorded_by_the_policy_field() -> None:
    text = DEFAULT_POLICY_PATH.read_text().replace(
        "rca: {due_after: 48h}", "rca: {due_after: 48h, field: root_cause}"
    )
    policy = parse_policy(text, "team.yaml")
    assert rca_written(ticket(custom_fields={"root_cause": "expired certificate"}), policy)
    assert not rca_written(ticket(custom_fields={"root_cause": "  "}), policy)
    assert not rca_written(ticket(custom_fields={"root_cause": "x"}), default_policy())
