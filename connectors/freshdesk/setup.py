"""``bridge setup freshdesk``: the automation rules that call the bridge's webhook."""

from __future__ import annotations

import json

WEBHOOK_NAME = "Escalation bridge"
FRESHDESK_BODY = {
    "freshdesk_webhook": {
        "ticket_id": "{{ticket.id}}",
        "triggered_event": "{{triggered_event}}",
        "ticket_status": "{{ticket.status}}",
        "ticket_priority": "{{ticket.priority}}",
    }
}


def setup_freshdesk(*, url: str) -> list[str]:
    """What to configure by hand in Freshdesk, one line each."""
    endpoint = f"{url.rstrip('/')}/webhooks/freshdesk"
    return [
        "In Freshdesk: Admin > Workflows > Automations > Ticket updates > New rule",
        f"  name: {WEBHOOK_NAME}",
        "  when: Performed by 'Agent or Requester or System' except the bridge's API agent",
        "  events: Ticket is created; Status, Priority, Group, Agent is changed; Note is added;"
        " Reply is sent; Customer feedback is received",
        "  action: Trigger webhook",
        f"    POST {endpoint}",
        "    Requires authentication: username 'freshdesk', "
        "password = the value of FRESHDESK_WEBHOOK_SECRET",
        "    Encoding: JSON, Content: Advanced, body:",
        "    " + json.dumps(FRESHDESK_BODY),
        "Repeat with the same action under 'Ticket creation'.",
    ]
