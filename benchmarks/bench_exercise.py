"""Load on the exercise server: many players, each with an open event stream, and a steady
flow of writes.

Run: ``python benchmarks/bench_exercise.py --db sqlite --minutes 5`` (or ``--db postgresql``,
which uses ``TOUSRISQUES_TEST_PG``, default ``postgresql://postgres@127.0.0.1:5432/test``, and
creates then drops a database of its own).

The server is the real one (``tousrisques serve``, a separate process); this process plays the
clients with asyncio and httpx: ``--players`` players join (round robin over the exercise's
actors, several people per actor), each opens ``GET …/stream``; then writes go out at
``--rate`` a second for ``--minutes``, each from a random player: two in three a message to
another actor (delivered, delayed or blocked, as the run says), one in three an entry of the
situation log (which every stream receives). Measured:

* the time of each write (``POST``), from sending to the 201;
* the delivery of each event to each stream that may see it, from the sending of its
  ``POST`` to its arrival on the stream;
* errors: any answer but 201, any stream that breaks, any event a stream should have had
  and did not get by the end (read from the log).

Goal (issue 12): message POST p99 under 200 ms, delivery p99 under 1 s, no error, with 200
players and 30 writes a second for 5 minutes on 2 cores. Both processes (server and clients)
share the machine's cores: the clients' cost is counted against the server, as a worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ADMIN = secrets.token_urlsafe(16)
PG_URL = os.environ.get("TOUSRISQUES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pg_database() -> tuple[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"tousrisques_bench_{secrets.token_hex(4)}"
    engine = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


def _start_server(db: str, library: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = shutil.which("tousrisques", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "tousrisques"]
    proc = subprocess.Popen([*cmd, "serve", "--db", db, "--library", str(library), "--port",
                             str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "TOUSRISQUES_ADMIN_TOKEN": ADMIN})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


_ID = re.compile(rb"^id: (\d+)$", re.MULTILINE)


class Player:
    def __init__(self, actor: str, token: str) -> None:
        self.actor = actor
        self.auth = {"Authorization": f"Bearer {token}"}
        self.seen: dict[int, float] = {}  # seq → arrival (perf_counter)
        self.broken: str | None = None


async def _stream(client: httpx.AsyncClient, ex: str, player: Player,
                  opened: list[int]) -> None:
    try:
        async with client.stream("GET", f"/api/exercises/{ex}/stream",
                                 headers=player.auth) as r:
            if r.status_code != 200:
                player.broken = f"stream {r.status_code}"
                return
            opened.append(1)
            pending = b""
            async for chunk in r.aiter_raw():  # bytes, not lines: the client costs less
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                pending = data[cut:]
                now = time.perf_counter()
                for m in _ID.finditer(data, 0, cut):
                    player.seen[int(m.group(1))] = now
    except (httpx.HTTPError, asyncio.CancelledError) as exc:
        if not isinstance(exc, asyncio.CancelledError):
            player.broken = f"stream: {type(exc).__name__}"


async def _writes(client: httpx.AsyncClient, ex: str, players: list[Player],
                  actors: list[str], channels: dict[str, list[str]], rng: random.Random,
                  rate: float, seconds: float
                  ) -> tuple[list[tuple[float, float, str]], dict[int, float], list[str]]:
    """Writes at ``rate`` a second for ``seconds``: (sent, latency, kind), seq → sent, errors."""
    posts: list[tuple[float, float, str]] = []
    sent_at: dict[int, float] = {}
    errors: list[str] = []

    async def write(i: int) -> None:
        p = rng.choice(players)
        t0 = time.perf_counter()
        if i % 3 != 2 and channels[p.actor]:
            to = rng.choice([a for a in actors if a != p.actor])
            kind = "message"
            resp = await client.post(f"/api/exercises/{ex}/messages", headers=p.auth, json={
                "channel": rng.choice(channels[p.actor]), "to": [to],
                "text": f"message {i}"})
        else:
            kind = "log"
            resp = await client.post(f"/api/exercises/{ex}/log", headers=p.auth, json={
                "text": f"entry {i}", "category": "situation"})
        t1 = time.perf_counter()
        if resp.status_code != 201:
            errors.append(f"{kind} {resp.status_code}: {resp.text[:200]}")
            return
        posts.append((t0, t1 - t0, kind))
        sent_at[resp.json()["seq"]] = t0

    tasks = []
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(write(i)))
        i += 1
    await asyncio.gather(*tasks)
    return posts, sent_at, errors


async def _run(base: str, scenario: str, n_players: int, rate: float, seconds: float,
               seed: int, ref_seconds: float) -> dict[str, Any]:
    rng = random.Random(seed)
    admin = {"Authorization": f"Bearer {ADMIN}"}
    limits = httpx.Limits(max_connections=n_players + 200, max_keepalive_connections=200)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        r = await client.post("/api/exercises", json={"scenario": scenario, "run": 0,
                                                       "speed": 60.0}, headers=admin)
        r.raise_for_status()
        created = r.json()
        ex = created["id"]
        actors = list(created["join_codes"])
        players: list[Player] = []
        for i in range(n_players):
            actor = actors[i % len(actors)]
            j = await client.post(f"/api/exercises/{ex}/join", json={
                "code": created["join_codes"][actor], "name": f"player {i}"})
            j.raise_for_status()
            players.append(Player(actor, j.json()["token"]))
        (await client.post(f"/api/exercises/{ex}/start", headers=admin)).raise_for_status()
        channels = {}
        for actor in actors:
            p = next(p for p in players if p.actor == actor)
            me = (await client.get(f"/api/exercises/{ex}/me", headers=p.auth)).json()
            channels[actor] = [c["channel"] for c in me["channels"] if not c["broadcast"]]
        # the reference, in the same run: the same writes with no stream open
        ref_posts, _, ref_errors = await _writes(client, ex, players, actors, channels, rng,
                                                 rate, ref_seconds)

        opened: list[int] = []
        streams = [asyncio.create_task(_stream(client, ex, p, opened)) for p in players]
        while len(opened) < n_players and not any(p.broken for p in players):
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        start = time.perf_counter()
        posts, sent_at, errors = await _writes(client, ex, players, actors, channels, rng,
                                               rate, seconds)
        errors += ref_errors
        writing = time.perf_counter() - start
        await asyncio.sleep(3.0)  # the last events on their way
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)

        # what each stream should have had: the log, read with each actor's eyes
        should: dict[str, set[int]] = {}
        for actor in actors:
            p = next(p for p in players if p.actor == actor)
            got = await client.get(f"/api/exercises/{ex}/events", headers=p.auth,
                                   params={"limit": 10_000})
            should[actor] = {e["seq"] for e in got.json()["events"]}
        delivery: list[float] = []
        missing = 0
        for p in players:
            if p.broken:
                errors.append(p.broken)
            for seq, t0 in sent_at.items():
                if seq in should[p.actor]:
                    if seq in p.seen:
                        delivery.append(p.seen[seq] - t0)
                    else:
                        missing += 1
        if missing:
            errors.append(f"{missing} deliveries missing")
        ref = np.array([x[1] for x in ref_posts if x[2] == "message"]) * 1000
        lat = np.array([x[1] for x in posts if x[2] == "message"]) * 1000
        lat_all = np.array([x[1] for x in posts]) * 1000
        dl = np.array(delivery) * 1000
        slow = sorted((round(t - start, 1), round(d * 1000)) for t, d, _ in posts if d > 0.3)
        if os.environ.get("BENCH_DEBUG"):
            print("slow posts (s from start, ms):", slow[:60], file=sys.stderr)
        return {
            "players": n_players, "rate_per_s": rate, "seconds": round(writing, 1),
            "writes": len(posts), "writes_per_s": round(len(posts) / writing, 1),
            "message_post_ms": _pcts(lat), "any_post_ms": _pcts(lat_all),
            "reference_seconds": ref_seconds, "reference_message_post_ms": _pcts(ref),
            "deliveries": len(delivery), "delivery_ms": _pcts(dl),
            "errors": len(errors), "first_errors": errors[:5],
        }


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pcts(a: np.ndarray) -> dict[str, float]:
    if a.size == 0:
        return {}
    return {"p50": round(float(np.percentile(a, 50)), 1),
            "p99": round(float(np.percentile(a, 99)), 1),
            "max": round(float(a.max()), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--players", type=int, default=200)
    ap.add_argument("--rate", type=float, default=30.0, help="writes a second")
    ap.add_argument("--scenario", default="petite-ville/tempete")
    ap.add_argument("--library", type=Path, default=ROOT / "src" / "tousrisques" / "templates")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference-seconds", type=float, default=20.0,
                    help="the same writes with no stream open, first (the reference)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "exercise.json")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-exercise-"))
    drop = None
    if args.db == "sqlite":
        db = f"sqlite:///{tmp / 'bench.db'}"
    else:
        db, drop = _pg_database()
    port = _port()
    server = _start_server(db, args.library, port, tmp / "server.log")
    cpu0, client0, wall0 = _cpu_s(server.pid), time.process_time(), time.perf_counter()
    try:
        result = asyncio.run(_run(f"http://127.0.0.1:{port}", args.scenario, args.players,
                                  args.rate, args.minutes * 60, args.seed,
                                  args.reference_seconds))
        wall = time.perf_counter() - wall0
        result["server_cpu_share"] = round((_cpu_s(server.pid) - cpu0) / wall, 2)
        result["client_cpu_share"] = round((time.process_time() - client0) / wall, 2)
        result["load_average_1m_at_end"] = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if drop is not None:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)
    result.update({"db": args.db, "scenario": args.scenario, "cores": os.cpu_count()})
    ok = (result["errors"] == 0 and result["message_post_ms"].get("p99", 1e9) < 200
          and result["delivery_ms"].get("p99", 1e9) < 1000)
    result["goal_met"] = ok
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text()) if args.out.is_file() else {}
    previous[args.db] = result
    args.out.write_text(json.dumps(previous, indent=1) + "\n")


if __name__ == "__main__":
    main()
