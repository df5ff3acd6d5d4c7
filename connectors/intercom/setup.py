"""``bridge setup intercom``: what to configure in the Developer Hub.

Intercom has no API to create an app's webhook subscription: it is made on the app's Webhooks
page (FACTS.md I-webhooks). The command checks the token and the admin, then prints the
endpoint, the topics and the permissions to tick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.intercom.client import IntercomDesk

# The topics whose notifications can change an escalation; each names a conversation or ticket.
TOPICS = (
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.replied",
    "conversation.admin.noted",
    "conversation.admin.assigned",
    "conversation.admin.closed",
    "conversation.admin.opened",
    "conversation.admin.snoozed",
    "conversation.admin.unsnoozed",
    "conversation_part.tag.created",
    # Tickets (API 2.9 and later): their notifications carry the ticket (FACTS.md I-tickets).
    "ticket.created",
    "ticket.contact.replied",
    "ticket.admin.replied",
    "ticket.note.created",
    "ticket.state.updated",
    "ticket.admin.assigned",
    "ticket.team.assigned",
)
# The app's permissions (Developer Hub, Authentication) the connector's calls need.
PERMISSIONS = (
    "Read conversations",
    "Write conversations",
    "Read tickets",
    "Write tickets",
    "Read and list users and companies",
    "Read admins",
    "Read tags",
    "Write tags",
    "Read and write data attributes",
)


def setup_lines(desk: IntercomDesk, *, url: str) -> list[str]:
    me = desk.whoami()
    admin = desk.admin(desk.admin_id)
    lines = [
        f"token works: acting for workspace {me.get('app', {}).get('id_code', '?')}",
        f"INTERCOM_ADMIN_ID {desk.admin_id}: "
        + (f"{admin.get('name')} <{admin.get('email')}>" if admin else "NOT an admin here"),
        "Intercom has no API for an app's webhooks: in the Developer Hub, open your app,",
        "Configure > Webhooks, and set:",
        f"  endpoint URL: {url.rstrip('/')}/webhooks/intercom",
        "  topics:       " + ", ".join(TOPICS),
        "Authentication > permissions the app needs: " + ", ".join(PERMISSIONS),
        "Notifications are signed with the app's client secret (Basic information page):",
        "  set INTERCOM_CLIENT_SECRET to it"
        + (" (set)" if desk.settings.client_secret is not None else " (NOT set yet)"),
    ]
    return lines
