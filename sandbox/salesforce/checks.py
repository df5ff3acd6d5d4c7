"""What the Salesforce stand-in refuses, as Salesforce does: writes to fields a client may
not set, a bad reference, a value outside a restricted picklist, a comment over 4,000 bytes, an
empty owner, a duplicate topic (FACTS.md). Each answer is Salesforce's error list."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.wire import AUDIT, CUSTOM_FIELDS, PRIORITIES, STATUSES, Json, errors

COMMENT_BYTES = 4_000  # CaseComment.CommentBody (FACTS.md S-comment)
# What a client may write per object (the rest are read-only or not kept by the stand-in).
WRITABLE: dict[str, frozenset[str]] = {
    "Case": frozenset(
        {"Status", "Priority", "OwnerId", "Subject", "Description", "IsEscalated", *CUSTOM_FIELDS}
    ),
    "CaseComment": frozenset({"ParentId", "CommentBody", "IsPublished"}),
    "Topic": frozenset({"Name"}),
    "TopicAssignment": frozenset({"TopicId", "EntityId"}),
}


def answer(status: int, body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def known_version(version: str) -> bool:
    major, dot, minor = version.partition(".")
    return dot == "." and minor == "0" and major.isdigit() and 31 <= int(major) <= 66


def check_write(sobject: str, body: object) -> Response | None:
    if not isinstance(body, dict):
        return answer(400, errors("JSON_PARSER_ERROR", "The request body is not a JSON object"))
    allowed = WRITABLE.get(sobject, frozenset())
    for name in body:
        if name in AUDIT or name not in allowed:
            code = "INVALID_FIELD_FOR_INSERT_UPDATE" if name in AUDIT else "INVALID_FIELD"
            return answer(
                400, errors(code, f"No such column '{name}' on sobject of type {sobject}")
            )
    return None


def validate(sb: SalesforceState, sobject: str, body: Json) -> Response | None:
    """What Salesforce refuses on a save: a bad reference, a value outside a restricted
    picklist, a comment over 4,000 bytes, an empty owner, a duplicate topic."""

    def bad(code: str, message: str, field: str) -> Response:
        return answer(400, errors(code, message, (field,)))

    if sobject == "Case":
        if "Status" in body and body["Status"] not in STATUSES:
            return bad(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"Status: bad value for restricted picklist field: {body['Status']}",
                "Status",
            )
        if "Priority" in body and body["Priority"] not in PRIORITIES:
            return bad(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"Priority: bad value for restricted picklist field: {body['Priority']}",
                "Priority",
            )
        if "OwnerId" in body:
            owner = sb.find(str(body["OwnerId"] or ""))
            if owner is None or owner[0] not in ("User", "Group"):
                return bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "OwnerId")
    if sobject == "CaseComment":
        parent = sb.find(str(body.get("ParentId") or ""))
        if parent is None or parent[0] != "Case":
            return bad(
                "FIELD_INTEGRITY_EXCEPTION", "Parent ID: id value of incorrect type", "ParentId"
            )
        if len(str(body.get("CommentBody") or "").encode()) > COMMENT_BYTES:
            return bad("STRING_TOO_LONG", "Body: data value too large", "CommentBody")
    if sobject == "Topic":
        name = str(body.get("Name") or "").strip()
        if not name:
            return bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name")
        if any(str(t["Name"]).casefold() == name.casefold() for t in sb.records["Topic"].values()):
            return bad("DUPLICATE_VALUE", "duplicate value found: Name", "Name")
    if sobject == "TopicAssignment":
        topic, entity = (
            sb.find(str(body.get("TopicId") or "")),
            sb.find(str(body.get("EntityId") or "")),
        )
        if topic is None or topic[0] != "Topic" or entity is None:
            return bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "TopicId")
        if str(topic[1]["Name"]) in sb.topics_of(entity[1]["Id"]):
            return bad("DUPLICATE_VALUE", "duplicate value found: TopicId", "TopicId")
    return None
