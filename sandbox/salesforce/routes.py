"""The Salesforce stand-in's HTTP surface: sign-in (OAuth client credentials and SOAP
``login()``), ``userinfo``, the REST resources a client uses (query with ``nextRecordsUrl``,
sObject rows, describe, limits) checked as Salesforce checks them, ``Sforce-Limit-Info`` on
every answer, the overview page, and the Outbound Messages it posts."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.desk_html import ticket_page
from sandbox.salesforce import soql
from sandbox.salesforce.checks import answer, check_write, known_version, validate
from sandbox.salesforce.signin import register_signin
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.wire import (
    API_VERSION,
    AUDIT,
    CUSTOM_FIELDS,
    OBJECTS,
    ORG_ID,
    Json,
    errors,
    outbound_message,
)

BATCH = 2_000  # the query batch size Salesforce uses by default (FACTS.md S-query)


class SalesforceSandbox(SalesforceState, SandboxService):
    name = "salesforce"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        daily_limit: int = 100_000,
    ) -> None:
        SandboxService.__init__(self)
        self.daily_limit = daily_limit
        self.batch_size = BATCH
        self._usage_lock = threading.Lock()
        self.api_used = 0
        self.sessions: dict[str, str] = {}  # access token -> user id
        self.cursors: dict[str, list[Json]] = {}
        SalesforceState.__init__(self, clock=clock)
        _register(self)
        register_signin(self)
        self.app.after_request(self._limit_header)

    def reset(self) -> None:
        self.calls.clear()
        self.faults.clear()
        self.sessions = {}
        self.cursors = {}
        self.api_used = 0
        self.batch_size = BATCH
        super().reset()

    def expire_sessions(self) -> None:
        """Every session ends (as after its timeout): the next call answers INVALID_SESSION_ID."""
        self.sessions.clear()

    def deliver_outbound(
        self, url: str, case_ids: list[str], *, timeout: float = 5.0, org_id: str = ORG_ID
    ) -> requests.Response:
        """POST an Outbound Message about ``case_ids`` as Salesforce sends one."""
        notifications = [(next(self.notification_ids), self.outbound_fields(c)) for c in case_ids]
        body = outbound_message(notifications, "04k5e000000CaRkAAK", self.base_url)
        if org_id != ORG_ID:
            body = body.replace(ORG_ID.encode(), org_id.encode())
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
        return requests.post(url, data=body, headers=headers, timeout=timeout)

    def _enter(self, endpoint: str) -> Response | tuple[Any, int] | None:
        """Count the call, apply a fault, check the session and the day's allocation."""
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = self.sessions.get(token)
        if user is None:
            return answer(401, errors("INVALID_SESSION_ID", "Session expired or invalid"))
        request.environ["sandbox.user"] = user
        with self._usage_lock:
            self.api_used += 1
            over = self.api_used > self.daily_limit
        if over:
            return answer(403, errors("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
        return None

    def _limit_header(self, response: Response) -> Response:
        if request.path.startswith("/services/data/"):
            response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.daily_limit}"
        return response

    def _url(self, sobject: str, record_id: str) -> str:
        return f"/services/data/v{API_VERSION}/sobjects/{sobject}/{record_id}"

    def _page(self, rows: list[Json], start: int) -> Json:
        end = start + self.batch_size
        page: Json = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[start:end]}
        if end < len(rows):
            locator = "01g" + secrets.token_hex(6)
            self.cursors[locator] = rows
            page["nextRecordsUrl"] = f"/services/data/v{API_VERSION}/query/{locator}-{end}"
        return page

    def _find_record(self, record_id: str) -> tuple[str, Json] | None:
        return self.find(record_id)


def _register(sb: SalesforceSandbox) -> None:
    app = sb.app
    data = "/services/data/v<version>"

    @app.get("/")
    def index() -> str:
        with sb.lock:
            users = sb.records["User"]
            rows = [
                (
                    {
                        "id": c["Id"],
                        "subject": f"{c['CaseNumber']} {c['Subject']}",
                        "status": c["Status"],
                        "priority": c["Priority"],
                        "group": sb.records["Group"].get(c["OwnerId"], {}).get("Name"),
                        "assignee": users.get(c["OwnerId"], {}).get("Name"),
                        "tags": sorted(sb.topics_of(c["Id"])),
                    },
                    [
                        {
                            "author": users.get(m["CreatedById"], {}).get("Name", m["CreatedById"]),
                            "public": m["IsPublished"],
                            "text": m["CommentBody"],
                            "created_at": m["CreatedDate"],
                        }
                        for m in sb.comments_of(c["Id"])
                    ],
                )
                for c in sb.records["Case"].values()
            ]
        return ticket_page("Salesforce sandbox", rows)

    @app.get("/services/oauth2/userinfo")
    def userinfo() -> Any:
        if (stop := sb._enter("userinfo")) is not None:
            return stop
        user = sb.records["User"][request.environ["sandbox.user"]]
        base = sb.request_base_url()
        return jsonify(
            {
                "sub": f"{base}/id/{ORG_ID}/{user['Id']}",
                "user_id": user["Id"],
                "organization_id": ORG_ID,
                "preferred_username": user["Username"],
                "name": user["Name"],
                "email": user["Email"],
                "user_type": "STANDARD",
            }
        )

    @app.get(f"{data}/query", strict_slashes=False)
    def query(version: str) -> Any:
        q = request.args.get("q", "")
        try:
            parsed = soql.parse(q)
        except soql.QueryError as exc:
            if (stop := sb._enter("query")) is not None:
                return stop
            return answer(400, errors(exc.code, str(exc)))
        if (stop := sb._enter(f"query.{parsed.sobject}")) is not None:
            return stop
        if not known_version(version):
            return answer(404, errors("NOT_FOUND", "The requested resource does not exist"))
        with sb.lock:
            found = soql.run(parsed, sb.records[parsed.sobject], sb.find)
            rows = [soql.project(parsed, r, sb.find, sb._url) for r in found]
        return jsonify(sb._page(rows, 0))

    @app.get(f"{data}/query/<locator>")
    def query_more(version: str, locator: str) -> Any:
        if (stop := sb._enter("query.more")) is not None:
            return stop
        key, _, start = locator.rpartition("-")
        rows = sb.cursors.get(key)
        if rows is None or not start.isdigit():
            return answer(400, errors("INVALID_QUERY_LOCATOR", "invalid query locator"))
        return jsonify(sb._page(rows, int(start)))

    @app.get(f"{data}/limits", strict_slashes=False)
    def limits(version: str) -> Any:
        if (stop := sb._enter("limits")) is not None:
            return stop
        left = max(0, sb.daily_limit - sb.api_used)
        return jsonify({"DailyApiRequests": {"Max": sb.daily_limit, "Remaining": left}})

    @app.get(f"{data}/sobjects/Case/describe", strict_slashes=False)
    def describe(version: str) -> Any:
        if (stop := sb._enter("ticket_fields.list")) is not None:
            return stop
        fields: list[Json] = [
            {"name": name, "label": name, "custom": False, "type": "string", "picklistValues": []}
            for name in (*AUDIT, *OBJECTS["Case"][1])
            if name not in CUSTOM_FIELDS
        ]
        fields += [
            {
                "name": name,
                "label": label,
                "custom": True,
                "type": kind,
                "picklistValues": [{"value": v, "label": v, "active": True} for v in values],
            }
            for name, (label, kind, values) in CUSTOM_FIELDS.items()
        ]
        return jsonify({"name": "Case", "label": "Case", "fields": fields})

    @app.get(f"{data}/sobjects/<sobject>/<record_id>")
    def show(version: str, sobject: str, record_id: str) -> Any:
        endpoint = "tickets.show" if sobject == "Case" else f"{sobject}.show"
        if (stop := sb._enter(endpoint)) is not None:
            return stop
        found = sb.find(record_id)
        if found is None or found[0] != sobject:
            return answer(404, errors("NOT_FOUND", "The requested resource does not exist"))
        return jsonify(
            {"attributes": {"type": sobject, "url": sb._url(sobject, found[1]["Id"])}, **found[1]}
        )

    @app.post(f"{data}/sobjects/<sobject>", strict_slashes=False)
    def create(version: str, sobject: str) -> Any:
        if (stop := sb._enter(f"{sobject}.create")) is not None:
            return stop
        body = request.get_json(silent=True)
        if (stop := check_write(sobject, body)) is not None:
            return stop
        assert isinstance(body, dict)
        if (stop := validate(sb, sobject, body)) is not None:
            return stop
        by = request.environ["sandbox.user"]
        if sobject == "CaseComment":
            new_id = sb.comment(
                str(body["ParentId"])[:18],
                str(body.get("CommentBody") or ""),
                published=bool(body.get("IsPublished")),
                by=by,
            )
        else:
            new_id = sb.insert(sobject, dict(body), by=by)
        return answer(201, {"id": new_id, "success": True, "errors": []})

    @app.patch(f"{data}/sobjects/<sobject>/<record_id>")
    def update(version: str, sobject: str, record_id: str) -> Any:
        if (stop := sb._enter(f"{sobject}.update")) is not None:
            return stop
        found = sb.find(record_id)
        if found is None or found[0] != sobject:
            return answer(404, errors("NOT_FOUND", "The requested resource does not exist"))
        body = request.get_json(silent=True)
        if (stop := check_write(sobject, body)) is not None:
            return stop
        assert isinstance(body, dict)
        if (stop := validate(sb, sobject, body)) is not None:
            return stop
        sb.change(sobject, found[1]["Id"], dict(body), by=request.environ["sandbox.user"])
        return Response(status=204)

    @app.delete(f"{data}/sobjects/<sobject>/<record_id>")
    def remove(version: str, sobject: str, record_id: str) -> Any:
        if (stop := sb._enter(f"{sobject}.delete")) is not None:
            return stop
        found = sb.find(record_id)
        if found is None or found[0] != sobject:
            return answer(404, errors("NOT_FOUND", "The requested resource does not exist"))
        if sobject == "TopicAssignment":
            sb.touch(str(found[1]["EntityId"]), by=request.environ["sandbox.user"])
        sb.delete(sobject, found[1]["Id"])
        return Response(status=204)
