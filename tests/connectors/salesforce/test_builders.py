"""What an update writes: the org's own values, only what differs."""

from __future__ import annotations

import pytest

from connectors.base import PermanentError
from connectors.salesforce.builders import case_changes, picklist_value
from connectors.salesforce.mapping import OrgTerms
from connectors.salesforce.settings import DEFAULT_PRIORITIES, DEFAULT_STATUSES, picklist_map
from policies.model import Priority, Status

TERMS = OrgTerms(
    statuses=picklist_map(DEFAULT_STATUSES, Status),
    priorities=picklist_map(DEFAULT_PRIORITIES, Priority),
)


def test_urgent_is_high_where_the_org_has_no_value_for_it() -> None:
    assert picklist_value(TERMS.priorities, Priority.URGENT) == "High"


def test_a_meaning_without_a_value_names_the_variable_to_set() -> None:
    with pytest.raises(PermanentError, match="SALESFORCE_STATUSES"):
        picklist_value(TERMS.statuses, Status.PENDING)


def test_only_what_differs_is_sent() -> None:
    case = {"OwnerId": "00G5e000001QueUEAS", "Priority": "High", "Status": "Escalated"}
    same = case_changes(
        case, TERMS, owner="00G5e000001QueU", priority=Priority.HIGH, status=Status.OPEN
    )
    assert same == {}  # the 15-character owner id, Escalated already means open
    moved = case_changes(case, TERMS, owner=None, priority=Priority.LOW, status=Status.HOLD)
    assert moved == {"Priority": "Low", "Status": "On Hold"}
