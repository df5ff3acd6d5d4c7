"""Freshdesk's per-minute API limits: the account's total and the endpoint classes with a limit
of their own, by plan, and how the bridge keeps to its share of them.

Limits per plan (calls per minute): https://support.freshdesk.com/support/solutions/articles/225439
(modified 14 March 2024). Growth's Tickets List is 20 a minute: a sync that lists five pages
in a burst would spend a quarter of it. Every response also carries ``X-RateLimit-Total``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Used-CurrentRequest``
(https://developers.freshdesk.com/api/#ratelimit); other integrations share the account, so the
bridge never spends more than its share of what Freshdesk says is left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from connectors.ratelimit import TokenBucket, plan_budget


class EndpointClass(StrEnum):
    TICKETS_LIST = "tickets list"
    TICKET_CREATE = "ticket create"
    TICKET_UPDATE = "ticket update"
    CONTACTS_LIST = "contacts list"


@dataclass(frozen=True)
class Plan:
    total: int
    endpoints: Mapping[EndpointClass, int]


def _plan(total: int, create: int, update: int, tickets: int, contacts: int) -> Plan:
    return Plan(
        total,
        {
            EndpointClass.TICKET_CREATE: create,
            EndpointClass.TICKET_UPDATE: update,
            EndpointClass.TICKETS_LIST: tickets,
            EndpointClass.CONTACTS_LIST: contacts,
        },
    )


PLANS: dict[str, Plan] = {
    "growth": _plan(200, 80, 80, 20, 20),
    "pro": _plan(400, 160, 160, 100, 100),
    "enterprise": _plan(700, 280, 280, 200, 200),
    # "Trial accounts: 50/min"; the article names no endpoint limits for trials, so the total
    # bounds every class.
    "trial": _plan(50, 50, 50, 50, 50),
}

_TICKET = re.compile(r".*/api/v2/tickets/\d+")


def endpoint_class(method: str, path: str) -> EndpointClass | None:
    """The limited endpoint class a request counts against, if any."""
    path = path.rstrip("/")
    if path.endswith("/api/v2/tickets"):
        return EndpointClass.TICKETS_LIST if method == "GET" else EndpointClass.TICKET_CREATE
    if method == "PUT" and _TICKET.fullmatch(path):
        return EndpointClass.TICKET_UPDATE
    if method == "GET" and path.endswith("/api/v2/contacts"):
        return EndpointClass.CONTACTS_LIST
    return None


def class_buckets(
    plan: Plan, share: float, clock: Callable[[], float]
) -> Callable[[str, str], TokenBucket | None]:
    """The bridge's bucket for each limited class of ``plan``, chosen per request."""
    buckets = {
        kind: TokenBucket(plan_budget(limit, share), clock=clock, name=f"freshdesk {kind.value}")
        for kind, limit in plan.endpoints.items()
    }

    def bucket(method: str, path: str) -> TokenBucket | None:
        kind = endpoint_class(method, path)
        return buckets.get(kind) if kind else None

    return bucket
