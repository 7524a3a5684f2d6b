"""The exercise clock: start, pause, resume, speed, jump; refusals; rebuilt from the log."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tousrisques.exercise import Event, ExerciseClock, ExerciseError

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def sec(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_a_clock_not_started_stays_at_zero() -> None:
    assert ExerciseClock(speed=60).at(sec(1000)) == 0.0


def test_running_pausing_resuming_and_speed() -> None:
    c = ExerciseClock(speed=60).started(sec(0))
    assert c.at(sec(10)) == 600.0
    c = c.paused(sec(10))
    assert c.at(sec(500)) == 600.0  # paused: scenario time stands still
    c = c.resumed(sec(500))
    assert c.at(sec(501)) == 660.0
    c = c.with_speed(sec(501), 3600)  # a change of speed does not move scenario time
    assert c.at(sec(501)) == 660.0
    assert c.at(sec(502)) == 660.0 + 3600.0


def test_jump_forward_and_back_keeps_running() -> None:
    c = ExerciseClock(speed=2, duration_s=86400).started(sec(0))
    c = c.jumped(sec(10), 7200)
    assert c.running and c.at(sec(10)) == 7200.0 and c.at(sec(20)) == 7220.0
    back = c.jumped(sec(20), 60)
    assert back.at(sec(21)) == 62.0


def test_scenario_time_stops_at_the_end() -> None:
    c = ExerciseClock(speed=3600, duration_s=7200).started(sec(0))
    assert c.at(sec(1)) == 3600.0
    assert c.at(sec(10)) == 7200.0


@pytest.mark.parametrize("action", ["resume", "pause", "start twice"])
def test_state_refusals(action: str) -> None:
    c = ExerciseClock()
    with pytest.raises(ExerciseError) as err:
        if action == "resume":
            c.resumed(sec(1))
        elif action == "pause":
            c.paused(sec(1))
        else:
            c.started(sec(0)).started(sec(1))
    assert err.value.code == "clock.state"
    assert err.value.render("fr") != err.value.render("en")


@pytest.mark.parametrize("speed", [0, -1, math.inf, math.nan, 1e9, True])
def test_bad_speeds(speed: float) -> None:
    with pytest.raises(ExerciseError) as err:
        ExerciseClock().with_speed(sec(0), speed)
    assert err.value.code == "clock.speed"


@pytest.mark.parametrize("when", [-1.0, 7201.0, math.nan])
def test_jumps_outside_the_scenario(when: float) -> None:
    with pytest.raises(ExerciseError) as err:
        ExerciseClock(duration_s=7200).jumped(sec(0), when)
    assert err.value.code == "clock.time"


_ACTIONS = st.lists(st.tuples(st.sampled_from(["start", "pause", "resume", "speed", "jump"]),
                              st.floats(0, 600), st.floats(0.5, 120)), max_size=25)


@given(_ACTIONS, st.floats(0, 3000))
def test_a_clock_rebuilt_from_its_events_reads_the_same(actions: list, later: float) -> None:
    """Whatever the facilitator did, the clock rebuilt from the logged clock events gives
    the same scenario time at any later moment (a restarted server finds the same time)."""
    duration = 72 * 3600.0
    live = ExerciseClock(speed=10, duration_s=duration)
    log: list[Event] = []
    now = 0.0
    for action, wait, value in actions:
        now += wait
        try:
            if action == "start":
                live, kind = live.started(sec(now)), "clock.started"
            elif action == "pause":
                live, kind = live.paused(sec(now)), "clock.paused"
            elif action == "resume":
                live, kind = live.resumed(sec(now)), "clock.resumed"
            elif action == "speed":
                live, kind = live.with_speed(sec(now), value), "clock.speed"
            else:
                live, kind = live.jumped(sec(now), value * 60), "clock.jumped"
        except ExerciseError:
            continue  # refused: nothing logged
        log.append(Event.from_json(Event(kind, sec(now), live.anchor_s, "facilitator",
                                         live.to_payload()).to_json()))
    rebuilt = ExerciseClock.from_events(log, duration_s=duration, speed=10)
    for t in (now, now + later):
        assert rebuilt.at(sec(t)) == pytest.approx(live.at(sec(t)))
    assert 0.0 <= rebuilt.at(sec(now + later)) <= duration
