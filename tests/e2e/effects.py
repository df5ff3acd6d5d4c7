"""Counting what the bridge did outside, to prove every effect happened exactly once."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import Engine

from bridge.store import outbox
from connectors._desk.common import marker_for
from sandbox.world import SandboxWorld


def slack_keys(world: SandboxWorld) -> Counter[str]:
    """How many messages carry each idempotency key, over every channel and thread."""
    keys: Counter[str] = Counter()
    with world.slack.lock:
        for messages in world.slack.channels.values():
            for message in messages:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("key"):
                    keys[payload["key"]] += 1
    return keys


def teams_keys(world: SandboxWorld) -> Counter[str]:
    """How many cards each outbox action posted in Teams (the key is the first element's id)."""
    keys: Counter[str] = Counter()
    for channel in world.teams.state.channels:
        for run in world.teams.runs(channel):
            for card in run.cards:
                tag = str((card.get("body") or [{}])[0].get("id", ""))
                if tag.startswith("bridge:"):
                    keys[tag.removeprefix("bridge:")] += 1
    return keys


def desk_markers(world: SandboxWorld) -> Counter[str]:
    """How many comments carry each bridge marker, over every desk."""
    bodies: list[str] = []
    with world.zendesk.lock:
        bodies += [c["body"] for comments in world.zendesk.comments.values() for c in comments]
    with world.freshdesk.lock:
        bodies += [
            c["body_text"]
            for conversations in world.freshdesk.conversations.values()
            for c in conversations
        ]
    with world.intercom.lock:
        # Intercom keeps HTML: one paragraph a line.
        bodies += [
            re.sub(r"<[^>]+>", "", (p["body"] or "").replace("</p>", "\n"))
            for parts in world.intercom.parts.values()
            for p in parts
        ]
    with world.helpscout.lock:
        # Help Scout keeps HTML: the bridge's lines are joined with <br>.
        bodies += [
            re.sub(r"<[^>]+>", "", (t["body"] or "").replace("<br>", "\n"))
            for threads in world.helpscout.threads.values()
            for t in threads
        ]
    with world.salesforce.lock:
        bodies += [str(c["CommentBody"]) for c in world.salesforce.records["CaseComment"].values()]
    found: Counter[str] = Counter()
    for body in bodies:
        for line in body.splitlines():
            if line.startswith("[bridge:"):
                found[line.strip()] += 1
    return found


def statuspage_once(world: SandboxWorld, key: str) -> bool:
    """Exactly one incident was created by the action ``key`` (its metadata says so)."""
    with world.statuspage.state.lock:
        incidents = world.statuspage.state.incident_list(world.statuspage.page_id)
    made = [
        i
        for i in incidents
        if (i.get("metadata") or {}).get("escalation_bridge", {}).get("key") == key
    ]
    return len(made) == 1


def clickup_once(world: SandboxWorld, key: str) -> bool:
    """Exactly one task was created by the action ``key`` (its description's marker says so)."""
    return sum(f"`{key}`" in t["markdown_description"] for t in world.clickup.task_list()) == 1


def assert_exactly_once(
    engine: Engine, world: SandboxWorld, teams_repeats: int = 0
) -> dict[str, int]:
    """Every finished action's effect exists once; nothing is left undone or dead. Teams'
    webhook cannot be read back, so a card may repeat once per interrupted attempt: at most
    ``teams_repeats`` repeats in all."""
    with engine.connect() as connection:
        rows: list[dict[str, Any]] = outbox.listing(connection, limit=100_000)
    unfinished = [r for r in rows if r["status"] != outbox.DONE]
    assert not unfinished, [(r["action"], r["status"], r["last_error"]) for r in unfinished]
    slack, markers = slack_keys(world), desk_markers(world)
    assert all(count == 1 for count in slack.values()), [k for k, n in slack.items() if n > 1]
    assert all(count == 1 for count in markers.values()), [k for k, n in markers.items() if n > 1]
    teams = teams_keys(world)
    assert sum(teams.values()) - len(teams) <= teams_repeats, teams.most_common(3)
    counted: Counter[str] = Counter()
    for row in rows:
        key, action = row["idempotency_key"], row["action"]
        if row["provider"] == "teams":
            assert teams[key] >= 1 or row["action"] == "chat.private", key
        elif row["provider"] == "clickup":
            assert row["action"] != "task.create" or clickup_once(world, key), key
        elif row["provider"] == "statuspage":
            assert row["action"] != "status.open" or statuspage_once(world, key), key
        elif action in ("chat.post", "chat.reply", "chat.alert"):
            assert slack[key] == 1, (key, slack[key])
        elif action in ("desk.note", "desk.reply"):
            assert markers[marker_for(key)] == 1, key
        elif action == "page.trigger" and row["provider"] == "opsgenie":
            dedup = row["payload"]["dedup_key"]
            assert len(world.opsgenie.alerts_for(dedup)) == 1, dedup
        elif action == "page.trigger":
            dedup = row["payload"]["dedup_key"]
            assert len(world.pagerduty.incidents_for(dedup)) == 1, dedup
        counted[action] += 1
    return dict(counted)
