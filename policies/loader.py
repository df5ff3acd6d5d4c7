"""Validate a policy given as YAML text, report every problem as ``FILE:LINE:COL: message``,
compile it. Reading the file is the caller's (``bridge.policy_files``): this package does no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from pydantic import ValidationError

from policies.compiled import CompiledPolicy, compile_policy
from policies.language_patterns import PatternError, compile_phrase
from policies.schema import Condition, PolicyDoc
from policies.yaml_tree import Builder, Marks, Path_, YamlProblem, compose


@dataclass(frozen=True)
class PolicyIssue:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class PolicyError(Exception):
    """The policy file is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass(frozen=True)
class Policy:
    """A validated policy: the document, its compiled form, and where each rule is written."""

    doc: PolicyDoc
    compiled: CompiledPolicy
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)
    # Valid but probably not what the author meant (``bridge policy check`` prints them).
    warnings: tuple[PolicyIssue, ...] = ()


def _locate(loc: tuple[Any, ...], marks: Marks, *, at_key: bool) -> tuple[int, int]:
    path: Path_ = ()
    for part in loc:
        if part == "[key]":
            at_key = True
            break
        candidate = (*path, part)
        if candidate in marks.values:
            path = candidate
    if at_key and path in marks.keys:
        return marks.keys[path]
    return marks.values.get(path, (1, 1))


def _message(error: Any) -> str:
    kind, loc, msg = error["type"], error["loc"], error["msg"]
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return f"unknown key {last!r}"
    if kind == "missing":
        return f"missing required key {last!r}"
    text = str(msg).removeprefix("Value error, ")
    if last == "[key]" and len(loc) > 1:
        return f"unknown key {loc[-2]!r}: {text[0].lower()}{text[1:]}"
    return text


def parse_policy(text: str, file: str = "<policy>") -> Policy:
    """Validate and compile a policy given as YAML text; raise ``PolicyError`` if invalid."""
    builder = Builder()
    try:
        root = compose(text)
        if root is None or not isinstance(root, yaml.MappingNode):
            raise YamlProblem(1, 1, "the policy must be a YAML mapping")
        data = builder.build(root)
    except YamlProblem as problem:
        raise PolicyError([PolicyIssue(file, problem.line, problem.col, problem.message)]) from None
    marks = builder.marks
    issues = [PolicyIssue(file, *_locate(p, marks, at_key=True), m) for p, m in builder.issues]
    try:
        doc = PolicyDoc.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            at_key = error["type"] == "extra_forbidden"
            line, col = _locate(tuple(error["loc"]), marks, at_key=at_key)
            issues.append(PolicyIssue(file, line, col, _message(error)))
        raise PolicyError(sorted(issues, key=lambda i: (i.line, i.col))) from exc
    for path, message in _cross_check(doc):
        issues.append(PolicyIssue(file, *_locate(path, marks, at_key=False), message))
    if issues:
        raise PolicyError(sorted(issues, key=lambda i: (i.line, i.col)))
    lines = {path: pos[0] for path, pos in marks.values.items()}
    warnings = tuple(
        PolicyIssue(file, *_locate(path, marks, at_key=False), f"warning: {message}")
        for path, message in _doubts(doc)
    )
    compiled = compile_policy(doc, file, lines)
    return Policy(doc=doc, compiled=compiled, file=file, lines=lines, warnings=warnings)


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _conditions(doc: PolicyDoc) -> Iterator[tuple[Path_, Condition]]:
    for i, rule in enumerate(doc.severity.overrides):
        yield ("severity", "overrides", i, "when"), rule.when
    for i, trigger in enumerate(doc.triggers):
        yield ("triggers", i, "when"), trigger.when
    for i, route in enumerate(doc.routes):
        if route.when is not None:
            yield ("routes", i, "when"), route.when
    for i, outage in enumerate(doc.statuspage):
        if outage.when is not None:
            yield ("statuspage", i, "when"), outage.when


def _statuspage_checks(doc: PolicyDoc) -> Iterator[tuple[Path_, str]]:
    seen: set[str] = set()
    for i, rule in enumerate(doc.statuspage):
        if rule.id in seen:
            yield ("statuspage", i, "id"), f"duplicate statuspage rule id {rule.id!r}"
        seen.add(rule.id)
        fields = rule.messages.model_dump()
        for name, text in fields.items():
            unknown = set(re.findall(r"{([^}]*)}", text)) - {"components"}
            if unknown:
                where = ("statuspage", i, "messages", name)
                yield where, f"unknown placeholder {{{sorted(unknown)[0]}}}: only {{components}}"


def _cross_check(doc: PolicyDoc) -> Iterator[tuple[Path_, str]]:
    if not _zone_ok(doc.timezone):
        yield ("timezone",), f"unknown time zone {doc.timezone!r}"
    for name, cal in doc.calendars.items():
        if cal.timezone and not _zone_ok(cal.timezone):
            yield ("calendars", name, "timezone"), f"unknown time zone {cal.timezone!r}"
        if not any(cal.hours.values()):
            yield ("calendars", name, "hours"), "a calendar needs at least one range of hours"
        if cal.holidays.country:
            try:
                holidays.country_holidays(cal.holidays.country, subdiv=cal.holidays.subdiv)
            except NotImplementedError:
                where = ("calendars", name, "holidays", "country")
                yield where, f"unknown holiday country/subdivision {cal.holidays.country!r}"
        for i, text in enumerate(cal.holidays.dates):
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                yield ("calendars", name, "holidays", "dates", i), f"bad date {text!r}"
    for tier in ("L1", "L2", "L3", "L4"):
        if tier not in doc.tiers:
            yield ("tiers",), f"tier {tier} is missing"
    for sev in ("Critical", "High", "Medium", "Low"):
        if sev not in doc.matrix:
            yield ("matrix",), f"severity {sev} is missing from the matrix"
    for sev, row in doc.matrix.items():
        if row.clock != "calendar" and row.clock not in doc.calendars:
            yield ("matrix", sev, "clock"), f"unknown clock {row.clock!r} (define it in calendars)"
    holders: list[tuple[Path_, str | None, str | None, str | None]] = [
        (("tiers", n), t.channel, t.pagerduty, t.teams) for n, t in doc.tiers.items()
    ]
    holders += [(("routes", i), r.channel, r.pagerduty, r.teams) for i, r in enumerate(doc.routes)]
    holders += [
        (("notify_routes", n), r.channel, r.pagerduty, r.teams)
        for n, r in doc.notify_routes.items()
    ]
    holders += [(("statuspage", i), r.channel, None, r.teams) for i, r in enumerate(doc.statuspage)]
    if doc.grouping is not None:
        holders.append((("grouping",), doc.grouping.channel, doc.grouping.pagerduty, None))
    for path, channel, pager, teams in holders:
        if channel is not None and channel not in doc.channels:
            yield (*path, "channel"), f"unknown channel {channel!r} (define it in channels)"
        if pager is not None and pager not in doc.pagerduty_keys:
            yield (*path, "pagerduty"), f"unknown PagerDuty key {pager!r} (see pagerduty_keys)"
        if teams is not None and teams not in doc.teams_channels:
            yield (*path, "teams"), f"unknown Teams channel {teams!r} (see teams_channels)"
    genies: list[tuple[Path_, str | None]] = [
        (("tiers", n), t.opsgenie) for n, t in doc.tiers.items()
    ]
    genies += [(("routes", i), r.opsgenie) for i, r in enumerate(doc.routes)]
    genies += [(("notify_routes", n), r.opsgenie) for n, r in doc.notify_routes.items()]
    for path, genie in genies:
        if genie is not None and genie not in doc.opsgenie_keys:
            yield (*path, "opsgenie"), f"unknown Opsgenie key {genie!r} (see opsgenie_keys)"
    yield from _statuspage_checks(doc)
    notifiers: list[tuple[Path_, list[str]]] = [
        (("severity", "overrides", i, "notify"), r.notify)
        for i, r in enumerate(doc.severity.overrides)
    ]
    notifiers += [(("triggers", i, "notify"), t.notify) for i, t in enumerate(doc.triggers)]
    for path, names in notifiers:
        for j, name in enumerate(names):
            if name not in doc.notify_routes:
                yield (*path, j), f"unknown notify route {name!r} (define it in notify_routes)"
    if "management" not in doc.notify_routes:
        yield ("notify_routes",), "a 'management' notify route is required (matrix column)"
    for path, cond in _conditions(doc):
        for part in ("phrases", "opening_phrases", "agent_phrases"):
            for j, name in enumerate(getattr(cond, part) or ()):
                if name not in doc.phrases:
                    yield (*path, part, j), f"unknown phrase list {name!r}"
    for name, phrases in doc.phrases.items():
        for j, phrase in enumerate(phrases):
            try:
                compile_phrase(phrase)
            except PatternError as exc:
                yield ("phrases", name, j), f"bad phrase {phrase!r}: {exc}"
    for i, trigger in enumerate(doc.triggers):
        if trigger.while_resolved == "follow_up" and trigger.tier is None:
            yield ("triggers", i, "tier"), "a follow-up needs a tier: the team that owns it"
    seen: set[str] = set()
    for i, trigger in enumerate(doc.triggers):
        if trigger.id in seen:
            yield ("triggers", i, "id"), f"duplicate trigger id {trigger.id!r}"
        seen.add(trigger.id)
    for i, warning in enumerate(doc.warnings):
        if (warning.at_percent is None) == (warning.before is None):
            yield ("warnings", i), "a warning needs exactly one of at_percent or before"
    if doc.quiet_hours and doc.quiet_hours.timezone and not _zone_ok(doc.quiet_hours.timezone):
        yield ("quiet_hours", "timezone"), f"unknown time zone {doc.quiet_hours.timezone!r}"


def _doubts(doc: PolicyDoc) -> Iterator[tuple[Path_, str]]:
    """Valid settings that do nothing, so their author is told."""
    for sev, row in doc.matrix.items():
        if row.management is None and row.L3 is not None:
            yield (
                ("matrix", sev, "L3"),
                "ignored: management is told only on request, so the clock never moves a "
                "ticket to L4 (write L3: never)",
            )
    for i, route in enumerate(doc.routes):
        if route.escalate == "immediately" and route.when is None:
            yield (
                ("routes", i, "escalate"),
                "ignored: a route without `when` has nothing to match",
            )
    for i, trigger in enumerate(doc.triggers):
        if trigger.reopen and trigger.while_resolved != "follow_up":
            yield (("triggers", i, "reopen"), "ignored: only a follow-up reopens a ticket")
    for i, route in enumerate(doc.routes):
        if (route.group or route.assignee) and not route.display_name:
            yield (
                ("routes", i, "name"),
                f"no display_name: messages to customers will call this team "
                f"“{route.name.replace('-', ' ').replace('_', ' ').capitalize()}”",
            )
