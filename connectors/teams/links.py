"""Signed, short-lived action links for Teams cards, and the CSRF token of their confirmation
page. Pure: no I/O, the time is passed in.

A Workflows webhook card cannot call the bridge back (``Action.Submit`` never reaches the
sender), so each button is an ``Action.OpenUrl`` to ``/teams/actions?link=TOKEN``. The token
names the request (what, which ticket, which channel and card) and when it expires, signed with
HMAC-SHA256 under ``TEAMS_LINK_SECRET``. Opening it only shows a confirmation page: link
checkers and previews that fetch URLs never act; the page's form posts back with a CSRF token
bound to a cookie and to the link (double-submit), and that POST is the request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.base import PersonRequestKind, SignatureError

DEFAULT_LIFETIME = timedelta(hours=24)
MAX_TOKEN = 1024


class LinkExpired(SignatureError):
    """The link was genuine but is too old: the card's newer posts carry fresh ones."""


@dataclass(frozen=True)
class ActionLink:
    kind: PersonRequestKind
    ticket: str  # "zendesk:123"
    channel: str  # the variable naming the channel's webhook, e.g. TEAMS_WEBHOOK_URL
    card: str  # the key of the card the link is on
    expires: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def sign(link: ActionLink, secret: str) -> str:
    fields = [link.kind.value, link.ticket, link.channel, link.card, link.expires]
    payload = _b64(json.dumps(fields, separators=(",", ":")).encode())
    return f"{payload}.{_b64(_mac(secret, b'link:' + payload.encode()))}"


def verify(token: str, secret: str, now: datetime) -> ActionLink:
    """The link a token stands for; ``SignatureError`` if forged, ``LinkExpired`` if old."""
    payload, dot, mac = token.partition(".")
    if not dot or len(token) > MAX_TOKEN:
        raise SignatureError("not a bridge action link")
    try:
        given = _unb64(mac)
    except ValueError:
        raise SignatureError("not a bridge action link") from None
    if not hmac.compare_digest(given, _mac(secret, b"link:" + payload.encode())):
        raise SignatureError("the action link's signature does not match")
    try:
        link = decode(token)
    except ValueError:
        raise SignatureError("not a bridge action link") from None
    if now.timestamp() > link.expires:
        raise LinkExpired("this link has expired; use the buttons of the ticket's latest card")
    return link


def decode(token: str) -> ActionLink:
    """What a token says, unchecked: only for a token ``verify`` accepted before."""
    try:
        kind, ticket, channel, card, expires = json.loads(_unb64(token.partition(".")[0]))
        if not isinstance(expires, int):
            raise TypeError("expiry is not a number")
        return ActionLink(PersonRequestKind(kind), str(ticket), str(channel), str(card), expires)
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a bridge action link: {error}") from None


def csrf_token(secret: str, nonce: str, token: str) -> str:
    """What the confirmation form must send back: bound to the browser's cookie and the link."""
    return _b64(_mac(secret, f"csrf:{nonce}:{token}".encode()))


def check_csrf(secret: str, nonce: str | None, token: str, sent: str | None) -> None:
    if not nonce or not sent:
        raise SignatureError("missing confirmation token (open the link again)")
    if not hmac.compare_digest(csrf_token(secret, nonce, token).encode(), sent.encode()):
        raise SignatureError("the confirmation token does not match (open the link again)")
