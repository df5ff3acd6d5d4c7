"""Custom fields by any name a person gives them: the desk's id, the field's title or its key.

Zendesk names a custom field on a ticket by its numeric id, Freshdesk by its ``cf_`` name; the
people writing a policy know its title ("Refund amount"). ``field_key`` writes every name alike
(case-insensitive; spaces, ``_`` and ``-`` the same; Freshdesk's ``cf_`` prefix optional), the
connectors record under which names each field of a ticket is known (``Ticket.field_names``,
from the desks' ticket-field APIs), and the conditions look a name up with ``lookup``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from policies.model import Ticket

_SEPARATORS = re.compile(r"[\s_\-]+")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")


@lru_cache(maxsize=4096)
def field_key(name: object) -> str:
    """``Refund Amount``, ``refund-amount`` and ``cf_refund_amount`` all give ``refund_amount``."""
    text = _SEPARATORS.sub("_", str(name).strip().casefold()).strip("_")
    return text.removeprefix("cf_") or text


@dataclass(frozen=True)
class FieldDef:
    """One ticket field as the desk's ticket-field API describes it."""

    id: str  # the name the ticket uses: Zendesk's numeric id, Freshdesk's ``cf_`` name
    title: str = ""
    key: str = ""
    options: Mapping[str, str] = field(default_factory=dict)  # drop-down value -> label


def index_fields(
    custom_fields: Mapping[str, Any], definitions: Iterable[FieldDef]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``Ticket.field_names`` and ``Ticket.field_labels`` for the fields set on a ticket."""
    by_id = {d.id: d for d in definitions}
    names: dict[str, str] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for ticket_key, value in custom_fields.items():
        names.setdefault(field_key(ticket_key), ticket_key)
        definition = by_id.get(ticket_key)
        if definition is None:
            continue
        for alias in (definition.title, definition.key):
            if alias:
                names.setdefault(field_key(alias), ticket_key)
        chosen = [definition.options.get(str(v)) for v in _as_list(value)]
        if any(chosen):
            labels[ticket_key] = tuple(label for label in chosen if label)
    return names, labels


def lookup(ticket: Ticket, key: str) -> tuple[str, Any] | None:
    """The field a policy names (``key`` as ``field_key`` writes it) and its value, if set."""
    fields = ticket.custom_fields
    found = ticket.field_names.get(key)
    if found is None:
        # Tickets read without the desk's field list still answer to their own keys.
        found = key if key in fields else next((k for k in fields if field_key(k) == key), None)
    if found is None or fields.get(found) in (None, "", [], False):
        return None
    return found, fields[found]


def party_lookup(fields: Mapping[str, Any], name: str, key: str) -> Any:
    """A requester's or organization's field by its name or any spelling of it (``key``)."""
    value = fields.get(name)
    if value is None:
        value = next((v for k, v in fields.items() if field_key(k) == key), None)
    return value


def holds(ticket: Ticket, ticket_key: str, value: Any, allowed: frozenset[str]) -> bool:
    """Whether a field's value, or the label of a chosen option, is one of ``allowed`` (lower
    case)."""
    if any(str(v).casefold() in allowed for v in _as_list(value)):
        return True
    return any(label.casefold() in allowed for label in ticket.field_labels.get(ticket_key, ()))


def as_number(value: Any) -> float | None:
    """A number from a field: numbers as they are, numeric text such as ``"1,200.50"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(text := value.strip()):
        return float(text.replace(",", ""))
    return None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]
