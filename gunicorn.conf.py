"""gunicorn settings for the web process (``gunicorn -c gunicorn.conf.py wsgi:app``)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Processes rather than threads: a request is mostly Python (the GIL) and one short write (SQLite
# takes one writer at a time), so threads in a process only queue; measured in
# benchmarks/bench_intake.py.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "1"))
keepalive = 5
# Load the app once in the master: migrations run once, not once per worker.
preload_app = True
graceful_timeout = 30
accesslog = None
# gunicorn (25.1+) opens a control socket for ``gunicornc`` at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl): every instance on the host would share it, and the last one
# started takes it over. Off, unless BRIDGE_CONTROL_SOCKET names this instance's own path
# (docs.gunicorn.org, settings "control_socket", "control_socket_disable").
_control_socket = os.environ.get("BRIDGE_CONTROL_SOCKET", "")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket
    control_socket_mode = 0o600


def post_fork(server: object, worker: object) -> None:
    # Connections opened in the master must not be shared with forked workers.
    from wsgi import app

    app.extensions["bridge"].db.dispose(close=False)
