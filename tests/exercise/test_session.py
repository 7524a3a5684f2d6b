"""A session on the small example town: every act an event with its number, refusals that
write nothing, the end, two processes on one log, broadcasts and their reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import EXAMPLE, copy_example
from tousrisques.exercise import (
    KINDS,
    Event,
    Exercise,
    ExerciseError,
    MemoryStore,
    Session,
    make_join_codes,
    normalise_code,
    visible,
)
from tousrisques.scenario import load_scenario

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def exercise() -> Exercise:
    return Exercise.for_run(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), 0)


def _session(ex: Exercise, store: MemoryStore | None = None) -> Session:
    s = Session.create(store or MemoryStore(), "pv", ex, now=T0, speed=60,
                       scenario_name="petite-ville/tempete")
    s.start(T0)
    return s


@pytest.mark.parametrize(("act", "code"), [
    (lambda s: s.send(T0, "MAIRIE-PCS", "pigeon", ["CIS"], "x"), "channel.unknown"),
    (lambda s: s.send(T0, "MAIRIE-PCS", "fixe", ["wizard"], "x"), "actor.unknown"),
    (lambda s: s.send(T0, "MAIRIE-PCS", "fixe", [], "x"), "channel.point_to_point"),
    (lambda s: s.send(T0, "PREF-COD", "fr-alert", ["CIS"], "x"), "channel.broadcast"),
    (lambda s: s.send(T0, "MAIRIE-PCS", "fixe", ["CIS"], "   "), "text.empty"),
    (lambda s: s.send(T0, "MAIRIE-PCS", "fixe", ["CIS"], "x" * 10_001), "text.long"),
    (lambda s: s.log(T0, "CIS", "x", "gossip"), "text.category"),
    (lambda s: s.join(T0, "NOBODY", "Ann"), "actor.unknown"),
    (lambda s: s.join(T0, "CIS", "Ann", role="admin"), "participant.role"),
    (lambda s: s.push_inject(T0, [], "x"), "actor.none"),
    (lambda s: s.start(T0), "clock.state"),
    (lambda s: s.set_speed(T0, 0), "clock.speed"),
    (lambda s: s.jump(T0, -5), "clock.time"),
])
def test_refusals_write_nothing(exercise: Exercise, act, code: str) -> None:
    store = MemoryStore()
    session = _session(exercise, store)
    before = store.read("pv")
    with pytest.raises(ExerciseError) as err:
        act(session)
    assert err.value.code == code
    assert err.value.render("fr") != err.value.render("en")
    assert store.read("pv") == before == session.events


def test_every_act_is_an_event_numbered_without_gap(exercise: Exercise) -> None:
    store = MemoryStore()
    s = _session(exercise, store)
    s.join(T0, "MAIRIE-PCS", "Maire")
    s.join(T0, None, "Observatrice", role="observer")
    s.send(T0 + timedelta(seconds=10), "MAIRIE-PCS", "fixe", ["fire_service"], "Besoin d'aide")
    s.log(T0 + timedelta(seconds=20), "MAIRIE-PCS", "PCS déclenché", "action", name="Maire")
    s.decide(T0 + timedelta(seconds=30), "MAIRIE-PCS", "Ouvrir le gymnase", "Maire",
             "appel du CIS", based_on_seqs=[3, 999])
    s.pause(T0 + timedelta(seconds=40))
    s.resume(T0 + timedelta(seconds=50))
    s.end(T0 + timedelta(seconds=60))
    log = store.read("pv")
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    assert {e.kind for e in log} <= set(KINDS)
    assert log[0].kind == "exercise.created" and log[-1].kind == "exercise.ended"
    decision = next(e for e in log if e.kind == "decision")
    assert decision.payload["based_on_seqs"] == [3]  # a seq not yet in the log is dropped
    assert decision.scenario_s == 30 * 60
    for e in log:  # JSON round trip, scenario time never past the end
        assert Event.from_json(e.to_json()) == e and 0 <= e.scenario_s <= exercise.duration_s
    with pytest.raises(ExerciseError) as err:
        s.log(T0 + timedelta(seconds=70), "CIS", "trop tard", "other")
    assert err.value.code == "exercise.ended"
    assert s.advance(T0 + timedelta(hours=9)) == []


def test_two_processes_on_one_log(exercise: Exercise) -> None:
    store = MemoryStore()
    first = _session(exercise, store)
    second = Session.load(store, "pv", exercise)
    first.pause(T0 + timedelta(seconds=5))
    e = second.log(T0 + timedelta(seconds=6), "CIS", "Message", "information")
    assert e.seq == first.last_seq + 1  # the second process caught up before its own event
    assert not second.clock.running and second.last_seq == e.seq
    assert [x.seq for x in first.sync()] == [e.seq]


def test_a_restart_on_a_changed_scenario_file_is_refused(tmp_path) -> None:
    path = copy_example(tmp_path) / "scenarios" / "tempete.yaml"
    store = MemoryStore()
    _session(Exercise.for_run(load_scenario(path), 0), store)
    path.write_text(path.read_text(encoding="utf-8").replace("runs: 50", "runs: 51"),
                    encoding="utf-8")
    with pytest.raises(ExerciseError) as err:
        Session.load(store, "pv", Exercise.for_run(load_scenario(path), 0))
    assert err.value.code == "exercise.scenario_changed"


def test_a_broadcast_says_its_reach_and_everyone_sees_it(exercise: Exercise) -> None:
    s = _session(exercise)
    e = s.send(T0, "PREF-COD", "fr-alert", [], "Restez chez vous")
    share, people = exercise.reach("fr-alert", 0.0)
    assert e.payload["status"] == "delayed" and e.audience is None
    assert e.payload["reached"] == {"share": share, "people": people}
    assert 0 < share <= 1 and people > 0
    assert visible(e, actor="CIS", role="player")


def test_join_codes_are_unguessable_and_distinct(exercise: Exercise) -> None:
    codes = make_join_codes(exercise.actors)
    again = make_join_codes(exercise.actors)
    assert set(codes) == set(exercise.actors)
    assert len(set(codes.values())) == len(codes)
    assert all(codes[a] != again[a] for a in codes)  # drawn, not derived
    assert all(len(normalise_code(c)) == 10 for c in codes.values())
    assert normalise_code(codes["CIS"].lower().replace("-", " ")) == normalise_code(codes["CIS"])


def test_a_channel_is_named_in_both_languages(exercise: Exercise) -> None:
    spec = {c.id: c for c in exercise.scenario.territory.channels}
    for channel in exercise.channels:
        name = exercise.channel_name(channel)
        assert (name.en, name.fr) == (spec[channel].name.en, spec[channel].name.fr)
    assert exercise.channel_name("no-such-channel").en == "no-such-channel"
