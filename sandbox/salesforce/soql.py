"""The part of SOQL the stand-in answers, as strictly as Salesforce: ``SELECT fields FROM
object [WHERE a op b [AND ...]] [ORDER BY field [ASC|DESC]] [LIMIT n]``, with relationship
fields (``CreatedBy.UserType``). Anything else is a ``MALFORMED_QUERY``; a field the object
does not have an ``INVALID_FIELD``; a dateTime compared with a quoted value is refused, as
SOQL's dateTime literals are unquoted (FACTS.md S-soql)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.salesforce.wire import AUDIT, OBJECTS

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|[^'\\])*')"
    r"|(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|>=|<=|=|<|>|,)"
    r"|(?P<word>[A-Za-z_][\w.]*))"
)
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
DATETIME_FIELDS = frozenset(
    {
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "ClosedDate",
        "MessageDate",
        "TargetDate",
        "StartDate",
    }
)
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and b is not None and a > b,
    ">=": lambda a, b: a is not None and b is not None and a >= b,
    "<": lambda a, b: a is not None and b is not None and a < b,
    "<=": lambda a, b: a is not None and b is not None and a <= b,
}


class QueryError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    where: tuple[tuple[str, str, Any], ...]
    order: tuple[str, bool] | None
    limit: int | None


def fields_of(sobject: str) -> frozenset[str]:
    return frozenset((*AUDIT, *OBJECTS[sobject][1]))


def parse(text: str) -> Query:
    tokens = _tokens(text)
    words = [(kind, value) for kind, value in tokens]
    at = 0

    def take(kind: str | None = None, word: str | None = None) -> str:
        nonlocal at
        if at >= len(words):
            raise QueryError("MALFORMED_QUERY", "unexpected end of query")
        got_kind, got = words[at]
        if (kind and got_kind != kind) or (word and got.upper() != word):
            raise QueryError("MALFORMED_QUERY", f"unexpected token: '{got}'")
        at += 1
        return got

    def peek(word: str) -> bool:
        return at < len(words) and words[at][0] == "word" and words[at][1].upper() == word

    take("word", "SELECT")
    fields = [take("word")]
    while at < len(words) and words[at] == ("op", ","):
        take("op")
        fields.append(take("word"))
    take("word", "FROM")
    sobject = take("word")
    if sobject not in OBJECTS:
        raise QueryError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
    where: list[tuple[str, str, Any]] = []
    if peek("WHERE"):
        take("word")
        where.append(_condition(take, sobject))
        while peek("AND"):
            take("word")
            where.append(_condition(take, sobject))
    order = None
    if peek("ORDER"):
        take("word")
        take("word", "BY")
        field = _field(take("word"), sobject)
        descending = False
        if peek("ASC") or peek("DESC"):
            descending = take("word").upper() == "DESC"
        order = (field, descending)
    limit = None
    if peek("LIMIT"):
        take("word")
        limit = int(take("num"))
    if at != len(words):
        raise QueryError("MALFORMED_QUERY", f"unexpected token: '{words[at][1]}'")
    for field in fields:
        _field(field, sobject)
    return Query(tuple(fields), sobject, tuple(where), order, limit)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    at = 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise QueryError("MALFORMED_QUERY", f"unexpected character at {at}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


def _field(name: str, sobject: str) -> str:
    head, dot, _tail = name.partition(".")
    if dot:
        if f"{head}Id" not in fields_of(sobject):
            raise QueryError("INVALID_FIELD", f"Didn't understand relationship '{head}'")
        return name
    if name not in fields_of(sobject):
        raise QueryError("INVALID_FIELD", f"No such column '{name}' on entity '{sobject}'.")
    return name


def _condition(take: Callable[..., str], sobject: str) -> tuple[str, str, Any]:
    field = _field(take("word"), sobject)
    op = take("op")
    if op not in OPS:
        raise QueryError("MALFORMED_QUERY", f"unexpected token: '{op}'")
    kind_value = _literal(take)
    kind, value = kind_value
    if field in DATETIME_FIELDS and kind != "dt" and value is not None:
        raise QueryError(
            "INVALID_FIELD",
            f"value of filter criterion for field '{field}' must be of type dateTime "
            "and should not be enclosed in quotes",
        )
    return field, op, value


def _literal(take: Callable[..., str]) -> tuple[str, Any]:
    # The token's kind decides how it reads; peek by trying in order.
    for kind in ("str", "dt", "num", "word"):
        try:
            raw = take(kind)
        except QueryError:
            continue
        if kind == "str":
            return kind, re.sub(
                r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), raw[1:-1]
            )
        if kind == "dt":
            return kind, datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
        if kind == "num":
            return kind, float(raw)
        lowered = raw.lower()
        if lowered in ("true", "false", "null"):
            return kind, {"true": True, "false": False, "null": None}[lowered]
        raise QueryError("MALFORMED_QUERY", f"unexpected token: '{raw}'")
    raise QueryError("MALFORMED_QUERY", "a value is missing")


def run(query: Query, records: Mapping[str, Any], find: Callable[[str], Any]) -> list[Any]:
    """The records of ``query.sobject`` (``records``: id -> record) that match, in order.
    ``find`` looks any record up by id (relationship fields)."""
    rows = []
    for record in records.values():
        if all(
            OPS[op](_compare(field, record.get(field)), _compare(field, value))
            for field, op, value in query.where
        ):
            rows.append(record)
    if query.order:
        field, descending = query.order
        rows.sort(key=lambda r: (r.get(field) is None, str(r.get(field) or "")), reverse=descending)
    return rows[: query.limit] if query.limit is not None else rows


def _compare(field: str, value: Any) -> Any:
    if field.endswith("Id") and isinstance(value, str):
        return value[:15]  # an 18-character id names the same record as its first 15
    if field in DATETIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value.replace("+0000", "+00:00"))
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def project(
    query: Query,
    record: Mapping[str, Any],
    find: Callable[[str], Any],
    url: Callable[[str, str], str],
) -> dict[str, Any]:
    """A result row: ``attributes`` and the selected fields; a relationship is a nested record
    with its own ``attributes`` (or null)."""
    row: dict[str, Any] = {
        "attributes": {"type": query.sobject, "url": url(query.sobject, record["Id"])}
    }
    for field in query.fields:
        head, dot, tail = field.partition(".")
        if not dot:
            row[field] = record.get(field)
            continue
        related = find(str(record.get(f"{head}Id") or ""))
        if related is None:
            row[head] = None
            continue
        sobject, other = related
        nested = row.setdefault(
            head, {"attributes": {"type": sobject, "url": url(sobject, other["Id"])}}
        )
        nested[tail] = other.get(tail)
    return row
