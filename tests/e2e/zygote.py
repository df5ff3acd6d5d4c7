"""Starts bridge workers fast: this process imports the bridge once, then forks a worker per
request. It has no threads of its own, so forking it is safe.

Protocol on stdin/stdout, one line each: ``start`` → the new worker's pid; ``wait PID`` → its
exit status after it ended (the caller sends the signal itself).
"""

from __future__ import annotations

import os
import sys

import bridge.cli
import bridge.worker.scheduler  # imported once here, so that each forked worker starts at once


def _answer(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def serve() -> None:
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "start":
            pid = os.fork()
            if pid == 0:
                sys.stdin.close()
                os.dup2(2, 1)  # the worker's own output must not mix with this protocol
                sys.argv = ["bridge", "worker"]
                try:
                    bridge.cli.main()
                finally:
                    os._exit(0)
            _answer(str(pid))
        elif command == "wait":
            _, status = os.waitpid(int(argument), 0)
            _answer(str(status))


if __name__ == "__main__":
    serve()
