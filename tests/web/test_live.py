"""Live updates: the event stream (server-sent events) gives each participant what it may see,
resumes after ``Last-Event-ID``, opens with a cookie for a browser (no token in the URL), and
with several server processes an event written through one reaches the streams of the other
(LISTEN/NOTIFY on PostgreSQL). The real ``tousrisques serve`` prints its admin token once."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.web.conftest import LIBRARY, Server, admin, bearer, create_exercise, free_port, join


def _read_stream(url: str, headers: dict[str, str], out: queue.Queue[dict[str, Any]],
                 stop: threading.Event, cookies: dict[str, str] | None = None) -> None:
    """Put each SSE event of the stream in ``out`` (``{"id", "event", "data"}``)."""
    with httpx.Client(timeout=httpx.Timeout(30, read=60), cookies=cookies) as http, \
            http.stream("GET", url, headers=headers) as r:
        out.put({"status": r.status_code})
        event: dict[str, Any] = {}
        for line in r.iter_lines():
            if stop.is_set():
                return
            if not line:
                if "id" in event:
                    out.put(event)
                event = {}
            elif line.startswith(("id:", "event:", "data:")):
                key, _, value = line.partition(":")
                event[key] = value.strip()


def _events(q: queue.Queue[dict[str, Any]], n: int, timeout: float = 20) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        try:
            got.append(q.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    return got


def _open(url: str, headers: dict[str, str], cookies: dict[str, str] | None = None
          ) -> tuple[queue.Queue[dict[str, Any]], threading.Event]:
    q: queue.Queue[dict[str, Any]] = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=_read_stream, args=(url, headers, q, stop, cookies),
                     daemon=True).start()
    status = q.get(timeout=20)
    assert status == {"status": 200}, status
    return q, stop


@pytest.fixture
def live(tmp_path: Any, server_factory: Callable[..., Server]) -> Server:
    server = server_factory(f"sqlite:///{tmp_path / 'live.db'}", fork=True)
    server.start()
    return server


def test_stream_sends_what_each_may_see_and_resumes(live: Server) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as http:
        created = create_exercise(http)
        ex = created["id"]
        a, b, c = list(created["join_codes"])[:3]
        ta = join(http, ex, created["join_codes"][a])
        tc = join(http, ex, created["join_codes"][c])
        stream = f"{live.url}/api/exercises/{ex}/stream"
        qa, stop_a = _open(stream, bearer(ta))
        qc, stop_c = _open(stream, bearer(tc))
        qf, stop_f = _open(stream, admin())
        channel = next(ch["channel"] for ch in http.get(
            f"/api/exercises/{ex}/me", headers=bearer(ta)).json()["channels"]
            if not ch["broadcast"])
        sent = http.post(f"/api/exercises/{ex}/messages", headers=bearer(ta), json={
            "channel": channel, "to": [b], "text": "only for b"}).json()
        logged = http.post(f"/api/exercises/{ex}/log", headers=bearer(ta), json={
            "text": "for everyone", "category": "situation"}).json()
        # the facilitator sees everything, in order, numbered as the log
        facilitator = _events(qf, logged["seq"])
        assert [int(e["id"]) for e in facilitator] == list(range(1, logged["seq"] + 1))
        assert facilitator[-1]["event"] == "log.entry"
        # the sender sees its message; c (not addressed) sees the log entry but not it
        ids_a = {int(e["id"]) for e in _events(qa, logged["seq"], timeout=5)}
        ids_c = {int(e["id"]) for e in _events(qc, logged["seq"], timeout=3)}
        assert sent["seq"] in ids_a and logged["seq"] in ids_a
        assert logged["seq"] in ids_c and sent["seq"] not in ids_c
        for stop in (stop_a, stop_c, stop_f):
            stop.set()
        # resumed after the message: only what came after it
        q2, stop2 = _open(stream, {**admin(), "Last-Event-ID": str(sent["seq"])})
        resumed = _events(q2, 1)
        assert [int(e["id"]) for e in resumed] == [logged["seq"]]
        stop2.set()


def test_a_browser_opens_its_stream_with_a_cookie(live: Server) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as http:
        created = create_exercise(http)
        ex = created["id"]
        a = next(iter(created["join_codes"]))
        ta = join(http, ex, created["join_codes"][a])
        r = http.post(f"/api/exercises/{ex}/stream-key", headers=bearer(ta))
        assert r.status_code == 204
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert f"Path=/api/exercises/{ex}/stream" in cookie
        key = r.cookies["tousrisques_stream"]
        assert key != ta
        stream = f"{live.url}/api/exercises/{ex}/stream"
        q, stop = _open(stream, {}, cookies={"tousrisques_stream": key})
        assert _events(q, 1)[0]["event"] == "exercise.created"
        stop.set()
        # a made-up key opens nothing; nor does the key on another exercise
        r = httpx.get(stream, cookies={"tousrisques_stream": "made-up"}, timeout=10)
        assert r.status_code == 401
        other = create_exercise(http)["id"]
        r = httpx.get(f"{live.url}/api/exercises/{other}/stream",
                      cookies={"tousrisques_stream": key}, timeout=10)
        assert r.status_code == 401


@pytest.mark.slow
def test_events_reach_every_process(db_url: str, server_factory: Callable[..., Server]) -> None:
    """PostgreSQL: by NOTIFY; SQLite: each process looks at the numbers every second."""
    one = server_factory(db_url, fork=True)
    two = server_factory(db_url, fork=True)
    one.start()
    two.start()
    with httpx.Client(timeout=30) as http:
        created = create_exercise(http, base=one.url)
        ex = created["id"]
        a = next(iter(created["join_codes"]))
        ta = join(http, ex, created["join_codes"][a], base=two.url)  # joined through two
        q, stop = _open(f"{two.url}/api/exercises/{ex}/stream", admin())
        assert len(_events(q, 2)) == 2  # created, joined
        # written through one, seen on two's stream
        for i in range(5):
            r = http.post(f"{one.url}/api/exercises/{ex}/log", headers=bearer(ta),
                          json={"text": f"via one {i}", "category": "situation"})
            assert r.status_code == 201
        got = _events(q, 5)
        assert [e["event"] for e in got] == ["log.entry"] * 5
        assert [int(e["id"]) for e in got] == list(range(3, 8))
        stop.set()


@pytest.mark.slow
def test_serve_prints_a_generated_admin_token_once(tmp_path: Any) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TOUSRISQUES_ADMIN_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tousrisques", "serve", "--db", f"sqlite:///{tmp_path}/s.db",
         "--library", str(LIBRARY), "--port", str(port)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        token = first.rsplit(":", 1)[1].strip()
        assert "TOUSRISQUES_ADMIN_TOKEN" in first and len(token) >= 40
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/library",
                              headers=bearer(token), timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert r.status_code == 200 and "petite-ville/tempete" in r.json()
        assert httpx.get(f"http://127.0.0.1:{port}/api/library", headers=bearer("x"),
                         timeout=2).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert (tmp_path / "s.db").is_file()
