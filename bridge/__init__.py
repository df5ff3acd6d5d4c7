"""The escalation bridge service: ``create_app`` builds the web app and everything it holds."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from flask import Flask

from bridge import db, logs
from bridge.config import Settings
from bridge.context import BridgeContext, utc_now
from bridge.storage import Storage
from policies import load_policy

log = logging.getLogger(__name__)

# Webhook bodies above this are refused with 413 before they are read.
MAX_BODY_BYTES = 1024 * 1024


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str = ".env") -> Settings:
    """Settings from a ``.env`` file (if present) overlaid by the process environment."""
    values: dict[str, str] = {}
    if Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return Settings.from_env(values)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may carry ``BRIDGE_SETTINGS`` (a Settings), ``BRIDGE_CLOCK``
    (a callable returning aware UTC now) and ordinary Flask keys such as ``TESTING``."""
    # instance/ is relative to where the bridge is started, as a Procfile platform expects.
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if config:
        app.config.update(config)
    settings: Settings = app.config.get("BRIDGE_SETTINGS") or load_settings()
    app.config["BRIDGE_SETTINGS"] = settings
    if not app.config.get("TESTING"):
        logs.configure(settings.log_level, settings.log_format, settings.secret_values())
        # Their routine lines (migrations run, a 1 s job skipped while the previous run is still
        # busy, every outbound request) are noise at the bridge's INFO level.
        for chatty in ("alembic", "httpx2", "werkzeug"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.ERROR)

    database_url = settings.database_url or f"sqlite:///{Path(app.instance_path) / 'bridge.db'}"
    engine = db.make_engine(database_url)
    if app.config.get("BRIDGE_AUTO_MIGRATE", True):
        db.upgrade(engine)
    app.extensions["bridge"] = BridgeContext(
        settings=settings,
        storage=Storage(engine),
        clock=app.config.get("BRIDGE_CLOCK") or utc_now,
        policy=load_policy(settings.policy_path),
    )

    from bridge.cli import bridge_group
    from bridge.health import blueprint as health_blueprint
    from bridge.webhooks import blueprint as webhooks_blueprint

    app.register_blueprint(webhooks_blueprint)
    app.register_blueprint(health_blueprint)
    from bridge.dashboard import blueprint as dashboard_blueprint
    from bridge.jobs import API_BUDGET_GAUGE
    from bridge.prometheus import API_BUDGET_KEY
    from bridge.prometheus import blueprint as prometheus_blueprint

    app.register_blueprint(prometheus_blueprint)
    storage = app.extensions["bridge"].storage
    # The worker publishes its budgets (see Jobs.publish_budgets); the web process reads them.
    app.extensions[API_BUDGET_KEY] = lambda: storage.gauges(API_BUDGET_GAUGE)
    app.register_blueprint(dashboard_blueprint)
    app.cli.add_command(bridge_group)
    log.info(
        "bridge ready",
        extra={
            "database": engine.url.render_as_string(hide_password=True),
            "integrations": settings.describe(),
        },
    )
    return app
