"""A launcher that imports the server once, then forks a fresh server process each time it
reads ``start`` on stdin (and prints its pid): restarting after a SIGKILL then costs a fork,
not the seconds of imports, so a test can kill and restart a server 20 times in a few
seconds. Every restarted server is a new process that knows only what the database holds.

Usage: python tests/web/forkserver.py DB_URL LIBRARY PORT ADMIN_TOKEN
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import uvicorn

import tousrisques.exercise  # noqa: F401  (imported once, here)
from tousrisques.web import ServerSettings, create_app, hash_secret


def main() -> None:
    db, library, port, admin = sys.argv[1:5]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    for line in sys.stdin:
        if line.strip() != "start":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            settings = ServerSettings(db, Path(library), hash_secret(admin), tick_s=1.0)
            uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port),
                        log_level="warning", access_log=False, timeout_graceful_shutdown=1)
            os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
