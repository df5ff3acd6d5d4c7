"""One way to drive either help-desk sandbox, so every trigger is tested on both desks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

from connectors.helpscout.mapping import html_body as helpscout_html
from connectors.helpscout.mapping import text_of as helpscout_text
from connectors.intercom.mapping import html_body, text_of
from sandbox.common import SandboxService
from sandbox.helpscout.state import INTAKE_MAILBOX, LEAD_USER_ID
from sandbox.intercom.state import LEAD_ADMIN_ID
from sandbox.salesforce.state import INTAKE_QUEUE
from sandbox.salesforce.wire import CUSTOM_FIELDS
from sandbox.world import (
    FRESHDESK_WEBHOOK_SECRET,
    HELPSCOUT_WEBHOOK_SECRET,
    INTERCOM_CLIENT_SECRET,
    SALESFORCE_STATUSES,
    ZENDESK_WEBHOOK_SECRET,
    SandboxWorld,
)
from tests.conftest import FrozenClock


class TravelClock(FrozenClock):
    """A frozen clock that can step into the past for a moment (to create old tickets)."""

    @contextmanager
    def ago(self, **delta: float) -> Iterator[None]:
        present = self.now
        self.now = present - timedelta(**delta)
        try:
            yield
        finally:
            self.now = present


class Desk(Protocol):
    name: str
    sandbox: SandboxService
    list_endpoint: str  # the sandbox's name for the "what changed" listing, for faults

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str: ...

    def comment(self, ticket_id: str, text: str) -> None: ...

    def agent_note(self, ticket_id: str, text: str) -> None: ...

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None: ...

    def csat(self, ticket_id: str, score: int) -> None: ...

    def field(self, ticket_id: str, title: str, value: object) -> None:
        """Fill in a custom field by its title, as an agent would."""

    def status_of(self, ticket_id: str) -> str: ...

    def notify(self, bridge_url: str, ticket_id: str) -> int: ...

    def notes(self, ticket_id: str) -> list[str]: ...

    def replies(self, ticket_id: str) -> list[str]: ...

    def group_of(self, ticket_id: str) -> str | None: ...

    def assign(self, ticket_id: str) -> str:
        """Assign the support lead, as an agent would in the desk; returns the lead's id."""

    def assignee_of(self, ticket_id: str) -> str | None: ...

    def tags_of(self, ticket_id: str) -> list[str]: ...


ZENDESK_STATUS = {"open": "open", "pending": "pending", "hold": "hold", "solved": "solved"}
FRESHDESK_STATUS = {"open": 2, "pending": 3, "hold": 3, "solved": 4}
FRESHDESK_PRIORITY = {"low": 1, "normal": 2, "high": 3, "urgent": 4}


class ZendeskDriver:
    name = "zendesk"
    list_endpoint = "incremental.tickets"

    def __init__(self, world: SandboxWorld) -> None:
        self.sandbox = world.zendesk

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str:
        org = self.sandbox.add_org("Initech", tags=["vip"]) if vip else None
        ticket = self.sandbox.create_ticket(
            subject,
            priority=priority,
            status=ZENDESK_STATUS[status],
            tags=list(tags),
            organization_id=org,
            description=text or subject,
        )
        return str(ticket)

    def comment(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_customer_comment(int(ticket_id), text)

    def agent_note(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_agent_note(int(ticket_id), text)

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None:
        changes: dict[str, object] = {}
        if status is not None:
            changes["status"] = ZENDESK_STATUS[status]
        if tags is not None:
            changes["tags"] = list(tags)
        self.sandbox.change(int(ticket_id), **changes)

    def csat(self, ticket_id: str, score: int) -> None:
        self.sandbox.set_csat(int(ticket_id), "bad" if score < 3 else "good")

    def field(self, ticket_id: str, title: str, value: object) -> None:
        # A drop-down holds the chosen option's tag value; agents pick the option by its name.
        [definition] = [f for f in self.sandbox.ticket_fields if f["title"] == title]
        options = {o["name"]: o["value"] for o in definition.get("custom_field_options", [])}
        self.sandbox.set_field(int(ticket_id), title, options.get(str(value), value))

    def status_of(self, ticket_id: str) -> str:
        return str(self.sandbox.tickets[int(ticket_id)]["status"])

    def notify(self, bridge_url: str, ticket_id: str) -> int:
        response = self.sandbox.deliver_webhook(
            f"{bridge_url}/webhooks/zendesk", {"ticket_id": ticket_id}, ZENDESK_WEBHOOK_SECRET
        )
        return response.status_code

    def _comments(self, ticket_id: str, public: bool) -> list[str]:
        return [
            c["body"] for c in self.sandbox.comments[int(ticket_id)][1:] if c["public"] is public
        ]

    def notes(self, ticket_id: str) -> list[str]:
        return self._comments(ticket_id, public=False)

    def replies(self, ticket_id: str) -> list[str]:
        return [body for body in self._comments(ticket_id, public=True) if "[bridge:" in body]

    def group_of(self, ticket_id: str) -> str | None:
        group = self.sandbox.tickets[int(ticket_id)]["group_id"]
        return self.sandbox.groups[group]["name"] if group else None

    def assign(self, ticket_id: str) -> str:
        self.sandbox.change(int(ticket_id), assignee_id=self.sandbox.lead_agent_id)
        return str(self.sandbox.lead_agent_id)

    def assignee_of(self, ticket_id: str) -> str | None:
        agent = self.sandbox.tickets[int(ticket_id)]["assignee_id"]
        return str(agent) if agent else None

    def tags_of(self, ticket_id: str) -> list[str]:
        return list(self.sandbox.tickets[int(ticket_id)]["tags"])


class FreshdeskDriver:
    name = "freshdesk"
    list_endpoint = "tickets.list"

    def __init__(self, world: SandboxWorld) -> None:
        self.sandbox = world.freshdesk

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str:
        company = self.sandbox.add_company("Initech", account_tier="vip") if vip else None
        contact = self.sandbox.add_contact(
            "Peter Gibbons", "peter@initech.example", company_id=company
        )
        ticket = self.sandbox.create_ticket(
            subject,
            priority=FRESHDESK_PRIORITY[priority],
            status=FRESHDESK_STATUS[status],
            tags=list(tags),
            requester_id=contact,
            company_id=company,
            description=text or subject,
        )
        return str(ticket)

    def comment(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_customer_comment(int(ticket_id), text)

    def agent_note(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_agent_note(int(ticket_id), text)

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None:
        changes: dict[str, object] = {}
        if status is not None:
            changes["status"] = FRESHDESK_STATUS[status]
        if tags is not None:
            changes["tags"] = list(tags)
        self.sandbox.change(int(ticket_id), **changes)

    def csat(self, ticket_id: str, score: int) -> None:
        self.sandbox.set_csat(int(ticket_id), {1: -103, 2: -101, 3: 100, 4: 101, 5: 103}[score])

    def field(self, ticket_id: str, title: str, value: object) -> None:
        name = next(f["name"] for f in self.sandbox.ticket_fields if f["label"] == title)
        fields = {**self.sandbox.tickets[int(ticket_id)]["custom_fields"], name: value}
        self.sandbox.change(int(ticket_id), custom_fields=fields)

    def status_of(self, ticket_id: str) -> str:
        code = self.sandbox.tickets[int(ticket_id)]["status"]
        return {2: "open", 3: "pending", 4: "solved", 5: "closed"}[code]

    def notify(self, bridge_url: str, ticket_id: str) -> int:
        response = self.sandbox.deliver_webhook(
            f"{bridge_url}/webhooks/freshdesk", int(ticket_id), FRESHDESK_WEBHOOK_SECRET
        )
        return response.status_code

    def notes(self, ticket_id: str) -> list[str]:
        return [c["body_text"] for c in self.sandbox.conversations[int(ticket_id)] if c["private"]]

    def replies(self, ticket_id: str) -> list[str]:
        return [
            c["body_text"]
            for c in self.sandbox.conversations[int(ticket_id)]
            if not c["private"] and not c["incoming"]
        ]

    def group_of(self, ticket_id: str) -> str | None:
        group = self.sandbox.tickets[int(ticket_id)]["group_id"]
        return self.sandbox.groups[group]["name"] if group else None

    def assign(self, ticket_id: str) -> str:
        self.sandbox.change(int(ticket_id), responder_id=self.sandbox.lead_agent_id)
        return str(self.sandbox.lead_agent_id)

    def assignee_of(self, ticket_id: str) -> str | None:
        agent = self.sandbox.tickets[int(ticket_id)]["responder_id"]
        return str(agent) if agent else None

    def tags_of(self, ticket_id: str) -> list[str]:
        return list(self.sandbox.tickets[int(ticket_id)]["tags"])


INTERCOM_STATE = {"open": "open", "pending": "snoozed", "hold": "snoozed", "solved": "closed"}


class IntercomDriver:
    name = "intercom"
    list_endpoint = "conversations.search"

    def __init__(self, world: SandboxWorld) -> None:
        self.sandbox = world.intercom

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str:
        company = self.sandbox.add_company("Initech", tags=["vip"]) if vip else None
        contact = self.sandbox.add_contact(
            "Peter Gibbons", "peter@initech.example", company_id=company
        )
        return self.sandbox.create_conversation(
            text or subject,
            title=subject,
            contact_id=contact,
            priority=priority == "urgent",  # the world keeps the flag for emergencies
            state=INTERCOM_STATE[status],
            tags=list(tags),
        )

    def comment(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_customer_reply(ticket_id, text)

    def agent_note(self, ticket_id: str, text: str) -> None:
        self.sandbox.admin_post(ticket_id, "note", html_body(text), LEAD_ADMIN_ID)

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None:
        if status is not None:
            self.sandbox.set_state(ticket_id, INTERCOM_STATE[status])
        if tags is not None:
            self.sandbox.retag(ticket_id, list(tags))

    def csat(self, ticket_id: str, score: int) -> None:
        self.sandbox.rate(ticket_id, score)

    def field(self, ticket_id: str, title: str, value: object) -> None:
        self.sandbox.set_attribute(ticket_id, title, value)

    def status_of(self, ticket_id: str) -> str:
        state = self.sandbox.conversations[ticket_id]["state"]
        return {"open": "open", "snoozed": "pending", "closed": "solved"}[state]

    def notify(self, bridge_url: str, ticket_id: str) -> int:
        response = self.sandbox.deliver_webhook(
            f"{bridge_url}/webhooks/intercom", ticket_id, INTERCOM_CLIENT_SECRET
        )
        return response.status_code

    def _parts(self, ticket_id: str, kind: str) -> list[str]:
        """The parts' text as an agent reads it (Intercom keeps HTML)."""
        parts = self.sandbox.parts[ticket_id]
        return [text_of(p["body"] or "") for p in parts if p["part_type"] == kind]

    def notes(self, ticket_id: str) -> list[str]:
        return self._parts(ticket_id, "note")

    def replies(self, ticket_id: str) -> list[str]:
        return [body for body in self._parts(ticket_id, "comment") if "[bridge:" in body]

    def group_of(self, ticket_id: str) -> str | None:
        team = self.sandbox.conversations[ticket_id]["team_assignee_id"]
        return self.sandbox.teams[team]["name"] if team else None

    def assign(self, ticket_id: str) -> str:
        self.sandbox.assign(ticket_id, "admin", LEAD_ADMIN_ID, LEAD_ADMIN_ID)
        return LEAD_ADMIN_ID

    def assignee_of(self, ticket_id: str) -> str | None:
        admin = self.sandbox.conversations[ticket_id]["admin_assignee_id"]
        return str(admin) if admin else None

    def tags_of(self, ticket_id: str) -> list[str]:
        return [t["name"] for t in self.sandbox.conversations[ticket_id]["tags"]["tags"]]


HELPSCOUT_STATUS = {"open": "active", "pending": "pending", "hold": "pending", "solved": "closed"}


class HelpScoutDriver:
    name = "helpscout"
    list_endpoint = "conversations.list"

    def __init__(self, world: SandboxWorld) -> None:
        self.sandbox = world.helpscout

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str:
        customer = self.sandbox.add_customer(
            "Peter",
            "Gibbons",
            "peter@initech.example",
            organization="Initech",
            properties={"account_tier": "vip"} if vip else None,
        )
        # Help Scout has no priority: the bridge reads it from a priority-<level> tag.
        marks = () if priority == "normal" else (f"priority-{priority}",)
        return self.sandbox.create_conversation(
            subject,
            text or subject,
            customer_id=customer,
            status=HELPSCOUT_STATUS[status],
            tags=[*tags, *marks],
        )

    def comment(self, ticket_id: str, text: str) -> None:
        self.sandbox.add_customer_reply(ticket_id, text)

    def agent_note(self, ticket_id: str, text: str) -> None:
        self.sandbox.user_thread(ticket_id, "note", helpscout_html(text), LEAD_USER_ID)

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None:
        if status is not None:
            self.sandbox.set_status(ticket_id, HELPSCOUT_STATUS[status])
        if tags is not None:
            self.sandbox.set_tags(ticket_id, list(tags))

    def csat(self, ticket_id: str, score: int) -> None:
        self.sandbox.rate(
            ticket_id, "great" if score >= 4 else "okay" if score == 3 else "not-good"
        )

    def field(self, ticket_id: str, title: str, value: object) -> None:
        self.sandbox.set_field(ticket_id, title, value)

    def status_of(self, ticket_id: str) -> str:
        status = self.sandbox.conversations[ticket_id]["status"]
        return {"active": "open", "pending": "pending", "closed": "solved"}[status]

    def notify(self, bridge_url: str, ticket_id: str) -> int:
        response = self.sandbox.deliver_webhook(
            f"{bridge_url}/webhooks/helpscout", ticket_id, HELPSCOUT_WEBHOOK_SECRET
        )
        return response.status_code

    def _threads(self, ticket_id: str, kind: str) -> list[str]:
        """The threads' text as an agent reads it (Help Scout keeps HTML)."""
        threads = self.sandbox.threads[ticket_id]
        return [helpscout_text(t["body"] or "") for t in threads if t["type"] == kind]

    def notes(self, ticket_id: str) -> list[str]:
        return self._threads(ticket_id, "note")

    def replies(self, ticket_id: str) -> list[str]:
        return [body for body in self._threads(ticket_id, "reply") if "[bridge:" in body]

    def group_of(self, ticket_id: str) -> str | None:
        """The escalation queue (mailbox) the conversation was moved to; None in the intake."""
        mailbox = str(self.sandbox.conversations[ticket_id]["mailboxId"])
        name = str(self.sandbox.mailboxes[mailbox]["name"])
        return None if name == INTAKE_MAILBOX else name

    def assign(self, ticket_id: str) -> str:
        self.sandbox.assign(ticket_id, LEAD_USER_ID)
        return LEAD_USER_ID

    def assignee_of(self, ticket_id: str) -> str | None:
        assignee = self.sandbox.conversations[ticket_id].get("assignee")
        return str(assignee["id"]) if assignee else None

    def tags_of(self, ticket_id: str) -> list[str]:
        return [t["tag"] for t in self.sandbox.conversations[ticket_id]["tags"]]


# The stand-in org's Status and Priority values for each of the shared model's.
SALESFORCE_STATUS = {
    "open": "Working",
    "pending": "Waiting on Customer",
    "hold": "On Hold",
    "solved": "Closed",
}
SALESFORCE_PRIORITY = {"urgent": "Critical", "high": "High", "normal": "Medium", "low": "Low"}
SALESFORCE_MEANING = dict(pair.split("=") for pair in SALESFORCE_STATUSES.split(","))


class SalesforceDriver:
    name = "salesforce"
    list_endpoint = "query.Case"  # the sync's SOQL on Case

    def __init__(self, world: SandboxWorld) -> None:
        self.sandbox = world.salesforce

    def create(
        self,
        subject: str,
        *,
        priority: str = "normal",
        status: str = "open",
        tags: tuple[str, ...] = (),
        vip: bool = False,
        text: str = "",
    ) -> str:
        account = self.sandbox.add_account("Initech", tier="VIP") if vip else None
        contact = self.sandbox.add_contact(
            "Peter Gibbons", "peter@initech.example", account_id=account
        )
        return self.sandbox.create_case(
            subject,
            description=text or subject,
            priority=SALESFORCE_PRIORITY[priority],
            status=SALESFORCE_STATUS[status],
            contact_id=contact,
            topics=tags,
        )

    def comment(self, ticket_id: str, text: str) -> None:
        self.sandbox.customer_comment(ticket_id, text)

    def agent_note(self, ticket_id: str, text: str) -> None:
        self.sandbox.comment(ticket_id, text, published=False, by=self.sandbox.lead_user_id)

    def set(
        self, ticket_id: str, *, status: str | None = None, tags: tuple[str, ...] | None = None
    ) -> None:
        if status is not None:
            fields = {"Status": SALESFORCE_STATUS[status]}
            self.sandbox.change("Case", ticket_id, fields, by=self.sandbox.lead_user_id)
        if tags is not None:
            self.sandbox.retopic(ticket_id, list(tags))

    def csat(self, ticket_id: str, score: int) -> None:
        # What a survey tool writes back to the Case (SALESFORCE_CSAT_FIELD).
        self.sandbox.change("Case", ticket_id, {"CSAT__c": score}, by=self.sandbox.lead_user_id)

    def field(self, ticket_id: str, title: str, value: object) -> None:
        name = next(n for n, (label, _, _) in CUSTOM_FIELDS.items() if label == title)
        numeric = CUSTOM_FIELDS[name][1] in ("currency", "double")
        written = float(str(value)) if numeric else value
        self.sandbox.change("Case", ticket_id, {name: written}, by=self.sandbox.lead_user_id)

    def status_of(self, ticket_id: str) -> str:
        return SALESFORCE_MEANING[str(self.sandbox.case(ticket_id)["Status"])]

    def notify(self, bridge_url: str, ticket_id: str) -> int:
        """An Outbound Message; its SOAP acknowledgement counts as the others' 202."""
        response = self.sandbox.deliver_outbound(f"{bridge_url}/webhooks/salesforce", [ticket_id])
        acknowledged = response.status_code == 200 and b"<Ack>true</Ack>" in response.content
        return 202 if acknowledged else response.status_code

    def _comments(self, ticket_id: str, published: bool) -> list[str]:
        rows = self.sandbox.comments_of(ticket_id)
        return [str(c["CommentBody"]) for c in rows if c["IsPublished"] is published]

    def notes(self, ticket_id: str) -> list[str]:
        return self._comments(ticket_id, False)

    def replies(self, ticket_id: str) -> list[str]:
        return [body for body in self._comments(ticket_id, True) if "[bridge:" in body]

    def group_of(self, ticket_id: str) -> str | None:
        """The owning queue; the intake queue every new case starts in counts as none."""
        owner = self.sandbox.case(ticket_id)["OwnerId"]
        found = self.sandbox.find(str(owner))
        if found is None or found[0] != "Group" or found[1]["Name"] == INTAKE_QUEUE:
            return None
        return str(found[1]["Name"])

    def assign(self, ticket_id: str) -> str:
        """The lead takes the Case: a user owner replaces the queue (a Case has one owner)."""
        lead = self.sandbox.lead_user_id
        self.sandbox.change("Case", ticket_id, {"OwnerId": lead}, by=lead)
        return str(lead)

    def assignee_of(self, ticket_id: str) -> str | None:
        owner = str(self.sandbox.case(ticket_id)["OwnerId"])
        return owner if owner.startswith("005") else None

    def tags_of(self, ticket_id: str) -> list[str]:
        return sorted(self.sandbox.topics_of(ticket_id))
