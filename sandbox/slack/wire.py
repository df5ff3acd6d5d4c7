"""Slack's wire format: Web API answers and errors, Block Kit limits, request signing, and the
``block_actions`` payload of a button click.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

Json = dict[str, Any]
Message = dict[str, Any]

# Block Kit limits (Slack refuses a message that breaks one with ``invalid_blocks``).
# "You can include up to 50 blocks in each message":
# https://docs.slack.dev/reference/block-kit/blocks
MAX_BLOCKS = 50
# Every block's block_id: "Maximum length for this field is 255 characters".
BLOCK_ID_MAX = 255
# https://docs.slack.dev/reference/block-kit/blocks/section-block
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_MAX = 2000
# https://docs.slack.dev/reference/block-kit/blocks/header-block (text is plain_text only)
HEADER_TEXT_MAX = 150
# https://docs.slack.dev/reference/block-kit/blocks/context-block
CONTEXT_ELEMENTS_MAX = 10
# https://docs.slack.dev/reference/block-kit/composition-objects/text-object
TEXT_OBJECT_MAX = 3000
# "There is a maximum of 25 elements in each action block":
# https://docs.slack.dev/reference/block-kit/blocks/actions-block
ACTIONS_ELEMENTS_MAX = 25
# https://docs.slack.dev/reference/block-kit/block-elements/button-element
BUTTON_TEXT_MAX = 75
ACTION_ID_MAX = 255
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
BUTTON_STYLES = ("primary", "danger")

# The sandbox workspace and its bot (ours; Slack's ids have these prefixes).
TEAM_ID = "T0SANDBOX"
BOT_ID = "B0BRIDGE"
BOT_USER_ID = "U0BRIDGE"
APP_ID = "A0SANDBOX"
# What each method needs (SCOPES: the "Required scopes" of each method's page); a method listed
# with two needs either (history of public channels, or of private ones).
SCOPES_NEEDED: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "conversations.list": ("channels:read", "groups:read"),
    "conversations.history": ("channels:history", "groups:history"),
    "conversations.replies": ("channels:history", "groups:history"),
    "usergroups.users.list": ("usergroups:read",),
}
# The scopes the bridge's manifest asks for (README, Slack set-up).
BRIDGE_SCOPES = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "usergroups:read",
)
# The body the official SDK's mock server answers a rate-limited call with (with Retry-After).
RATE_LIMITED: Json = {"ok": False, "error": "ratelimited"}


def error(code: str, **extra: Any) -> Json:
    """Web API errors are HTTP 200 with ``ok`` false and an ``error`` code."""
    return {"ok": False, "error": code, **extra}


def auth_test(url: str) -> Json:
    return {
        "ok": True,
        "url": url,
        "team": "Sandbox",
        "user": "bridge",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    }


def visible(messages: Iterable[Message], *, include_metadata: bool) -> list[Message]:
    """Slack returns message metadata only when asked with ``include_all_metadata``."""
    return [
        m if include_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in messages
    ]


def sign_slack_request(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Slack-Signature`` value: v0 HMAC-SHA256 over ``v0:{timestamp}:{raw body}``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def block_actions(
    *,
    action_id: str,
    value: str,
    channel: str,
    message_ts: str,
    user_id: str,
    user_name: str,
) -> Json:
    """The ``block_actions`` payload of a click on a message's button."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "team": {"id": TEAM_ID, "domain": "sandbox"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "0.0.sandbox",
        "channel": {"id": channel, "name": channel},
        "message": {"type": "message", "ts": message_ts, "bot_id": BOT_ID},
        "response_url": f"https://hooks.slack.com/actions/{TEAM_ID}/0/sandbox",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "bridge.actions",
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def interaction_request(
    payload: Mapping[str, Any], secret: str, timestamp: int
) -> tuple[bytes, dict[str, str]]:
    """An interaction as Slack POSTs it: the form field ``payload``, signed over the raw body."""
    body = ("payload=" + quote(json.dumps(payload))).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign_slack_request(secret, timestamp, body),
    }
    return body, headers
