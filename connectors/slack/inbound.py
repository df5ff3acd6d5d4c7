"""What Slack posts to the bridge: button clicks (``block_actions``) and slash commands.

Pure: verification over the raw body (Slack's v0 signing, 5-minute window), parsers over the
form body, and who may do what.
https://docs.slack.dev/authentication/verifying-requests-from-slack
https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from connectors._forms import FORM, form_fields
from connectors._json import json_document
from connectors._signatures import check_age
from connectors.base import (
    RESTRICTED_REQUESTS,
    Ignored,
    MessageRef,
    NotStored,
    PersonRequest,
    PersonRequestKind,
    Receipt,
    SignatureError,
    body_digest,
    ticket_number,
)
from connectors.slack.blocks import (
    ACTION_ACK,
    ACTION_ESCALATE,
    ACTION_OWN,
    ACTION_RESOLVE,
    ACTION_STATUSPAGE,
)
from policies.model import Source

COMMAND_KIND = "slack.command"
MAX_TIMESTAMP_DIGITS = 12  # Unix seconds until the year 33658; datetime stops at 9999
_ACTION_IDS = {
    ACTION_ACK: PersonRequestKind.ACKNOWLEDGE,
    ACTION_OWN: PersonRequestKind.TAKE_OWNERSHIP,
    ACTION_ESCALATE: PersonRequestKind.ESCALATE,
    ACTION_RESOLVE: PersonRequestKind.RESOLVE_PAGE,
    ACTION_STATUSPAGE: PersonRequestKind.PUBLISH_STATUSPAGE,
}


@dataclass(frozen=True)
class TicketRef:
    source: Source
    ticket_id: str

    def __str__(self) -> str:
        return f"{self.source.value}:{self.ticket_id}"

    @classmethod
    def parse(cls, value: str) -> TicketRef:
        """``zendesk:123`` → TicketRef; ValueError for anything else."""
        source, sep, ticket_id = value.partition(":")
        if not sep or ticket_number(ticket_id, source) != ticket_id:
            raise ValueError(f"not a ticket reference: {value[:60]!r}")
        try:
            return cls(Source(source), ticket_id)
        except ValueError:
            raise ValueError(f"unknown help desk in ticket reference: {value[:60]!r}") from None


@dataclass(frozen=True)
class SlackAction:
    """One button click on an escalation message (``block_actions``)."""

    kind: PersonRequestKind
    ticket: TicketRef
    user_id: str
    user_name: str
    channel_id: str
    message_ts: str
    response_url: str
    team_id: str = ""
    app_id: str = ""


def parse_action(form_body: bytes) -> SlackAction:
    """Parse the form-encoded ``payload=`` body of a button click; ValueError on anything else.

    Verify the signature over these same raw bytes before calling this.
    """
    payload = json_object(form_fields(form_body).get("payload", ""))
    if payload.get("type") != "block_actions":
        raise ValueError(f"not a block_actions payload: {payload.get('type')!r}")
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise ValueError("block_actions payload without actions")
    action = actions[0]
    kind = _ACTION_IDS.get(str(action.get("action_id")))
    if kind is None:
        raise ValueError(f"unknown action_id: {action.get('action_id')!r}")
    user = _dict(payload, "user")
    container = _dict(payload, "container")
    channel_id = _dict(payload, "channel").get("id") or container.get("channel_id")
    message_ts = _dict(payload, "message").get("ts") or container.get("message_ts")
    if not user.get("id") or not channel_id or not message_ts:
        raise ValueError("block_actions payload without user, channel or message")
    return SlackAction(
        kind=kind,
        ticket=TicketRef.parse(str(action.get("value", ""))),
        user_id=str(user["id"]),
        user_name=str(user.get("username") or user.get("name") or ""),
        channel_id=str(channel_id),
        message_ts=str(message_ts),
        response_url=str(payload.get("response_url", "")),
        team_id=str(_dict(payload, "team").get("id") or user.get("team_id") or ""),
        app_id=str(payload.get("api_app_id") or ""),
    )


class CommandKind(StrEnum):
    ESCALATE = "escalate"
    STATUS = "status"


COMMAND_USAGE = "Usage: /escalate TICKET [reason] or /escalation status TICKET (e.g. zendesk:123)"


@dataclass(frozen=True)
class SlashCommand:
    """``/escalate TICKET [reason]`` or ``/escalation status TICKET``.

    ``ticket`` is the raw reference as typed (``zendesk:123`` or a bare ``123``): the caller
    resolves a bare number to the one configured desk, or asks which one is meant.
    """

    kind: CommandKind
    ticket: str
    reason: str
    user_id: str
    user_name: str
    channel_id: str
    response_url: str
    team_id: str = ""
    app_id: str = ""


def parse_command(form_body: bytes) -> SlashCommand:
    """Parse a slash-command POST body; ValueError (with ``COMMAND_USAGE``) on anything else."""
    form = form_fields(form_body)
    words = form.get("text", "").split()
    command = form.get("command", "")
    if command == "/escalate" and words:
        kind, ticket, reason = CommandKind.ESCALATE, words[0], " ".join(words[1:])
    elif command == "/escalation" and len(words) == 2 and words[0].lower() == "status":
        kind, ticket, reason = CommandKind.STATUS, words[1], ""
    else:
        raise ValueError(COMMAND_USAGE)
    if not _looks_like_ticket(ticket) or not form.get("user_id"):
        raise ValueError(COMMAND_USAGE)
    return SlashCommand(
        kind=kind,
        ticket=ticket,
        reason=reason,
        user_id=form["user_id"],
        user_name=form.get("user_name", ""),
        channel_id=form.get("channel_id", ""),
        response_url=form.get("response_url", ""),
        team_id=form.get("team_id", ""),
        app_id=form.get("api_app_id", ""),
    )


@dataclass(frozen=True)
class SlackAuthorization:
    """Who may take ownership, escalate, resolve or publish from Slack
    (``RESTRICTED_REQUESTS``). Empty lists mean every workspace member may."""

    allowed_users: frozenset[str] = frozenset()
    allowed_groups: frozenset[str] = frozenset()

    def decided(self, kind: PersonRequestKind, user_id: str) -> bool | None:
        """True or False when the user ids alone decide; None when the user groups' members
        must be looked up (``permits``)."""
        if kind not in RESTRICTED_REQUESTS or not (self.allowed_users or self.allowed_groups):
            return True
        if user_id in self.allowed_users:
            return True
        return None if self.allowed_groups else False

    def permits(self, kind: PersonRequestKind, user_id: str, members: Iterable[str] = ()) -> bool:
        """``members``: the users of the allowed groups (``usergroups.users.list``)."""
        decided = self.decided(kind, user_id)
        return decided if decided is not None else user_id in set(members)


def _looks_like_ticket(ref: str) -> bool:
    source, sep, ticket_id = ref.rpartition(":")
    if sep and source not in {s.value for s in Source}:
        return False
    return ticket_number(ticket_id, source) == ticket_id


def json_object(text: str) -> dict[str, Any]:
    value = json_document(text)
    if not isinstance(value, dict):
        raise ValueError("payload is not a JSON object")
    return value


def _dict(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """``X-Slack-Signature: v0=`` hex HMAC-SHA256 over ``v0:{timestamp}:{body}``."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        raise SignatureError("missing X-Slack-Signature or X-Slack-Request-Timestamp")
    # Unix seconds, as Slack sends them. Anything else ("+1", " 1", "١٢٣", which int() reads, or
    # 14 digits, which datetime cannot hold) is refused before any clock arithmetic.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        raise SignatureError("X-Slack-Request-Timestamp is not a Unix time in seconds")
    check_age(timedelta(seconds=now.timestamp() - int(timestamp)))
    # Computed over the raw bytes: slack_sdk's verifier decodes the body as UTF-8 first and
    # raises on anything else, which would turn a forged request into a server error.
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("X-Slack-Signature does not match")


class SlackActions:
    """``POST /slack/actions``: interactivity (button clicks)."""

    content_type = FORM

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        verify(headers, body, secret, now)

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        payload = json_object(form_fields(body).get("payload", ""))
        kind = payload.get("type")
        if not isinstance(kind, str):
            raise ValueError("Slack payload has no type")
        if kind == "block_actions":
            try:
                parse_action(body)
            except ValueError as error:
                # Not one of the bridge's buttons on a ticket (a link button, a forged value):
                # answered as Slack wants, and nothing is stored for the worker to set aside.
                raise NotStored(str(error)) from None
        return Receipt(f"slack.{kind}"[:64], None, body_digest(body))

    def parse(self, body: bytes) -> PersonRequest | Ignored:
        payload = json_object(form_fields(body).get("payload", ""))
        if payload.get("type") != "block_actions":
            return Ignored(f"Slack {payload.get('type')} payload")
        click = parse_action(body)
        return PersonRequest(
            kind=click.kind,
            ticket=str(click.ticket),
            user_id=click.user_id,
            user_name=click.user_name,
            via="Slack",
            reason="Slack button",
            channel_id=click.channel_id,
            reply_to=MessageRef(click.channel_id, click.message_ts),
            workspace=click.team_id,
            app=click.app_id,
        )


class SlackCommands:
    """``POST /slack/commands``: ``/escalate`` and ``/escalation status``."""

    content_type = FORM

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        verify(headers, body, secret, now)

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        if not form_fields(body).get("command"):
            raise ValueError("not a Slack slash command: no command field")
        try:
            parse_command(body)
        except ValueError as error:
            # Answered with the usage when it is typed; nothing for the worker.
            raise NotStored(str(error)) from None
        return Receipt(COMMAND_KIND, None, body_digest(body))

    def parse(self, body: bytes) -> PersonRequest | Ignored:
        command = parse_command(body)
        if command.kind is not CommandKind.ESCALATE:
            return Ignored("answered when it was typed")
        return PersonRequest(
            kind=PersonRequestKind.ESCALATE,
            ticket=command.ticket,
            user_id=command.user_id,
            user_name=command.user_name,
            via="Slack",
            reason=command.reason,
            channel_id=command.channel_id,
            workspace=command.team_id,
            app=command.app_id,
        )
