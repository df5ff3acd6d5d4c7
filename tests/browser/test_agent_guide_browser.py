"""The agent guide in a real browser, like the dashboard: every section renders, the worked
examples show what the engine computed, a self-check answer opens on a click. Skips when
chromium is not installed (scripts/install-chromium installs it)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from bridge.policy_files import load_policy
from policies.agent_guide import EXAMPLES, outcome, render_guide_html
from tests.browser.cdp import DevTools
from tests.browser.test_dashboard_browser import _open, devtools  # noqa: F401  (the fixture)


def test_agent_guide_in_a_real_browser(devtools: DevTools, tmp_path: Path) -> None:  # noqa: F811
    policy = load_policy()
    page = tmp_path / "agent-guide.html"
    page.write_text(render_guide_html(policy), encoding="utf-8")
    _open(devtools, page.as_uri())

    headings = devtools.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)")
    assert headings == [
        "When to escalate",
        "How to escalate",
        "What happens next",
        "Worked examples",
        "Self-check",
    ]
    shown = devtools.evaluate("document.body.innerText")
    for example in EXAMPLES:
        assert " ".join(outcome(example, policy)) in shown, example.title

    # An answer is hidden until its question is opened.
    visible = "document.querySelector('.answer').checkVisibility()"
    assert devtools.evaluate(visible) is False
    devtools.evaluate("document.querySelector('details summary').click()")
    assert devtools.wait_for(visible) is True
    assert devtools.evaluate(f"document.title === {json.dumps('Agent guide: ' + policy.doc.name)}")

    shot = devtools.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    (tmp_path / "agent-guide.png").write_bytes(png)
