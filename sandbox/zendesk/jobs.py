"""The Zendesk stand-in's bulk updates: ``PUT /api/v2/tickets/update_many`` queues a job that
updates up to 100 tickets, ``GET /api/v2/job_statuses/{id}`` tells how it went (see FACTS.md,
"Bulk updates"). The stand-in runs the job at once; the answer to the PUT still says ``queued``,
as Zendesk's does, so a client must read the job status to learn each ticket's result."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request

from sandbox.zendesk.wire import Json, error_body

if TYPE_CHECKING:
    from sandbox.zendesk.routes import ZendeskSandbox

BULK_MAX = 100  # OAS TicketsUpdateMany: "up to 100 ticket objects, or ... up to 100 ticket ids"


def _answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def register_jobs(app: Flask, sb: ZendeskSandbox) -> None:
    @app.put("/api/v2/tickets/update_many.json")
    @app.put("/api/v2/tickets/update_many")
    def update_many() -> Any:
        if (stop := sb._enter("tickets.update_many")) is not None:
            return stop
        body = request.get_json(silent=True) or {}
        updates = _updates(body, request.args.get("ids"))
        if updates is None:
            return _answer(400, error_body("InvalidValue", "Send tickets, or ticket with ids"))
        if len(updates) > BULK_MAX:
            return _answer(400, error_body("TooManyValues", f"at most {BULK_MAX} tickets"))
        job_id = secrets.token_hex(16)
        results = [_apply(sb, fields) for fields in updates]
        with sb.lock:
            sb.jobs[job_id] = {
                "id": job_id,
                "job_type": "bulk_update",
                "url": f"{sb.request_base_url()}/api/v2/job_statuses/{job_id}.json",
                "total": len(updates),
                "progress": len(updates),
                "status": "completed",
                "message": f"Completed at {sb.clock().isoformat()}",
                "results": results,
            }
            queued = {**sb.jobs[job_id], "status": "queued", "progress": 0, "results": None}
            queued["message"] = None
        return jsonify({"job_status": queued})

    @app.get("/api/v2/job_statuses/<job_id>.json")
    @app.get("/api/v2/job_statuses/<job_id>")
    def show_job(job_id: str) -> Any:
        if (stop := sb._enter("job_statuses.show")) is not None:
            return stop
        with sb.lock:
            job = sb.jobs.get(job_id)
        if job is None:
            return _answer(404, error_body("RecordNotFound", "Not found"))
        return jsonify({"job_status": job})


def _updates(body: Json, ids: str | None) -> list[dict[str, Any]] | None:
    """Batch update (``tickets``: one object per ticket, each with its ``id``) or bulk update
    (one ``ticket`` object applied to every id in ``?ids=``)."""
    if isinstance(body.get("tickets"), list):
        return [dict(t) for t in body["tickets"] if isinstance(t, dict)]
    if isinstance(body.get("ticket"), dict) and ids:
        return [{**body["ticket"], "id": part} for part in ids.split(",") if part.strip()]
    return None


def _apply(sb: ZendeskSandbox, fields: dict[str, Any]) -> Json:
    try:
        ticket_id = int(fields.pop("id"))
    except (KeyError, TypeError, ValueError):
        return {"action": "update", "success": False, "status": "Failed", "error": "InvalidValue"}
    result: Json = {"id": ticket_id, "action": "update"}
    if ticket_id not in sb.tickets:
        return {**result, "success": False, "status": "Failed", "error": "TicketNotFound"}
    if details := sb.invalid_assignment(fields):
        return {
            **result,
            "success": False,
            "status": "Failed",
            "error": "RecordInvalid",
            "details": ", ".join(sorted(details)),
        }
    sb.bulk_update(ticket_id, fields)
    return {**result, "success": True, "status": "Updated"}
