"""Part 2's acts of a session: the reflex sheet and its ticks, annotations and who sees them,
the observers' notes, and citizen relays sent to zones (on Rouen) at the model's pace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE, copy_example, write_scenario
from tousrisques.exercise import (
    ANNOTATION_CATEGORIES,
    Event,
    Exercise,
    ExerciseError,
    MemoryStore,
    Session,
    relay_actors,
    relay_shares,
    visible,
)
from tousrisques.scenario import load_scenario
from tousrisques.territory._relays import PEOPLE_PER_HOUSEHOLD

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)
ROUEN = Path(__file__).resolve().parents[2] / "examples" / "rouen" / "scenarios" / "tempete.yaml"

_EXPECTED = """
    expected:
      - who: mayor
        action: {fr: "Déclencher le PCS", en: "Trigger the PCS"}
        within: 30m
      - who: PREF-COD
        action: {fr: "Préparer FR-Alert", en: "Get FR-Alert ready"}
        within: 1h
"""


@pytest.fixture(scope="module")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> Exercise:
    folder = copy_example(tmp_path_factory.mktemp("pv"))
    text = (EXAMPLE / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    path = write_scenario(folder, "reflex.yaml", text.rstrip() + _EXPECTED)
    return Exercise.for_run(load_scenario(path), 0)


def _session(ex: Exercise, store: MemoryStore | None = None, at_s: float = 0.0) -> Session:
    s = Session.create(store or MemoryStore(), "pv", ex, now=T0, speed=1,
                       scenario_name="petite-ville/reflex")
    s.start(T0)
    if at_s:
        s.jump(T0, at_s)
    return s


POINT = {"type": "Point", "coordinates": [1.0, 49.3]}


def test_reflex_sheet_is_the_plan_and_ticks_once(exercise: Exercise) -> None:
    s = _session(exercise)
    sheet = s.reflex("MAIRIE-PCS")
    assert [(i["inject"], i["index"], i["received"], i["done"]) for i in sheet] == \
        [("I1", 0, False, None)]
    assert sheet[0]["action"] == {"en": "Trigger the PCS", "fr": "Déclencher le PCS"}
    assert sheet[0]["due_s"] == 7200.0 and sheet[0]["within_s"] == 1800.0
    assert [(i["inject"], i["index"]) for i in s.reflex("PREF-COD")] == [("I1", 1)]
    assert s.reflex("CIS") == []
    s.jump(T0, 3 * 3600)  # the inject arrives at 02:00
    assert s.reflex("MAIRIE-PCS")[0]["received"] is True
    assert s.reflex("PREF-COD")[0]["received"] is False  # it was not addressed to it
    e = s.done(T0, "MAIRIE-PCS", "I1", 0, name="Anne", note="PCS déclenché")
    assert (e.kind, e.audience, e.payload["note"]) == ("action.done", ("MAIRIE-PCS",),
                                                        "PCS déclenché")
    assert s.reflex("MAIRIE-PCS")[0]["done"] == {"seq": e.seq, "scenario_s": 3 * 3600.0,
                                                 "name": "Anne"}
    assert not visible(e, actor="PREF-COD", role="player")
    assert visible(e, actor=None, role="observer")
    # rebuilt from the log, the same sheet
    again = Session.load(s.store, "pv", exercise)
    assert again.reflex("MAIRIE-PCS") == s.reflex("MAIRIE-PCS")


@pytest.mark.parametrize(("act", "code"), [
    (lambda s: s.done(T0, "MAIRIE-PCS", "I9", 0), "action.inject"),
    (lambda s: s.done(T0, "MAIRIE-PCS", "I1", 2), "action.index"),
    (lambda s: s.done(T0, "MAIRIE-PCS", "I1", -1), "action.index"),
    (lambda s: s.done(T0, "MAIRIE-PCS", "I1", True), "action.index"),
    (lambda s: s.done(T0, "MAIRIE-PCS", "I1", 1), "action.not_yours"),
    (lambda s: s.done(T0, "CIS", "I1", 0), "action.not_yours"),
    (lambda s: s.done(T0, "MAIRIE-PCS", "I1", 0, note="x" * 10_001), "text.long"),
    (lambda s: s.annotate(T0, "CIS", "fire", "x", POINT), "text.category"),
    (lambda s: s.annotate(T0, "CIS", "rumour", " ", POINT), "text.empty"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x" * 2001, POINT), "text.long"),
    (lambda s: s.annotate(T0, "NOBODY", "rumour", "x", POINT), "actor.unknown"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x", {"type": "Polygon", "coordinates": []}),
     "geometry.type"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x", {"type": "Point", "coordinates": [1.0]}),
     "geometry.coordinates"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x",
                          {"type": "Point", "coordinates": [float("nan"), 49.3]}),
     "geometry.coordinates"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x", {"type": "Point", "coordinates": [200, 49]}),
     "geometry.coordinates"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x",
                          {"type": "Point", "coordinates": [2.35, 48.85]}), "geometry.outside"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x",
                          {"type": "LineString", "coordinates": [[1.0, 49.3]]}), "geometry.points"),
    (lambda s: s.annotate(T0, "CIS", "rumour", "x",
                          {"type": "LineString", "coordinates": [[1.0, 49.3]] * 201}),
     "geometry.points"),
    (lambda s: s.note(T0, ""), "text.empty"),
    (lambda s: s.note(T0, "x", author="CIS"), "participant.role"),
    (lambda s: s.dispatch(T0, "MAIRIE-PCS", "RESERVE", ["Z-CENTRE"]), "relay.unknown"),
    (lambda s: s.dispatch(T0, "MAIRIE-PCS", "MAIRIE-PCS", ["Z-CENTRE"]), "relay.self"),
])
def test_refusals_write_nothing(exercise: Exercise, act, code: str) -> None:
    store = MemoryStore()
    session = _session(exercise, store, at_s=3 * 3600)
    session.done(T0, "MAIRIE-PCS", "I1", 0) if code == "action.twice" else None
    before = store.read("pv")
    with pytest.raises(ExerciseError) as err:
        act(session)
    assert err.value.code == code
    assert err.value.render("fr") and err.value.render("fr") != err.value.render("en")
    assert store.read("pv") == before


def test_twice_and_after_the_end(exercise: Exercise) -> None:
    s = _session(exercise, at_s=3 * 3600)
    s.done(T0, "MAIRIE-PCS", "I1", 0)
    with pytest.raises(ExerciseError, match="already ticked") as err:
        s.done(T0, "MAIRIE-PCS", "I1", 0)
    assert err.value.code == "action.twice"
    s.end(T0)
    for act in (lambda: s.done(T0, "PREF-COD", "I1", 1),
                lambda: s.annotate(T0, None, "other", "x", POINT),
                lambda: s.note(T0, "x")):
        with pytest.raises(ExerciseError) as err:
            act()
        assert err.value.code == "exercise.ended"


def test_annotation_audience_is_who_is_in_touch(exercise: Exercise) -> None:
    assert ANNOTATION_CATEGORIES == ("road_cut", "shelter_open", "power_restored", "rumour",
                                     "other")
    s = _session(exercise)
    everyone = s.annotate(T0, "CIS", "road_cut", "Arbre sur la D6", POINT, name="Paul")
    assert everyone.payload["shared"] is True and everyone.payload["reason"] is None
    assert everyone.payload["id"] == "A1"
    assert set(everyone.audience or ()) == set(exercise.actors)  # all in touch at 00:00
    # at 05:00 the storm has cut the fire station off (its site is down)
    s.jump(T0, 5 * 3600)
    assert not exercise.in_touch("CIS", 5 * 3600) and exercise.in_touch("MAIRIE-PCS", 5 * 3600)
    line = {"type": "LineString", "coordinates": [[1.0, 49.3], [1.01, 49.31]]}
    alone = s.annotate(T0, "CIS", "rumour", "<script>alert(1)</script>", line)
    assert (alone.payload["id"], alone.payload["shared"], alone.audience) == \
        ("A2", False, ("CIS",))
    assert "none of your channels works" in alone.payload["reason"]["en"]
    assert "aucun de vos canaux" in alone.payload["reason"]["fr"]
    assert alone.payload["geometry"] == line
    assert not visible(alone, actor="MAIRIE-PCS", role="player")
    assert visible(alone, actor="CIS", role="player")
    cut = {a for a in exercise.actors if not exercise.in_touch(a, 5 * 3600)}
    mine = s.annotate(T0, None, "shelter_open", "Gymnase ouvert", POINT)
    assert mine.author == "facilitator" and mine.payload["shared"] is True
    assert set(mine.audience or ()) == set(exercise.actors) - cut and cut
    by_mayor = s.annotate(T0, "MAIRIE-PCS", "power_restored", "x", POINT)
    assert by_mayor.audience == ("MAIRIE-PCS", *(a for a in exercise.actors
                                                 if a != "MAIRIE-PCS" and a not in cut))


def test_notes_are_for_observers_and_the_facilitator(exercise: Exercise) -> None:
    s = _session(exercise)
    n = s.note(T0, "Le maire hésite", name="Obs")
    assert (n.kind, n.author, n.audience, n.payload) == \
        ("note.added", "observer", (), {"name": "Obs", "text": "Le maire hésite"})
    assert not visible(n, actor="MAIRIE-PCS", role="player")
    assert visible(n, actor=None, role="observer") and visible(n, actor=None, role="facilitator")
    assert s.note(T0, "x", author="facilitator").author == "facilitator"


# --- citizen relays, on the Rouen storm --------------------------------------------------

@pytest.fixture(scope="module")
def rouen() -> Exercise:
    return Exercise.for_run(load_scenario(ROUEN), 2)


def _elbeuf(ex: Exercise) -> list[str]:
    insee = ex.scenario.territory.zones.attrs["insee"]
    return [z for z, code in zip(ex.zone_ids, insee, strict=True) if str(code) == "76231"]


def test_relays_inform_at_the_models_pace(rouen: Exercise) -> None:
    assert "RESERVE-76231" in relay_actors(rouen)
    relay = rouen.compiled.actor_relay[rouen.actor_index("RESERVE-76231")]
    assert relay.tolist() == [15, 12, 8 * 3600, 1, 3600]  # 15 volunteers, the defaults
    s = Session.create(MemoryStore(), "r", rouen, now=T0, speed=1)
    s.start(T0)
    s.jump(T0, 3600)
    zones = _elbeuf(rouen)
    e = s.dispatch(T0, "CCC-76231", "RESERVE-76231", zones, name="Maire")
    p = e.payload
    assert (e.kind, e.author, e.audience) == ("relay.dispatched", "CCC-76231",
                                              ("CCC-76231", "RESERVE-76231"))
    assert (p["status"], p["channel"], p["zones"], p["reason"]) == ("delayed", "mobile", zones,
                                                                    None)
    assert p["arrives_s"] == 3600 + 60 and p["starts_s"] == 3600 + 60 + 3600
    pop = np.asarray(rouen.compiled.population)
    rows = [rouen.zone_ids.index(z) for z in zones]
    people_there = pop[rows].sum()
    # by hand: 6 h → 3 h 59 min of work by 15 volunteers, 12 households an hour, 2.1 people
    hours = 15 * (6 * 3600 - 7260) / 3600
    shares = relay_shares(rouen, s.dispatches, 6 * 3600)
    assert shares[rows] == pytest.approx(hours * 12 * PEOPLE_PER_HOUSEHOLD / people_there)
    assert np.delete(shares, rows).sum() == 0
    r = s.reach(6 * 3600)
    assert r["relays"] == pytest.approx(hours * 12 * PEOPLE_PER_HOUSEHOLD / pop.sum())
    assert r["channel"] == "fr-alert"
    assert r["any"] >= max(r["broadcasts"], r["relays"]) - 1e-12
    # next day: a full shift (8 h) then 3 h 59 min again; still under the commune's people
    hours_30 = 15 * 8 + hours
    assert relay_shares(rouen, s.dispatches, 30 * 3600)[rows[0]] == \
        pytest.approx(hours_30 * 12 * PEOPLE_PER_HOUSEHOLD / people_there)
    zr = s.zone_reach(6 * 3600)
    assert set(zr) == {"channel", "main", "broadcasts", "relays", "any"}
    assert np.allclose(zr["any"], 1 - (1 - zr["broadcasts"]) * (1 - zr["relays"]))


def test_relays_capped_blocked_and_reassigned(rouen: Exercise) -> None:
    s = Session.create(MemoryStore(), "r", rouen, now=T0, speed=1)
    s.start(T0)
    s.jump(T0, 3600)
    zones = _elbeuf(rouen)
    small = min(zones, key=lambda z: rouen.compiled.population[rouen.zone_ids.index(z)])
    # the relay holds no landline: the order cannot reach it, and informs nobody
    blocked = s.dispatch(T0, "CCC-76231", "RESERVE-76231", [small], "fixe")
    assert blocked.payload["status"] == "blocked" and blocked.payload["starts_s"] is None
    assert blocked.payload["reason"]["fr"]
    assert relay_shares(rouen, s.dispatches, 40 * 3600).sum() == 0
    capped = {"relay": "RESERVE-76231", "zones": [small], "status": "delayed", "starts_s": 7260}
    assert relay_shares(rouen, [capped], 40 * 3600)[rouen.zone_ids.index(small)] == 1.0
    s.dispatch(T0, "CCC-76231", "RESERVE-76231", zones[3:])
    row = rouen.zone_ids.index(zones[3])
    # re-assigned at 05:00: the first zone keeps what it had at the new start, no more
    s.jump(T0, 5 * 3600)
    others = zones[:3]
    second = s.dispatch(T0, "CCC-76231", "RESERVE-76231", others)
    start2 = second.payload["starts_s"]
    at_switch = relay_shares(rouen, s.dispatches[:2], start2)[row]
    later = relay_shares(rouen, s.dispatches, 7 * 3600)
    assert later[row] == pytest.approx(at_switch) and 0 < at_switch < 1
    rows = [rouen.zone_ids.index(z) for z in others]
    assert (later[rows] > 0).all()
    first_start = s.dispatches[1]["starts_s"]
    worked = 15 * (7 * 3600 - first_start) / 3600 * 12 * PEOPLE_PER_HOUSEHOLD
    before = 15 * (start2 - first_start) / 3600 * 12 * PEOPLE_PER_HOUSEHOLD
    pop = np.asarray(rouen.compiled.population)
    assert later[rows] == pytest.approx(np.full(3, (worked - before) / pop[rows].sum()))


@pytest.mark.parametrize(("args", "code"), [
    (("COD", ["Z-76231-000"]), "relay.unknown"),
    (("RESERVE-76231", []), "relay.zones"),
    (("RESERVE-76231", ["Z-76231-000", "Z-76231-000"]), "relay.zones"),
    (("RESERVE-76231", ["Z-NOWHERE"]), "relay.zone"),
])
def test_relay_refusals(rouen: Exercise, args: tuple[str, list[str]], code: str) -> None:
    store = MemoryStore()
    s = Session.create(store, "r", rouen, now=T0, speed=1)
    before = store.read("r")
    with pytest.raises(ExerciseError) as err:
        s.dispatch(T0, "CCC-76231", *args)
    assert err.value.code == code and store.read("r") == before


def test_event_kinds_round_trip() -> None:
    e = Event("relay.dispatched", T0, 1.0, "COD", {"relay": "R", "zones": ["Z"]}, ("COD", "R"))
    assert Event.from_json(e.to_json()) == e
