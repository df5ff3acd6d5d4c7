"""``bridge policy check`` against the configured help desks: a field or group the policy names
that no desk knows is most likely a typo, so each one is a warning with its line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from connectors.base import ConnectorError, HelpDesk
from policies import Policy, PolicyIssue
from policies.fields import field_key
from policies.schema import Condition, PolicyDoc

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class DeskNames:
    """What one desk calls its fields (every spelling ``field_key`` gives) and groups."""

    desk: str
    fields: frozenset[str]
    groups: frozenset[str]


def desk_names(desk: HelpDesk) -> DeskNames:
    """The desk's field and group names (two cached reads)."""
    fields = set()
    for definition in desk.ticket_fields():
        fields |= {field_key(name) for name in (definition.id, definition.title, definition.key)}
    groups = frozenset(name.casefold() for name in desk.directory.group_names())
    return DeskNames(desk.name, frozenset(fields - {""}), groups)


def read_desks(desks: Mapping[str, HelpDesk]) -> tuple[list[DeskNames], list[str]]:
    """Each desk's names, and a note for each desk that could not be read."""
    found: list[DeskNames] = []
    notes: list[str] = []
    for name, desk in sorted(desks.items()):
        try:
            found.append(desk_names(desk))
        except ConnectorError as error:
            notes.append(f"{name}: not checked ({error})")
    return found, notes


def _conditions(doc: PolicyDoc) -> Iterator[tuple[Path_, Condition]]:
    for i, rule in enumerate(doc.severity.overrides):
        yield ("severity", "overrides", i, "when"), rule.when
    for i, trigger in enumerate(doc.triggers):
        yield ("triggers", i, "when"), trigger.when
    for i, route in enumerate(doc.routes):
        if route.when is not None:
            yield ("routes", i, "when"), route.when


def named_fields(doc: PolicyDoc) -> Iterator[tuple[Path_, str]]:
    """Every ticket field the policy names, where it names it."""
    for path, cond in _conditions(doc):
        for part in ("ticket_fields", "fields_above"):
            for name in getattr(cond, part) or {}:
                yield (*path, part, name), name
        for j, name in enumerate(cond.fields_present or ()):
            yield (*path, "fields_present", j), name
    if doc.targets.rca is not None and doc.targets.rca.field:
        yield ("targets", "rca", "field"), doc.targets.rca.field


def named_groups(doc: PolicyDoc) -> Iterator[tuple[Path_, str]]:
    """Every group the policy names by name (numeric ids are the desk's own)."""
    holders: list[tuple[Path_, str | None]] = [
        (("tiers", name, "group"), tier.group) for name, tier in doc.tiers.items()
    ]
    holders += [(("routes", i, "group"), route.group) for i, route in enumerate(doc.routes)]
    holders += [
        (("notify_routes", name, "group"), route.group) for name, route in doc.notify_routes.items()
    ]
    for path, group in holders:
        if group and not group.isdigit():
            yield path, group


def unknown_names(policy: Policy, desks: list[DeskNames]) -> list[PolicyIssue]:
    """Warnings for the fields and groups none of ``desks`` knows."""
    if not desks:
        return []
    issues: list[PolicyIssue] = []

    def warn(path: Path_, message: str) -> None:
        line = _line(policy, path)
        issues.append(PolicyIssue(policy.file, line, 1, f"warning: {message}"))

    for path, name in named_fields(policy.doc):
        if not any(field_key(name) in d.fields for d in desks):
            where = ", ".join(d.desk for d in desks)
            warn(path, f"field {name!r} is not a ticket field in {where} (id, title or key)")
    for path, name in named_groups(policy.doc):
        missing = [d.desk for d in desks if name.strip().casefold() not in d.groups]
        if missing:
            warn(path, f"group {name!r} does not exist in {', '.join(missing)}")
    return sorted(issues, key=lambda issue: issue.line)


def _line(policy: Policy, path: Path_) -> int:
    while path and path not in policy.lines:
        path = path[:-1]
    return policy.lines.get(path, 1)
