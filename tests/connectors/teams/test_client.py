"""The Teams client against the Workflows stand-in, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from connectors.base import AuthError, Deferred, PermanentError, RetryableError
from connectors.teams import cards
from connectors.teams.client import TeamsClient
from sandbox.common import serve
from sandbox.teams import TeamsSandbox


@dataclass
class Clock:
    now: float = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


CLOCK = Clock()  # the stand-in's and the client's: Teams counts requests per second


@pytest.fixture(scope="module")
def sandbox() -> Iterator[TeamsSandbox]:
    teams = TeamsSandbox(clock=CLOCK)
    with serve(teams):
        yield teams


@pytest.fixture
def teams(sandbox: TeamsSandbox) -> TeamsSandbox:
    sandbox.reset()
    CLOCK.now += 10
    return sandbox


def client(teams: TeamsSandbox, clock: Clock, **urls: str) -> TeamsClient:
    known = {"TEAMS_WEBHOOK_URL": teams.webhook_url("support-escalations"), **urls}
    return TeamsClient(known.get, clock=clock)


BODY = cards.message(cards.alert_card("Ownership gap on zendesk #1"))


def test_a_card_is_posted_and_rendered(teams: TeamsSandbox) -> None:
    run = client(teams, CLOCK).post("TEAMS_WEBHOOK_URL", BODY)
    [posted] = teams.runs("support-escalations")
    assert run == posted.run_id and posted.outcome == "posted", posted.problems


@pytest.mark.parametrize(
    ("mangle", "error"),
    [
        (lambda url: url.replace("sig=", "sig=x"), AuthError),
        (lambda url: url.split("&sig=")[0], AuthError),
        (lambda url: url.replace("/workflows/", "/workflows/0"), AuthError),
        (lambda url: url.replace("api-version=2016-06-01&", ""), PermanentError),
    ],
    ids=["wrong-sig", "no-sig", "unknown-workflow", "no-api-version"],
)
def test_a_broken_url_is_a_typed_error_that_never_shows_it(
    teams: TeamsSandbox, mangle: object, error: type
) -> None:
    url = teams.webhook_url("support")
    broken = mangle(url)  # type: ignore[operator]
    with pytest.raises(error) as raised:
        client(teams, CLOCK, TEAMS_SUPPORT_URL=broken).post("TEAMS_SUPPORT_URL", BODY)
    assert "TEAMS_SUPPORT_URL" in str(raised.value)
    assert "sig" not in str(raised.value) and "workflows" not in str(raised.value)


def test_an_unset_variable_is_permanent(teams: TeamsSandbox) -> None:
    with pytest.raises(PermanentError, match="TEAMS_OTHER_URL is not set"):
        client(teams, CLOCK).post("TEAMS_OTHER_URL", BODY)


def test_throttling_is_retried_after_teams_says(teams: TeamsSandbox) -> None:
    teams.rate_limit(retry_after=3)
    with pytest.raises(RetryableError) as raised:
        client(teams, CLOCK).post("TEAMS_WEBHOOK_URL", BODY)
    assert raised.value.retry_after == 3


def test_the_client_keeps_to_four_posts_a_second(teams: TeamsSandbox) -> None:
    clock = CLOCK
    sender = client(teams, clock)
    # Four in the stand-in's second too: start at the top of one.
    clock.now = float(int(clock.now) + 1)
    for _ in range(4):
        sender.post("TEAMS_WEBHOOK_URL", BODY)
    with pytest.raises(Deferred) as raised:
        sender.post("TEAMS_WEBHOOK_URL", BODY)
    assert 0 < (raised.value.retry_after or 0) <= 1
    clock.now += 1
    sender.post("TEAMS_WEBHOOK_URL", BODY)
    assert len(teams.runs("support-escalations")) == 5
