"""All the stand-ins at once, on loopback, with the settings a bridge needs to use them.

Used by the demo, the end-to-end tests and the benchmarks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandbox.clickup import ClickUpSandbox
from sandbox.common import Served, start, stop
from sandbox.freshdesk import FreshdeskSandbox
from sandbox.helpscout import HelpScoutSandbox
from sandbox.intercom import IntercomSandbox
from sandbox.intercom.state import BRIDGE_ADMIN_ID
from sandbox.opsgenie import OpsgenieSandbox
from sandbox.pagerduty import PagerDutySandbox, local_tls
from sandbox.slack import SlackSandbox
from sandbox.statuspage import StatuspageSandbox
from sandbox.teams import TeamsSandbox
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
TEAMS_LINK_SECRET = "sandbox-teams-link-secret"
TEAMS_CHANNEL = "support-escalations"
STATUSPAGE_API_KEY = "sandbox-statuspage-api-key"
OPSGENIE_API_KEY = "5e81c312-0000-4f49-ad4b-5a4db0c0ffee"  # a UUID, as Opsgenie's keys are
OPSGENIE_WEBHOOK_SECRET = "sandbox-opsgenie-webhook-secret"
CLICKUP_API_TOKEN = "pk_sandbox_clickup_token"
CLICKUP_WEBHOOK_SECRET = "sandbox-clickup-webhook-secret"
INTERCOM_CLIENT_SECRET = "sandbox-intercom-client-secret"
HELPSCOUT_WEBHOOK_SECRET = "sandbox-helpscout-webhook-secret"


@dataclass
class SandboxWorld:
    zendesk: ZendeskSandbox
    freshdesk: FreshdeskSandbox
    slack: SlackSandbox
    pagerduty: PagerDutySandbox
    teams: TeamsSandbox
    statuspage: StatuspageSandbox
    opsgenie: OpsgenieSandbox
    clickup: ClickUpSandbox
    intercom: IntercomSandbox
    helpscout: HelpScoutSandbox
    ca_file: str
    bridge_url: str = ""  # where Teams card links point (the bridge's public URL)
    served: list[Served] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        bridge_url: str | None = None,
        directory: Path | None = None,
        ports: tuple[int, ...] = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
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
                clock=clock,
            ),
            teams=TeamsSandbox(clock=lambda: clock().timestamp()),
            statuspage=StatuspageSandbox(
                api_key=STATUSPAGE_API_KEY, clock=lambda: clock().timestamp()
            ),
            opsgenie=OpsgenieSandbox(
                api_keys=(OPSGENIE_API_KEY,),
                webhook_url=f"{bridge}/webhooks/opsgenie" if bridge else None,
                webhook_secret=OPSGENIE_WEBHOOK_SECRET,
                clock=lambda: clock().timestamp(),
            ),
            clickup=ClickUpSandbox(
                token=CLICKUP_API_TOKEN,
                webhook_secret=CLICKUP_WEBHOOK_SECRET,
                clock=lambda: clock().timestamp(),
            ),
            intercom=IntercomSandbox(clock=clock),
            helpscout=HelpScoutSandbox(clock=clock),
            ca_file=tls.ca_file,
            bridge_url=bridge,
        )
        services = (
            world.zendesk,
            world.freshdesk,
            world.slack,
            world.pagerduty,
            world.teams,
            world.statuspage,
            world.opsgenie,
            world.clickup,
            world.intercom,
            world.helpscout,
        )
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
            "TEAMS_WEBHOOK_URL": self.teams.webhook_url(TEAMS_CHANNEL),
            "TEAMS_SUPPORT_URL": self.teams.webhook_url("support"),
            "TEAMS_MANAGEMENT_URL": self.teams.webhook_url("support-management"),
            "TEAMS_LINK_SECRET": TEAMS_LINK_SECRET,
            "BRIDGE_PUBLIC_URL": self.bridge_url or "http://127.0.0.1:8000",
            "STATUSPAGE_API_KEY": STATUSPAGE_API_KEY,
            "STATUSPAGE_PAGE_ID": self.statuspage.page_id,
            "STATUSPAGE_API_URL": f"{self.statuspage.base_url}/v1",
            "CLICKUP_API_TOKEN": CLICKUP_API_TOKEN,
            "CLICKUP_LIST_ID": self.clickup.list_id,
            "CLICKUP_WEBHOOK_SECRET": CLICKUP_WEBHOOK_SECRET,
            "CLICKUP_ASSIGNEES": "L3 engineering=184",
            "CLICKUP_API_URL": f"{self.clickup.base_url}/api/v2",
            "INTERCOM_ACCESS_TOKEN": self.intercom.token,
            "INTERCOM_CLIENT_SECRET": INTERCOM_CLIENT_SECRET,
            "INTERCOM_ADMIN_ID": BRIDGE_ADMIN_ID,
            "INTERCOM_URL": self.intercom.base_url,
            # The stand-in's team keeps the priority flag for emergencies (urgent).
            "INTERCOM_PRIORITY_FLAG": "urgent",
            "HELPSCOUT_APP_ID": self.helpscout.app_id,
            "HELPSCOUT_APP_SECRET": self.helpscout.app_secret,
            "HELPSCOUT_WEBHOOK_SECRET": HELPSCOUT_WEBHOOK_SECRET,
            "HELPSCOUT_URL": self.helpscout.base_url,
            # The stand-in account's plan: 400 a minute (the default budget is the lowest, 200).
            "HELPSCOUT_RATE_LIMIT": str(self.helpscout.per_minute),
        }

    def opsgenie_environment(self) -> dict[str, str]:
        """Opsgenie's variables for this world. Kept apart from ``environment`` so that a
        bridge pages through Opsgenie only where a test or the demo asks for it."""
        return {
            "OPSGENIE_API_KEY": OPSGENIE_API_KEY,
            "OPSGENIE_API_URL": self.opsgenie.base_url,
            "OPSGENIE_WEBHOOK_SECRET": OPSGENIE_WEBHOOK_SECRET,
        }
