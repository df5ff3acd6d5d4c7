"""The Salesforce stand-in's data: every record by object and id (users, queues, contacts,
accounts, cases and what hangs off them), and what changes them.

Every operation holds ``self.lock`` (see ``SandboxService``)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sandbox.salesforce.wire import OBJECTS, STATUSES, Json, id_maker, stamp
from sandbox.seed import SEEDED_GROUPS

BRIDGE_USER = "Escalation Bridge"
LEAD_USER = "Support Lead"
PORTAL_USER = "Peter Gibbons (customer portal)"
# Where new cases land before anyone routes them (Support Settings' default case owner).
INTAKE_QUEUE = "Case intake"


class SalesforceState:
    lock: threading.RLock

    def __init__(self, *, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Forget every record; seed the users, queues and milestone types again."""
        self._ids: dict[str, Iterator[str]] = {
            name: id_maker(p) for name, (p, _) in OBJECTS.items()
        }
        self.case_numbers = itertools.count(1001)
        self.notification_ids = id_maker("04l")
        self.records: dict[str, dict[str, Json]] = {name: {} for name in OBJECTS}
        self.bridge_user_id = ""
        self.bridge_user_id = self.insert(
            "User", self._user(BRIDGE_USER, "bridge@example.com", "Standard")
        )
        self.lead_user_id = self.insert(
            "User", self._user(LEAD_USER, "lead@example.com", "Standard")
        )
        self.portal_user_id = self.insert(
            "User", self._user(PORTAL_USER, "peter@initech.example", "CspLitePortal")
        )
        for name in (INTAKE_QUEUE, *SEEDED_GROUPS):
            self.insert(
                "Group", {"Name": name, "DeveloperName": name.replace("-", "_"), "Type": "Queue"}
            )
        self.queue_ids = {g["Name"]: i for i, g in self.records["Group"].items()}
        self.milestone_types = {
            name: self.insert("MilestoneType", {"Name": name})
            for name in ("First Response", "Resolution")
        }

    @staticmethod
    def _user(name: str, email: str, user_type: str) -> Json:
        return {
            "Name": name,
            "Email": email,
            "Username": email,
            "UserType": user_type,
            "IsActive": True,
        }

    # -- records -----------------------------------------------------------------------------
    def insert(self, sobject: str, fields: Json, *, by: str | None = None) -> str:
        with self.lock:
            record_id = next(self._ids[sobject])
            now = stamp(self.clock())
            author = by or self.bridge_user_id or record_id
            record = dict.fromkeys(OBJECTS[sobject][1])
            record.update(fields)
            record.update(
                Id=record_id,
                CreatedDate=now,
                CreatedById=author,
                LastModifiedDate=now,
                LastModifiedById=author,
                SystemModstamp=now,
            )
            self.records[sobject][record_id] = record
            return record_id

    def find(self, record_id: str) -> tuple[str, Json] | None:
        """Any record by its 15- or 18-character id."""
        with self.lock:
            for sobject, records in self.records.items():
                for key, record in records.items():
                    if key[:15] == record_id[:15] and record_id:
                        return sobject, record
        return None

    def change(self, sobject: str, record_id: str, fields: Json, *, by: str) -> None:
        """Update a record as a save does: audit fields, Status history and IsClosed."""
        with self.lock:
            record = self.records[sobject][record_id]
            now = stamp(self.clock())
            if sobject == "Case" and "Status" in fields and fields["Status"] != record["Status"]:
                self.insert(
                    "CaseHistory",
                    {
                        "CaseId": record_id,
                        "Field": "Status",
                        "OldValue": record["Status"],
                        "NewValue": fields["Status"],
                    },
                    by=by,
                )
                fields = {**fields, "IsClosed": STATUSES[fields["Status"]]}
            record.update(fields)
            record.update(LastModifiedDate=now, LastModifiedById=by, SystemModstamp=now)

    def touch(self, case_id: str, *, by: str) -> None:
        """A comment or e-mail on a Case counts as a change of the Case (the sync sees it)."""
        self.change("Case", case_id, {}, by=by)

    def delete(self, sobject: str, record_id: str) -> None:
        with self.lock:
            self.records[sobject].pop(record_id, None)

    # -- what the tests and the demo do ----------------------------------------------------------
    def add_account(self, name: str, *, tier: str | None = None, rating: str | None = None) -> str:
        return self.insert(
            "Account",
            {"Name": name, "Tier__c": tier, "Rating": rating, "Type": "Customer - Direct"},
        )

    def add_contact(self, name: str, email: str, *, account_id: str | None = None) -> str:
        first, _, last = name.partition(" ")
        return self.insert(
            "Contact",
            {
                "Name": name,
                "FirstName": first,
                "LastName": last or first,
                "Email": email,
                "AccountId": account_id,
            },
        )

    def create_case(
        self,
        subject: str,
        *,
        description: str = "",
        priority: str = "Medium",
        status: str = "New",
        contact_id: str | None = None,
        topics: tuple[str, ...] = (),
        fields: Json | None = None,
    ) -> str:
        with self.lock:
            account = None
            if contact_id:
                account = self.records["Contact"][contact_id]["AccountId"]
            case_id = self.insert(
                "Case",
                {
                    "CaseNumber": f"{next(self.case_numbers):08d}",
                    "Subject": subject,
                    "Description": description or subject,
                    "Status": status,
                    "IsClosed": STATUSES[status],
                    "Priority": priority,
                    "Origin": "Web",
                    "OwnerId": self.queue_ids[INTAKE_QUEUE],
                    "ContactId": contact_id,
                    "AccountId": account,
                    "IsEscalated": False,
                    **(fields or {}),
                },
                by=self.portal_user_id,
            )
            for name in topics:
                self.assign_topic(case_id, name, by=self.lead_user_id)
            return case_id

    def comment(self, case_id: str, body: str, *, published: bool, by: str) -> str:
        with self.lock:
            comment_id = self.insert(
                "CaseComment",
                {
                    "ParentId": case_id,
                    "CommentBody": body,
                    "IsPublished": published,
                    "IsDeleted": False,
                },
                by=by,
            )
            self.touch(case_id, by=by)
            return comment_id

    def customer_comment(self, case_id: str, body: str) -> str:
        """The customer writes in the portal: a published comment by a portal user."""
        return self.comment(case_id, body, published=True, by=self.portal_user_id)

    def topic_named(self, name: str, *, by: str) -> str:
        with self.lock:
            for topic_id, topic in self.records["Topic"].items():
                if str(topic["Name"]).casefold() == name.casefold():
                    return topic_id
            return self.insert("Topic", {"Name": name}, by=by)

    def assign_topic(self, case_id: str, name: str, *, by: str) -> str:
        with self.lock:
            return self.insert(
                "TopicAssignment",
                {"TopicId": self.topic_named(name, by=by), "EntityId": case_id},
                by=by,
            )

    def topics_of(self, case_id: str) -> dict[str, str]:
        """Topic name -> assignment id."""
        with self.lock:
            return {
                str(self.records["Topic"][a["TopicId"]]["Name"]): i
                for i, a in self.records["TopicAssignment"].items()
                if a["EntityId"] == case_id
            }

    def retopic(self, case_id: str, names: list[str]) -> None:
        with self.lock:
            for name, assignment in self.topics_of(case_id).items():
                if name not in names:
                    self.delete("TopicAssignment", assignment)
            for name in names:
                if name not in self.topics_of(case_id):
                    self.assign_topic(case_id, name, by=self.lead_user_id)
            self.touch(case_id, by=self.lead_user_id)

    def add_milestone(self, case_id: str, name: str, target: datetime) -> str:
        return self.insert(
            "CaseMilestone",
            {
                "CaseId": case_id,
                "MilestoneTypeId": self.milestone_types[name],
                "TargetDate": stamp(target),
                "IsCompleted": False,
                "StartDate": stamp(self.clock()),
            },
        )

    def comments_of(self, case_id: str) -> list[Json]:
        with self.lock:
            rows = [c for c in self.records["CaseComment"].values() if c["ParentId"] == case_id]
        return sorted(rows, key=lambda c: str(c["CreatedDate"]))

    def case(self, case_id: str) -> Json:
        with self.lock:
            return dict(self.records["Case"][case_id])

    def cases(self) -> list[Json]:
        with self.lock:
            return [dict(c) for c in self.records["Case"].values()]

    def outbound_fields(self, case_id: str) -> dict[str, Any]:
        case = self.case(case_id)
        return {k: case[k] for k in ("Id", "LastModifiedById", "SystemModstamp")}
