"""``bridge doctor`` for Salesforce: the sign-in, the org id Outbound Messages are checked
against, the daily API requests left, and what the policy names (queues, users by e-mail,
Case fields)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from connectors._desk.doctor import directory_checks, field_checks
from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.salesforce.client import SalesforceDesk

SETUP = "run `bridge setup salesforce --url https://YOUR-BRIDGE`"
LOW_SHARE = 0.1  # warn when less than a tenth of the day's API requests is left


def diagnose(desk: SalesforceDesk, needs: PolicyNeeds) -> Iterator[Check]:
    try:
        me = desk.whoami()
    except AuthError as exc:
        yield Check(
            "salesforce: credentials", CheckStatus.FAIL, str(exc), "check the variables it names"
        )
        return
    except ConnectorError as exc:
        yield Check("salesforce: API", CheckStatus.FAIL, str(exc), "see the message")
        return
    org = str(me.get("organization_id") or "")
    yield Check("salesforce: credentials", CheckStatus.OK, f"user {me.get('user_id')} in org {org}")
    configured = desk.settings.org_id
    if configured is None:
        yield Check(
            "salesforce: outbound messages",
            CheckStatus.FAIL,
            "SALESFORCE_ORG_ID is not set: the webhook endpoint answers 404",
            f"set it to {org}, then {SETUP}",
        )
    elif configured[:15] != org[:15]:
        yield Check(
            "salesforce: outbound messages",
            CheckStatus.FAIL,
            f"SALESFORCE_ORG_ID {configured} is not the signed-in org {org}: messages are refused",
            f"set it to {org}",
        )
    try:
        daily = desk.limits().get("DailyApiRequests") or {}
        limit, left = int(daily.get("Max") or 0), int(daily.get("Remaining") or 0)
        status = CheckStatus.WARN if limit and left < limit * LOW_SHARE else CheckStatus.OK
        yield Check(
            "salesforce: API requests",
            status,
            f"{left} of {limit} left today",
            "" if status is CheckStatus.OK else "other integrations use most of the day's requests",
        )
        yield from directory_checks("salesforce", desk.directory, needs.groups, needs.agents)
        if needs.fields:
            rows: list[Mapping[str, Any]] = list(desk.describe_case().get("fields") or ())
            yield from field_checks("salesforce", needs.fields, rows, ("name", "label"))
    except ConnectorError as exc:
        yield Check("salesforce: API", CheckStatus.FAIL, str(exc), "see the message")
