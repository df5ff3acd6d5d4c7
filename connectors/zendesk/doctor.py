"""``bridge doctor`` for Zendesk: credentials, the API user's role, the webhook and its secret,
the trigger, and what the policy names (groups, agents, ticket fields)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors._desk.doctor import directory_checks, field_checks
from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds
from connectors.zendesk.changes import SyncSource, source_for
from connectors.zendesk.setup import (
    TRIGGER_TITLE,
    WEBHOOK_NAME,
    find_trigger,
    find_webhook,
    webhook_secret_matches,
)

if TYPE_CHECKING:
    from connectors.zendesk.client import ZendeskDesk

SETUP = "run `bridge setup zendesk --url https://YOUR-BRIDGE`"


def diagnose(desk: ZendeskDesk, needs: PolicyNeeds) -> Iterator[Check]:
    try:
        me = desk.bridge_user()
    except AuthError as exc:
        yield Check(
            "zendesk: credentials",
            CheckStatus.FAIL,
            str(exc),
            "check ZENDESK_EMAIL and ZENDESK_API_TOKEN",
        )
        return
    yield Check(
        "zendesk: credentials", CheckStatus.OK, f"acting as {me.get('email')} (id {me['id']})"
    )
    yield role_check(str(me.get("role")))
    try:
        yield from wiring_checks(desk)
        yield from directory_checks("zendesk", desk.directory, needs.groups, needs.agents)
        if needs.fields:
            fields = list(desk._paged_list("/ticket_fields.json", "ticket_fields"))
            yield from field_checks("zendesk", needs.fields, fields, ("title", "key"))
    except ConnectorError as exc:
        yield Check("zendesk: API", CheckStatus.FAIL, str(exc), "see the message")


def role_check(role: str) -> Check:
    if role not in ("admin", "agent"):
        return Check(
            "zendesk: role",
            CheckStatus.FAIL,
            f"the bridge's user is a {role}",
            "make ZENDESK_EMAIL an agent (an admin for the incremental export)",
        )
    source = source_for(role)
    if source is SyncSource.EXPORT:
        return Check("zendesk: role", CheckStatus.OK, f"admin: sync through the {source.value}")
    return Check(
        "zendesk: role",
        CheckStatus.WARN,
        f"agent: the incremental export is for admins, sync uses the {source.value}",
        "make the bridge's user an admin for the incremental export (fewer calls, no index lag)",
    )


def wiring_checks(desk: ZendeskDesk) -> Iterator[Check]:
    hook = find_webhook(desk)
    if hook is None:
        yield Check(
            "zendesk: webhook", CheckStatus.FAIL, f"no webhook named {WEBHOOK_NAME!r}", SETUP
        )
    else:
        status = str(hook.get("status"))
        active = CheckStatus.OK if status == "active" else CheckStatus.FAIL
        yield Check(
            "zendesk: webhook",
            active,
            f"{hook['id']} -> {hook.get('endpoint')} ({status})",
            "" if active is CheckStatus.OK else "activate it in Admin Center > Webhooks",
        )
        if webhook_secret_matches(desk, str(hook["id"])):
            yield Check("zendesk: webhook secret", CheckStatus.OK, "ZENDESK_WEBHOOK_SECRET matches")
        else:
            yield Check(
                "zendesk: webhook secret",
                CheckStatus.FAIL,
                "ZENDESK_WEBHOOK_SECRET is not the webhook's signing secret",
                f"Admin Center > Webhooks > {WEBHOOK_NAME} > Reveal secret",
            )
    trigger = find_trigger(desk)
    if trigger is None:
        yield Check("zendesk: trigger", CheckStatus.FAIL, f"no trigger {TRIGGER_TITLE!r}", SETUP)
    elif not trigger.get("active", True):
        yield Check("zendesk: trigger", CheckStatus.FAIL, "the trigger is inactive", "activate it")
    else:
        yield Check("zendesk: trigger", CheckStatus.OK, f"{trigger['id']} active")
