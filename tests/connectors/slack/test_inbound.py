from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from connectors.base import PersonRequestKind
from connectors.slack.inbound import (
    CommandKind,
    SlackAuthorization,
    TicketRef,
    parse_action,
    parse_command,
)
from policies.model import Source

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"


# ---- parse_action ----


def action_body(fixture: str, **action: str) -> bytes:
    payload = json.loads((FIXTURES / fixture).read_text())
    payload["actions"][0].update(action)
    return ("payload=" + quote(json.dumps(payload))).encode()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "block_actions_payload.bolt_python_test.json",
            (
                "W111",
                "primary-owner",
                "C111",
                "111.222",
                "https://hooks.slack.com/actions/T111/111/random-value",
            ),
        ),
        (
            "block_actions_payload.docs_example.json",
            (
                "UA8RXUSPL",
                "jtorrance",
                "CBR2V3XEX",
                "1548261231.000200",
                "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
            ),
        ),
    ],
)
@pytest.mark.parametrize(
    ("action_id", "kind"),
    [
        ("bridge.ack", PersonRequestKind.ACKNOWLEDGE),
        ("bridge.own", PersonRequestKind.TAKE_OWNERSHIP),
        ("bridge.escalate", PersonRequestKind.ESCALATE),
        ("bridge.resolve", PersonRequestKind.RESOLVE_PAGE),
    ],
)
def test_parse_action_on_recorded_payloads(
    fixture: str, expected: tuple[str, ...], action_id: str, kind: PersonRequestKind
) -> None:
    action = parse_action(action_body(fixture, action_id=action_id, value="freshdesk:45"))
    assert action.kind is kind
    assert action.ticket == TicketRef(Source.FRESHDESK, "45")
    user_id, user_name, channel_id, message_ts, response_url = expected
    assert (action.user_id, action.user_name, action.channel_id) == (user_id, user_name, channel_id)
    assert (action.message_ts, action.response_url) == (message_ts, response_url)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=",
        b"payload=%7Bnot+json",
        b"payload=%5B%5D",
        b"\xff\xfe",
        ("payload=" + quote(json.dumps({"type": "view_submission"}))).encode(),
        ("payload=" + quote(json.dumps({"type": "block_actions", "actions": []}))).encode(),
        action_body("block_actions_payload.docs_example.json"),  # someone else's button
        action_body("block_actions_payload.docs_example.json", action_id="bridge.ack"),
        action_body(
            "block_actions_payload.docs_example.json", action_id="bridge.ack", value="jira:1"
        ),
    ],
)
def test_parse_action_rejects_garbage(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_action(body)


# ---- parse_command ----


def command_body(**changes: str) -> bytes:
    vector = json.loads((FIXTURES / "slash_command_form.signing_test_vector.json").read_text())
    return urlencode({**vector["form_fields"], **changes}).encode()


def test_signing_vector_command_is_not_ours() -> None:
    vector = json.loads((FIXTURES / "slash_command_form.signing_test_vector.json").read_text())
    with pytest.raises(ValueError, match="Usage"):
        parse_command(vector["raw_body"].encode())


@pytest.mark.parametrize(
    ("command", "text", "kind", "ticket", "reason"),
    [
        ("/escalate", "zendesk:123", CommandKind.ESCALATE, "zendesk:123", ""),
        (
            "/escalate",
            "freshdesk:45 customer  wants a manager",
            CommandKind.ESCALATE,
            "freshdesk:45",
            "customer wants a manager",
        ),
        ("/escalate", "77 outage", CommandKind.ESCALATE, "77", "outage"),
        ("/escalation", "status zendesk:9", CommandKind.STATUS, "zendesk:9", ""),
        ("/escalation", "STATUS 9", CommandKind.STATUS, "9", ""),
    ],
)
def test_parse_command(
    command: str, text: str, kind: CommandKind, ticket: str, reason: str
) -> None:
    parsed = parse_command(command_body(command=command, text=text))
    assert (parsed.kind, parsed.ticket, parsed.reason) == (kind, ticket, reason)
    assert (parsed.user_id, parsed.user_name, parsed.channel_id) == (
        "U2CERLKJA",
        "roadrunner",
        "G8PSS9T3V",
    )
    assert parsed.response_url.startswith("https://hooks.slack.com/commands/")


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/escalate", ""),
        ("/escalate", "jira:1"),
        ("/escalate", "zendesk:abc"),
        ("/escalation", "status"),
        ("/escalation", "list 1"),
        ("/other", "zendesk:1"),
    ],
)
def test_parse_command_rejects_bad_input(command: str, text: str) -> None:
    with pytest.raises(ValueError, match="Usage"):
        parse_command(command_body(command=command, text=text))


# ---- authorization ----

GROUP = frozenset({"S1"})
K = PersonRequestKind


USERS = SlackAuthorization(frozenset({"U1"}))


@pytest.mark.parametrize(
    ("auth", "kind", "user", "members", "allowed"),
    [
        (SlackAuthorization(), K.RESOLVE_PAGE, "U1", (), True),
        (USERS, K.RESOLVE_PAGE, "U1", (), True),
        (USERS, K.ESCALATE, "U2", (), False),
        (USERS, K.TAKE_OWNERSHIP, "U2", (), False),
        (USERS, K.PUBLISH_STATUSPAGE, "U2", (), False),
        (USERS, K.ACKNOWLEDGE, "U2", (), True),
        (SlackAuthorization(allowed_groups=GROUP), K.ESCALATE, "U2", ("U2", "U3"), True),
        (SlackAuthorization(allowed_groups=GROUP), K.RESOLVE_PAGE, "U2", ("U3",), False),
        (SlackAuthorization(allowed_groups=GROUP), K.TAKE_OWNERSHIP, "U2", (), False),
    ],
)
def test_authorization(
    auth: SlackAuthorization, kind: K, user: str, members: tuple[str, ...], allowed: bool
) -> None:
    assert auth.permits(kind, user, members) is allowed
