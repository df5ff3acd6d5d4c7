"""The web side: intake (a table of provider endpoints), health, Prometheus, the dashboard.
It stores and reads; it never calls an outside service and never imports the worker."""

from __future__ import annotations

from flask import Flask

from bridge.web import health, intake, outage, prometheus, teams
from bridge.web.dashboard import blueprint as dashboard


def register(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = intake.MAX_BODY_BYTES
    outage.install(app)
    app.register_blueprint(intake.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(prometheus.blueprint)
    app.register_blueprint(teams.blueprint)
    app.register_blueprint(dashboard)
