"""``bridge sync`` and ``bridge setup`` as functions, against the sandboxes over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bridge.config import Settings
from bridge.store import db, inbox
from bridge.worker.integrations import Integrations, build_integrations
from bridge.worker.sync import sync
from connectors.base import PermanentError, RetryableError
from connectors.freshdesk import FreshdeskDesk
from connectors.freshdesk.setup import setup_freshdesk
from connectors.provider import BuildContext
from connectors.zendesk import ZendeskDesk
from connectors.zendesk.setup import TRIGGER_TITLE, WEBHOOK_NAME, setup_zendesk, trigger_spec
from sandbox.common import Fault, serve
from sandbox.freshdesk import FreshdeskSandbox
from sandbox.zendesk import ZendeskSandbox
from tests.support.store import unprocessed

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'bridge.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def desks() -> Iterator[tuple[ZendeskSandbox, FreshdeskSandbox]]:
    zendesk, freshdesk = ZendeskSandbox(clock=lambda: NOW), FreshdeskSandbox(clock=lambda: NOW)
    with serve(zendesk), serve(freshdesk):
        yield zendesk, freshdesk


@pytest.fixture
def integrations(desks: tuple[ZendeskSandbox, FreshdeskSandbox]) -> Iterator[Integrations]:
    zendesk, freshdesk = desks
    zendesk.reset()
    freshdesk.reset()
    settings = Settings.from_env(
        {
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_EMAIL": zendesk.email,
            "ZENDESK_API_TOKEN": zendesk.token,
            "ZENDESK_URL": zendesk.base_url,
            "ZENDESK_WEBHOOK_SECRET": "not-yet-the-secret",
            "FRESHDESK_DOMAIN": "acme",
            "FRESHDESK_API_KEY": freshdesk.api_key,
            "FRESHDESK_URL": freshdesk.base_url,
            "FRESHDESK_WEBHOOK_SECRET": "freshdesk-secret",
        }
    )
    built = build_integrations(settings, BuildContext(clock=lambda: NOW))
    yield built
    built.close()


def cursor(engine: Engine, desk: str) -> str | None:
    with engine.connect() as connection:
        return inbox.cursor(connection, desk)


def test_sync_stores_cursors_and_goes_quiet(
    integrations: Integrations, engine: Engine, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk, freshdesk = desks
    z_ids = {str(zendesk.create_ticket(f"z{i}")) for i in range(3)}
    f_ids = {str(freshdesk.create_ticket(f"f{i}")) for i in range(2)}
    first = {r.desk: r for r in sync(engine, integrations.desks, NOW)}
    assert set(first["zendesk"].ticket_ids) == z_ids
    assert set(first["freshdesk"].ticket_ids) == f_ids
    assert cursor(engine, "zendesk") == first["zendesk"].cursor
    assert "3 changed" in first["zendesk"].line()
    queued = {(i.source, i.ticket_id, i.kind) for i in unprocessed(engine)}
    assert queued == {("zendesk", i, "sync") for i in z_ids} | {
        ("freshdesk", i, "sync") for i in f_ids
    }
    second = sync(engine, integrations.desks, NOW)
    assert [(r.desk, r.ticket_ids, r.calls) for r in second] == [
        ("zendesk", (), 1),
        ("freshdesk", (), 1),
    ]


def test_sync_one_desk(integrations: Integrations, engine: Engine) -> None:
    (only,) = sync(engine, integrations.desks, NOW, desk="freshdesk")
    assert only.desk == "freshdesk" and cursor(engine, "zendesk") is None


def test_sync_unconfigured_desk_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(ValueError, match="zendesk is not configured"):
        sync(engine, {}, NOW, desk="zendesk")


def zendesk_of(integrations: Integrations) -> ZendeskDesk:
    desk = integrations.desks["zendesk"]
    assert isinstance(desk, ZendeskDesk)
    return desk


def test_setup_zendesk_dry_run_creates_nothing(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    desk = zendesk_of(integrations)
    lines = setup_zendesk(desk, url="https://bridge.example.com", dry_run=True)
    assert lines[0].startswith("would create webhook")
    assert "https://bridge.example.com/webhooks/zendesk" in lines[0]
    assert lines[-1].startswith("would create trigger")
    assert desks[0].webhooks == {} and desks[0].triggers == {}


def test_setup_zendesk_is_idempotent(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk, desk = desks[0], zendesk_of(integrations)
    created = setup_zendesk(desk, url="https://bridge.example.com/")
    assert created[0].startswith("created webhook") and created[-1].startswith("created trigger")
    assert "set ZENDESK_WEBHOOK_SECRET" in created[1]
    (hook,) = zendesk.webhooks.values()
    (trigger,) = zendesk.triggers.values()
    assert hook["name"] == WEBHOOK_NAME and hook["endpoint"].endswith("/webhooks/zendesk")
    assert trigger["title"] == TRIGGER_TITLE
    action = trigger["actions"][0]
    assert action["value"][0] == hook["id"]
    assert json.loads(action["value"][1])["ticket_id"] == "{{ticket.id}}"
    fields = {c["field"] for part in trigger["conditions"].values() for c in part}
    assert fields == {"update_type"}  # documented conditions only
    again = setup_zendesk(desk, url="https://bridge.example.com")
    assert again[0].startswith("webhook exists") and again[-1].startswith("trigger exists")
    assert len(zendesk.webhooks) == 1 and len(zendesk.triggers) == 1


def test_the_sandbox_refuses_an_undocumented_trigger_condition(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    """The trigger the bridge once created: ``current_user`` is no condition field (422)."""
    desk = zendesk_of(integrations)
    old = trigger_spec("01HOOK")
    old["conditions"] = {"all": [{"field": "current_user", "operator": "is_not", "value": "1"}]}
    with pytest.raises(PermanentError, match="422"):
        desk._api("POST", "/triggers.json", json={"trigger": old})
    assert desks[0].triggers == {}


def test_setup_zendesk_reads_every_page_before_creating(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk, desk = desks[0], zendesk_of(integrations)
    zendesk.trigger_page_size = zendesk.hook_page_size = 2
    for i in range(4):
        zendesk.add_trigger({"title": f"Someone else's {i}", "actions": [{"field": "x"}]})
        zendesk.add_webhook({"name": f"{WEBHOOK_NAME} {i}", "endpoint": "https://elsewhere"})
    setup_zendesk(desk, url="https://bridge.example.com")
    setup_zendesk(desk, url="https://bridge.example.com")
    assert sum(t["title"] == TRIGGER_TITLE for t in zendesk.triggers.values()) == 1
    assert sum(h["name"] == WEBHOOK_NAME for h in zendesk.webhooks.values()) == 1
    assert zendesk.calls["triggers.get"] == 2 + 3  # 4 then 5 triggers, 2 a page


def test_setup_zendesk_resumes_after_a_failed_trigger(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk, desk = desks[0], zendesk_of(integrations)
    zendesk.faults.inject("triggers.post", Fault(status=500))
    with pytest.raises(RetryableError):
        setup_zendesk(desk, url="https://bridge.example.com")
    assert len(zendesk.webhooks) == 1 and zendesk.triggers == {}
    again = setup_zendesk(desk, url="https://bridge.example.com")
    assert again[0].startswith("webhook exists") and again[-1].startswith("created trigger")
    assert len(zendesk.webhooks) == 1 and len(zendesk.triggers) == 1


def freshdesk_of(integrations: Integrations) -> FreshdeskDesk:
    desk = integrations.desks["freshdesk"]
    assert isinstance(desk, FreshdeskDesk)
    return desk


def test_setup_freshdesk_dry_run_prints_the_rules_and_creates_nothing(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    lines = setup_freshdesk(freshdesk_of(integrations), url="https://x.example", dry_run=True)
    assert len(lines) == 3 and all(line.startswith("would create rule") for line in lines)
    text = "\n".join(lines)
    assert "https://x.example/webhooks/freshdesk" in text and "{{ticket.id}}" in text
    assert "freshdesk-secret" not in text  # the password is never printed
    assert desks[1].rules == {}


def test_setup_freshdesk_creates_the_rules_once_excluding_the_bridge(
    integrations: Integrations, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    freshdesk, desk = desks[1], freshdesk_of(integrations)
    created = setup_freshdesk(desk, url="https://x.example")
    assert [line.split(" ")[0] for line in created] == ["created"] * 3
    by_name = {r["name"]: r for r in freshdesk.rules.values()}
    agents = by_name["Escalation bridge: ticket updated by an agent"]["performer"]["members"]
    assert int(desk.bridge_user_id()) not in agents and agents
    action = by_name["Escalation bridge: ticket created"]["actions"][0]
    assert action["auth_header"]["password"] == "freshdesk-secret"
    again = setup_freshdesk(desk, url="https://x.example")
    assert all(line.startswith("rule exists") for line in again) and len(freshdesk.rules) == 3
    new_agent = freshdesk.add_agent("New Hire", "new@example.com")
    refreshed = setup_freshdesk(desk, url="https://x.example")
    assert sum(line.startswith("updated rule") for line in refreshed) == 1
    assert (
        new_agent
        in by_name["Escalation bridge: ticket updated by an agent"]["performer"]["members"]
    )


def test_the_sandbox_refuses_performer_on_a_creation_rule(
    integrations: Integrations,
) -> None:
    desk = freshdesk_of(integrations)
    rule = {"name": "x", "conditions": [{}], "actions": [{}], "performer": {"type": 1}}
    with pytest.raises(PermanentError, match="400"):
        desk._call("POST", "/api/v2/automations/1/rules", json=rule)
