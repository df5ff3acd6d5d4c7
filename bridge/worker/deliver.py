"""The delivery worker: claims due outbox actions and hands each to its provider's ``deliver``.

Delivery is at-least-once; effects are made exactly-once as seen from outside by the providers
(PagerDuty's dedup key, the desks' markers, Slack's recorded parent and metadata lookup), with
the sent log they are given. This loop knows no provider: it classifies the typed errors they
raise into done, retry later, wait (a pace, not a failure) or dead letter.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from bridge.store import outbox
from bridge.store.sentlog import SentLog
from bridge.worker.integrations import Integrations
from connectors.actions import Action, ActionKind, ChatAlert, NewAction
from connectors.base import (
    BulkDesk,
    ConnectorError,
    Deferred,
    NotConfigured,
    Reference,
    RetryableError,
)

log = logging.getLogger(__name__)
CHAT_KINDS = frozenset(kind for kind in ActionKind if kind.value.startswith("chat."))
BULK_KINDS = (ActionKind.DESK_NOTE, ActionKind.DESK_REPLY, ActionKind.DESK_UPDATE)
BULK_MAX = 100  # Zendesk's update_many takes 100 tickets
# Fewer waiting first attempts than this go one by one: a bulk call and its job check cost two
# calls, as much as a single note.
BULK_MIN = 3


class Delivery:
    def __init__(
        self,
        db: Engine,
        integrations: Integrations,
        clock: Callable[[], datetime],
        *,
        worker_id: str,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.integrations = integrations
        self.clock = clock
        self.worker_id = worker_id
        self.rng = rng or random.Random()
        self.stopping = threading.Event()

    def run_once(self, limit: int = 20) -> int:
        """Claim and deliver one batch; returns how many actions were attempted."""
        bulk = self._run_bulk()
        bulk_desks = [n for n, d in self.integrations.desks.items() if isinstance(d, BulkDesk)]
        with self.db.begin() as connection:
            claimed = outbox.claim(
                connection,
                self.worker_id,
                self.clock(),
                limit,
                leave=(bulk_desks, BULK_KINDS),
            )
        for done, action in enumerate(claimed):
            if self.stopping.is_set():
                # Claimed but not attempted: hand back at once (the attempt stays counted, so
                # the next one checks first; harmless).
                self.release()
                return done
            self.deliver(action)
        return bulk + len(claimed)

    def _run_bulk(self) -> int:
        """Desks that take many tickets in one call get their waiting first attempts in
        batches (an outage storm's notes); everything else, and every retry, goes one by one."""
        done = 0
        for name, desk in self.integrations.desks.items():
            if not isinstance(desk, BulkDesk) or self.stopping.is_set():
                continue
            with self.db.begin() as connection:
                claimed = outbox.claim(
                    connection,
                    self.worker_id,
                    self.clock(),
                    BULK_MAX,
                    provider=name,
                    kinds=BULK_KINDS,
                    first_only=True,
                )
            if len(claimed) < BULK_MIN:
                for action in claimed:
                    self.deliver(action)
            else:
                try:
                    results = desk.deliver_many(claimed)
                except ConnectorError as error:
                    results = [error] * len(claimed)
                for action, result in zip(claimed, results, strict=True):
                    self._finish(action, result)
            done += len(claimed)
        return done

    def drain(self, max_batches: int = 50) -> int:
        total = 0
        for _ in range(max_batches):
            if self.stopping.is_set():
                break
            done = self.run_once()
            total += done
            if not done:
                break
        return total

    def stop(self) -> None:
        """Finish the action in hand, claim no more: a SIGTERM grace period is short."""
        self.stopping.set()

    def release(self) -> None:
        with self.db.begin() as connection:
            outbox.release(connection, self.worker_id, self.clock())

    def deliver(self, action: Action) -> None:
        try:
            outcome: Reference | Exception = self._send(action)
        except Exception as error:  # classified in _finish; a bug must not lose the action
            outcome = error
        self._finish(action, outcome)

    def _finish(self, action: Action, outcome: Reference | Exception) -> None:
        """Record an attempt's outcome: done, wait (a pace), retry later, or dead letter."""
        extra = {
            "action": action.kind.value,
            "key": action.key,
            "ticket": str(action.ticket),
            "attempt": action.attempts,
        }
        if isinstance(outcome, Deferred):
            with self.db.begin() as connection:
                outbox.defer(connection, action, self.clock(), outcome.retry_after or 1.0)
        elif isinstance(outcome, RetryableError):
            with self.db.begin() as connection:
                dead = outbox.mark_retry(
                    connection, action, str(outcome), self.clock(), outcome.retry_after, self.rng
                )
            if dead:
                self._dead_letter(action, str(outcome))
            else:
                log.warning("delivery will be retried", extra={**extra, "error": str(outcome)})
        elif isinstance(outcome, ConnectorError):
            with self.db.begin() as connection:
                outbox.mark_dead(connection, action.id, str(outcome), self.clock())
            self._dead_letter(action, str(outcome))
        elif isinstance(outcome, Exception):
            log.error("delivery failed unexpectedly", exc_info=outcome, extra=extra)
            with self.db.begin() as connection:
                outbox.mark_retry(
                    connection,
                    action,
                    f"{type(outcome).__name__}: {outcome}",
                    self.clock(),
                    None,
                    self.rng,
                )
        else:
            with self.db.begin() as connection:
                outbox.mark_done(connection, action.id, outcome, self.clock())
            log.info("delivered", extra=extra)

    def _send(self, action: Action) -> Reference:
        provider = self.integrations.provider(action.provider)
        if provider is None:
            raise NotConfigured(f"{action.provider} is not configured")
        return provider.deliver(action, SentLog(self.db, action.provider, self.clock))

    def _dead_letter(self, action: Action, error: str) -> None:
        """Alert once: an error log line and, unless chat itself failed, a chat message."""
        log.error(
            "delivery dead-lettered",
            extra={"action": action.kind.value, "error": error, "ticket": str(action.ticket)},
        )
        chat = self.integrations.chat
        if action.kind in CHAT_KINDS or chat is None or not chat.default_channel:
            return
        text = (
            f"⚠️ The bridge could not deliver `{action.kind.value}` for "
            f"{action.ticket.source} #{action.ticket.ticket_id}: {error}. "
            "See `bridge outbox list --dead`."
        )
        alert = NewAction(
            key=f"dead-letter:{action.id}",
            ticket=action.ticket,
            provider=chat.name,
            payload=ChatAlert(channel=chat.default_channel, text=text),
        )
        with self.db.begin() as connection:
            outbox.enqueue(connection, [alert], self.clock())
