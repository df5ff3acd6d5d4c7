"""Signing in to Salesforce, and the HTTP adapter API calls go through.

Two documented ways to get a session (FACTS.md S-login): a connected app's OAuth 2.0 client
credentials flow (``POST /services/oauth2/token`` on the org's My Domain), or the SOAP API's
``login()`` with a username and password + security token. Sign-ins do not count against the
daily API requests, so they use a plain session of their own; every other call goes through
``SalesforceAdapter``: the desks' budget and typed errors, plus the org's own count of what is
left of the day (``Sforce-Limit-Info: api-usage=used/limit``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import requests

from connectors._desk.session import DeskAdapter
from connectors.base import AuthError, RetryableError
from connectors.http import parse_retry_after
from connectors.salesforce.settings import API_VERSION, SalesforceSettings

LIMIT_HEADER = "Sforce-Limit-Info"
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
_PARTNER = "urn:partner.soap.sforce.com"
_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
LOGIN_TIMEOUT = 10.0


@dataclass(frozen=True)
class Login:
    access_token: str
    instance_url: str


def api_usage(header: str) -> tuple[int, int] | None:
    """(used, limit) from ``Sforce-Limit-Info``, or None."""
    found = _USAGE.search(header)
    return (int(found.group(1)), int(found.group(2))) if found else None


# Once the day's allocation is spent Salesforce answers 403 REQUEST_LIMIT_EXCEEDED: a wait,
# not a credential problem. The allocation is rolling over 24 hours: try again in an hour.
LIMIT_EXCEEDED = b"REQUEST_LIMIT_EXCEEDED"
LIMIT_WAIT = "3600"


class SalesforceAdapter(DeskAdapter):
    """Believes the org's own count: once it says fewer calls are left today than the bucket
    holds, the bucket holds no more than the bridge's share of them."""

    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        if response.status_code == 403 and LIMIT_EXCEEDED in response.content:
            response.status_code = 429  # what the shared classification reads as "wait"
            response.headers["Retry-After"] = LIMIT_WAIT
        usage = api_usage(response.headers.get(LIMIT_HEADER, ""))
        if usage is not None:
            used, limit = usage
            self.bucket.cap(max(0, limit - used) * self.share)
        return response


def login(settings: SalesforceSettings, *, timeout: float = LOGIN_TIMEOUT) -> Login:
    """A new session by the configured way; ``AuthError`` names the variables to check."""
    with requests.Session() as session:
        try:
            if settings.client_secret is not None:
                return _client_credentials(session, settings, timeout)
            return _soap_login(session, settings, timeout)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"Salesforce: {type(exc).__name__} signing in") from None


def _client_credentials(
    session: requests.Session, settings: SalesforceSettings, timeout: float
) -> Login:
    assert settings.client_id is not None and settings.client_secret is not None
    response = session.post(
        f"{settings.base_url}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value(),
        },
        timeout=timeout,
    )
    if _busy(response.status_code):
        raise _retry(response)
    body = _json(response)
    if response.status_code != 200 or not body.get("access_token"):
        error = str(body.get("error") or f"HTTP {response.status_code}")[:80]
        raise AuthError(
            f"Salesforce refused the client credentials ({error}) "
            "(check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET)",
            status=response.status_code,
        )
    return Login(str(body["access_token"]), str(body.get("instance_url") or settings.base_url))


def soap_login_body(username: str, password: str) -> str:
    """The SOAP API ``login()`` request (partner WSDL); the values are escaped as XML text."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<env:Envelope xmlns:env="{_SOAP}" xmlns:urn="{_PARTNER}">'
        "<env:Body><urn:login>"
        f"<urn:username>{escape(username)}</urn:username>"
        f"<urn:password>{escape(password)}</urn:password>"
        "</urn:login></env:Body></env:Envelope>"
    )


def _soap_login(session: requests.Session, settings: SalesforceSettings, timeout: float) -> Login:
    assert settings.username is not None and settings.password is not None
    assert settings.security_token is not None
    # The password is followed by the user's security token (FACTS.md S-login).
    password = settings.password.get_secret_value() + settings.security_token.get_secret_value()
    response = session.post(
        f"{settings.base_url}/services/Soap/u/{API_VERSION}",
        data=soap_login_body(settings.username, password).encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": "login"},
        timeout=timeout,
    )
    found = _login_result(response.content)
    if response.status_code == 200 and found is not None:
        session_id, server_url = found
        return Login(session_id, server_url.split("/services/", 1)[0])
    fault = _fault_code(response.content)
    # A refused login is a SOAP fault (HTTP 500) naming it; any other 5xx is an outage.
    if _busy(response.status_code) and "LOGIN" not in fault:
        raise _retry(response)
    raise AuthError(
        f"Salesforce refused the sign-in ({fault[:80] or response.status_code}) "
        "(check SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN)",
        status=response.status_code,
    )


def _busy(status: int) -> bool:
    return status in (408, 425, 429) or status >= 500


def _retry(response: requests.Response) -> RetryableError:
    return RetryableError(
        f"Salesforce sign-in answered HTTP {response.status_code}",
        status=response.status_code,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def _login_result(content: bytes) -> tuple[str, str] | None:
    try:
        root = ET.fromstring(content) if b"<!" not in content else None
    except ET.ParseError:
        return None
    if root is None:
        return None
    session_id = root.find(f".//{{{_PARTNER}}}sessionId")
    server_url = root.find(f".//{{{_PARTNER}}}serverUrl")
    if session_id is None or server_url is None or not session_id.text or not server_url.text:
        return None
    return session_id.text.strip(), server_url.text.strip()


def _fault_code(content: bytes) -> str:
    found = re.search(rb"<faultcode>([^<]{1,80})</faultcode>", content)
    return found.group(1).decode("ascii", "replace") if found else ""


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
