"""The worker's jobs, built once from the running bridge: inbox, timer sweep, sync, delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bridge.runtime import Runtime
from bridge.worker.decide import Escalator
from bridge.worker.deliver import Delivery
from bridge.worker.inbox import InboxJob
from bridge.worker.integrations import Integrations, build_integrations
from bridge.worker.plan import ChatTarget, Planner
from bridge.worker.prune import PruneJob
from bridge.worker.storms import StormJob, StormRouter
from bridge.worker.sweep import SweepJob
from bridge.worker.sync import SyncJob
from bridge.worker.waker import NoWaker, Waker
from connectors.provider import BuildContext, Role
from connectors.registry import names

INBOX_EVERY = timedelta(seconds=1)
DELIVER_EVERY = timedelta(seconds=1)
PRUNE_EVERY = timedelta(minutes=10)
STORMS_EVERY = timedelta(seconds=1)  # group_wait and group_interval are whole seconds


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], object]


class Jobs:
    def __init__(
        self,
        runtime: Runtime,
        integrations: Integrations,
        *,
        worker_id: str,
        waker: Waker | None = None,
    ) -> None:
        self.runtime = runtime
        self.integrations = integrations
        waker = waker or NoWaker()
        chats = tuple(
            ChatTarget(name, chat.default_channel) for name, chat in integrations.chats.items()
        )
        planner = Planner(
            runtime.templates,
            chats=chats or (ChatTarget(names(Role.CHAT)[0]),),
            pagers=tuple(name for name in names(Role.PAGER) if name in integrations.notifiers),
            status=next((n for n in names(Role.STATUS) if n in integrations.notifiers), None),
            tasks=next((n for n in names(Role.TASKS) if n in integrations.notifiers), None),
        )
        db, clock = runtime.db, runtime.clock
        grouping = runtime.policy.compiled.grouping
        slack = integrations.chats.get("slack")
        router = (
            StormRouter(grouping, slack.default_channel if slack else None) if grouping else None
        )
        self.storms = (
            StormJob(
                db,
                grouping,
                clock,
                chat="slack" if slack else None,
                pager="pagerduty" if "pagerduty" in integrations.notifiers else None,
                status=planner.status,
            )
            if grouping
            else None
        )
        self.escalator = Escalator(db, runtime.policy, integrations, clock, planner, router)
        self.delivery = Delivery(db, integrations, clock, worker_id=worker_id)
        self.inbox = InboxJob(db, integrations, self.escalator, clock, waker)
        self.sweeper = SweepJob(db, self.escalator, clock, waker)
        self.syncer = SyncJob(db, integrations.desks, clock)
        retention = timedelta(days=runtime.settings.inbox_retention_days)
        self.pruner = PruneJob(db, clock, retention)

    def process_inbox(self) -> int:
        return self.inbox.run()

    def sweep(self) -> int:
        return self.sweeper.run()

    def sync(self) -> int:
        changed = self.syncer.run()
        if changed:
            self.process_inbox()
        return changed

    def deliver(self) -> int:
        return self.delivery.drain()

    def prune(self) -> int:
        return self.pruner.run()

    def signal_storms(self) -> int:
        return self.storms.run() if self.storms is not None else 0

    def close(self) -> None:
        self.integrations.close()

    def as_jobs(self) -> list[Job]:
        settings = self.runtime.settings
        return [
            Job("inbox", INBOX_EVERY, self.process_inbox),
            Job("sweep", timedelta(seconds=settings.sweep_seconds), self.sweep),
            Job("sync", timedelta(seconds=settings.sync_seconds), self.sync),
            Job("deliver", DELIVER_EVERY, self.deliver),
            Job("prune", PRUNE_EVERY, self.prune),
            *([Job("storms", STORMS_EVERY, self.signal_storms)] if self.storms else []),
        ]


def build_jobs(runtime: Runtime, worker_id: str, waker: Waker | None = None) -> Jobs:
    context = BuildContext(
        clock=runtime.clock,
        budget_share=runtime.settings.api_budget_share,
        public_url=runtime.settings.public_url,
    )
    integrations = build_integrations(runtime.settings, context)
    return Jobs(runtime, integrations, worker_id=worker_id, waker=waker)
