from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import text

from bridge.runtime import runtime


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_when_migrated(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"] == "ok"


def test_readyz_reports_missing_migrations(client: FlaskClient) -> None:
    engine = runtime(client.application).db
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "at None"
