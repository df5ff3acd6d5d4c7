"""The escalation bridge service: ``create_app`` builds the web app and everything it holds."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from bridge import logs
from bridge.config import Settings, load_settings
from bridge.policy_files import load_policy, load_templates
from bridge.runtime import Runtime, utc_now
from bridge.store import db

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may carry ``BRIDGE_SETTINGS`` (a Settings), ``BRIDGE_CLOCK``
    (a callable returning aware UTC now) and ordinary Flask keys such as ``TESTING``."""
    # instance/ is relative to where the bridge is started, as a Procfile platform expects.
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    if config:
        app.config.update(config)
    settings: Settings = app.config.get("BRIDGE_SETTINGS") or load_settings()
    app.config["BRIDGE_SETTINGS"] = settings
    if not app.config.get("TESTING"):
        logs.configure(
            settings.log_level,
            settings.log_format,
            settings.secret_values(),
            bodies=settings.log_bodies,
        )
        # Their routine lines (migrations run, a 1 s job skipped while the previous run is still
        # busy, every outbound request) are noise at the bridge's INFO level.
        for chatty in ("alembic", "httpx2", "werkzeug"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.ERROR)

    database_url = settings.database_url or f"sqlite:///{Path(app.instance_path) / 'bridge.db'}"
    engine = db.make_engine(database_url)
    if app.config.get("BRIDGE_AUTO_MIGRATE", True):
        db.upgrade(engine)
    app.extensions["bridge"] = Runtime(
        settings=settings,
        db=engine,
        clock=app.config.get("BRIDGE_CLOCK") or utc_now,
        policy=load_policy(settings.policy_path),
        templates=load_templates(settings.templates_dir),
    )

    from bridge import web
    from bridge.cli import bridge_group

    web.register(app)
    app.cli.add_command(bridge_group)
    log.info(
        "bridge ready",
        extra={
            "database": engine.url.render_as_string(hide_password=True),
            "integrations": settings.describe(),
        },
    )
    return app
