"""A stand-in for Microsoft Teams "Post to a channel when a webhook request is received"."""

from sandbox.teams.routes import DEFAULT_CHANNELS, TeamsSandbox
from sandbox.teams.schemas import card_problems
from sandbox.teams.state import Run

__all__ = ["DEFAULT_CHANNELS", "Run", "TeamsSandbox", "card_problems"]
