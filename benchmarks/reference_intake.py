"""The reference for webhook intake: the same stack as the bridge and nothing else.

Flask behind gunicorn, the Zendesk signature checked over the raw body in constant time, one
INSERT into SQLite (WAL, the same pragmas as the bridge) deduplicated on the event id, 202.
`bench_intake.py --side-by-side` runs it with the bridge under the same load, so the bridge's
intake can be held against what the stack itself costs.

    REFERENCE_DB=/tmp/ref.db REFERENCE_SECRET=... gunicorn -c gunicorn.conf.py \
        benchmarks.reference_intake:app
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import threading

from flask import Flask, Response, request

app = Flask(__name__)
SECRET = os.environ.get("REFERENCE_SECRET", "").encode()
DATABASE = os.environ.get("REFERENCE_DB", "reference.db")
_local = threading.local()


def connection() -> sqlite3.Connection:
    found: sqlite3.Connection | None = getattr(_local, "connection", None)
    if found is None:
        found = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
        found.execute("PRAGMA journal_mode=WAL")
        found.execute("PRAGMA synchronous=NORMAL")
        found.execute(
            "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, "
            "ticket_id TEXT, body BLOB, received_at TEXT)"
        )
        _local.connection = found
    return found


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok")


@app.post("/webhooks/zendesk")
def zendesk() -> tuple[Response, int] | Response:
    body = request.get_data()
    timestamp = request.headers.get("X-Zendesk-Webhook-Signature-Timestamp", "")
    given = base64.b64decode(request.headers.get("X-Zendesk-Webhook-Signature", ""))
    expected = hmac.new(SECRET, timestamp.encode() + body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        return Response(status=401)
    event = json.loads(body)
    connection().execute(
        "INSERT INTO inbox (dedup_key, ticket_id, body, received_at) VALUES (?, ?, ?, "
        "datetime('now')) ON CONFLICT (dedup_key) DO NOTHING",
        (event["id"], event["detail"]["id"], body),
    )
    return Response(b'{"status": "accepted"}', status=202, mimetype="application/json")
