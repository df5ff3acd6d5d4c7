"""Small builders for tickets and states used across the policy tests."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from bridge.policy_files import load_policy
from policies import Policy
from policies.model import (
    AuthorRole,
    Comment,
    CommentSignals,
    EscalationState,
    Priority,
    Source,
    Status,
    Ticket,
)

UTC = dt.UTC
# A Monday, 10:00 UTC: inside default business hours.
MON = dt.datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
D = dt.timedelta(days=1)


@cache
def default_policy() -> Policy:
    return load_policy()


def ticket(
    priority: Priority | None = Priority.URGENT,
    created: dt.datetime = MON,
    status: Status = Status.OPEN,
    **kw: Any,
) -> Ticket:
    kw.setdefault("updated_at", created)
    return Ticket(
        source=Source.ZENDESK,
        id=kw.pop("id", "42"),
        url="https://example.zendesk.com/agent/tickets/42",
        subject=kw.pop("subject", "Cannot log in"),
        status=status,
        priority=priority,
        created_at=created,
        **kw,
    )


def comment(
    at: dt.datetime,
    role: AuthorRole = AuthorRole.CUSTOMER,
    public: bool = True,
    sentiment: float | None = 0.0,
    phrases: frozenset[str] = frozenset(),
    body: str = "",
    cid: str | None = None,
) -> Comment:
    return Comment(
        id=cid or f"c{int(at.timestamp())}{role.value}",
        author_role=role,
        public=public,
        created_at=at,
        body=body,
        signals=CommentSignals(sentiment if role is AuthorRole.CUSTOMER else None, phrases),
    )


def agent_reply(at: dt.datetime) -> Comment:
    return comment(at, AuthorRole.AGENT)


STATE = EscalationState()


def policy_with(**changes: Any) -> Policy:
    """The default policy with top-level keys replaced (``None`` removes a key)."""
    import yaml

    from bridge.policy_files import DEFAULT_POLICY_PATH
    from policies import parse_policy

    data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return parse_policy(yaml.safe_dump(data), "test.yaml")


@cache
def clock_only_policy() -> Policy:
    """The default matrix and clocks without triggers, warnings or targets getting in the way."""
    return policy_with(triggers=[], warnings=[], targets={"first_response": None, "rca": None})
