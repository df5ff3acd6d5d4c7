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
from connectors.base import ConnectorError, Deferred, NotConfigured, Reference, RetryableError

log = logging.getLogger(__name__)
CHAT_KINDS = frozenset(kind for kind in ActionKind if kind.value.startswith("chat."))


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
        with self.db.begin() as connection:
            claimed = outbox.claim(connection, self.worker_id, self.clock(), limit)
        for done, action in enumerate(claimed):
            if self.stopping.is_set():
                # Claimed but not attempted: hand back at once (the attempt stays counted, so
                # the next one checks first; harmless).
                self.release()
                return done
            self.deliver(action)
        return len(claimed)

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
        extra = {
            "action": action.kind.value,
            "key": action.key,
            "ticket": str(action.ticket),
            "attempt": action.attempts,
        }
        try:
            reference = self._send(action)
        except Deferred as error:
            with self.db.begin() as connection:
                outbox.defer(connection, action, self.clock(), error.retry_after or 1.0)
        except RetryableError as error:
            with self.db.begin() as connection:
                dead = outbox.mark_retry(
                    connection, action, str(error), self.clock(), error.retry_after, self.rng
                )
            if dead:
                self._dead_letter(action, str(error))
            else:
                log.warning("delivery will be retried", extra={**extra, "error": str(error)})
        except ConnectorError as error:
            with self.db.begin() as connection:
                outbox.mark_dead(connection, action.id, str(error), self.clock())
            self._dead_letter(action, str(error))
        except Exception as error:  # a bug must not lose the action: retry it later
            log.exception("delivery failed unexpectedly", extra=extra)
            with self.db.begin() as connection:
                outbox.mark_retry(
                    connection,
                    action,
                    f"{type(error).__name__}: {error}",
                    self.clock(),
                    None,
                    self.rng,
                )
        else:
            with self.db.begin() as connection:
                outbox.mark_done(connection, action.id, reference, self.clock())
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
