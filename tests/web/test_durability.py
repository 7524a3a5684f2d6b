"""Nothing acknowledged is lost: the server runs as a separate process, several clients post
at once, the server is killed with SIGKILL at random moments (20 times) and started again;
every event the server acknowledged is then in the log with its number, the numbers run
without gap or duplicate, and the database is intact. On SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.web.conftest import Server, admin, bearer, create_exercise, join
from tousrisques.web._db import connect

KILLS = 20
CLIENTS = 4


@pytest.mark.slow
def test_sigkill_mid_load_loses_nothing_acknowledged(
        db_url: str, server_factory: Callable[..., Server]) -> None:
    server = server_factory(db_url, fork=True)
    server.start()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        created = create_exercise(http)
        ex = created["id"]
        assert http.post(f"/api/exercises/{ex}/start", headers=admin()).status_code == 201
        tokens = [join(http, ex, code, f"player {actor}")
                  for actor, code in list(created["join_codes"].items())[:CLIENTS]]

    acked: dict[str, int] = {}  # text → the number the server answered with
    acked_lock = threading.Lock()
    stop = threading.Event()
    failures: list[str] = []

    def client(c: int) -> None:
        n = 0
        with httpx.Client(base_url=server.url, timeout=5) as http:
            while not stop.is_set():
                n += 1
                body = f"c{c}-{n}"  # each attempt a new text: a retry is another entry
                try:
                    r = http.post(f"/api/exercises/{ex}/log", headers=bearer(tokens[c]),
                                  json={"text": body, "category": "situation"})
                except httpx.HTTPError:
                    time.sleep(0.02)  # the server is down: try again
                    continue
                if r.status_code != 201:  # no 5xx, even while dying
                    failures.append(f"{r.status_code}: {r.text[:300]}")
                    continue
                with acked_lock:
                    acked[body] = r.json()["seq"]

    threads = [threading.Thread(target=client, args=(c,)) for c in range(len(tokens))]
    for t in threads:
        t.start()
    rng = random.Random(12)
    try:
        for _ in range(KILLS):
            # mid-load: once the clients are acknowledged again, at a random moment
            with acked_lock:
                before = len(acked)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with acked_lock:
                    if len(acked) >= before + 3:
                        break
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.3))
            server.kill()
            server.start()
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()

    assert not failures, failures[:5]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        events: list[dict[str, Any]] = http.get(
            f"/api/exercises/{ex}/events", params={"limit": 10_000},
            headers=admin()).json()["events"]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "numbers with a gap or a duplicate"
    by_text: dict[str, int] = {}
    for e in events:
        if e["kind"] == "log.entry":
            assert e["payload"]["text"] not in by_text, "an entry stored twice"
            by_text[e["payload"]["text"]] = e["seq"]
    assert len(acked) >= 3 * KILLS, len(acked)  # the load did run between the kills
    lost = {t: s for t, s in acked.items() if by_text.get(t) != s}
    assert not lost, f"{len(lost)} acknowledged entries lost or renumbered"
    server.stop()
    if db_url.startswith("sqlite"):
        engine = connect(db_url)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()
