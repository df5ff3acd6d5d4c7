"""What a Slack slash command answers at once, to the person who typed it. Reads only the
database: ``/escalation status`` is answered here, ``/escalate`` is stored for the worker."""

from __future__ import annotations

from bridge.runtime import runtime
from bridge.store import db
from bridge.store.tickets import load_state, load_ticket
from connectors.base import resolve_ticket
from connectors.provider import Role
from connectors.registry import names
from connectors.slack.inbound import COMMAND_USAGE, CommandKind, parse_command


def command_answer(body: bytes) -> str:
    state = runtime()
    try:
        command = parse_command(body)
        desks = [name for name in names(Role.DESK) if state.settings.enabled(name)]
        ticket = resolve_ticket(command.ticket, desks)
    except ValueError as error:
        return str(error) if str(error) == COMMAND_USAGE else f"{error}\n{COMMAND_USAGE}"
    if command.kind is CommandKind.ESCALATE:
        return (
            f"Escalation of {ticket} requested. The bridge re-reads the ticket "
            "and posts in the tier's channel."
        )
    with db.reading(state.db) as connection:
        escalation = load_state(connection, ticket.source, ticket.ticket_id)
        mirrored = load_ticket(connection, ticket.source, ticket.ticket_id)
    if escalation is None or mirrored is None:
        return f"{ticket} is not tracked by the bridge (yet)."
    owner = escalation.owner or "nobody"
    since = f" since {escalation.tier_since:%Y-%m-%d %H:%M} UTC" if escalation.tier_since else ""
    page = "a page is open" if escalation.page_open else "no page open"
    return (
        f"{ticket} “{mirrored.subject}” is at {escalation.tier}{since}, owner {owner}, "
        f"{page}, status {mirrored.status.value}."
    )
