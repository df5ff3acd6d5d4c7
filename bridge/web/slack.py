"""What a Slack slash command answers at once, to the person who typed it. Reads only the
database: ``/escalation status`` is answered here, ``/escalate`` is stored for the worker."""

from __future__ import annotations

from bridge.runtime import runtime
from bridge.store import db
from bridge.store.tickets import load_state, load_ticket
from connectors.base import PersonRequestKind, resolve_ticket
from connectors.provider import Role
from connectors.registry import names
from connectors.slack.inbound import (
    COMMAND_USAGE,
    CommandKind,
    SlackAuthorization,
    parse_command,
)
from connectors.slack.messages import TicketStanding, status_line
from connectors.slack.settings import SlackSettings


def command_answer(body: bytes) -> str:
    """The answer as plain text; intake sends it through ``build_command_answer`` (escaped)."""
    state = runtime()
    try:
        command = parse_command(body)
        desks = [name for name in names(Role.DESK) if state.settings.enabled(name)]
        ticket = resolve_ticket(command.ticket, desks)
    except ValueError as error:
        return str(error) if str(error) == COMMAND_USAGE else f"{error}\n{COMMAND_USAGE}"
    if command.kind is CommandKind.ESCALATE:
        slack = state.settings.providers.get("slack")
        if isinstance(slack, SlackSettings):
            allowed = SlackAuthorization(slack.allowed_users, slack.allowed_groups)
            if allowed.decided(PersonRequestKind.ESCALATE, command.user_id) is False:
                # The worker refuses it too (and also checks user groups, which this reply
                # cannot: the web process never calls out).
                return "You are not allowed to escalate; ask a lead."
        return (
            f"Escalation of {ticket} requested. The bridge re-reads the ticket "
            "and posts in the tier's channel."
        )
    with db.reading(state.db) as connection:
        escalation = load_state(connection, ticket.source, ticket.ticket_id)
        mirrored = load_ticket(connection, ticket.source, ticket.ticket_id)
    if escalation is None or mirrored is None:
        return f"{ticket} is not tracked by the bridge (yet)."
    return status_line(
        TicketStanding(
            ticket=str(ticket),
            subject=mirrored.subject,
            tier=str(escalation.tier),
            since=escalation.tier_since,
            owner=escalation.owner,
            page_open=escalation.page_open,
            status=mirrored.status.value,
        )
    )
