"""The dashboard's pages: metrics and charts, active escalations, dead letters, one ticket."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from bridge.metrics import Filters, Metrics, compute_metrics, duration, scorecard, targets_for
from bridge.runtime import runtime
from bridge.store import dashboard as queries
from bridge.store import db, outbox, storms
from bridge.web.dashboard import auth, charts
from bridge.web.throttle import check_secret
from policies.messages import owner_label
from policies.model import Tier

PERIODS = (7, 30, 90, 365)
SEVERITIES = ("Critical", "High", "Medium", "Low")
TIERS = ("L1", "L2", "L3", "L4")


def register(blueprint: Blueprint) -> None:
    blueprint.add_url_rule("/", view_func=index)
    blueprint.add_url_rule("/tickets/<source>/<ticket_id>", view_func=ticket)
    blueprint.add_url_rule("/dead-letters/<int:action_id>/retry", view_func=retry, methods=["POST"])
    blueprint.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    blueprint.add_url_rule("/logout", view_func=logout, methods=["POST"])


def index() -> str:
    context = runtime()
    days = request.args.get("days", 30, type=int) or 30
    days = min(max(days, 1), 3650)
    filters = Filters(
        team=request.args.get("team") or None,
        severity=request.args.get("severity")
        if request.args.get("severity") in SEVERITIES
        else None,
    )
    now = context.clock()
    with db.reading(context.db) as connection:
        metrics = compute_metrics(
            connection, context.policy, now - timedelta(days=days), now, filters
        )
        active_total, active = queries.active_escalations(connection)
        dead = queries.dead_letters(connection, context.settings.secret_values())
        groups = storms.active(connection, now)
    return render_template(
        "dashboard/index.html",
        metrics=metrics,
        card=scorecard(metrics, targets_for(context.policy)),
        charts=_charts(metrics),
        active=active,
        active_total=active_total,
        dead=dead,
        groups=groups,
        days=days,
        periods=PERIODS,
        severities=SEVERITIES,
        tiers=TIERS,
        filters=filters,
        now=now,
        policy_name=context.policy.doc.name,
    )


def _charts(m: Metrics) -> list[charts.Chart]:
    per_day = [(_day(d), float(n)) for d, n in sorted(m.per_day.items())]
    return [
        charts.columns("chart-escalations", "Escalations per day (first escalation)", per_day),
        charts.columns(
            "chart-tte",
            "Time to escalate",
            [(name, float(n)) for name, n in m.tte_histogram()],
        ),
        charts.rows(
            "chart-triggers",
            "Escalations by trigger",
            [(rule, float(n)) for rule, n in m.triggers.most_common(10)],
        ),
    ]


def _day(day: date) -> str:
    return day.strftime("%d %b")


def ticket(source: str, ticket_id: str) -> str:
    context = runtime()
    with db.reading(context.db) as connection:
        view = queries.ticket_view(connection, source, ticket_id)
    if view is None:
        abort(404)
    return render_template("dashboard/ticket.html", view=view, pretty=_pretty, now=context.clock())


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str) if value else ""


def retry(action_id: int) -> Response:
    auth.check_csrf()
    context = runtime()
    with db.writing(context.db) as connection:
        count = outbox.retry_dead(connection, action_id, context.clock())
    flash(f"Dead letter {action_id} queued again." if count else f"No dead letter {action_id}.")
    return redirect(url_for("dashboard.index") + "#dead-letters")


def login() -> str | Response:
    token = auth.admin_token()
    if token is None:
        return redirect(url_for("dashboard.index"))
    error = ""
    if request.method == "POST":
        auth.check_csrf()
        if check_secret(request.form.get("token", ""), token):
            auth.start_session(token)
            return redirect(_safe_next(request.args.get("next")))
        error = "That token is not right."
    return render_template("dashboard/login.html", error=error)


def logout() -> Response:
    auth.check_csrf()
    auth.end_session()
    return redirect(url_for("dashboard.login"))


# Characters a dashboard path is made of. Everything else (backslash, tab, CR/LF, "%") is how
# "next" is turned into a link off the site or a broken header.
PATH_CHARACTERS = re.compile(r"/[A-Za-z0-9._~:@!$&'()*+,;=/-]*")
DOT_SEGMENT = re.compile(r"/\.\.?(/|$)")  # browsers resolve them, so the page is another
NEXT_ENDPOINTS = ("dashboard.index", "dashboard.ticket")


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a dashboard page of this site, else the front page."""
    fallback = url_for("dashboard.index")
    path, _, query = (target or "").partition("?")
    if not PATH_CHARACTERS.fullmatch(path) or "//" in path or DOT_SEGMENT.search(path):
        return fallback
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:  # not found, not a GET page, or a redirect
        return fallback
    if endpoint not in NEXT_ENDPOINTS:
        return fallback
    # Decoded and encoded again: the query can only carry plain parameters.
    return path + (f"?{urlencode(parse_qsl(query))}" if query else "")


def owner(recorded: str | None, tier: int) -> str:
    """The Owner column: a team by its display name, as messages name it (never a group slug),
    a person as recorded."""
    return owner_label(runtime().policy, recorded, Tier(tier)) if recorded else "-"


def relative(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "-"
    seconds = (moment - now).total_seconds()
    text = duration(abs(seconds))
    return f"in {text}" if seconds >= 0 else f"overdue {text}"


def guard() -> Response | None:
    if request.endpoint in ("dashboard.login", "dashboard.static"):
        return None
    g.auth = auth.authenticate()
    if g.auth is not None:
        return None
    if auth.admin_token() is None:
        abort(403, auth.open_refusal())
    if request.method == "GET" and not request.headers.get("Authorization"):
        return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
    abort(401)
