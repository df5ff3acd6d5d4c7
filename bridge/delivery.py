"""The delivery worker: claims due outbox actions and carries them out through the connectors.

Delivery is at-least-once; effects are made exactly-once as seen from outside: PagerDuty by its
dedup_key, desk comments by the connectors' markers, Slack by recording the thread before
replying and, on a repeated attempt, looking for the message's idempotency key before posting.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bridge import outbox, records
from bridge.integrations import Integrations
from bridge.outbox import Action, NewAction
from connectors.http import ConnectorError, Deferred, PermanentError, RetryableError
from connectors.slack import SlackNotifier

log = logging.getLogger(__name__)

# How far back to look for a message we may have posted before a crash.
SLACK_LOOKBACK = timedelta(minutes=5)


class NotConfigured(PermanentError):
    """The action needs an integration this bridge has no credentials for."""


class Delivery:
    def __init__(
        self,
        engine: Engine,
        integrations: Integrations,
        clock: Callable[[], datetime],
        *,
        worker_id: str,
        default_channel: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.integrations = integrations
        self.clock = clock
        self.worker_id = worker_id
        self.default_channel = default_channel
        self.rng = rng or random.Random()
        self.stopping = threading.Event()

    def run_once(self, limit: int = 20) -> int:
        """Claim and deliver one batch; returns how many actions were attempted."""
        with self.engine.begin() as connection:
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
        with self.engine.begin() as connection:
            outbox.release(connection, self.worker_id, self.clock())

    def deliver(self, action: Action) -> None:
        extra = {
            "action": action.action,
            "key": action.idempotency_key,
            "ticket": f"{action.source}:{action.ticket_id}",
            "attempt": action.attempts,
        }
        try:
            reference = self._send(action)
        except Deferred as error:
            with self.engine.begin() as connection:
                outbox.defer(connection, action, self.clock(), error.retry_after or 1.0)
        except RetryableError as error:
            with self.engine.begin() as connection:
                dead = outbox.mark_retry(
                    connection, action, str(error), self.clock(), error.retry_after, self.rng
                )
            if dead:
                self._dead_letter(action, str(error))
            else:
                log.warning("delivery will be retried", extra={**extra, "error": str(error)})
        except ConnectorError as error:
            with self.engine.begin() as connection:
                outbox.mark_dead(connection, action.id, str(error), self.clock())
            self._dead_letter(action, str(error))
        except Exception as error:  # a bug must not lose the action: retry it later
            log.exception("delivery failed unexpectedly", extra=extra)
            with self.engine.begin() as connection:
                outbox.mark_retry(
                    connection,
                    action,
                    f"{type(error).__name__}: {error}",
                    self.clock(),
                    None,
                    self.rng,
                )
        else:
            with self.engine.begin() as connection:
                outbox.mark_done(connection, action.id, reference, self.clock())
            log.info("delivered", extra=extra)

    def _dead_letter(self, action: Action, error: str) -> None:
        """Alert once: an error log line and, unless Slack itself failed, a Slack message."""
        log.error(
            "delivery dead-lettered",
            extra={
                "action": action.action,
                "error": error,
                "ticket": f"{action.source}:{action.ticket_id}",
            },
        )
        if action.provider == "slack" or not self.default_channel or not self.integrations.slack:
            return
        text = (
            f"⚠️ The bridge could not deliver `{action.action}` for "
            f"{action.source} #{action.ticket_id}: {error}. See `bridge outbox list --dead`."
        )
        alert = NewAction(
            idempotency_key=f"dead-letter:{action.id}",
            source=action.source,
            ticket_id=action.ticket_id,
            provider="slack",
            action="slack.alert",
            payload={"channel": self.default_channel, "text": text},
        )
        with self.engine.begin() as connection:
            outbox.enqueue(connection, [alert], self.clock())

    # -- sending -----------------------------------------------------------------------------

    def _send(self, action: Action) -> dict[str, Any]:
        if action.provider == "slack":
            return self._slack(action)
        if action.provider == "pagerduty":
            return self._pagerduty(action)
        return self._desk(action)

    def _desk(self, action: Action) -> dict[str, Any]:
        desk = self.integrations.desks.get(action.provider)
        if desk is None:
            raise NotConfigured(f"{action.provider} is not configured")
        payload = action.payload
        if action.action == "desk.note":
            return {
                "comment_id": desk.add_note(
                    action.ticket_id, payload["body"], idempotency_key=action.idempotency_key
                )
            }
        if action.action == "desk.reply":
            return {
                "comment_id": desk.reply(
                    action.ticket_id, payload["body"], idempotency_key=action.idempotency_key
                )
            }
        if action.action == "desk.update":
            desk.update(
                action.ticket_id,
                group_id=payload.get("group_id"),
                assignee_id=payload.get("assignee_id"),
                add_tags=payload.get("add_tags", ()),
                remove_tags=payload.get("remove_tags", ()),
            )
            return {"updated": True}
        raise PermanentError(f"unknown help-desk action {action.action}")

    def _pagerduty(self, action: Action) -> dict[str, Any]:
        events = self.integrations.pagerduty
        if events is None:
            raise NotConfigured("PagerDuty is not configured")
        payload = action.payload
        if action.action == "pagerduty.trigger":
            env = payload["routing_key_env"]
            return {"dedup_key": events.trigger(env, payload["event"]), "routing_key_env": env}
        with self.engine.connect() as connection:
            page = outbox.reference_of(
                connection, action.source, action.ticket_id, "pagerduty.trigger"
            )
        if page is None:
            return {"skipped": "no page was sent for this ticket"}
        # Acknowledge and resolve only apply through the routing key that opened the alert.
        send = events.acknowledge if action.action == "pagerduty.acknowledge" else events.resolve
        return {"dedup_key": send(page["routing_key_env"], payload["dedup_key"])}

    @staticmethod
    def _reply(
        slack: SlackNotifier, channel: str, thread_ts: str, message: dict[str, Any], action: Action
    ) -> str:
        """A thread reply, looked for first when an earlier attempt may have posted it."""
        key = action.idempotency_key
        if action.attempts > 1:
            found = slack.find_posted(
                channel, key, thread_ts=thread_ts, oldest=Delivery._oldest(action)
            )
            if found:
                return found
        return slack.post_message(channel, message, thread_ts=thread_ts, idempotency_key=key)[1]

    def _slack(self, action: Action) -> dict[str, Any]:
        slack = self.integrations.slack
        if slack is None:
            raise NotConfigured("Slack is not configured")
        payload = action.payload
        if action.action == "slack.post":
            return self._post(slack, action)
        if action.action == "slack.reply":
            ts = self._reply(
                slack, payload["channel"], payload["thread_ts"], payload["message"], action
            )
            return {"ts": ts}
        if action.action == "slack.thread":
            with self.engine.connect() as connection:
                threads = records.slack_threads_of(connection, action.source, action.ticket_id)
            replies: dict[str, str] = {}
            for thread in threads:
                try:
                    replies[thread.channel_id] = self._reply(
                        slack, thread.channel_id, thread.ts, payload["message"], action
                    )
                except Deferred as error:
                    if not replies:
                        raise
                    # Some threads have their reply: this attempt counts, so the retry checks.
                    raise RetryableError(str(error), retry_after=error.retry_after) from error
            return {"replies": replies}
        if action.action == "slack.ephemeral":
            # Seen by one person, once: a lost one is not worth a duplicate, so no lookup.
            ts = slack.post_ephemeral(payload["channel"], payload["user"], payload["text"])
            return {"ts": ts}
        if action.action == "slack.alert":
            channel, key = payload["channel"], action.idempotency_key
            found = (
                slack.find_posted(channel, key, oldest=self._oldest(action))
                if action.attempts > 1
                else None
            )
            ts = (
                found
                or slack.post_message(channel, {"text": payload["text"]}, idempotency_key=key)[1]
            )
            return {"channel": channel, "ts": ts}
        raise PermanentError(f"unknown Slack action {action.action}")

    @staticmethod
    def _oldest(action: Action) -> float:
        return (action.created_at - SLACK_LOOKBACK).timestamp()

    def _post(self, slack: SlackNotifier, action: Action) -> dict[str, Any]:
        """The ticket's message in a channel: the parent the first time, then a thread reply
        and an edit of the parent."""
        payload, key = action.payload, action.idempotency_key
        channel = payload["channel"]
        with self.engine.connect() as connection:
            thread = records.slack_thread(connection, action.source, action.ticket_id, channel)
        if thread is None:
            found = (
                slack.find_posted(channel, key, oldest=self._oldest(action))
                if action.attempts > 1
                else None
            )
            if found:
                thread = records.SlackThread(channel, found)
            else:
                channel_id, ts = slack.post_message(channel, payload["parent"], idempotency_key=key)
                thread = records.SlackThread(channel_id, ts)
            # Recorded before anything is threaded under it (per-ticket ordering ensures that).
            with self.engine.begin() as connection:
                records.remember_slack_thread(
                    connection, action.source, action.ticket_id, channel, thread, self.clock()
                )
            return {"channel": thread.channel_id, "ts": thread.ts, "parent": True}
        reply_ts = None
        if payload.get("thread"):
            reply_ts = self._reply(slack, thread.channel_id, thread.ts, payload["thread"], action)
        if payload.get("parent_update"):
            slack.update_message(thread.channel_id, thread.ts, payload["parent_update"])
        return {"channel": thread.channel_id, "ts": reply_ts, "thread_ts": thread.ts}
