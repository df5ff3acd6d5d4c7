"""The SOQL the connector sends besides the sync's. Pure.

Ids are embedded only after ``record_id`` has checked them (letters and digits); any other
text goes through ``soql_string``, which escapes as SOQL documents (FACTS.md S-soql).
"""

from __future__ import annotations

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"'}


def soql_string(text: str) -> str:
    """A quoted SOQL string literal."""
    return "'" + "".join(_ESCAPES.get(c, c) for c in text) + "'"


def comment_query(case_id: str) -> str:
    return (
        "SELECT Id, CommentBody, IsPublished, CreatedById, CreatedBy.UserType, CreatedDate "
        f"FROM CaseComment WHERE ParentId = '{case_id}' ORDER BY CreatedDate ASC"
    )


def topic_assignments_query(case_id: str) -> str:
    return f"SELECT Id, TopicId, Topic.Name FROM TopicAssignment WHERE EntityId = '{case_id}'"


def case_queries(case_id: str) -> dict[str, str]:
    """What a ticket is read from besides the Case itself, by ``CaseRecords`` field."""
    return {
        "comments": comment_query(case_id),
        "emails": (
            "SELECT Id, Incoming, TextBody, FromAddress, MessageDate, CreatedById, CreatedDate "
            f"FROM EmailMessage WHERE ParentId = '{case_id}' ORDER BY MessageDate ASC"
        ),
        "topics": topic_assignments_query(case_id),
        "milestones": (
            "SELECT Id, TargetDate, IsCompleted, MilestoneType.Name "
            f"FROM CaseMilestone WHERE CaseId = '{case_id}'"
        ),
        "history": (
            "SELECT Field, OldValue, NewValue, CreatedDate FROM CaseHistory "
            f"WHERE CaseId = '{case_id}' AND Field = 'Status' ORDER BY CreatedDate ASC"
        ),
    }
