"""Fixtures of the exercise server's tests: a database of each kind, the app in this process,
and the real server (``tousrisques serve``) as a separate process.

PostgreSQL: the server of the machine (``TOUSRISQUES_TEST_PG``, default
``postgresql://postgres@127.0.0.1:5432/test``); each test that needs it gets a database of its
own, created then dropped. Where none answers, those tests are skipped and say why.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the exercise server needs the 'web' extra")

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tousrisques.web import ServerSettings, create_app, hash_secret

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "src" / "tousrisques" / "templates"
SCENARIO = "petite-ville/tempete"
ADMIN = "admin-token-for-tests"
PG_URL = os.environ.get("TOUSRISQUES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin_engine() -> Any:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _pg_answers() -> str | None:
    try:
        engine = _pg_admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return f"no PostgreSQL answers at {make_url(PG_URL).render_as_string()}: {exc}"


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    return _pg_answers()


@pytest.fixture
def pg_url(pg_reason: str | None) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after the test."""
    if pg_reason:
        pytest.skip(pg_reason)
    name = f"tousrisques_test_{secrets.token_hex(4)}"
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exercises.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    """The app in this process on a SQLite file, without the clock task."""
    from starlette.testclient import TestClient

    warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
    settings = ServerSettings(f"sqlite:///{tmp_path / 'ex.db'}", LIBRARY, hash_secret(ADMIN),
                              tick_s=0)
    with TestClient(create_app(settings)) as c:
        yield c


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``tousrisques serve`` as a separate process, which a test may kill and start again.

    With ``fork=True`` each start is a fork of a launcher that has imported the server once
    (tests/web/forkserver.py): a new process all the same, which knows only the database.
    """

    def __init__(self, db: str, log: Path, *, fork: bool = False) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.fork = fork
        self.launcher: subprocess.Popen[str] | None = None
        self.pid: int | None = None

    def start(self, timeout: float = 60) -> None:
        if self.fork:
            self._fork_start(timeout)
            return
        exe = shutil.which("tousrisques", path=str(Path(sys.executable).parent))
        cmd = [exe] if exe else [sys.executable, "-m", "tousrisques"]
        env = {**os.environ, "TOUSRISQUES_ADMIN_TOKEN": ADMIN}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*cmd, "serve", "--db", self.db, "--library", str(LIBRARY), "--port",
                 str(self.port)], stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer in {timeout} s")

    def _fork_start(self, timeout: float) -> None:
        if self.launcher is None:
            with self.log.open("ab") as out:
                self.launcher = subprocess.Popen(
                    [sys.executable, str(Path(__file__).with_name("forkserver.py")), self.db,
                     str(LIBRARY), str(self.port), ADMIN], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=out, text=True)
        assert self.launcher.stdin is not None and self.launcher.stdout is not None
        self.launcher.stdin.write("start\n")
        self.launcher.stdin.flush()
        self.pid = int(self.launcher.stdout.readline())
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"the server did not answer in {timeout} s")

    def kill(self) -> None:
        if self.fork:
            if self.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self._gone()
                self.pid = None
            return
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def _gone(self) -> None:
        # the port is free once the process is gone (its children are reaped by the system)
        assert self.pid is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.005)

    def stop(self) -> None:
        if self.fork:
            if self.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGTERM)
                self._gone()
                self.pid = None
            if self.launcher is not None:
                self.launcher.kill()
                self.launcher.wait()
                self.launcher = None
            return
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:  # open event streams hold a graceful shutdown for its 5 s: no need to wait
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def make(db: str, *, fork: bool = False) -> Server:
        server = Server(db, tmp_path / f"server-{len(servers)}.log", fork=fork)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def create_exercise(http: Any, *, base: str = "", speed: float = 60.0) -> dict[str, Any]:
    r = http.post(f"{base}/api/exercises", json={"scenario": SCENARIO, "run": 0,
                                                  "speed": speed}, headers=admin())
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def join(http: Any, ex: str, code: str, name: str = "Anne", *, base: str = "") -> str:
    r = http.post(f"{base}/api/exercises/{ex}/join", json={"code": code, "name": name})
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token
