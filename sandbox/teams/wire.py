"""Teams Workflows webhook wire format: the trigger URL, limits, card checks and error bodies.

The URL is an Azure Logic Apps (Power Automate) manual trigger; its errors use the Logic Apps
``{"error": {"code", "message"}}`` body. FACTS.md beside this file gives every source.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

JSON = dict[str, Any]

# learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook:
# "The message size limit is 28 KB. When the size exceeds 28 KB, you receive an error."
# learn.microsoft.com/connectors/teams: the posting action "fails with the following error:
# 'Request Entity too large.'" (the trigger has already answered 202 by then).
MAX_MESSAGE_BYTES = 28 * 1024

# Same page: "If more than four requests are made in a second, the client connection is
# throttled until the window refreshes for the duration of the fixed rate."
MAX_REQUESTS_PER_SECOND = 4

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# The Workflows bot is reported to show "We're sorry, this card couldn't be displayed" for 1.5
# cards although the Teams docs say 1.5 is supported (MicrosoftDocs/msteams-docs#9801,
# microsoft/AdaptiveCards#8965), so the sandbox renders up to 1.4 unless told otherwise.
DEFAULT_RENDER_VERSION = "1.4"
NOT_DISPLAYED_TEXT = "We're sorry, this card couldn't be displayed"

API_VERSION = "2016-06-01"
SIGNED_PERMISSIONS = "/triggers/manual/run"
SIGNATURE_VERSION = "1.0"


def signature(key: bytes, workflow_id: str) -> str:
    """A per-workflow ``sig``: Logic Apps does not publish how it derives it, so any stable,
    unguessable value does; this one is unpadded base64url like the real ones (43 chars)."""
    mac = hmac.new(key, f"{workflow_id}{SIGNED_PERMISSIONS}{SIGNATURE_VERSION}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def logic_apps_error(code: str, message: str) -> JSON:
    return {"error": {"code": code, "message": message}}


MISSING_SIGNATURE = logic_apps_error(
    "DirectApiAuthorizationRequired",
    "The request must be authenticated only by Shared Access scheme.",
)
INVALID_SIGNATURE = logic_apps_error(
    "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid."
)
WORKFLOW_NOT_FOUND = logic_apps_error("WorkflowNotFound", "The workflow could not be found.")
MISSING_API_VERSION = logic_apps_error(
    "MissingApiVersionParameter",
    "The api-version query parameter (?api-version=) is required for all requests.",
)
INVALID_CONTENT = logic_apps_error(
    "InvalidRequestContent", "The request content is not valid and could not be deserialized."
)
THROTTLED = logic_apps_error(
    "WorkflowRequestsThrottled", "Rate limit is exceeded. Try again in 1 seconds."
)


def version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def message_problems(message: Any) -> list[str]:
    """The envelope rules of the docs: type "message", attachments of Adaptive Cards."""
    if not isinstance(message, dict):
        return ["the body must be a JSON object"]
    problems = []
    if message.get("type") != "message":
        problems.append('type must be "message"')
    attachments = message.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return [*problems, "attachments must be a non-empty array"]
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, dict) or attachment.get("contentType") != CARD_CONTENT_TYPE:
            problems.append(f"attachments/{index}/contentType must be {CARD_CONTENT_TYPE}")
        elif "content" not in attachment:
            problems.append(f"attachments/{index}/content is missing")
    return problems
