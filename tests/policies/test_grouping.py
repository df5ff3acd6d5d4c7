"""Outage storms: which group a ticket joins (``policies.grouping``), table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from policies import PolicyError, parse_policy
from policies.grouping import (
    GroupingRules,
    OpenGroup,
    group_key,
    jaccard,
    join,
    members_needed,
    next_signal,
    words,
)
from policies.model import Severity
from policies.render_doc import render_markdown
from tests.policies.factory import MON, ticket

NOW = MON.timestamp()
MINUTE = 60.0

GROUPING = """
grouping:
  group_wait: 10s
  group_interval: 1m
  close_after: 1h
  severities: [Critical, High]
  group_by:
    - problem
    - tag: outage
    - field: Component
    - similar_subject: {window: 30m, threshold: 0.5}
"""


def _rules(extra: str = GROUPING) -> GroupingRules:
    with open("policies/default.yaml", encoding="utf-8") as handle:
        policy = parse_policy(handle.read() + extra)
    assert policy.compiled.grouping is not None
    return policy.compiled.grouping


RULES = _rules()
TAG_GROUP = OpenGroup(
    key=group_key("tag:outage", NOW - 5 * MINUTE),
    basis="tag:outage",
    opened_at=NOW - 5 * MINUTE,
    last_joined_at=NOW - MINUTE,
    words=words("API down in EU"),
)
PROBLEM_GROUP = OpenGroup(
    key=group_key("problem:zendesk:7", NOW - MINUTE),
    basis="problem:zendesk:7",
    opened_at=NOW - MINUTE,
    last_joined_at=NOW - MINUTE,
)


@pytest.mark.parametrize(
    ("fields", "groups", "basis", "new", "why"),
    [
        # The desk's own link wins over the tag: problem is listed first.
        (
            {"problem_id": "7", "tags": frozenset({"outage"})},
            [TAG_GROUP, PROBLEM_GROUP],
            "problem:zendesk:7",
            False,
            "linked to problem ticket #7",
        ),
        ({"ticket_type": "problem", "id": "9"}, [], "problem:zendesk:9", True, "is the problem"),
        ({"tags": frozenset({"outage"})}, [TAG_GROUP], "tag:outage", False, "tagged outage"),
        ({"tags": frozenset({"outage"})}, [], "tag:outage", True, "tagged outage"),
        (
            {"custom_fields": {"component": ["API", "Login"]}, "subject": "x"},
            [],
            "field:component=api,login",
            True,
            "field component is api,login",
        ),
        # No tag, no field: an alike subject joins the open tag group (any group's subject).
        ({"subject": "API is down in EU?"}, [TAG_GROUP], "tag:outage", False, "similar"),
        # Too different: founds its own subject group.
        ({"subject": "Invoice PDF wrong", "id": "5"}, [TAG_GROUP], "subject:zendesk:5", True, ""),
    ],
)
def test_the_first_entry_that_fits_decides(
    fields: dict[str, Any], groups: list[OpenGroup], basis: str, new: bool, why: str
) -> None:
    joined = join(RULES, ticket(**fields), Severity.CRITICAL, groups, NOW)
    assert joined is not None
    assert (joined.basis, joined.new) == (basis, new)
    assert why in joined.why
    if not new:
        assert joined.key in {g.key for g in groups}


def test_a_group_over_is_not_joined_again() -> None:
    old = OpenGroup("storm:tag:outage@old", "tag:outage", NOW - 3 * 3600, NOW - 2 * 3600)
    joined = join(RULES, ticket(tags=frozenset({"outage"})), Severity.CRITICAL, [old], NOW)
    assert joined is not None and joined.new and joined.key != old.key


def test_similar_subjects_only_within_the_window() -> None:
    stale = OpenGroup(
        "storm:subject:x",
        "subject:zendesk:1",
        NOW - 3600,
        NOW - 45 * MINUTE,
        words("Checkout fails with error 502"),
    )
    t = ticket(subject="checkout fails: error 502")
    joined = join(RULES, t, Severity.HIGH, [stale], NOW)
    assert joined is not None and joined.new
    fresh = OpenGroup(stale.key, stale.basis, NOW - 3600, NOW - 5 * MINUTE, stale.words)
    joined = join(RULES, t, Severity.HIGH, [fresh], NOW)
    assert joined is not None and joined.key == fresh.key
    assert joined.inputs["similarity"] == 1.0


def test_severities_outside_the_grouping_stay_alone() -> None:
    t = ticket(tags=frozenset({"outage"}))
    assert join(RULES, t, Severity.MEDIUM, [TAG_GROUP], NOW) is None


def test_nothing_fits() -> None:
    rules = _rules("grouping:\n  group_by: [{tag: outage}]\n")
    assert join(rules, ticket(subject="API down"), Severity.CRITICAL, [], NOW) is None


@pytest.mark.parametrize(
    ("a", "b", "score"),
    [
        ("API down in EU", "api DOWN in eu!!", 1.0),
        ("API down", "API down in EU", 2 / 3),  # "in" is a stop word
        ("Please help, urgent", "Still an issue", 0.0),  # nothing but stop words
        ("Login page 500", "Invoice wrong", 0.0),
    ],
)
def test_token_set_jaccard(a: str, b: str, score: float) -> None:
    assert jaccard(words(a), words(b)) == pytest.approx(score)


def test_keys_are_valid_dedup_keys_and_differ_per_outage() -> None:
    long = group_key("tag:" + "x" * 500, NOW)
    assert len(long) < 255 and long.startswith("storm:tag:sha256:")
    assert group_key("tag:outage", NOW) != group_key("tag:outage", NOW + 3600)


@pytest.mark.parametrize(
    ("signalled", "due"),
    [
        (None, NOW + 10),  # group_wait after opening
        (NOW + 10, NOW + 70),  # group_interval after the last signal
    ],
)
def test_when_a_group_speaks(signalled: float | None, due: float) -> None:
    assert next_signal(RULES, NOW, signalled) == due


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grouping:\n  group_by: []\n", "at least 1"),
        ("grouping:\n  group_by: [bogus]\n", "problem"),
        ("grouping:\n  channel: nowhere\n  group_by: [problem]\n", "unknown channel"),
        ("grouping:\n  group_by: [{similar_subject: {threshold: 2}}]\n", "less than or equal"),
    ],
)
def test_bad_grouping_sections(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as error:
        _rules(text)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("basis", "needed"),
    [("problem:zendesk:7", 1), ("tag:outage", 1), ("field:component=api", 1), ("subject:z:1", 2)],
)
def test_a_subject_alone_is_not_a_storm(basis: str, needed: int) -> None:
    assert members_needed(basis) == needed


def test_the_process_document_describes_the_grouping() -> None:
    with open("policies/default.yaml", encoding="utf-8") as handle:
        policy = parse_policy(handle.read() + GROUPING)
    [text] = [line for line in render_markdown(policy).splitlines() if "Outage storms" in line]
    assert "(Critical, High)" in text and "the tag outage" in text and "the same Component" in text
    assert "Jaccard ≥ 0.5 within 30 min" in text and "at most every 1 min" in text
