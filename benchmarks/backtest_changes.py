"""Issue 13's changes, one at a time, on a database's mirrored tickets: how many escalations move.

Each change is taken out of the shipped engine and default policy on its own (the ticket data or
the policy put back as before the change), the tickets are replayed with ``policies.backtest``
until the moment the database was last written to, and the result is compared ticket by ticket
with the full set of changes: an escalation "moves" when it appears, disappears, or goes to
another tier, team or rule. Changes that live in the engine alone (L4 owned by management) cannot
be taken out this way and are not listed.

    python benchmarks/backtest_changes.py instance/demo.db

The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import create_engine, func, select

from bridge.policy_files import DEFAULT_POLICY_PATH
from bridge.store import tickets as records
from bridge.store.tables import tickets as ticket_table
from policies import Policy, parse_policy
from policies.backtest import replay
from policies.model import DecisionKind, Ticket

Doc = dict[str, Any]
Escalations = tuple[tuple[str, str, str], ...]  # (tier, route, rule) in time order

PLAIN_LISTS = {  # the default policy's phrase lists before the change
    "escalation_request": ["escalate", "escalation", "speak to a manager", "talk to a manager",
                           "your manager", "your supervisor", "speak to someone senior"],
    "legal": ["lawyer", "attorney", "legal action", "lawsuit", "sue you", "gdpr",
              "data protection", "compliance", "regulator"],
}  # fmt: skip


def _trigger(doc: Doc, trigger_id: str) -> Doc:
    return next(t for t in doc["triggers"] if t["id"] == trigger_id)


def no_business_wait(doc: Doc) -> None:
    _trigger(doc, "no_update")["wait_for_business_hours"] = False


def routes_with_tier(doc: Doc) -> None:
    for route in doc["routes"]:
        route["escalate"] = "with_tier"


def clock_to_management(doc: Doc) -> None:
    # Before: Low went L3 -> L4 after 3 business days; management was never told.
    doc["matrix"]["Low"].update(L3="3d", management="520w")


def complexity_to_l3(doc: Doc) -> None:
    doc["triggers"] = [t for t in doc["triggers"] if t["id"] != "complexity"]
    _trigger(doc, "engineering")["when"].update(group_changes_at_least=3, agent_replies_at_least=5)


def no_desk_sla(doc: Doc) -> None:
    doc["triggers"] = [t for t in doc["triggers"] if t["id"] != "desk_sla_breach"]


def keyword_severity(doc: Doc) -> None:
    impact = doc["severity"]["overrides"][0]
    impact["when"].pop("opening_phrases")
    doc["severity"]["overrides"] = [
        impact,
        {"id": "outage_words", "when": {"keywords": ["outage", "down for everyone", "data loss"]},
         "severity": "High"},
    ]  # fmt: skip


def replies_since_agent(doc: Doc) -> None:
    _trigger(doc, "customer_replies")["when"] = {"customer_replies_since_agent": 3}


def csat_hand_over(doc: Doc) -> None:
    _trigger(doc, "low_csat")["while_resolved"] = True


def plain_phrases(doc: Doc) -> None:
    doc["phrases"].update(PLAIN_LISTS)
    doc["routes"] = [r for r in doc["routes"] if r["name"] != "compliance"]


def no_status_history(t: Ticket) -> Ticket:
    return dataclasses.replace(t, status_history=())


def no_field_titles(t: Ticket) -> Ticket:
    return dataclasses.replace(t, field_names={}, field_labels={})


def no_opening_message(t: Ticket) -> Ticket:
    kept = tuple(c for c in t.comments if not c.id.endswith(":description"))
    return dataclasses.replace(t, comments=kept)


# (item of the issue, what is put back as before)
CHANGES: list[tuple[str, Callable[[Doc], None] | None, Callable[[Ticket], Ticket] | None]] = [
    ("1 paused time from the status history", None, no_status_history),
    ("2 time triggers wait for business hours", no_business_wait, None),
    ("3 custom fields by title, numeric text", None, no_field_titles),
    ("4 Freshdesk's opening message", None, no_opening_message),
    ("5 routes take the ticket at once", routes_with_tier, None),
    ("7 management on request (Low)", clock_to_management, None),
    ("8 complexity to L2, engineering to L3", complexity_to_l3, None),
    ("9 help-desk SLA breach", no_desk_sla, None),
    ("10 severity from impact words", keyword_severity, None),
    ("11 customer follow-ups", replies_since_agent, None),
    ("12 CSAT follow-up on solved tickets", csat_hand_over, None),
    ("13 phrase lists with negation and questions", plain_phrases, None),
]


def escalations(ts: list[Ticket], policy: Policy, until: datetime) -> dict[str, Escalations]:
    out: dict[str, Escalations] = {}
    for t in ts:
        key = f"{t.source.value}:{t.id}"
        steps = [r for r in replay(t, policy, until) if r.action is DecisionKind.ESCALATE]
        out[key] = tuple((r.tier, r.route, r.rule) for r in steps)
    return out


def moved(a: dict[str, Escalations], b: dict[str, Escalations]) -> dict[str, Any]:
    """Escalations in one and not the other, counted per ticket; the tickets that differ."""
    count = 0
    differ = []
    for key in sorted(set(a) | set(b)):
        left, right = list(a.get(key, ())), list(b.get(key, ()))
        common = sum(min(left.count(e), right.count(e)) for e in set(left))
        count += len(left) + len(right) - 2 * common
        if left != right:
            differ.append(key)
    return {"escalations_moved": count, "tickets": differ}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="an SQLite file, or a SQLAlchemy URL")
    args = parser.parse_args()
    url = args.database if "://" in args.database else f"sqlite:///{args.database}"
    with create_engine(url).connect() as connection:
        mirrored = list(records.mirrored(connection))
        until = connection.execute(select(func.max(ticket_table.c.fetched_at))).scalar_one()
    until = datetime.fromisoformat(str(until)) if not isinstance(until, datetime) else until
    until = until if until.tzinfo else until.replace(tzinfo=datetime.now().astimezone().tzinfo)
    base_doc = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    after = escalations(mirrored, parse_policy(yaml.safe_dump(base_doc), "default.yaml"), until)
    result: dict[str, Any] = {
        "tickets": len(mirrored),
        "until": until.isoformat(),
        "escalations": sum(len(e) for e in after.values()),
        "escalated_tickets": sum(1 for e in after.values() if e),
        "per_ticket": {k: [list(e) for e in v] for k, v in after.items()},
        "changes": {},
    }
    for name, on_policy, on_ticket in CHANGES:
        doc = yaml.safe_load(yaml.safe_dump(base_doc))
        if on_policy is not None:
            on_policy(doc)
        ts = [on_ticket(t) for t in mirrored] if on_ticket else mirrored
        before = escalations(ts, parse_policy(yaml.safe_dump(doc), "before.yaml"), until)
        result["changes"][name] = {
            "escalations_without_it": sum(len(e) for e in before.values()),
            **moved(before, after),
        }
        print(f"{name}: {result['changes'][name]}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
