"""``bridge doctor`` for ClickUp: the token works, the list exists and can complete tasks, the
webhook secret is set so completions come back, and the configured assignees are in the list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.clickup.notifier import ClickUpNotifier


def diagnose(notifier: ClickUpNotifier, needs: PolicyNeeds) -> Iterator[Check]:
    client = notifier.client
    try:
        user = client.user()
    except AuthError:
        yield Check(
            "clickup: token",
            CheckStatus.FAIL,
            "ClickUp refused the token",
            "set CLICKUP_API_TOKEN to a personal token (Settings > Apps > API Token, pk_…)",
        )
        return
    yield Check("clickup: token", CheckStatus.OK, f"works, as user {user.get('id', '?')}")
    label = f"clickup: list {notifier.list_id}"
    try:
        found = client.get_list(notifier.list_id)
    except ConnectorError as error:
        yield Check(
            label,
            CheckStatus.FAIL,
            f"cannot be read: {error}",
            "set CLICKUP_LIST_ID to the id in the list's URL; the token's user must see it",
        )
        return
    status = notifier.done_status()
    if status is None:
        yield Check(
            label,
            CheckStatus.FAIL,
            f"{found.get('name', 'the list')!r} has no closed or done status",
            "give the list a Closed status (List settings > Statuses)",
        )
    else:
        yield Check(label, CheckStatus.OK, f"{found.get('name')!r}, completes with {status!r}")
    if notifier.webhook_secret_set:
        yield Check("clickup: webhook secret", CheckStatus.OK, "set")
    else:
        yield Check(
            "clickup: webhook secret",
            CheckStatus.WARN,
            "not set: tasks completed in ClickUp are not recorded on the ticket",
            "run `bridge setup clickup --url <public URL>` and set CLICKUP_WEBHOOK_SECRET",
        )
    if notifier.assignees:
        members = {str(m.get("id")) for m in notifier.members()}
        missing = sorted(
            owner for owner, uid in notifier.assignees.items() if str(uid) not in members
        )
        if missing:
            yield Check(
                "clickup: assignees",
                CheckStatus.WARN,
                f"not members of the list: {', '.join(missing)}",
                "fix CLICKUP_ASSIGNEES (owner=user id) or share the list with them",
            )
        else:
            yield Check("clickup: assignees", CheckStatus.OK, "all members of the list")
