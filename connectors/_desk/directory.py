"""Group names and agent e-mails from the policy, resolved to a help desk's numeric ids.

Policies are written by people, who name groups (``group: senior-support``) and agents by e-mail;
the desk APIs only take ids. Both connectors resolve through one ``DeskDirectory`` so that the
rules (digits pass through, names match case-insensitively, one group list per cache period) and
the error an operator sees are the same for every desk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors._desk.common import TTLCache
from connectors.base import PermanentError

# (id, name) of every group the desk has; a fresh list per call.
GroupLister = Callable[[], Iterable[tuple[str, str]]]
# The id of the agent with this e-mail, or None when the desk has no such agent.
AgentFinder = Callable[[str], str | None]


class DeskDirectory:
    """Resolve ``group:``/``assignee:`` values for one desk, with a TTL cache per kind."""

    def __init__(
        self,
        desk: str,
        *,
        list_groups: GroupLister,
        find_agent: AgentFinder,
        ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self.desk = desk
        self._list_groups = list_groups
        self._find_agent = find_agent
        # One entry: the whole name -> id table, so a second name costs no call.
        self._groups: TTLCache[str, Mapping[str, str]] = TTLCache(ttl, clock)
        self._agents: TTLCache[str, str] = TTLCache(ttl, clock)

    def group_names(self) -> list[str]:
        """Every group's name, lower case (from the cached list)."""
        return list(self._table())

    def _table(self) -> Mapping[str, str]:
        table = self._groups.get("groups")
        if table is None:
            table = {name.casefold(): group_id for group_id, name in self._list_groups()}
            self._groups.put("groups", table)
        return table

    def group_id(self, value: str) -> str:
        """A numeric id as given, otherwise the id of the group with that name."""
        if value.isdigit():
            return value
        found = self._table().get(value.strip().casefold())
        if found is None:
            raise PermanentError(
                f"{self.desk} has no group named {value!r}: "
                "create it or change `group:` in the policy"
            )
        return found

    def agent_id(self, value: str) -> str:
        """A numeric id as given, otherwise the id of the agent with that e-mail address."""
        if value.isdigit():
            return value
        email = value.strip().casefold()
        if "@" not in email:
            raise PermanentError(
                f"{self.desk}: assignee {value!r} is neither an agent id nor an e-mail address: "
                "change `assignee:` in the policy"
            )
        found = self._agents.get(email)
        if found is None:
            found = self._find_agent(email)
            if found is None:
                raise PermanentError(
                    f"{self.desk} has no agent with e-mail {value!r}: "
                    "add the agent or change `assignee:` in the policy"
                )
            self._agents.put(email, found)
        return found


def zendesk_directory(
    client: Any, *, ttl: timedelta, clock: Callable[[], datetime]
) -> DeskDirectory:
    """Through zenpy: ``GET /api/v2/groups.json`` (zenpy follows ``next_page``) and
    ``GET /api/v2/users/search.json?query=email:…``."""

    def groups() -> Iterator[tuple[str, str]]:
        for group in client.groups():
            if not group.deleted:
                yield str(group.id), str(group.name)

    def agent(email: str) -> str | None:
        for user in client.users.search(query=f"email:{email}"):
            # Zendesk refuses end users as assignees; the search also matches them.
            if str(user.email or "").casefold() == email and user.role in ("agent", "admin"):
                return str(user.id)
        return None

    return DeskDirectory("zendesk", list_groups=groups, find_agent=agent, ttl=ttl, clock=clock)


def freshdesk_directory(
    *,
    get: Callable[..., Any],
    paged: Callable[..., Iterable[Mapping[str, Any]]],
    ttl: timedelta,
    clock: Callable[[], datetime],
) -> DeskDirectory:
    """Through the connector's own calls: ``GET /api/v2/groups`` (``Link`` pages) and
    ``GET /api/v2/agents?email=…``."""

    def groups() -> Iterator[tuple[str, str]]:
        for group in paged("/api/v2/groups", per_page=100):
            yield str(group["id"]), str(group["name"])

    def agent(email: str) -> str | None:
        for row in get("/api/v2/agents", email=email):
            if str((row.get("contact") or {}).get("email") or "").casefold() == email:
                return str(row["id"])
        return None

    return DeskDirectory("freshdesk", list_groups=groups, find_agent=agent, ttl=ttl, clock=clock)
