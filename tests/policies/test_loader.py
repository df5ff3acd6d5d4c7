"""The policy file: validation errors point at FILE:LINE:COL; the default policy is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.policy_files import load_policy
from policies import PolicyError, parse_policy
from policies.durations import format_duration, human_duration, parse_duration

FIXTURES = Path(__file__).parents[1] / "fixtures" / "policies"


def test_default_policy_loads() -> None:
    policy = load_policy()
    assert policy.file == "default.yaml"
    assert len(policy.compiled.triggers) == 10


def test_minimal_policy_gets_defaults() -> None:
    policy = load_policy(FIXTURES / "minimal.yaml")
    assert policy.doc.pause_statuses == ["pending", "hold"]
    assert policy.doc.tiers["L1"].templates.handoff_note == "handoff_note"


def test_every_error_is_reported_with_its_position() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(FIXTURES / "bad_policy.yaml")
    lines = str(caught.value).splitlines()
    name = str(FIXTURES / "bad_policy.yaml")
    assert all(line.startswith(name + ":") for line in lines)
    found = {line.removeprefix(name + ":") for line in lines}
    expected = {
        "6:11: must name an environment variable "
        "(e.g. PAGERDUTY_ROUTING_KEY), never hold the key itself",
        "11:22: unknown key 'colour'",
        "13:3: unknown key 'L5': input should be 'L1', 'L2', 'L3' or 'L4'",
        "15:18: bad duration '15x': write e.g. 15m, 2h, 1d",
    }
    assert expected <= found, found


CROSS = [
    ("timezone: Mars/Olympus\n", "2:11: unknown time zone 'Mars/Olympus'"),
    ("", "unknown channel 'mgmt'"),
    ("", "unknown clock 'office'"),
    ("", "unknown phrase list 'legal'"),
    ("", "tier L4 is missing"),
]


def _cross_errors() -> str:
    text = (FIXTURES / "bad_policy.yaml").read_text()
    # Make the shape valid so that the cross-reference checks run.
    text = text.replace("0123456789abcdef0123456789abcdef", "PAGERDUTY_KEY").replace(
        ", colour: blue", ""
    )
    text = text.replace("  L5: {name: Nope}\n", "").replace("15x", "15m")
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    return str(caught.value)


@pytest.mark.parametrize(("_prefix", "message"), CROSS)
def test_cross_reference_errors(_prefix: str, message: str) -> None:
    errors = _cross_errors()
    assert message in errors
    assert all(line.startswith("p.yaml:") for line in errors.splitlines())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\ntiers: [\n", "x.yaml:3:1: YAML: expected the node content"),
        ("- a\n- b\n", "the policy must be a YAML mapping"),
        ("version: 1\nversion: 1\n", "2:1: duplicate key 'version'"),
        ("tiers: {}\n", "missing required key 'matrix'"),
    ],
)
def test_structural_errors(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "x.yaml")
    assert message in str(caught.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "seconds", "days"),
    [
        ("15m", 900, 0),
        ("2h", 7200, 0),
        ("1d", 86400, 1),
        ("1h30m", 5400, 0),
        ("1w", 604800, 7),
        ("immediately", 0, 0),
        (0, 0, 0),
        (" 2 h ", 7200, 0),
    ],
)
def test_parse_duration(text: object, seconds: int, days: int) -> None:
    span = parse_duration(text)
    assert (span, span.days) == (seconds, days)


@pytest.mark.parametrize("text", ["15x", "h", "", 15, "1.5h", True, None, "-5m"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "short", "human"),
    [
        (900, "15m", "15 min"),
        (5400, "1h30m", "90 min"),
        (86400, "1d", "1 day"),
        (0, "0m", "0m"),
        (7200, "2h", "2 hours"),
        (-60, "-1m", "-1m"),
    ],
)
def test_format_duration(seconds: int, short: str, human: str) -> None:
    assert format_duration(seconds) == short
    assert human_duration(seconds) == human
