"""Outage storm: many Critical tickets about one outage breaching within a minute, handled as one.

    python benchmarks/bench_storm.py [--tickets 1000] [--lead 300] [--spread 60]
                                     [--zendesk-plan 2500] [--timeout 600]

Starts the stand-ins, the bridge web app and the real worker (as ``bench_breach.py`` does) with
the default policy plus a ``grouping`` section (``tag: outage``, ``group_wait`` 5 s,
``group_interval`` 10 s) and L2 paging Critical tickets. It creates N Critical Zendesk tickets
tagged ``outage`` whose 15-minute L1 limit runs out between ``lead`` and ``lead + spread``
seconds from now, and delivers their signed webhooks; the bridge reads each ticket within its
Zendesk budget (``--zendesk-plan`` requests a minute, of which the bridge takes half) before the
first deadline, so ``lead`` must leave time for that.

It reports, from the first breach: when the group's Slack message and its page were sent; how
many PagerDuty incidents there are (one expected); Slack calls per channel and the most in any
one second; when the last hand-off note was delivered; the notes per ticket (each exactly once);
and the API calls spent per service and Zendesk endpoint. The final line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
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
from bridge.store.tables import audit_log, outbox
from bridge.worker.scheduler import build_worker
from sandbox.scenario import ShiftableClock
from sandbox.world import ZENDESK_WEBHOOK_SECRET, SandboxWorld

L1_LIMIT = timedelta(minutes=15)  # policies/default.yaml, Critical: L1 15m
GROUPING = """
grouping:
  group_wait: 5s
  group_interval: 10s
  channel: senior
  severities: [Critical]
  group_by:
    - tag: outage
"""
L2_BLOCK = "    channel: senior\n    customer_ack: true\n"
L2_PAGES = (
    "    channel: senior\n    pagerduty: oncall\n    page: [Critical]\n    customer_ack: true\n"
)
MARKER = re.compile(r"\[bridge:[0-9a-f]{16}\]")


def storm_policy(directory: Path) -> Path:
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    if text.count(L2_BLOCK) != 1:
        raise SystemExit("policies/default.yaml's L2 tier changed: update L2_BLOCK")
    path = directory / "storm.yaml"
    path.write_text(text.replace(L2_BLOCK, L2_PAGES) + GROUPING, encoding="utf-8")
    return path


def create_tickets(
    world: SandboxWorld, clock: ShiftableClock, count: int, lead: float, spread: float
) -> dict[str, datetime]:
    """ticket id -> its L1 deadline."""
    start = datetime.now(UTC)
    plan: dict[str, datetime] = {}
    for number in range(count):
        target = start + timedelta(seconds=lead + spread * number / max(1, count - 1))
        back = (L1_LIMIT - (target - datetime.now(UTC))).total_seconds()
        with clock.ago(seconds=back):
            ticket = world.zendesk.create_ticket(
                f"Checkout down: card payments fail ({number})", priority="urgent", tags=["outage"]
            )
        created = datetime.strptime(
            world.zendesk.tickets[ticket]["created_at"], "%Y-%m-%dT%H:%M:%SZ"
        ).replace(tzinfo=UTC)
        plan[str(ticket)] = created + L1_LIMIT
    return plan


def rows_of(engine: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(
                    outbox.c.source,
                    outbox.c.ticket_id,
                    outbox.c.provider,
                    outbox.c.action,
                    outbox.c.status,
                    outbox.c.payload,
                    outbox.c.updated_at,
                )
            ).all()
        )


def notes_done(rows: list[Any], plan: dict[str, datetime]) -> bool:
    noted = {r.ticket_id for r in rows if r.action == "desk.note" and r.status == "done"}
    return noted >= set(plan)


def busiest_second(times: list[datetime]) -> int:
    """The most calls that fell within any one second."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while (moment - ordered[first]).total_seconds() >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--lead", type=float, default=300, help="seconds to the first breach")
    parser.add_argument("--spread", type=float, default=60, help="seconds over which they breach")
    parser.add_argument("--zendesk-plan", type=int, default=2500, help="Zendesk requests/min")
    parser.add_argument("--timeout", type=float, default=600, help="wait after the last breach")
    parser.add_argument("--threads", type=int, default=8, help="webhook sender threads")
    args = parser.parse_args()
    if args.tickets > 5000 or args.lead < 5:
        raise SystemExit("keep --tickets <= 5000 and --lead >= 5")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="bench-storm-"))
    clock = ShiftableClock()
    world = SandboxWorld.start(clock=clock, directory=tmp)
    os.environ["SSL_CERT_FILE"] = world.ca_file
    settings = Settings.from_env(
        {
            **world.environment(),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "BRIDGE_POLICY": str(storm_policy(tmp)),
            "ZENDESK_RATE_LIMIT": str(args.zendesk_plan),
            "BRIDGE_LOG_LEVEL": "WARNING",
            "BRIDGE_LOG_FORMAT": "json",
        }
    )
    app = create_app({"BRIDGE_SETTINGS": settings})
    engine = app.extensions["bridge"].db
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    world.slack.bridge_actions_url = f"{url}/slack/actions"
    world.pagerduty.webhook_url = f"{url}/webhooks/pagerduty"

    plan = create_tickets(world, clock, args.tickets, args.lead, args.spread)
    world.zendesk.calls.clear()  # count the bridge's calls only
    worker, _jobs = build_worker(app)
    worker.start()
    started = time.monotonic()

    def send(ticket_id: str) -> int:
        return world.zendesk.deliver_webhook(
            f"{url}/webhooks/zendesk", {"ticket_id": ticket_id}, ZENDESK_WEBHOOK_SECRET
        ).status_code

    with ThreadPoolExecutor(args.threads) as pool:
        statuses = Counter(pool.map(send, list(plan)))
    print(f"webhooks delivered in {time.monotonic() - started:.1f} s", file=sys.stderr)

    first_breach, last_breach = min(plan.values()), max(plan.values())
    deadline = time.monotonic() + (last_breach - datetime.now(UTC)).total_seconds()
    deadline += args.timeout
    rows = rows_of(engine)
    while time.monotonic() < deadline and not notes_done(rows, plan):
        time.sleep(1.0)
        rows = rows_of(engine)
        done = sum(1 for r in rows if r.action == "desk.note" and r.status == "done")
        print(f"notes delivered: {done}/{len(plan)}", file=sys.stderr)
    stopper = threading.Thread(target=worker.stop, daemon=True)
    stopper.start()
    stopper.join(30)

    with engine.connect() as connection:
        decided = list(
            connection.execute(
                select(audit_log.c.at, audit_log.c.rule, audit_log.c.data).where(
                    audit_log.c.kind == "decision"
                )
            )
        )
    pages_decided = sorted(
        (r.at, r.rule, r.data.get("origin")) for r in decided if r.data.get("action") == "page"
    )
    storm = [r for r in rows if r.source == "storm" and r.status == "done"]
    group_posts = sorted(r.updated_at for r in storm if r.action == "chat.group")
    pages = sorted(r.updated_at for r in storm if r.action == "page.trigger")
    slack_by_channel: dict[str, list[datetime]] = {}
    for r in rows:
        if r.provider == "slack" and r.status == "done":
            channel = str(r.payload.get("channel", "?"))
            slack_by_channel.setdefault(channel, []).append(r.updated_at)
    notes = [r for r in rows if r.action == "desk.note" and r.ticket_id in plan]
    note_times = [r.updated_at for r in notes if r.status == "done"]
    per_ticket = Counter(r.ticket_id for r in notes if r.status == "done")
    duplicate_notes = 0
    for ticket_id in plan:
        markers = Counter(
            m
            for c in world.zendesk.comments.get(int(ticket_id), [])
            for m in MARKER.findall(str(c.get("body", "")))
        )
        duplicate_notes += sum(n - 1 for n in markers.values() if n > 1)
    incidents = world.pagerduty.incidents
    zendesk_calls = dict(world.zendesk.calls)
    took_minutes = max(1e-9, (time.monotonic() - started) / 60)

    def after(moment: datetime | None) -> float | None:
        return None if moment is None else round((moment - first_breach).total_seconds(), 3)

    figures = {
        "tickets": len(plan),
        "webhook_statuses": dict(statuses),
        "breaches_over_s": round((last_breach - first_breach).total_seconds(), 1),
        # Critical tickets tell management at once, so the group usually speaks at intake,
        # before any breach (a negative figure); the next figure is the first signal after it.
        "first_group_message_after_first_breach_s": after(group_posts[0] if group_posts else None),
        "first_group_signal_after_first_breach_s": after(
            next((t for t in group_posts if t >= first_breach), None)
        ),
        "first_page_after_first_breach_s": after(pages[0] if pages else None),
        "first_page_decision": [str(x) for x in pages_decided[0]] if pages_decided else None,
        "page_decisions_by_rule_and_origin": dict(
            Counter(f"{rule}/{origin}" for _at, rule, origin in pages_decided)
        ),
        "group_message_edits": max(0, len(group_posts) - 1),
        "pagerduty_incidents": len(incidents),
        "incident_tickets_listed": len(incidents[0].custom_details.get("tickets", []))
        if incidents
        else 0,
        "slack_calls_per_channel": {c: len(t) for c, t in slack_by_channel.items()},
        "slack_busiest_second_per_channel": {
            c: busiest_second(t) for c, t in slack_by_channel.items()
        },
        "notes_delivered": len(per_ticket),
        "tickets_without_note": len(set(plan) - set(per_ticket)),
        "duplicate_comments": duplicate_notes,
        "last_note_after_first_breach_s": after(max(note_times) if note_times else None),
        "zendesk_calls": sum(zendesk_calls.values()),
        "zendesk_calls_by_endpoint": zendesk_calls,
        "zendesk_update_many_jobs": zendesk_calls.get("tickets.update_many", 0),
        "zendesk_budget_per_min": args.zendesk_plan * settings.api_budget_share,
        "zendesk_calls_per_min_average": round(sum(zendesk_calls.values()) / took_minutes, 1),
        "slack_calls": sum(world.slack.calls.values()),
        "pagerduty_calls": sum(world.pagerduty.calls.values()),
        "pending_at_end": sum(1 for r in rows if r.status == "pending"),
        "dead_at_end": sum(1 for r in rows if r.status == "dead"),
        "worker_stopped": not stopper.is_alive(),
        "cores": os.cpu_count(),
    }
    server.shutdown()
    world.stop()
    print(json.dumps(figures))
    sys.stdout.flush()
    shutil.rmtree(tmp, ignore_errors=True)
    if stopper.is_alive():
        os._exit(0)


if __name__ == "__main__":
    main()
