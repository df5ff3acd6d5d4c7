"""How jobs ask the scheduler to run something sooner: the sweep at a ticket's exact next check,
delivery as soon as actions wait. The scheduler implements it; one-off runs use ``NoWaker``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Waker(Protocol):
    def wake_sweep(self, at: datetime) -> None:
        """Run the timer sweep at ``at`` (in the bridge's clock) as well."""

    def wake_delivery(self) -> None:
        """Run delivery as soon as possible."""


class NoWaker:
    """For commands that run a job once (``bridge sweep``) and for step-by-step tests."""

    def wake_sweep(self, at: datetime) -> None:
        pass

    def wake_delivery(self) -> None:
        pass
