"""A real browser logs in to the dashboard, checks the numbers and a chart, and takes a
screenshot: into the test's folder, and over the one the README shows (docs/dashboard.png) only
with BRIDGE_UPDATE_SCREENSHOT=1, so that a test run leaves the work tree as it was. Skips when
chromium is not installed (CI installs it with scripts/install-chromium)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from bridge import create_app
from bridge.metrics import compute_metrics, scorecard, targets_for
from tests.browser.cdp import DevTools
from tests.conftest import FrozenClock, make_settings
from tests.support.sample import generate, insert

TOKEN = "browser-test-token-0123456789abcdef"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,1000",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (scripts/install-chromium installs it)")


@pytest.fixture
def served(database_url: str, clock: FrozenClock) -> Iterator[tuple[Flask, str]]:
    settings = make_settings(database_url, BRIDGE_ADMIN_TOKEN=TOKEN)
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    with app.extensions["bridge"].db.begin() as connection:
        for rows in generate(clock.now, 4000, 480, days=60):
            insert(connection, rows)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.extensions["bridge"].db.dispose()


@pytest.fixture
def devtools() -> Iterator[DevTools]:
    binary = _chromium()
    profile = tempfile.mkdtemp(prefix="bridge-chromium-")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = None
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t["type"] == "page")
        client = DevTools(page["webSocketDebuggerUrl"])
        client.call("Page.enable")
        yield client
    finally:
        if client is not None:
            client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _open(devtools: DevTools, url: str) -> None:
    devtools.call("Page.navigate", url=url)
    devtools.wait_for(
        f"document.readyState === 'complete' && location.href.startsWith({json.dumps(url)})"
    )


def test_dashboard_in_a_real_browser(
    served: tuple[Flask, str], devtools: DevTools, tmp_path: Path
) -> None:
    app, base = served
    _open(devtools, f"{base}/")
    assert devtools.wait_for("location.pathname") == "/login"  # not logged in yet
    devtools.evaluate(
        f"document.getElementById('token').value = {json.dumps(TOKEN)};"
        "document.querySelector('form.login').submit();"
    )
    devtools.wait_for(
        "location.pathname === '/' && document.readyState === 'complete' && "
        "!!document.getElementById('metrics')"
    )

    context = app.extensions["bridge"]
    now = context.clock()
    with context.db.connect() as connection:
        metrics = compute_metrics(connection, context.policy, now - timedelta(days=30), now)
    expected = {row.key: row.current for row in scorecard(metrics, targets_for(context.policy))}
    shown = devtools.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#metrics tbody tr')]"
        ".map(r => [r.id.replace('metric-', ''), r.querySelector('.current').textContent]))"
    )
    assert shown == expected
    assert metrics.escalated > 0

    bars = devtools.evaluate(
        "[...document.querySelectorAll('#chart-escalations rect.bar')]"
        ".filter(r => r.getBBox().height > 0 && r.getBoundingClientRect().width > 0).length"
    )
    assert bars > 0
    assert devtools.evaluate("document.querySelectorAll('#chart-triggers rect.bar').length") > 0

    height = devtools.evaluate("Math.ceil(document.documentElement.scrollHeight)")
    devtools.call(
        "Emulation.setDeviceMetricsOverride",
        width=1400,
        height=min(int(height), 4000),
        deviceScaleFactor=1,
        mobile=False,
    )
    shot = devtools.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    (tmp_path / "dashboard.png").write_bytes(png)
    if os.environ.get("BRIDGE_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(png)
