"""Each channel's cards as readable HTML, close enough to Teams to read them in a demo.

Everything from a card is escaped; only http(s) URLs become links, so a card cannot smuggle a
``javascript:`` link into the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from sandbox.teams.state import Run

_SIZES = {"small": "0.85em", "medium": "1.1em", "large": "1.35em", "extralarge": "1.6em"}


def channels_page(channels: Mapping[str, Sequence[Run]]) -> str:
    sections = []
    for name, runs in channels.items():
        posts = "".join(_run(run) for run in runs) or "<p><i>No messages yet.</i></p>"
        sections.append(
            f'<section id="channel-{escape(name)}"><h2>#{escape(name)}</h2>{posts}</section>'
        )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Teams sandbox</title>'
        "<style>body{font-family:sans-serif;max-width:55rem;margin:auto}"
        ".card{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}"
        ".failed{background:#fde8e8}.not-rendered{background:#f3f3f3;color:#666}"
        ".columns{display:flex;gap:1rem}.columns>div{flex:1}"
        "dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}"
        "dt{font-weight:bold}.actions a{margin-right:1rem}</style></head>"
        "<body><h1>Teams sandbox</h1><p><i>Channels posted to through Workflows webhooks."
        f"</i></p>{''.join(sections)}</body></html>"
    )


def _run(run: Run) -> str:
    if run.outcome == "failed":
        reasons = "".join(f"<li>{escape(p)}</li>" for p in run.problems[:10])
        return (
            '<div class="card failed"><b>Flow run failed; nothing was posted.</b>'
            f"<ul>{reasons}</ul></div>"
        )
    if run.outcome == "not_rendered":
        return f'<div class="card not-rendered">{escape(run.problems[0])}</div>'
    return "".join(f'<div class="card">{_card(card)}</div>' for card in run.cards)


def _card(card: Mapping[str, Any]) -> str:
    return _elements(card.get("body") or []) + _actions(card.get("actions") or [])


def _elements(elements: Iterable[Any]) -> str:
    return "".join(_element(e) for e in elements if isinstance(e, Mapping))


def _element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "TextBlock":
        return _text(element)
    if kind == "FactSet":
        facts = "".join(
            f"<dt>{markdown(str(f.get('title', '')))}</dt>"
            f"<dd>{markdown(str(f.get('value', '')))}</dd>"
            for f in element.get("facts") or []
            if isinstance(f, Mapping)
        )
        return f"<dl>{facts}</dl>"
    if kind == "ColumnSet":
        columns = "".join(
            f"<div>{_elements(c.get('items') or [])}</div>"
            for c in element.get("columns") or []
            if isinstance(c, Mapping)
        )
        return f'<div class="columns">{columns}</div>'
    if kind == "Container":
        return f"<div>{_elements(element.get('items') or [])}</div>"
    if kind == "ActionSet":
        return _actions(element.get("actions") or [])
    if kind == "Image":
        return f"<p>[image: {escape(str(element.get('altText') or element.get('url', '')))}]</p>"
    return f"<p><i>[{escape(str(kind))}]</i></p>"


def _text(block: Mapping[str, Any]) -> str:
    style = []
    if str(block.get("weight", "")).lower() == "bolder":
        style.append("font-weight:bold")
    if (size := _SIZES.get(str(block.get("size", "")).lower())) is not None:
        style.append(f"font-size:{size}")
    if block.get("isSubtle"):
        style.append("color:#666")
    return f'<p style="{";".join(style)}">{markdown(str(block.get("text", "")))}</p>'


def markdown(text: str) -> str:
    """The part of Teams' Markdown the bridge's cards use: ``**bold**`` and backslash escapes
    (CommonMark); everything else is shown as text, HTML-escaped."""
    out: list[str] = []
    bold = False
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and not text[i + 1].isalnum():
            out.append(escape(text[i + 1]))
            i += 2
        elif text.startswith("**", i):
            out.append("</b>" if bold else "<b>")
            bold = not bold
            i += 2
        else:
            out.append(escape(text[i]))
            i += 1
    return "".join(out) + ("</b>" if bold else "")


def _actions(actions: Iterable[Any]) -> str:
    links = []
    for action in actions:
        if not isinstance(action, Mapping):
            continue
        title = escape(str(action.get("title") or action.get("url") or ""))
        url = str(action.get("url", ""))
        if action.get("type") == "Action.OpenUrl" and url.startswith(("http://", "https://")):
            links.append(f'<a href="{escape(url)}" target="_blank" rel="noopener">{title}</a>')
        else:
            links.append(f"<span>{title}</span>")
    return f'<p class="actions">{"".join(links)}</p>' if links else ""
