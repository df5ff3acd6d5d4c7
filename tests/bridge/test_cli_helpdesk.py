"""``bridge sync`` and ``bridge setup`` as functions, against the sandboxes over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge import db
from bridge.cli_helpdesk import TRIGGER_TITLE, WEBHOOK_NAME, setup_freshdesk, setup_zendesk, sync
from bridge.config import Settings
from bridge.storage import Storage
from sandbox.common import serve
from sandbox.freshdesk import FreshdeskSandbox
from sandbox.zendesk import ZendeskSandbox

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'bridge.db'}")
    db.upgrade(engine)
    return Storage(engine)


@pytest.fixture(scope="module")
def desks() -> Iterator[tuple[ZendeskSandbox, FreshdeskSandbox]]:
    zendesk, freshdesk = ZendeskSandbox(clock=lambda: NOW), FreshdeskSandbox(clock=lambda: NOW)
    with serve(zendesk), serve(freshdesk):
        yield zendesk, freshdesk


@pytest.fixture
def settings(desks: tuple[ZendeskSandbox, FreshdeskSandbox]) -> Settings:
    zendesk, freshdesk = desks
    zendesk.reset()
    freshdesk.reset()
    return Settings.validated(
        {
            "zendesk_subdomain": "acme",
            "zendesk_email": zendesk.email,
            "zendesk_api_token": zendesk.token,
            "zendesk_url": zendesk.base_url,
            "zendesk_webhook_secret": "not-yet",
            "freshdesk_domain": "acme",
            "freshdesk_api_key": freshdesk.api_key,
            "freshdesk_url": freshdesk.base_url,
        }
    )


def test_sync_stores_cursors_and_goes_quiet(
    settings: Settings, storage: Storage, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk, freshdesk = desks
    z_ids = {str(zendesk.create_ticket(f"z{i}")) for i in range(3)}
    f_ids = {str(freshdesk.create_ticket(f"f{i}")) for i in range(2)}
    first = {r.desk: r for r in sync(settings, storage, NOW)}
    assert set(first["zendesk"].ticket_ids) == z_ids
    assert set(first["freshdesk"].ticket_ids) == f_ids
    assert storage.get_cursor("zendesk") == first["zendesk"].cursor
    assert "3 changed" in first["zendesk"].line()
    queued = {(i.source, i.ticket_id, i.kind) for i in storage.unprocessed_inbound()}
    assert queued == {("zendesk", i, "sync") for i in z_ids} | {
        ("freshdesk", i, "sync") for i in f_ids
    }
    second = sync(settings, storage, NOW)
    assert [(r.desk, r.ticket_ids, r.calls) for r in second] == [
        ("zendesk", (), 1),
        ("freshdesk", (), 1),
    ]


def test_sync_one_desk(settings: Settings, storage: Storage) -> None:
    (only,) = sync(settings, storage, NOW, desk="freshdesk")
    assert only.desk == "freshdesk" and storage.get_cursor("zendesk") is None


def test_sync_unconfigured_desk_is_a_clear_error(storage: Storage) -> None:
    with pytest.raises(ValueError, match="zendesk is not configured"):
        sync(Settings.validated({}), storage, NOW, desk="zendesk")


def test_setup_zendesk_dry_run_creates_nothing(
    settings: Settings, storage: Storage, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    lines = setup_zendesk(settings, storage, NOW, url="https://bridge.example.com", dry_run=True)
    assert lines[0].startswith("would create webhook")
    assert "https://bridge.example.com/webhooks/zendesk" in lines[0]
    assert lines[-1].startswith("would create trigger")
    assert desks[0].webhooks == {} and desks[0].triggers == {}


def test_setup_zendesk_is_idempotent(
    settings: Settings, storage: Storage, desks: tuple[ZendeskSandbox, FreshdeskSandbox]
) -> None:
    zendesk = desks[0]
    created = setup_zendesk(settings, storage, NOW, url="https://bridge.example.com/")
    assert created[0].startswith("created webhook") and created[-1].startswith("created trigger")
    assert "set ZENDESK_WEBHOOK_SECRET" in created[1]
    (hook,) = zendesk.webhooks.values()
    (trigger,) = zendesk.triggers.values()
    assert hook["name"] == WEBHOOK_NAME and hook["endpoint"].endswith("/webhooks/zendesk")
    assert trigger["title"] == TRIGGER_TITLE
    action = trigger["actions"][0]
    assert action["value"][0] == hook["id"]
    assert json.loads(action["value"][1])["ticket_id"] == "{{ticket.id}}"
    guard = trigger["conditions"]["all"][0]
    assert guard["value"] == str(zendesk.bridge_user_id)
    again = setup_zendesk(settings, storage, NOW, url="https://bridge.example.com")
    assert again[0].startswith("webhook exists") and again[-1].startswith("trigger exists")
    assert len(zendesk.webhooks) == 1 and len(zendesk.triggers) == 1


def test_setup_freshdesk_prints_the_rule(settings: Settings, storage: Storage) -> None:
    text = "\n".join(setup_freshdesk(settings, storage, NOW, url="https://bridge.example.com"))
    assert "POST https://bridge.example.com/webhooks/freshdesk" in text
    assert "{{ticket.id}}" in text and "FRESHDESK_WEBHOOK_SECRET" in text
