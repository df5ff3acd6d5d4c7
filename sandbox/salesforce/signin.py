"""The Salesforce stand-in's sign-in: OAuth client credentials and the SOAP API's
``login()`` (FACTS.md S-login)."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify, request

from sandbox.salesforce.checks import answer, known_version
from sandbox.salesforce.wire import ORG_ID

if TYPE_CHECKING:
    from sandbox.salesforce.routes import SalesforceSandbox

CLIENT_ID = "3MVG9sandboxConnectedAppKey"
CLIENT_SECRET = "sandbox-salesforce-client-secret"
USERNAME = "bridge@example.com"
PASSWORD = "sandbox-salesforce-password"
SECURITY_TOKEN = "SANDBOXTOKEN0001"


def register_signin(sb: SalesforceSandbox) -> None:
    app = sb.app

    @app.post("/services/oauth2/token")
    def token() -> Any:
        if (fault := sb.hit("oauth2.token")) is not None:
            return fault
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return answer(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return answer(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        access = f"{ORG_ID[:15]}!{secrets.token_urlsafe(24)}"
        sb.sessions[access] = sb.bridge_user_id
        base = sb.request_base_url()
        return jsonify(
            {
                "access_token": access,
                "signature": secrets.token_urlsafe(16),
                "scope": "api",
                "instance_url": base,
                "id": f"{base}/id/{ORG_ID}/{sb.bridge_user_id}",
                "token_type": "Bearer",
                "issued_at": str(int(sb.clock().timestamp() * 1000)),
            }
        )

    @app.post("/services/Soap/u/<version>")
    def soap_login(version: str) -> Any:
        if (injected := sb.hit("soap.login")) is not None:
            return injected
        body = request.get_data()
        username = password = ""
        if b"<!" not in body:
            try:
                root = ET.fromstring(body)
                partner = "{urn:partner.soap.sforce.com}"
                username = (root.findtext(f".//{partner}username") or "").strip()
                password = root.findtext(f".//{partner}password") or ""
            except ET.ParseError:
                pass
        if (
            not known_version(version)
            or username != USERNAME
            or password != PASSWORD + SECURITY_TOKEN
        ):
            refused = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
                "<faultcode>sf:INVALID_LOGIN</faultcode>"
                "<faultstring>INVALID_LOGIN: Invalid username, password, security token; "
                "or user locked out.</faultstring></soapenv:Fault>"
                "</soapenv:Body></soapenv:Envelope>"
            )
            return Response(refused, status=500, mimetype="text/xml")
        session = f"{ORG_ID[:15]}!{secrets.token_urlsafe(24)}"
        sb.sessions[session] = sb.bridge_user_id
        server = f"{sb.request_base_url()}/services/Soap/u/{version}/{ORG_ID[:15]}"
        answer = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
            f"<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
            f"<serverUrl>{server}</serverUrl><sessionId>{session}</sessionId>"
            f"<userId>{sb.bridge_user_id}</userId><userInfo><organizationId>{ORG_ID}</organizationId>"
            f"<userEmail>{USERNAME}</userEmail></userInfo>"
            "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
        )
        return Response(answer, status=200, mimetype="text/xml")
