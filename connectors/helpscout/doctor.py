"""``bridge doctor`` for Help Scout: the app's credentials, the webhook, and what the policy
names (mailboxes, users by e-mail, custom fields)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors._desk.doctor import directory_checks, field_checks
from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.helpscout.client import HelpScoutDesk

SETUP = "run `bridge setup helpscout --url https://YOUR-BRIDGE`"


def diagnose(desk: HelpScoutDesk, needs: PolicyNeeds) -> Iterator[Check]:
    try:
        me = desk.whoami()
    except AuthError as exc:
        yield Check(
            "helpscout: credentials",
            CheckStatus.FAIL,
            str(exc),
            "check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET",
        )
        return
    except ConnectorError as exc:
        yield Check("helpscout: API", CheckStatus.FAIL, str(exc), "see the message")
        return
    yield Check("helpscout: credentials", CheckStatus.OK, f"writes as {me.get('email')}")
    if desk.settings.webhook_secret is None:
        yield Check(
            "helpscout: webhook secret",
            CheckStatus.FAIL,
            "HELPSCOUT_WEBHOOK_SECRET is not set: the webhook endpoint answers 404",
            "choose one (16-40 characters), then " + SETUP,
        )
    try:
        ours = [h for h in desk.webhooks() if str(h.get("url", "")).endswith("/webhooks/helpscout")]
        if ours:
            yield Check("helpscout: webhook", CheckStatus.OK, f"sends to {ours[0].get('url')}")
        else:
            yield Check(
                "helpscout: webhook",
                CheckStatus.WARN,
                "no webhook sends to the bridge: changes arrive only by sync",
                SETUP,
            )
        yield from directory_checks("helpscout", desk.directory, needs.groups, needs.agents)
        if needs.fields:
            yield from field_checks("helpscout", needs.fields, desk.field_rows(), ("name",))
    except ConnectorError as exc:
        yield Check("helpscout: API", CheckStatus.FAIL, str(exc), "see the message")
