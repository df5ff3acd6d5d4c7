from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from bridge.runtime import runtime
from bridge.store import db

ROOT = Path(__file__).resolve().parents[3]


def run_bridge(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZENDESK", "FRESHDESK", "SLACK", "PAGERDUTY"))
    }
    environ.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bridge", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_db_upgrade_through_the_flask_cli(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["bridge", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"database at revision {db.head_revision()}" in result.output
    engine = runtime(app).db
    assert db.current_revision(engine) == db.head_revision()


def test_console_script_creates_the_default_sqlite_database(tmp_path: Path) -> None:
    result = run_bridge(["db", "upgrade"], tmp_path, BRIDGE_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "instance" / "bridge.db").is_file()
    assert '"integrations": ["Zendesk: off", "Freshdesk: off"' in result.stderr


def test_bad_configuration_fails_fast_naming_the_variable(tmp_path: Path) -> None:
    result = run_bridge(["db", "upgrade"], tmp_path, ZENDESK_URL="ftp://nope")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "bridge: invalid configuration: ZENDESK_URL: Value error, must be an http:// or "
        "https:// URL"
    )


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'from-dotenv.db'}\n")
    result = run_bridge(["db", "upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv.db").is_file()


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_bridge(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("db", "worker", "serve"):
        assert command in result.stdout
