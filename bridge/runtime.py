"""Assembles the worker side of the bridge: integrations, engine, delivery and the jobs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Flask

from bridge.context import bridge_context
from bridge.delivery import Delivery
from bridge.engine import EscalationEngine
from bridge.integrations import build_integrations
from bridge.jobs import Jobs
from bridge.worker import Worker, default_holder
from policies.templates import TemplateRenderer


def build_jobs(app: Flask, worker_id: str, environ: Mapping[str, str] | None = None) -> Jobs:
    context = bridge_context(app)
    settings = context.settings
    integrations = build_integrations(settings, clock=context.clock, environ=environ)
    renderer = TemplateRenderer(settings.templates_dir)
    engine = EscalationEngine(
        context.storage.engine,
        context.policy,
        integrations,
        context.clock,
        renderer=renderer,
        default_channel=settings.slack_channel,
    )
    delivery = Delivery(
        context.storage.engine,
        integrations,
        context.clock,
        worker_id=worker_id,
        default_channel=settings.slack_channel,
    )
    return Jobs(context, integrations, engine, delivery)


def build_worker(app: Flask, environ: Mapping[str, str] | None = None) -> Worker:
    """A worker running the bridge's jobs; its sweep is also woken for the next breach."""
    holder = bridge_context(app).settings.worker_id or default_holder()
    jobs = build_jobs(app, holder, environ)
    # Claims this worker id left behind when it died are its own: take them back now.
    jobs.delivery.release()
    worker = Worker(
        bridge_context(app),
        jobs.as_jobs(),
        holder=holder,
        on_stop=jobs.delivery.release,
        on_stopping=jobs.delivery.stop,
    )
    jobs.wake = lambda at: worker.wake("sweep", at)
    jobs.wake_delivery = lambda: worker.wake("deliver", datetime.now(UTC))
    return worker
