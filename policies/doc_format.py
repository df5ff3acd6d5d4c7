"""Markdown and HTML for the documents rendered from the policy (process document, agent
guide): a document is a title, an introduction and sections of blocks."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

# ("p", text), ("table", (headers, rows)), ("list", items), ("steps", numbered items),
# ("pre", text), ("qa", (question, answer)): a self-check question with its answer.
Block = tuple[str, Any]
Section = tuple[str, list[Block]]


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(title: str, intro: Sequence[str], sections: Sequence[Section]) -> str:
    lines = [f"# {title}", ""]
    for line in intro:
        lines += [line, ""]
    for heading, blocks in sections:
        lines += [f"## {heading}", ""]
        for kind, body in blocks:
            if kind == "p":
                lines += [body, ""]
            elif kind == "list":
                lines += [f"- {item}" for item in body] + [""]
            elif kind == "steps":
                lines += [f"{n}. {item}" for n, item in enumerate(body, 1)] + [""]
            elif kind == "pre":
                lines += ["```text", body.rstrip("\n"), "```", ""]
            elif kind == "qa":
                question, answer = body
                lines += [f"**Q:** {question}", "", f"**A:** {answer}", ""]
            else:
                headers, rows = body
                lines.append("| " + " | ".join(headers) + " |")
                lines.append("|" + "---|" * len(headers))
                lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
                lines.append("")
    return "\n".join(lines)


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2733}"
    "table{border-collapse:collapse;margin:8px 0 16px}th,td{padding:4px 10px;"
    "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
    "pre{background:#f5f6f8;padding:10px;white-space:pre-wrap}"
    "details{margin:4px 0 12px}summary{cursor:pointer}"
)


def html_page(title: str, intro: Sequence[str], sections: Sequence[Section]) -> str:
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    parts += [f"<p>{esc(line)}</p>" for line in intro]
    for n, (heading, blocks) in enumerate(sections):
        parts.append(f'<section id="s{n}"><h2>{esc(heading)}</h2>')
        for kind, body in blocks:
            if kind == "p":
                parts.append(f"<p>{esc(body)}</p>")
            elif kind in ("list", "steps"):
                tag = "ol" if kind == "steps" else "ul"
                items = "".join(f"<li>{esc(str(i))}</li>" for i in body)
                parts.append(f"<{tag}>{items}</{tag}>")
            elif kind == "pre":
                parts.append(f"<pre>{esc(body)}</pre>")
            elif kind == "qa":
                question, answer = body
                parts.append(
                    f'<div class="question"><p>{esc(question)}</p><details><summary>Answer'
                    f'</summary><p class="answer">{esc(answer)}</p></details></div>'
                )
            else:
                headers, rows = body
                head = "".join(f"<th>{esc(h)}</th>" for h in headers)
                cells = "".join(
                    "<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>" for r in rows
                )
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
