"""The built-in sandbox demo: the bridge against local stand-ins of Zendesk, Freshdesk, Slack,
PagerDuty, Teams, Statuspage and Opsgenie, with a scenario driver that makes escalations happen
within a minute."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path

import click
from werkzeug.serving import make_server

from bridge import create_app
from bridge.config import load_settings
from bridge.policy_files import DEFAULT_POLICY_PATH
from bridge.worker.scheduler import build_worker
from sandbox.scenario import DEMO_GROUPING, ShiftableClock, drive
from sandbox.world import SandboxWorld

log = logging.getLogger(__name__)

SANDBOX_PORTS = (8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008, 8009, 8010, 8011)


def _free(port: int) -> int:
    """The port if it can be bound on loopback, else 0 (any free port)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port


def banner(world: SandboxWorld, bridge: str) -> str:
    return f"""
  ┌─ SANDBOX DEMO ─────────────────────────────────────────────────────────────────
  │ No help desk is configured, so the bridge runs against built-in stand-ins.
  │ Nothing here talks to the real Zendesk, Freshdesk, Intercom, Help Scout,
  │ Salesforce, Slack, PagerDuty, Teams, Statuspage, Opsgenie or ClickUp.
  │
  │   bridge (dashboard)  {bridge}/
  │   Zendesk tickets     {world.zendesk.base_url}/
  │   Freshdesk tickets   {world.freshdesk.base_url}/
  │   Intercom inbox      {world.intercom.base_url}/
  │   Help Scout inbox    {world.helpscout.base_url}/
  │   Salesforce Cases    {world.salesforce.base_url}/
  │   Slack channels      {world.slack.base_url}/   (its buttons click through to the bridge)
  │   PagerDuty incidents {world.pagerduty.base_url}/
  │   Teams channels      {world.teams.base_url}/   (card buttons open the bridge's page)
  │   Statuspage          {world.statuspage.base_url}/   (the public status page)
  │   Opsgenie alerts     {world.opsgenie.base_url}/   (acknowledge, note or close them)
  │   ClickUp tasks       {world.clickup.base_url}/   (root-cause follow-ups; Complete)
  │
  │ Scenario tickets arrive every few seconds; escalations follow within a minute.
  │ To connect a real help desk, set its variables (e.g. ZENDESK_SUBDOMAIN, ZENDESK_EMAIL,
  │ ZENDESK_API_TOKEN) and the webhook secrets; README, Configuration, names every desk's.
  └────────────────────────────────────────────────────────────────────────────────
"""


def run_demo(host: str, port: int, *, scenario_pause: float = 3.0) -> None:
    clock = ShiftableClock()
    # Served on every address, reached on loopback: base URLs are plain http only there.
    bridge_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
    ports = tuple(_free(p) for p in SANDBOX_PORTS)
    world = SandboxWorld.start(clock=clock, ports=ports, bridge_url=bridge_url)
    world.slack.bridge_actions_url = f"{bridge_url}/slack/actions"
    world.pagerduty.webhook_url = f"{bridge_url}/webhooks/pagerduty"
    world.opsgenie.webhook_url = f"{bridge_url}/webhooks/opsgenie"
    world.clickup.webhook_url = f"{bridge_url}/webhooks/clickup"
    environment = {**world.environment(), **world.opsgenie_environment()}
    # The PagerDuty stand-in serves HTTPS with a throwaway CA; trust it in this process only.
    os.environ["SSL_CERT_FILE"] = world.ca_file
    # The stand-ins keep their tickets in memory: start the bridge's database afresh too, or it
    # would chase the tickets of an earlier run.
    database = Path.cwd() / "instance" / "demo.db"
    for leftover in database.parent.glob(f"{database.name}*"):
        leftover.unlink()
    # The shipped policy plus grouping, so that the scenario's outage storm is one signal.
    policy = database.parent / "demo-policy.yaml"
    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + DEMO_GROUPING, "utf-8")
    settings = load_settings(
        {
            **environment,
            "DATABASE_URL": f"sqlite:///{database}",
            # A local demo: the dashboard without a token, to this machine only.
            "BRIDGE_DASHBOARD_OPEN": "1",
            "BRIDGE_POLICY": str(policy),
            **{k: v for k, v in os.environ.items() if k.startswith("BRIDGE_")},
        }
    )
    app = create_app({"BRIDGE_SETTINGS": settings})
    server = make_server(host, port, app, threaded=True)
    worker, _jobs = build_worker(app)
    worker.start()
    stop = threading.Event()
    driver = threading.Thread(
        target=drive,
        args=(world, clock, bridge_url),
        kwargs={"pause": scenario_pause, "stop": stop},
        daemon=True,
    )
    driver.start()
    click.echo(banner(world, bridge_url))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        worker.stop()
        world.stop()
