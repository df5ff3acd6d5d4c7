"""All four stand-ins at once, on loopback, with the settings a bridge needs to use them.

Used by the demo, the end-to-end tests and the benchmarks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandbox.common import Served, start, stop
from sandbox.freshdesk import FreshdeskSandbox
from sandbox.pagerduty import PagerDutySandbox, local_tls
from sandbox.slack import SlackSandbox
from sandbox.zendesk import ZendeskSandbox

CHANNELS = (
    "#support",
    "#support-escalations",
    "#support-engineering",
    "#support-management",
    "#customer-success",
    "#support-specialists",
    "#support-compliance",
)
ZENDESK_WEBHOOK_SECRET = "sandbox-zendesk-webhook-secret"
FRESHDESK_WEBHOOK_SECRET = "sandbox-freshdesk-webhook-password"
SLACK_SIGNING_SECRET = "sandbox-slack-signing-secret"
PAGERDUTY_WEBHOOK_SECRET = "sandbox-pagerduty-webhook-secret"
PAGERDUTY_ROUTING_KEY = "R0SANDBOX0ROUTING0KEY00000000000"  # 32 characters, as PagerDuty wants


@dataclass
class SandboxWorld:
    zendesk: ZendeskSandbox
    freshdesk: FreshdeskSandbox
    slack: SlackSandbox
    pagerduty: PagerDutySandbox
    ca_file: str
    served: list[Served] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        bridge_url: str | None = None,
        directory: Path | None = None,
        ports: tuple[int, int, int, int] = (0, 0, 0, 0),
    ) -> SandboxWorld:
        folder = directory or Path(tempfile.mkdtemp(prefix="bridge-sandbox-"))
        tls = local_tls(folder)
        bridge = (bridge_url or "").rstrip("/")
        world = cls(
            zendesk=ZendeskSandbox(clock=clock),
            freshdesk=FreshdeskSandbox(clock=clock),
            slack=SlackSandbox(
                channels=CHANNELS,
                signing_secret=SLACK_SIGNING_SECRET,
                bridge_actions_url=f"{bridge}/slack/actions" if bridge else None,
                clock=lambda: clock().timestamp(),
            ),
            pagerduty=PagerDutySandbox(
                webhook_url=f"{bridge}/webhooks/pagerduty" if bridge else None,
                webhook_secret=PAGERDUTY_WEBHOOK_SECRET,
            ),
            ca_file=tls.ca_file,
        )
        services = (world.zendesk, world.freshdesk, world.slack, world.pagerduty)
        for service, port in zip(services, ports, strict=True):
            context = tls.server_context if service is world.pagerduty else None
            world.served.append(start(service, port=port, ssl_context=context))
        return world

    def stop(self) -> None:
        for served in self.served:
            stop(served)
        self.served.clear()

    def environment(self) -> dict[str, str]:
        """The bridge's environment variables for this world."""
        return {
            "ZENDESK_SUBDOMAIN": "sandbox",
            "ZENDESK_EMAIL": self.zendesk.email,
            "ZENDESK_API_TOKEN": self.zendesk.token,
            "ZENDESK_URL": self.zendesk.base_url,
            "ZENDESK_WEBHOOK_SECRET": ZENDESK_WEBHOOK_SECRET,
            "FRESHDESK_DOMAIN": "sandbox",
            "FRESHDESK_API_KEY": self.freshdesk.api_key,
            "FRESHDESK_URL": self.freshdesk.base_url,
            "FRESHDESK_WEBHOOK_SECRET": FRESHDESK_WEBHOOK_SECRET,
            "SLACK_BOT_TOKEN": self.slack.token,
            "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
            "SLACK_CHANNEL": "#support-escalations",
            "SLACK_API_URL": f"{self.slack.base_url}/api/",
            "PAGERDUTY_ROUTING_KEY": PAGERDUTY_ROUTING_KEY,
            "PAGERDUTY_WEBHOOK_SECRET": PAGERDUTY_WEBHOOK_SECRET,
            "PAGERDUTY_EVENTS_URL": self.pagerduty.base_url,
            "SSL_CERT_FILE": self.ca_file,
        }
