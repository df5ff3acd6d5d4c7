"""``bridge setup salesforce``: what to configure in Salesforce Setup.

An Outbound Message is metadata, not a record: the REST API cannot create one (FACTS.md
S-outbound). The command checks the sign-in and the org, then prints the steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.salesforce.client import SalesforceDesk

# The Case fields the message must carry: the id to re-read, and who changed it (loop guard).
MESSAGE_FIELDS = ("Id", "LastModifiedById", "SystemModstamp")
# What the bridge's user must be allowed (its profile or a permission set).
PERMISSIONS = (
    "API Enabled",
    "Read and Edit on Cases (and Create on Case Comments)",
    "Read on Contacts, Accounts, Users and Queues (Groups)",
    "Read on Entitlements/Case Milestones (where entitlements are used)",
    "Create Topics and Assign Topics (Topics for Objects enabled on Case)",
    "Field History Tracking on Case Status (for the time a case spent on hold)",
)


def setup_lines(desk: SalesforceDesk, *, url: str) -> list[str]:
    me = desk.whoami()
    org = str(me.get("organization_id") or "?")
    configured = desk.settings.org_id
    lines = [
        f"signed in as {me.get('preferred_username') or me.get('email')} "
        f"(user {me.get('user_id')}) in org {org}",
        "SALESFORCE_ORG_ID "
        + (
            f"{configured}: " + ("matches" if configured[:15] == org[:15] else "does NOT match")
            if configured
            else f"is not set: set it to {org}"
        ),
        "An Outbound Message cannot be created through the REST API. In Setup:",
        "  1. Outbound Messages > New: object Case, name 'Escalation bridge',",
        f"     endpoint URL {url.rstrip('/')}/webhooks/salesforce,",
        f"     user to send as: the bridge's user; fields: {', '.join(MESSAGE_FIELDS)};",
        "     leave 'Send Session ID' unticked (the bridge signs in by itself).",
        "  2. Flows > New Record-Triggered Flow on Case, 'created or updated',",
        "     run 'after the record is saved', with the action Outbound Message above",
        "     (or a workflow rule on Case, 'created, and every time it's edited').",
        "  3. Allow the endpoint's host in Remote Site Settings if your org restricts callouts.",
        "The endpoint must be HTTPS with a certificate Salesforce trusts.",
        "The bridge's user needs: " + "; ".join(PERMISSIONS),
    ]
    return lines
