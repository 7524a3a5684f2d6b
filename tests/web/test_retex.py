"""The exercise's RETEX: **its numbers equal the log**. Scripted players (``web._bots.play``)
play an exercise on a live server (in this process, on a SQLite file); meanwhile a second
service on the same file — as a second server process would — ticks expected actions, draws
on the map, sends volunteers, writes notes, and writes ``<script>`` payloads in every field a
player fills. Then ``tousrisques report --exercise`` draws the RETEX in French and English,
and every figure it shows (read from its ``data-*`` attributes, not from its words) is checked
against a count made here from the events in the database; the payloads read as text.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from markupsafe import escape

from tests.cli.conftest import bad_input, invoke
from tests.web.conftest import LIBRARY, admin, bearer
from tousrisques.exercise import Event, Exercise, ExerciseError, Session
from tousrisques.exercise._review import TIMELINE_KINDS
from tousrisques.web import ServerSettings, create_app, hash_secret
from tousrisques.web._bots import play
from tousrisques.web._service import ExerciseService, Library
from tousrisques.web._store import SqlStore

ADMIN = "retex-admin-token"
XSS = "<script>alert('{}')</script>"
INJECTS = """injects:
  - at: 1h
    to: [MAIRIE-PCS, CIS]
    message: {fr: "Vent violent annoncé.", en: "Strong wind announced."}
    expected:
      - who: MAIRIE-PCS
        action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}
        within: 30m
      - who: CIS
        action: {fr: "Rendre compte à la mairie", en: "Report to the town hall"}
        within: 1h
  - at: 3h
    to: [mayor]
    message: {fr: "Coupures d'électricité.", en: "Power cuts."}
    expected:
      - who: mayor
        action: {fr: "Ouvrir un centre d'hébergement", en: "Open a shelter"}
        within: 2h
"""


def _library(root: Path) -> Path:
    """Petite-Ville with expected actions, and volunteers in its reserve."""
    pv = root / "pv"
    shutil.copytree(LIBRARY / "petite-ville", pv)
    actors = (pv / "actors.yaml").read_text()
    marker = "    channels: [mobile]\n    reports_to: [MAIRIE-PCS]\n"
    assert marker in actors
    (pv / "actors.yaml").write_text(actors.replace(marker, marker + "    volunteers: 10\n"))
    storm = (pv / "scenarios" / "tempete.yaml").read_text()
    (pv / "scenarios" / "exercice.yaml").write_text(storm[:storm.index("injects:")] + INJECTS)
    return root


@dataclass
class Played:
    exercise_id: str
    db: str
    library: Path
    base: str
    events: list[Event]
    model: Exercise
    html: dict[str, str]


def tick(act: Any, actor: str, index: int, name: str) -> None:
    """Tick an item of I1 unless the actor's bot did already."""
    with contextlib.suppress(ExerciseError):
        act(lambda s, now: s.done(now, actor, "I1", index, name=name))


def _scripted(service: ExerciseService, ex: str, stop: threading.Event) -> None:
    """What the bots do not do, written through a second service on the same database."""
    def act(f: Any) -> None:
        service.act(ex, lambda s, now: f(s, now), now=datetime.now(UTC))

    def until(scenario_s: float) -> None:
        while not stop.is_set():
            s = service.view(ex, lambda s: s.clock.at(datetime.now(UTC)))
            if s >= scenario_s:
                return
            time.sleep(0.05)

    act(lambda s, now: s.join(now, "MAIRIE-PCS", XSS.format("name")))
    until(1.2 * 3600)
    tick(act, "MAIRIE-PCS", 0, XSS.format("name"))
    act(lambda s, now: s.send(now, "MAIRIE-PCS", "mobile", ["CIS"], XSS.format("message"),
                              name=XSS.format("name")))
    act(lambda s, now: s.log(now, "MAIRIE-PCS", XSS.format("log"), "situation"))
    act(lambda s, now: s.annotate(now, "MAIRIE-PCS", "road_cut", XSS.format("annotation"),
                                  {"type": "Point", "coordinates": [1.0, 49.28]}))
    act(lambda s, now: s.dispatch(now, "MAIRIE-PCS", "RESERVE",
                                  list(s.exercise.zone_ids[:2])))
    act(lambda s, now: s.note(now, XSS.format("note"), name="Observer"))
    act(lambda s, now: s.decide(now, "MAIRIE-PCS", XSS.format("decision"), "Anne",
                                based_on_seqs=[1, 2]))
    until(2.5 * 3600)
    tick(act, "CIS", 1, "Bob")  # late (1 h 30 after the inject), unless the bot was first


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    root = tmp_path_factory.mktemp("retex")
    library = _library(root / "library")
    db = f"sqlite:///{root / 'exercises.db'}"
    settings = ServerSettings(db, library, hash_secret(ADMIN), tick_s=0.2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    second = ExerciseService(SqlStore(db), Library(library))
    stop = threading.Event()
    errors: list[BaseException] = []

    def script() -> None:
        try:
            while not (rows := second.store.exercises(state="running")):
                time.sleep(0.05)
            _scripted(second, rows[0].id, stop)
        except BaseException as exc:  # shown by the test
            errors.append(exc)

    helper = threading.Thread(target=script)
    helper.start()
    try:
        result = play(base, ADMIN, "pv/exercice", run=0, speed=3600, seconds=4, seed=1,
                      every_s=0.7)
    finally:
        stop.set()
        helper.join()
    assert not errors, errors
    assert result.errors == []
    events = second.store.read(result.exercise_id)
    model = second.model(result.exercise_id)
    html = {}
    for lang in ("fr", "en"):
        out = root / f"retex-{lang}.html"
        r = invoke("report", "--exercise", result.exercise_id, "--db", db, "--library",
                   library, "--lang", lang, "-o", out)
        assert r.exit_code == 0, r.output
        html[lang] = out.read_text()
    yield Played(result.exercise_id, db, library, base, events, model, html)
    server.should_exit = True
    thread.join(timeout=10)
    second.store.close()


class _Attrs(HTMLParser):
    """Every element's tag and attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def _with(html: str, attr: str) -> list[dict[str, str]]:
    p = _Attrs()
    p.feed(html)
    return [a for _tag, a in p.found if attr in a]


def _figure(html: str, key: str) -> float:
    (found,) = [a for a in _with(html, "data-figure") if a["data-figure"] == key]
    return float(found["data-value"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_figure_of_the_retex_is_the_log_s(played: Played, lang: str) -> None:
    html, events, model = played.html[lang], played.events, played.model
    kinds = Counter(e.kind for e in events)
    # the play did what the test checks: messages of each outcome, every new kind of event
    assert kinds["message.sent"] >= 3 and kinds["action.done"] >= 2
    for kind in ("annotation.added", "note.added", "relay.dispatched", "decision",
                 "inject.delivered"):
        assert kinds[kind] >= 1, kind

    # messages: delivered (at once, or after the channel's delay), blocked; median latency
    status = Counter(e.payload["status"] for e in events if e.kind == "message.sent")
    assert _figure(html, "messages-delivered") == status["delivered"] + status["delayed"]
    assert _figure(html, "messages-at-once") == status["delivered"]
    assert _figure(html, "messages-after-delay") == status["delayed"]
    assert _figure(html, "messages-blocked") == status["blocked"] >= 0
    assert sum(status.values()) == kinds["message.sent"]
    assert _figure(html, "messages-latency") == pytest.approx(statistics.median(
        e.payload["latency_s"] for e in events
        if e.kind == "message.sent" and e.payload["status"] != "blocked"))

    # the timeline: every event of its kinds, once; one row per inject and moment
    rows = _with(html, "data-seq")
    groups = _with(html, "data-seqs")
    shown = [int(r["data-seq"]) for r in rows] + \
        [int(x) for g in groups for x in g["data-seqs"].split()]
    assert sorted(shown) == [e.seq for e in events if e.kind in TIMELINE_KINDS]
    by_seq = {e.seq: e for e in events}
    for g in groups:
        mine = [by_seq[int(x)] for x in g["data-seqs"].split()]
        assert len({(e.payload["inject"], e.scenario_s) for e in mine}) == 1
        assert int(g["data-received"]) == sum(e.kind == "inject.delivered" for e in mine)
        assert int(g["data-not-received"]) == sum(e.kind == "inject.not_received"
                                                  for e in mine)
    injected = {(e.payload["inject"], e.scenario_s) for e in events
                if e.kind.startswith("inject.")}
    assert len(groups) == len(injected) and not any(
        r["data-kind"].startswith("inject.") for r in rows)

    # expected actions: done, by whom, how late
    done = {(e.payload["inject"], e.payload["index"], e.payload["actor"]): e
            for e in events if e.kind == "action.done"}
    expected = [(inj, i, actor, want) for inj in model.injects
                for i, want in enumerate(inj.expected)
                for actor in model.addressees([want["who"]])]
    shown = {a["data-action"]: a for a in _with(html, "data-action")}
    assert len(shown) == len(expected) == _figure(html, "actions-expected") == 3
    on_time = 0
    for inj, i, actor, want in expected:
        row = shown[f"{inj.id}/{i}/{actor}"]
        e = done.get((inj.id, i, actor))
        assert row["data-done"] == ("true" if e else "false")
        if e is not None:
            delay = e.scenario_s - inj.at_s
            assert float(row["data-delay-s"]) == pytest.approx(delay)
            on_time += delay <= want["within_s"]
            assert row["data-on-time"] == ("true" if delay <= want["within_s"] else "false")
    assert _figure(html, "actions-done") == len(done) >= 2
    # actors by name, the id small beside it
    row = html[html.index('<tr data-action="I1/0/MAIRIE-PCS"'):]
    row = row[:row.index("</tr>")]
    name = str(escape(model.actor_name("MAIRIE-PCS").render(lang)))
    assert name != "MAIRIE-PCS" and name in row and '<span class="id">MAIRIE-PCS<' in row
    assert _figure(html, "actions-on-time") == on_time

    # information circuits: who messaged whom, over which channel, how many, how fast
    links: dict[tuple[str, str, str], list[float]] = {}
    for e in events:
        if e.kind == "message.sent" and e.payload["status"] != "blocked":
            for r in e.payload["recipients"]:
                if r["status"] != "not_received":
                    links.setdefault((e.payload["from"], r["actor"], r["channel"]), []).append(
                        r["arrives_s"] - e.scenario_s)
    for e in events:
        if e.kind == "relay.dispatched" and e.payload["status"] != "blocked":
            links.setdefault((e.author, e.payload["relay"], e.payload["channel"]), []).append(
                e.payload["arrives_s"] - e.scenario_s)
    got = {(a["data-link"].split(">")[0], a["data-link"].split(">")[1], a["data-channel"]):
           a for a in _with(html, "data-link")}
    assert set(got) == set(links) and links
    for key, lat in links.items():
        assert int(got[key]["data-count"]) == len(lat)
        assert float(got[key]["data-median-s"]) == pytest.approx(statistics.median(lat))
    # planned: reports_to and every actor to the crisis cells, among the actors in play
    specs = {a.id: a for a in model.scenario.territory.actors}
    play = {a for e in events if e.kind == "exercise.created" for a in e.payload["players"]}
    play |= {e.payload["actor"] for e in events
             if e.kind == "participant.joined" and e.payload["actor"]}
    play |= {k[0] for k in links} | {k[1] for k in links}
    play |= {r["actor"] for e in events if e.kind == "message.sent"
             for r in e.payload["recipients"]}
    play |= {x for e in events if e.kind == "relay.dispatched"
             for x in (e.author, e.payload["relay"])}
    planned = {tuple(sorted((a, b))) for a in play for b in play if a != b and (
        b in specs[a].reports_to or specs[b].crisis_cell)}
    used = {tuple(sorted(k[:2])) for k in links}
    assert {a["data-unused"] for a in _with(html, "data-unused")} == \
        {"|".join(p) for p in planned - used}
    assert {a["data-improvised"] for a in _with(html, "data-improvised")} == \
        {"|".join(p) for p in used - planned}
    edges = {a["data-edge"]: int(a["data-count"]) for a in _with(html, "data-edge")}
    assert edges == {"|".join(p): sum(len(v) for k, v in links.items()
                                      if tuple(sorted(k[:2])) == p) for p in used}

    # cut off: the run's channels, on its output grid, within the played time
    start = next(e.scenario_s for e in events if e.kind == "clock.started")
    end = max(e.scenario_s for e in events)
    times = [float(t) for t in model.av.times_s] + [model.duration_s]
    cut = {a["data-cutoff"]: 0.0 for a in _with(html, "data-cutoff")}
    for a in _with(html, "data-cutoff"):
        cut[a["data-cutoff"]] += float(a["data-length-s"])
        lo, hi = float(a["data-start-s"]), float(a["data-end-s"])
        did = [e for e in events if lo <= e.scenario_s < hi and e.kind in TIMELINE_KINDS
               and a["data-cutoff"] in (e.author, e.payload.get("actor"),
                                        e.payload.get("from"))]
        assert int(a["data-events"]) == len(did)
    players = {a for e in events if e.kind == "exercise.created" for a in e.payload["players"]}
    players |= {e.payload["actor"] for e in events
                if e.kind == "participant.joined" and e.payload["actor"]}
    for actor in sorted(players):
        # the channels it has in this run: a channel never available is not a failure
        mine = [x for x in model.held(actor) if not model.is_broadcast(x)
                and any(model.available(actor, x, t) for t in times[:-1])]
        length = sum(max(0.0, min(times[k + 1], end) - max(times[k], start))
                     for k in range(len(times) - 1)
                     if not any(model.available(actor, x, times[k]) for x in mine))
        assert cut.get(actor, 0.0) == pytest.approx(length), actor
    assert _figure(html, "cut-off") == len(cut)
    assert cut, "the storm cuts someone off in the played time"

    # decisions, with what their decider had received; notes; relays
    decisions = {int(a["data-decision"]): a for a in _with(html, "data-decision")}
    assert sorted(decisions) == [e.seq for e in events if e.kind == "decision"]
    for e in (e for e in events if e.kind == "decision"):
        actor = e.payload["actor"]
        received = [m for m in events if m.seq < e.seq and (
            (m.kind == "inject.delivered" and m.payload["to"] == actor) or
            (m.kind == "message.sent" and any(
                r["actor"] == actor and r["status"] != "not_received"
                and r["arrives_s"] <= e.scenario_s for r in m.payload["recipients"])))]
        seen = [m for m in events if m.seq < e.seq and m.kind == "annotation.added"
                and (m.audience is None or actor in m.audience)]
        assert int(decisions[e.seq]["data-received"]) == len(received)
        assert int(decisions[e.seq]["data-annotations"]) == len(seen)
        assert int(decisions[e.seq]["data-based-on"]) == len(e.payload["based_on_seqs"])
    assert _figure(html, "decisions") == len(decisions)
    assert sorted(int(a["data-note"]) for a in _with(html, "data-note")) == \
        [e.seq for e in events if e.kind == "note.added"]
    assert sorted(int(a["data-dispatch"]) for a in _with(html, "data-dispatch")) == \
        [e.seq for e in events if e.kind == "relay.dispatched"]
    orders = [e.payload for e in events if e.kind == "relay.dispatched"]
    from tousrisques.exercise import relay_shares

    pop = model.compiled.population
    assert _figure(html, "relay-people") == pytest.approx(
        float(relay_shares(model, orders, end) @ pop))


@pytest.mark.slow
def test_stored_xss_reads_as_text_in_the_retex(played: Played) -> None:
    for lang, html in played.html.items():
        assert "<script" not in html.lower(), lang
        for field in ("name", "message", "log", "annotation", "note", "decision"):
            assert f"&lt;script&gt;alert(&#39;{field}&#39;)&lt;/script&gt;" in html, \
                (lang, field)
    # the log beside it, as the command wrote it: JSON and spreadsheet-safe CSV
    assert played.html["fr"].count("retex-fr.json") >= 1


@pytest.mark.slow
def test_the_retex_downloads_for_the_facilitator_and_the_observers(played: Played) -> None:
    url = f"{played.base}/api/exercises/{played.exercise_id}/retex"
    r = httpx.get(url, params={"lang": "en"}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == \
        f'attachment; filename="retex-{played.exercise_id}-en.html"'
    assert r.text.startswith("<!DOCTYPE html>") and 'lang="en"' in r.text
    assert "<script" not in r.text.lower()
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, params={"lang": "xx"},
                     headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 422
    nope = httpx.get(f"{played.base}/api/exercises/nope/retex",
                     headers={"Authorization": f"Bearer {ADMIN}", "Accept-Language": "fr"})
    assert nope.status_code == 404 and nope.json()["code"] == "exercise.unknown"


def test_a_player_may_not_download_the_retex(client: Any) -> None:
    made = client.post("/api/exercises", json={"scenario": "petite-ville/tempete", "run": 0},
                       headers=admin()).json()
    ex = made["id"]
    player = client.post(f"/api/exercises/{ex}/join", json={
        "code": made["join_codes"]["MAIRIE-PCS"], "name": "Anne"}).json()["token"]
    observer = client.post(f"/api/exercises/{ex}/join", json={
        "code": made["observer_code"], "name": "Obs"}).json()["token"]
    r = client.get(f"/api/exercises/{ex}/retex",
                   headers={**bearer(player), "Accept-Language": "fr"})
    assert r.status_code == 403 and r.json()["code"] == "auth.retex"
    assert "RETEX" in r.json()["detail"]
    r = client.get(f"/api/exercises/{ex}/retex",
                   headers={**bearer(observer), "Accept-Language": "fr"})
    assert r.status_code == 200 and 'lang="fr"' in r.text


def test_the_command_says_what_is_wrong(tmp_path: Path) -> None:
    bad_input(invoke("report", "--exercise", "x1", "--db", f"sqlite:///{tmp_path / 'no.db'}"),
              "no.db")
    assert not (tmp_path / "no.db").exists()  # not created by asking
    (tmp_path / "notes.db").write_text("not a database")
    bad_input(invoke("report", "--exercise", "x1", "--db", f"sqlite:///{tmp_path / 'notes.db'}"),
              "cannot open the database")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    store = SqlStore(db)
    store.create_exercise("ab12", "petite-ville/tempete", {}, {}, now=datetime.now(UTC))
    model = Exercise.for_run(
        Library(LIBRARY).load("petite-ville/tempete"), 0)
    Session.create(store, "ab12", model, now=datetime.now(UTC), scenario_name="x")
    store.close()
    bad_input(invoke("report", "--exercise", "zz99", "--db", db), "zz99")
    bad_input(invoke("report", "--exercise", "ab12", "--db", db, "--library", tmp_path),
              "petite-ville/tempete")
    bad_input(invoke("report", tmp_path, "--exercise", "ab12"), "--exercise")
    out = tmp_path / "r.html"
    r = invoke("report", "--exercise", "ab12", "--db", db, "--library", LIBRARY, "-o", out,
               "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["events"] == 1
    assert (tmp_path / "r.json").is_file() and (tmp_path / "r.csv").is_file()
    bad_input(invoke("report", "--exercise", "ab12", "--db", db, "--library", LIBRARY,
                     "-o", out), "r.html")  # not replaced without --force
    # a scenario file changed since the exercise was created
    copy = tmp_path / "lib"
    shutil.copytree(LIBRARY / "petite-ville", copy / "petite-ville")
    path = copy / "petite-ville" / "scenarios" / "tempete.yaml"
    path.write_text(path.read_text() + "\n# changed\n")
    bad_input(invoke("report", "--exercise", "ab12", "--db", db, "--library", copy,
                     "-o", tmp_path / "s.html"), "has changed")
    assert not (tmp_path / "s.html").exists()


@pytest.mark.slow
def test_the_retex_in_a_browser_runs_nothing_and_fits_a_phone(played: Played,
                                                             tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        for lang, html in played.html.items():
            path = tmp_path / f"retex-{lang}.html"
            path.write_text(html)
            _open_and_check(browser, path, lang)
        browser.close()


def _open_and_check(browser: Any, path: Path, lang: str) -> None:
    page = browser.new_page(viewport={"width": 400, "height": 900})
    seen: list[str] = []

    def dialog(d: Any) -> None:
        seen.append(f"dialog {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    page.on("console", lambda m: seen.append(f"console {m.type} {m.text}"))
    page.on("request", lambda r: seen.append(r.url) if r.url != path.as_uri() else None)
    page.goto(path.as_uri())
    assert seen == [], (lang, seen)  # no script ran, nothing fetched
    assert page.evaluate("document.documentElement.scrollWidth") <= 400, lang
    assert page.locator("svg.retex-strip rect").count() > 10
    assert page.locator("svg.retex-graph [data-edge]").count() >= 1
    page.close()
