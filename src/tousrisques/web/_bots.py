"""Scripted players: a whole exercise played against a live server over its HTTP API, for the
demo, the tests and the load benchmark.

The facilitator creates the exercise, starts the clock at a chosen speed and ends it when the
scenario is over (or the real time is spent); one bot per player actor joins with its code,
follows its events, and plays a simple script: it acknowledges each inject it receives in the
situation log, records a decision for each expected action addressed to it, and now and then
sends a message to another player over one of its channels — the first one ``/me`` says works,
or, when none works, the first one it holds (which the server then blocks, with the reason).
It also ticks the items of its reflex sheet when their inject arrives, puts one annotation on
the shared map (at the middle of the territory), and a mayor or crisis-cell bot sends a citizen
relay (one whose id names the same commune code, else the first) to that commune's zones when
the scenario has relays with volunteers. An observer joins and writes one note.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["PlayResult", "play"]


@dataclass
class PlayResult:
    """What a scripted exercise did.

    Examples
    --------
    >>> PlayResult("ab12").messages
    Counter()
    """

    exercise_id: str
    events: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    injects_delivered: int = 0
    injects_not_received: int = 0
    log_entries: int = 0
    decisions: int = 0
    actions_done: int = 0
    annotations: int = 0
    relays: int = 0
    notes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    scenario_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON values.

        Returns
        -------
        dict

        Examples
        --------
        >>> PlayResult("ab12").to_json()["exercise_id"]
        'ab12'
        """
        return {"exercise_id": self.exercise_id, "events": self.events,
                "messages": dict(self.messages), "injects_delivered": self.injects_delivered,
                "injects_not_received": self.injects_not_received,
                "log_entries": self.log_entries, "decisions": self.decisions,
                "actions_done": self.actions_done, "annotations": self.annotations,
                "relays": self.relays, "notes": self.notes, "kinds": dict(self.kinds),
                "scenario_s": self.scenario_s, "errors": self.errors}


@dataclass
class _World:
    """What the bots know of the territory: its middle, its relays and their zones."""

    centre: list[float] | None
    deciders: set[str]
    relays: list[str]
    zones: list[dict[str, Any]]

    def relay_for(self, actor: str) -> tuple[str, list[str]] | None:
        if actor not in self.deciders or not self.relays:
            return None
        code = actor.rsplit("-", 1)[-1]
        relay = next((r for r in self.relays if r.endswith(f"-{code}")), self.relays[0])
        rcode = relay.rsplit("-", 1)[-1]
        zones = [z["id"] for z in self.zones if z.get("commune") == rcode] or \
            [z["id"] for z in self.zones[:5]]
        return relay, zones[:200]


async def _world(client: httpx.AsyncClient, ex: str, admin: dict[str, str]) -> _World:
    info = (await client.get(f"/api/exercises/{ex}", headers=admin)).json()
    geo = (await client.get(f"/api/exercises/{ex}/map", headers=admin)).json()
    w, s, e, n = geo["bounds"]
    deciders = {a["id"] for a in info["actors"]
                if a["role"] in ("mayor", "crisis_cell", "prefecture")}
    relays = [a["id"] for a in info["actors"] if a["role"] == "citizen_relay"]
    return _World([round((w + e) / 2, 5), round((s + n) / 2, 5)], deciders, relays,
                  geo["zones"])


async def _count(client: httpx.AsyncClient, ex: str, auth: dict[str, str], what: str,
                 body: dict[str, Any], result: PlayResult, counter: str) -> None:
    r = await client.post(f"/api/exercises/{ex}/{what}", json=body, headers=auth)
    if r.status_code == 201:
        setattr(result, counter, getattr(result, counter) + 1)
    elif r.status_code not in (400, 409):  # 400: a relay without volunteers; 409: ended
        result.errors.append(f"POST {what}: {r.status_code} {r.text[:200]}")


async def _bot(client: httpx.AsyncClient, ex: str, actor: str, token: str, others: list[str],
               stop: asyncio.Event, result: PlayResult, rng: random.Random,
               every_s: float, world: _World) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    last = 0
    sheet = (await client.get(f"/api/exercises/{ex}/reflex", headers=auth)).json()["items"]
    annotated = sent_relay = False
    next_message = time.monotonic() + rng.uniform(0, every_s)
    while not stop.is_set():
        r = await client.get(f"/api/exercises/{ex}/events", params={"after": last},
                             headers=auth)
        if r.status_code == 401:  # the exercise ended: tokens revoked
            return
        r.raise_for_status()
        body = r.json()
        last = body["last_seq"]
        for e in body["events"]:
            p = e["payload"]
            if e["kind"] == "inject.delivered" and p.get("to") == actor:
                text = p["text"]["en"] if isinstance(p.get("text"), dict) else str(p["text"])
                await _write(client, ex, auth, "log", {
                    "text": f"Received {p['inject']}: {text}"[:10_000],
                    "category": "information"}, result)
                for item in sheet:
                    if item["inject"] == p["inject"]:
                        await _count(client, ex, auth, "actions", {
                            "inject": item["inject"], "index": item["index"],
                            "note": f"done by the {actor} bot"}, result, "actions_done")
                chosen = None if sent_relay else world.relay_for(actor)
                if chosen is not None:
                    sent_relay = True
                    relay, zones = chosen
                    await _count(client, ex, auth, "relays", {"relay": relay, "zones": zones},
                                 result, "relays")
                for want in p.get("expected", []):
                    action = want.get("action", {})
                    what = action.get("en", "") if isinstance(action, dict) else str(action)
                    await _write(client, ex, auth, "decisions", {
                        "what": what or "acted on the inject", "decided_by": actor,
                        "based_on": f"inject {p['inject']}",
                        "based_on_seqs": [e["seq"]]}, result)
        if not annotated and world.centre is not None:
            annotated = True
            await _count(client, ex, auth, "annotations", {
                "category": "other", "text": f"{actor}: situation here",
                "geometry": {"type": "Point", "coordinates": world.centre}},
                result, "annotations")
        if others and time.monotonic() >= next_message:
            next_message = time.monotonic() + every_s * rng.uniform(0.5, 1.5)
            await _message(client, ex, auth, actor, rng.choice(others), result)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(1.0, every_s))


async def _write(client: httpx.AsyncClient, ex: str, auth: dict[str, str], what: str,
                 body: dict[str, Any], result: PlayResult) -> None:
    r = await client.post(f"/api/exercises/{ex}/{what}", json=body, headers=auth)
    if r.status_code == 201:
        if what == "log":
            result.log_entries += 1
        else:
            result.decisions += 1
    elif r.status_code != 409:  # 409: the exercise ended meanwhile
        result.errors.append(f"POST {what}: {r.status_code} {r.text[:200]}")


async def _message(client: httpx.AsyncClient, ex: str, auth: dict[str, str], actor: str,
                   to: str, result: PlayResult) -> None:
    me = await client.get(f"/api/exercises/{ex}/me", headers=auth)
    if me.status_code != 200:
        return
    channels = [c for c in me.json()["channels"] if not c["broadcast"]]
    if not channels:
        return
    working = [c for c in channels if c["available"]]
    channel = (working or channels)[0]["channel"]
    r = await client.post(f"/api/exercises/{ex}/messages", headers=auth, json={
        "channel": channel, "to": [to], "text": f"{actor} to {to}: situation update"})
    if r.status_code == 201:
        result.messages[r.json()["status"]] += 1
    elif r.status_code not in (400, 409):  # 400: `to` lacks that channel; 409: ended
        result.errors.append(f"POST messages: {r.status_code} {r.text[:200]}")


async def _play(base_url: str, admin_token: str, scenario: str, run: int | None,
                percentile: float | None, speed: float, seconds: float, seed: int,
                every_s: float) -> PlayResult:
    admin = {"Authorization": f"Bearer {admin_token}"}
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        body: dict[str, Any] = {"scenario": scenario, "speed": speed}
        body.update({"run": run} if percentile is None else {"percentile": percentile})
        r = await client.post("/api/exercises", json=body, headers=admin)
        if r.status_code != 201:
            raise RuntimeError(f"creating the exercise: {r.status_code} {r.text[:500]}")
        created = r.json()
        ex = created["id"]
        result = PlayResult(ex)
        players = created["players"]
        if len(players) < 2:  # too few to talk to each other: every actor plays
            players = list(created["join_codes"])
        tokens: dict[str, str] = {}
        for actor in players:
            j = await client.post(f"/api/exercises/{ex}/join", json={
                "code": created["join_codes"][actor], "name": f"bot {actor}"})
            j.raise_for_status()
            tokens[actor] = j.json()["token"]
        j = await client.post(f"/api/exercises/{ex}/join", json={
            "code": created["observer_code"], "name": "bot observer"})
        j.raise_for_status()
        observer = {"Authorization": f"Bearer {j.json()['token']}"}
        world = await _world(client, ex, admin)
        (await client.post(f"/api/exercises/{ex}/start", headers=admin)).raise_for_status()
        stop = asyncio.Event()
        bots = [asyncio.create_task(_bot(client, ex, a, tok, [o for o in players if o != a],
                                         stop, result, random.Random(rng.random()), every_s,
                                         world))
                for a, tok in tokens.items()]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            info = (await client.get(f"/api/exercises/{ex}", headers=admin)).json()
            result.scenario_s = float(info["scenario_s"])
            if result.scenario_s >= float(info["duration_s"]):
                break
            await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*bots)
        await _count(client, ex, observer, "notes", {
            "text": f"{len(players)} players; {sum(result.messages.values())} messages seen"},
            result, "notes")
        (await client.post(f"/api/exercises/{ex}/end", headers=admin)).raise_for_status()
        events = (await client.get(f"/api/exercises/{ex}/events", params={"limit": 10_000},
                                   headers=admin)).json()["events"]
        result.events = len(events)
        result.kinds = Counter(e["kind"] for e in events)
        result.injects_delivered = sum(e["kind"] == "inject.delivered" for e in events)
        result.injects_not_received = sum(e["kind"] == "inject.not_received" for e in events)
        return result


def play(base_url: str, admin_token: str, scenario: str, *, run: int | None = 0,
         percentile: float | None = None, speed: float = 3600.0, seconds: float = 60.0,
         seed: int = 0, every_s: float = 2.0) -> PlayResult:
    """Play a whole exercise of the library's ``scenario`` with scripted players.

    Parameters
    ----------
    base_url : str
        The server (``http://127.0.0.1:8000``).
    admin_token : str
    scenario : str
        A name of the server's library.
    run, percentile
        The run to play (one of them; ``percentile`` wins when given).
    speed : float
        Scenario seconds per real second.
    seconds : float
        Real seconds at most; the exercise ends earlier when the scenario is over.
    seed : int
        The bots' choices.
    every_s : float
        Real seconds between two messages of a bot, on average.

    Returns
    -------
    PlayResult

    Examples
    --------
    >>> play("http://127.0.0.1:9", "x", "t/s", seconds=0)  # no server there
    Traceback (most recent call last):
    ...
    httpx.ConnectError: All connection attempts failed
    """
    return asyncio.run(_play(base_url, admin_token, scenario, run, percentile, speed, seconds,
                             seed, every_s))
