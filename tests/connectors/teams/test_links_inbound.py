from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from requests.structures import CaseInsensitiveDict

from connectors.base import MessageRef, PersonRequestKind, SignatureError
from connectors.teams import links
from connectors.teams.inbound import CSRF_COOKIE, TeamsActions

SECRET = "link-secret"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINK = links.ActionLink(
    PersonRequestKind.ACKNOWLEDGE,
    "zendesk:4821",
    "TEAMS_WEBHOOK_URL",
    "0123456789abcdef0123",
    int((NOW + timedelta(hours=24)).timestamp()),
)
TOKEN = links.sign(LINK, SECRET)
NONCE = "browser-nonce"


def form(**fields: str) -> bytes:
    values = {"link": TOKEN, "csrf": links.csrf_token(SECRET, NONCE, TOKEN), "name": "Ana Ruiz"}
    return urlencode({**values, **fields}).encode()


def headers(cookie: str | None = f"{CSRF_COOKIE}={NONCE}") -> CaseInsensitiveDict[str]:
    return CaseInsensitiveDict({"Cookie": cookie} if cookie else {})


def test_a_signed_link_reads_back() -> None:
    assert links.verify(TOKEN, SECRET, NOW) == LINK


@pytest.mark.parametrize(
    ("token", "secret", "now", "error"),
    [
        (TOKEN, "another-secret", NOW, SignatureError),
        (TOKEN[:-2] + "AA", SECRET, NOW, SignatureError),
        ("X" + TOKEN[1:], SECRET, NOW, SignatureError),
        ("no-dot-at-all", SECRET, NOW, SignatureError),
        ("", SECRET, NOW, SignatureError),
        ("a" * 2000 + "." + "b", SECRET, NOW, SignatureError),
        (TOKEN, SECRET, NOW + timedelta(hours=25), links.LinkExpired),
    ],
    ids=["wrong-key", "tampered-mac", "tampered-payload", "malformed", "empty", "huge", "old"],
)
def test_bad_links_are_refused(token: str, secret: str, now: datetime, error: type) -> None:
    with pytest.raises(error):
        links.verify(token, secret, now)


def test_a_signed_garbage_payload_is_refused_not_crashed() -> None:
    payload = links._b64(b"[1,2]")
    token = f"{payload}.{links._b64(links._mac(SECRET, b'link:' + payload.encode()))}"
    with pytest.raises(SignatureError):
        links.verify(token, SECRET, NOW)


def test_the_confirmation_form_is_verified_and_parsed() -> None:
    inbound = TeamsActions()
    inbound.verify(headers(), form(), SECRET, NOW)
    receipt = inbound.receipt(headers(), form())
    assert receipt.kind == "teams.action" and receipt.ticket_id is None
    request = inbound.parse(form())
    assert request.kind is PersonRequestKind.ACKNOWLEDGE
    assert (request.ticket, request.user_name, request.via) == ("zendesk:4821", "Ana Ruiz", "Teams")
    assert request.reply_to == MessageRef("TEAMS_WEBHOOK_URL", LINK.card)


def test_the_same_person_confirming_twice_is_one_request() -> None:
    inbound = TeamsActions()
    first = inbound.receipt(headers(), form(name="Ana  Ruiz"))
    again = inbound.receipt(headers(), form(name="ana ruiz", csrf="other"))
    other = inbound.receipt(headers(), form(name="Bo"))
    assert first.dedup_key == again.dedup_key != other.dedup_key


@pytest.mark.parametrize(
    ("body", "cookie"),
    [
        (form(), None),  # no cookie: the form was not issued to this browser
        (form(), f"{CSRF_COOKIE}=another-nonce"),
        (form(csrf=""), f"{CSRF_COOKIE}={NONCE}"),
        (form(csrf="forged"), f"{CSRF_COOKIE}={NONCE}"),
        (form(link="forged.link"), f"{CSRF_COOKIE}={NONCE}"),
        (b"\xff\xfe not a form", f"{CSRF_COOKIE}={NONCE}"),
        (form(), "\x00;;;=broken"),
    ],
    ids=[
        "no-cookie",
        "other-cookie",
        "no-csrf",
        "forged-csrf",
        "forged-link",
        "bytes",
        "bad-cookie",
    ],
)
def test_forged_or_cross_site_posts_are_refused(body: bytes, cookie: str | None) -> None:
    with pytest.raises(SignatureError):
        TeamsActions().verify(headers(cookie), body, SECRET, NOW)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_missing_or_overlong_name_is_a_bad_request(name: str) -> None:
    with pytest.raises(ValueError):
        TeamsActions().receipt(headers(), form(name=name))
