"""Checks every help desk shares: the groups, agents and ticket fields a policy names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from connectors._desk.directory import DeskDirectory
from connectors.base import Check, CheckStatus, ConnectorError
from policies.fields import field_key

# Fields every ticket has: a policy may name them without a custom field behind them.
STANDARD_FIELDS = frozenset(
    {"priority", "status", "type", "subject", "description", "tags", "group", "assignee"}
)


def directory_checks(
    desk: str, directory: DeskDirectory, groups: Iterable[str], agents: Iterable[str]
) -> Iterator[Check]:
    for group in sorted(groups):
        try:
            found = directory.group_id(group)
            yield Check(f"{desk}: group {group}", CheckStatus.OK, f"id {found}")
        except ConnectorError as exc:
            yield Check(f"{desk}: group {group}", CheckStatus.FAIL, str(exc), _fix(exc))
    for agent in sorted(agents):
        try:
            found = directory.agent_id(agent)
            yield Check(f"{desk}: agent {agent}", CheckStatus.OK, f"id {found}")
        except ConnectorError as exc:
            yield Check(f"{desk}: agent {agent}", CheckStatus.FAIL, str(exc), _fix(exc))


def field_checks(
    desk: str, wanted: Iterable[str], fields: list[Mapping[str, Any]], names: tuple[str, ...]
) -> Iterator[Check]:
    """Each field the policy names, found among the desk's ``fields`` by id or by any of the
    ``names`` keys, written alike as the engine does (``policies.fields.field_key``: case,
    spaces, ``_`` and ``-``, Freshdesk's ``cf_`` prefix), with its type."""
    index: dict[str, Mapping[str, Any]] = {}
    for field in fields:
        index[field_key(field.get("id"))] = field
        for key in names:
            value = str(field.get(key) or "")
            if value:
                index[field_key(value)] = field
    for name in sorted(wanted):
        if name.casefold() in STANDARD_FIELDS:
            continue
        found = index.get(field_key(name))
        label = f"{desk}: field {name}"
        if found is None:
            yield Check(
                label,
                CheckStatus.FAIL,
                f"{desk} has no ticket field named {name!r}",
                "create the field or change the policy's conditions",
            )
        elif found.get("active") is False:
            yield Check(label, CheckStatus.FAIL, "the field is inactive", "activate it")
        else:
            kind = found.get("type") or "unknown type"
            yield Check(label, CheckStatus.OK, f"id {found.get('id')}, {kind}")


def _fix(exc: ConnectorError) -> str:
    return "" if "policy" in str(exc) else "check the desk's credentials and reachability"
