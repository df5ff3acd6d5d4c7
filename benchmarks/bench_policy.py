"""Policy evaluation throughput on one core with the default policy.

Builds a realistic mix of 100k tickets (pre-annotated signals, so this measures ``evaluate``).
By default each ticket carries the state of an earlier evaluation (as in the running bridge);
``--fresh`` evaluates with no recorded decisions, so every due decision is built.
The last line printed is JSON with ``evals_per_second``.

    python benchmarks/bench_policy.py [--tickets N] [--seed S] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import time

from bridge.policy_files import load_policy
from policies import apply_decisions, evaluate
from policies.model import (
    AuthorRole,
    Comment,
    CommentSignals,
    EscalationState,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    Ticket,
    Tier,
)

NOW = dt.datetime(2025, 3, 5, 14, 30, tzinfo=dt.UTC)
PRIORITIES = (
    [Priority.URGENT] * 5
    + [Priority.HIGH] * 20
    + [Priority.NORMAL] * 50
    + [Priority.LOW] * 20
    + [None] * 5
)
STATUSES = (
    [Status.OPEN] * 55
    + [Status.NEW] * 10
    + [Status.PENDING] * 10
    + [Status.HOLD] * 5
    + [Status.SOLVED] * 20
)
TAGS = (
    [frozenset()] * 80
    + [frozenset({"bug"}), frozenset({"api"}), frozenset({"billing"})] * 5
    + [frozenset({"escalate"})] * 5
)
VIP = Party("org-vip", "Big Co", tags=frozenset({"vip"}))
PLAIN = Party("org-1", "Small Co")


def make_ticket(rng: random.Random, i: int) -> tuple[Ticket, EscalationState]:
    age = rng.randint(60, 5 * 86400)
    created = NOW - dt.timedelta(seconds=age)
    comments = []
    for j in range(rng.randint(0, 8)):
        at = created + dt.timedelta(seconds=rng.randint(0, age))
        customer = rng.random() < 0.5
        phrases: frozenset[str] = frozenset()
        if customer and rng.random() < 0.03:
            phrases = frozenset({rng.choice(["escalation_request", "legal"])})
        comments.append(
            Comment(
                id=f"{i}-{j}",
                author_role=AuthorRole.CUSTOMER if customer else AuthorRole.AGENT,
                public=customer or rng.random() < 0.8,
                created_at=at,
                body="",
                signals=CommentSignals(
                    sentiment=rng.uniform(-0.7, 0.8) if customer else None, phrases=phrases
                ),
            )
        )
    comments.sort(key=lambda c: c.created_at)
    updated = max([created, *(c.created_at for c in comments)])
    ticket = Ticket(
        source=Source.ZENDESK if i % 2 else Source.FRESHDESK,
        id=str(i),
        url=f"https://example.zendesk.com/agent/tickets/{i}",
        subject="Problem with the export",
        status=rng.choice(STATUSES),
        priority=rng.choice(PRIORITIES),
        created_at=created,
        updated_at=updated,
        organization=VIP if rng.random() < 0.05 else PLAIN,
        tags=rng.choice(TAGS),
        custom_fields={"category": rng.choice(["billing", "warranty", "integration", "other"])},
        comments=tuple(comments),
        satisfaction=Satisfaction(score=rng.randint(1, 5)) if rng.random() < 0.1 else None,
        group_changes=rng.choice([0, 0, 0, 1, 2, 3]),
    )
    if rng.random() < 0.4:
        return ticket, EscalationState()
    tier = rng.choice([Tier.L1, Tier.L1, Tier.L2, Tier.L3])
    since = created + dt.timedelta(seconds=rng.randint(0, age))
    fired = {f"{ticket.source.value}:{i}:management:L4:notify": since} if rng.random() < 0.5 else {}
    return ticket, EscalationState(tier=tier, tier_since=since, fired=fired)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fresh",
        dest="steady",
        action="store_false",
        help="no recorded decisions (every due decision is built); default: steady state",
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    policy = load_policy()
    rng = random.Random(args.seed)
    cases = [make_ticket(rng, i) for i in range(args.tickets)]
    if args.steady:
        # What the bridge sees: each ticket was evaluated before and its decisions recorded.
        settled = []
        for ticket, state in cases:
            earlier = NOW - dt.timedelta(seconds=rng.randint(0, 3600))
            earlier = max(earlier, ticket.updated_at)
            settled.append(
                (ticket, apply_decisions(state, evaluate(ticket, state, policy, earlier), earlier))
            )
        cases = settled
    for ticket, state in cases[:2000]:  # warm caches (business-day intervals, holidays)
        evaluate(ticket, state, policy, NOW)
    decisions = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for ticket, state in cases:
        decisions += len(evaluate(ticket, state, policy, NOW).decisions)
    elapsed = time.perf_counter() - start
    # On a shared machine the wall clock counts the time other processes held the core; the
    # process's CPU time is what this process spent.
    cpu = time.process_time() - cpu_start
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), model
            )
    except OSError:
        pass
    result = {
        "benchmark": "policy_evaluate",
        "tickets": args.tickets,
        "mix": "steady" if args.steady else "fresh",
        "seconds": round(elapsed, 3),
        "evals_per_second": round(args.tickets / elapsed),
        "us_per_eval": round(elapsed / args.tickets * 1e6, 2),
        "cpu_seconds": round(cpu, 3),
        "evals_per_cpu_second": round(args.tickets / cpu),
        "decisions": decisions,
        "python": platform.python_version(),
        "cpu": model,
        "nproc": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
