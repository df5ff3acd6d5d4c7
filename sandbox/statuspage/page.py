"""The public status page as a customer sees it: overall state, components, incidents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from sandbox.statuspage import wire

_LABELS = {
    "operational": ("Operational", "#2fcc66"),
    "under_maintenance": ("Under Maintenance", "#3498db"),
    "degraded_performance": ("Degraded Performance", "#f1c40f"),
    "partial_outage": ("Partial Outage", "#e67e22"),
    "major_outage": ("Major Outage", "#e74c3c"),
}


def status_page(
    page: Mapping[str, Any],
    components: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
) -> str:
    open_incidents = [i for i in incidents if i["status"] in wire.UNRESOLVED_STATUSES]
    past = [i for i in incidents if i["status"] not in wire.UNRESOLVED_STATUSES]
    rows = "".join(
        f"<li><span>{escape(c['name'])}</span>"
        f'<b style="color:{_LABELS[c["status"]][1]}">{_LABELS[c["status"]][0]}</b></li>'
        for c in components
    )
    body = (
        f"{_banner(components, open_incidents)}"
        f"{''.join(_incident(i) for i in open_incidents)}"
        f'<ul class="components">{rows}</ul>'
        f"<h2>Past incidents</h2>{''.join(_incident(i) for i in past) or '<p>None.</p>'}"
    )
    title = escape(str(page["name"]))
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:auto}"
        ".banner{padding:1rem;color:#fff;font-size:1.3rem}"
        ".components{list-style:none;padding:0}"
        ".components li{display:flex;justify-content:space-between;padding:.8rem;"
        "border:1px solid #ddd;margin-top:-1px}"
        "article{border:1px solid #ddd;padding:0 1rem;margin:1rem 0}"
        "pre{white-space:pre-wrap;font-family:inherit}</style></head>"
        f"<body><h1>{title}</h1><p><i>Sandbox: a stand-in for Statuspage.</i></p>"
        f"{body}</body></html>"
    )


def _banner(
    components: Sequence[Mapping[str, Any]], open_incidents: Sequence[Mapping[str, Any]]
) -> str:
    worst = max(
        (list(_LABELS).index(c["status"]) for c in components if c["status"] != "operational"),
        default=None,
    )
    if worst is None and not open_incidents:
        return '<div class="banner" style="background:#2fcc66">All Systems Operational</div>'
    label, colour = _LABELS[list(_LABELS)[worst]] if worst is not None else ("Incident", "#e67e22")
    return f'<div class="banner" style="background:{colour}">{label}</div>'


def _incident(incident: Mapping[str, Any]) -> str:
    updates = "".join(
        f"<p><b>{escape(str(u['status']).capitalize())}</b> - "
        f"<pre>{escape(str(u['body']))}</pre>"
        f"<small>{escape(str(u['display_at']))}</small></p>"
        for u in reversed(incident["updates"])
    )
    return (
        f'<article id="incident-{escape(str(incident["id"]))}">'
        f"<h3>{escape(str(incident['name']))} "
        f"<small>impact {escape(str(incident['impact']))}</small></h3>{updates}</article>"
    )
