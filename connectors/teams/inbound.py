"""What the Teams confirmation page posts to the bridge: ``POST /teams/actions``.

Pure. The form carries the signed link, the confirming person's name and the CSRF token the
page issued for the browser's cookie (``links.py``); ``verify`` checks all three, ``parse`` turns
the request into the same ``PersonRequest`` as a Slack click.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from http.cookies import CookieError, SimpleCookie

from connectors._forms import FORM, form_fields
from connectors.base import (
    MessageRef,
    PersonRequest,
    Receipt,
    SignatureError,
    body_digest,
)
from connectors.teams.links import check_csrf, decode, verify

KIND = "teams.action"
CSRF_COOKIE = "bridge_teams_csrf"
NAME_MAX = 80


def cookie(headers: Mapping[str, str], name: str = CSRF_COOKIE) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("Cookie", ""))
    except CookieError:
        return None
    found = jar.get(name)
    return found.value if found else None


def person(fields: Mapping[str, str]) -> str:
    """The name the person gave: required, one line, at most 80 characters."""
    name = " ".join(fields.get("name", "").split())
    if not name:
        raise ValueError("say who you are: the name field is empty")
    if len(name) > NAME_MAX:
        raise ValueError(f"the name is longer than {NAME_MAX} characters")
    return name


class TeamsActions:
    content_type = FORM

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        try:
            fields = form_fields(body)
        except ValueError:
            raise SignatureError("not a confirmation form") from None
        token = fields.get("link", "")
        verify(token, secret, now)
        check_csrf(secret, cookie(headers), token, fields.get("csrf"))

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        fields = form_fields(body)
        name = person(fields)
        # One request per link and person, however often the form is sent.
        key = fields["link"] + "\n" + name.casefold()
        return Receipt(KIND, None, body_digest(key.encode()))

    def parse(self, body: bytes) -> PersonRequest:
        fields = form_fields(body)
        link, name = decode(fields["link"]), person(fields)
        return PersonRequest(
            kind=link.kind,
            ticket=link.ticket,
            user_id=f"teams:{name}",
            user_name=name,
            via="Teams",
            reason="Teams card",
            channel_id=link.channel,
            reply_to=MessageRef(link.channel, link.card),
        )
