"""Breach latency: the real worker against the sandbox world, tickets breaching on the real clock.

    python benchmarks/bench_breach.py [--tickets 200] [--lead 30] [--spread 30] [--page-every 10]
                                      [--timeout 90] [--database-url URL]

Starts the four SaaS stand-ins on loopback (PagerDuty over HTTPS with a throwaway CA), the bridge
web app on a free loopback port and the real worker (``build_worker(app)`` started, real clock,
APScheduler, exact wake-ups for the next breach) on a fresh SQLite database (or ``--database-url``,
which must point at an empty database). It creates N Critical (priority urgent) Zendesk tickets in
the past so that their deadlines fall at spread-out moments ``lead`` .. ``lead + spread`` seconds
from now, and delivers their signed webhooks. Most tickets breach the 15-minute L1 limit of the
default policy (created 15 min before their deadline: L1 -> L2, Slack post, hand-off note); every
``--page-every``-th ticket is created 75 min before its deadline, so it is already at L2 after the
intake and breaches L2 -> L3 at its deadline, which pages PagerDuty.

Per ticket it measures, from the deadline (the ticket's created_at in the help desk plus the
limit): the escalate decision's outbox rows' created_at (enqueued) and the escalate ``chat.post``
(and ``page.trigger``) rows' updated_at once done (sent). It checks that every ticket
escalated exactly once: one escalate Slack message, no ticket with two parent messages in a
channel, one PagerDuty incident per paged ticket. The final line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from werkzeug.serving import make_server

from bridge import create_app
from bridge.config import Settings
from bridge.store.tables import audit_log, outbox, tickets
from bridge.worker.scheduler import build_worker
from sandbox.scenario import ShiftableClock
from sandbox.world import ZENDESK_WEBHOOK_SECRET, SandboxWorld

L1_LIMIT = timedelta(minutes=15)  # policies/default.yaml, Critical: L1 15m
L3_AFTER = timedelta(minutes=75)  # Critical: L1 15m + L2 1h, counted from creation


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50_s": None, "p99_s": None, "max_s": None, "min_s": None}
    return {
        "count": len(values),
        "p50_s": round(percentile(values, 0.50), 3),
        "p99_s": round(percentile(values, 0.99), 3),
        "max_s": round(max(values), 3),
        "min_s": round(min(values), 3),
    }


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def create_tickets(
    world: SandboxWorld, clock: ShiftableClock, count: int, lead: float, spread: float, page: int
) -> dict[str, tuple[datetime, str]]:
    """ticket id -> (deadline, tier it breaches into). Created before the worker runs, so that
    no other request sees the clock shifted into the past."""
    start = datetime.now(UTC)
    plan: dict[str, tuple[datetime, str]] = {}
    for number in range(count):
        paged = page > 0 and number % page == page - 1
        limit = L3_AFTER if paged else L1_LIMIT
        target = start + timedelta(seconds=lead + spread * number / max(1, count - 1))
        back = (limit - (target - datetime.now(UTC))).total_seconds()
        with clock.ago(seconds=back):
            ticket = world.zendesk.create_ticket(
                f"Benchmark outage {number}: checkout is down", priority="urgent"
            )
        created = parse_iso(world.zendesk.tickets[ticket]["created_at"])
        plan[str(ticket)] = (created + limit, "L3" if paged else "L2")
    return plan


def deliver_webhooks(world: SandboxWorld, url: str, ids: list[str], threads: int) -> Counter[int]:
    def send(ticket_id: str) -> int:
        response = world.zendesk.deliver_webhook(
            f"{url}/webhooks/zendesk", {"ticket_id": ticket_id}, ZENDESK_WEBHOOK_SECRET
        )
        return response.status_code

    with ThreadPoolExecutor(threads) as pool:
        return Counter(pool.map(send, ids))


def outbox_rows(engine: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(
                    outbox.c.ticket_id,
                    outbox.c.idempotency_key,
                    outbox.c.action,
                    outbox.c.status,
                    outbox.c.created_at,
                    outbox.c.updated_at,
                ).where(outbox.c.source == "zendesk")
            ).all()
        )


def key_of(ticket_id: str, tier: str, suffix: str) -> str:
    return f"zendesk:{ticket_id}:matrix:{tier}:{suffix}"


def finished(rows: list[Any], plan: dict[str, tuple[datetime, str]]) -> bool:
    done = {row.idempotency_key for row in rows if row.status == "done"}
    for ticket_id, (_deadline, tier) in plan.items():
        if key_of(ticket_id, tier, "escalate:slack:escalate") not in done:
            return False
        if tier == "L3" and key_of(ticket_id, tier, "page:pagerduty.trigger") not in done:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--lead", type=float, default=30, help="seconds to the first deadline")
    parser.add_argument("--spread", type=float, default=30, help="seconds over which they fall")
    parser.add_argument("--page-every", type=int, default=10, help="every k-th ticket pages")
    parser.add_argument("--timeout", type=float, default=90, help="wait after the last deadline")
    parser.add_argument("--threads", type=int, default=8, help="webhook sender threads")
    parser.add_argument("--stop-timeout", type=float, default=30, help="wait for worker.stop")
    parser.add_argument("--database-url", default=None, help="an EMPTY database; default SQLite")
    args = parser.parse_args()
    if args.tickets > 5000 or args.lead < 5:
        raise SystemExit("keep --tickets <= 5000 and --lead >= 5")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="bench-breach-"))
    clock = ShiftableClock()
    world = SandboxWorld.start(clock=clock, directory=tmp)
    environment = world.environment()
    # build_integrations reads os.environ: the PagerDuty stand-in's throwaway CA must be trusted.
    os.environ["SSL_CERT_FILE"] = world.ca_file
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings.from_env(
        {
            **environment,
            "DATABASE_URL": database_url,
            "BRIDGE_LOG_LEVEL": "WARNING",
            "BRIDGE_LOG_FORMAT": "json",
        }
    )
    app = create_app({"BRIDGE_SETTINGS": settings})
    engine = app.extensions["bridge"].db
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}"
    world.slack.bridge_actions_url = f"{url}/slack/actions"
    world.pagerduty.webhook_url = f"{url}/webhooks/pagerduty"

    plan = create_tickets(world, clock, args.tickets, args.lead, args.spread, args.page_every)
    worker, _jobs = build_worker(app)
    worker.start()
    started = time.monotonic()
    statuses = deliver_webhooks(world, url, list(plan), args.threads)
    intake_seconds = time.monotonic() - started
    print(f"webhooks delivered in {intake_seconds:.1f} s: {dict(statuses)}", file=sys.stderr)

    # What the bridge tracks before the first deadline: next_check_at should be the deadline.
    first_deadline = min(deadline for deadline, _tier in plan.values())
    snapshot: dict[str, datetime | None] = {}
    while datetime.now(UTC) < first_deadline - timedelta(seconds=1):
        with engine.connect() as connection:
            snapshot = {
                row.ticket_id: row.next_check_at
                for row in connection.execute(select(tickets.c.ticket_id, tickets.c.next_check_at))
            }
        if len(snapshot) == len(plan):
            break
        time.sleep(0.5)
    intake_done_before_first_deadline = len(snapshot) == len(plan)

    last_deadline = max(deadline for deadline, _tier in plan.values())
    wait_until = time.monotonic() + (last_deadline - datetime.now(UTC)).total_seconds()
    wait_until += args.timeout
    rows = outbox_rows(engine)
    while time.monotonic() < wait_until and not finished(rows, plan):
        time.sleep(0.5)
        rows = outbox_rows(engine)
    # Worker.stop waits for a running job (a delivery pass may hold it for long): bounded here.
    stopper = threading.Thread(target=worker.stop, daemon=True)
    stopping = time.monotonic()
    stopper.start()
    stopper.join(args.stop_timeout)
    stopped = not stopper.is_alive()
    stop_seconds = time.monotonic() - stopping
    print(f"worker stopped: {stopped} after {stop_seconds:.1f} s", file=sys.stderr)

    by_key = {row.idempotency_key: row for row in rows}
    enqueued: list[float] = []
    slack_sent: list[float] = []
    page_sent: list[float] = []
    sent: list[float] = []
    missing: list[str] = []
    for ticket_id, (deadline, tier) in plan.items():
        update = by_key.get(key_of(ticket_id, tier, "escalate:desk.update"))
        post = by_key.get(key_of(ticket_id, tier, "escalate:slack:escalate"))
        if update is None or post is None or post.status != "done":
            missing.append(ticket_id)
            continue
        enqueued.append((update.created_at - deadline).total_seconds())
        slack = (post.updated_at - deadline).total_seconds()
        slack_sent.append(slack)
        latest = slack
        if tier == "L3":
            trigger = by_key.get(key_of(ticket_id, tier, "page:pagerduty.trigger"))
            if trigger is None or trigger.status != "done":
                missing.append(ticket_id)
                continue
            page = (trigger.updated_at - deadline).total_seconds()
            page_sent.append(page)
            latest = max(latest, page)
        sent.append(latest)

    # Exactly once: one escalate Slack message per ticket, one parent per (channel, ticket),
    # one PagerDuty incident per paged ticket, one escalate decision per ticket in the audit log.
    messages = [m for channel in world.slack.channels.values() for m in channel]
    escalate_posts = Counter(
        m.get("metadata", {}).get("event_payload", {}).get("key", "") for m in messages
    )
    # Parents of planned posts only (keys end in ":slack:<kind>"); other bridge alerts are
    # top-level messages of their own.
    parents: Counter[tuple[str, str]] = Counter()
    for channel, listed in world.slack.channels.items():
        for m in listed:
            key = m.get("metadata", {}).get("event_payload", {}).get("key", "")
            if "thread_ts" not in m and key.startswith("zendesk:") and ":slack:" in key:
                parents[(channel, key.split(":")[1])] += 1
    with engine.connect() as connection:
        decisions = Counter(
            (row.ticket_id, row.data.get("tier"))
            for row in connection.execute(
                select(audit_log.c.ticket_id, audit_log.c.data).where(
                    audit_log.c.kind == "decision", audit_log.c.rule == "matrix"
                )
            )
            if row.data.get("action") == "escalate"
        )
        origins = Counter(
            row.data.get("origin")
            for row in connection.execute(
                select(audit_log.c.ticket_id, audit_log.c.data).where(
                    audit_log.c.kind == "decision", audit_log.c.rule == "matrix"
                )
            )
            if row.data.get("action") == "escalate"
            and plan.get(row.ticket_id, (None, ""))[1] == row.data.get("tier")
        )
    duplicate_posts = sum(
        1
        for ticket_id, (_d, tier) in plan.items()
        if escalate_posts[key_of(ticket_id, tier, "escalate:slack:escalate")] > 1
    )
    duplicate_parents = sum(1 for n in parents.values() if n > 1)
    paged = [t for t, (_d, tier) in plan.items() if tier == "L3"]
    incidents = Counter(i.dedup_key for i in world.pagerduty.incidents)
    duplicate_pages = sum(1 for n in incidents.values() if n > 1)
    escalated_twice = sum(
        1 for ticket_id, (_d, tier) in plan.items() if decisions[(ticket_id, tier)] > 1
    )
    not_escalated = sum(
        1 for ticket_id, (_d, tier) in plan.items() if decisions[(ticket_id, tier)] == 0
    )
    deadline_mismatches = sum(
        1
        for ticket_id, (deadline, _tier) in plan.items()
        if snapshot.get(ticket_id) is not None and snapshot[ticket_id] != deadline
    )

    server.shutdown()
    server.server_close()
    world.stop()
    if stopped:
        engine.dispose()

    enqueue_summary = summary(enqueued)
    sent_summary = summary(sent)
    figures = {
        "tickets": len(plan),
        "paged_tickets": len(paged),
        "database": engine.dialect.name,
        "webhook_statuses": dict(statuses),
        "intake_seconds": round(intake_seconds, 2),
        "intake_done_before_first_deadline": intake_done_before_first_deadline,
        "deadline_mismatches": deadline_mismatches,
        "escalation_origins": dict(origins),
        "enqueued_after_deadline": enqueue_summary,
        "sent_after_deadline": sent_summary,
        "slack_sent_after_deadline": summary(slack_sent),
        "pagerduty_sent_after_deadline": summary(page_sent),
        "missing": len(missing),
        "worker_stopped": stopped,
        "worker_stop_seconds": round(stop_seconds, 1),
        "pending_actions_at_end": sum(1 for row in rows if row.status == "pending"),
        "escalated_more_than_once": escalated_twice,
        "not_escalated": not_escalated,
        "duplicate_escalate_posts": duplicate_posts,
        "duplicate_slack_parents": duplicate_parents,
        "pagerduty_incidents": len(incidents),
        "duplicate_pages": duplicate_pages,
        "target_enqueued_p99_le_5s": enqueue_summary["p99_s"] is not None
        and float(enqueue_summary["p99_s"] or 0) <= 5,
        "target_sent_p99_le_10s": sent_summary["p99_s"] is not None
        and float(sent_summary["p99_s"] or 0) <= 10,
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures))
    if not stopped:  # its job threads would keep the interpreter from exiting
        sys.stdout.flush()
        sys.stderr.flush()
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(0)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
