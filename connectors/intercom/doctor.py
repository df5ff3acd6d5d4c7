"""``bridge doctor`` for Intercom: the token, the bridge's admin, the webhook secret, and what
the policy names (teams, admins by e-mail, conversation attributes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors._desk.doctor import directory_checks, field_checks
from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.intercom.client import IntercomDesk

SETUP = "run `bridge setup intercom --url https://YOUR-BRIDGE`"


def diagnose(desk: IntercomDesk, needs: PolicyNeeds) -> Iterator[Check]:
    try:
        me = desk.whoami()
    except AuthError as exc:
        yield Check(
            "intercom: credentials", CheckStatus.FAIL, str(exc), "check INTERCOM_ACCESS_TOKEN"
        )
        return
    except ConnectorError as exc:
        yield Check("intercom: API", CheckStatus.FAIL, str(exc), "see the message")
        return
    workspace = (me.get("app") or {}).get("id_code", "?")
    yield Check("intercom: credentials", CheckStatus.OK, f"workspace {workspace}")
    if desk.settings.client_secret is None:
        yield Check(
            "intercom: webhook secret",
            CheckStatus.FAIL,
            "INTERCOM_CLIENT_SECRET is not set: the webhook endpoint answers 404",
            "set it to the app's client secret, then " + SETUP,
        )
    try:
        admin = desk.admin(desk.admin_id)
        if admin is None:
            yield Check(
                "intercom: admin",
                CheckStatus.FAIL,
                f"INTERCOM_ADMIN_ID {desk.admin_id} is not an admin of this workspace",
                "set it to the id of the teammate the bridge writes as (GET /admins)",
            )
        else:
            yield Check("intercom: admin", CheckStatus.OK, f"writes as {admin.get('email')}")
        yield from directory_checks("intercom", desk.directory, needs.groups, needs.agents)
        if needs.fields:
            rows = desk.attribute_rows()
            yield from field_checks("intercom", needs.fields, rows, ("name", "label"))
    except ConnectorError as exc:
        yield Check("intercom: API", CheckStatus.FAIL, str(exc), "see the message")
