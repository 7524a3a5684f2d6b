"""The logistics of a crisis in the engine (engine/_logistics.py, engine/_supply.py): repair
crews in priority order, tanks and refuelling rounds, mobile generators, normally-open
switches closed during a run — on networks written by hand."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.test_fixedpoint import build
from tests.engine.test_timeline import STEP, STEPS, scenarios
from tousrisques.engine import Crews, Layer, Network, Supply, schedule_repairs
from tousrisques.engine._timeline import Event, Timeline, run_timeline

H = 3600.0
INF = np.inf


def ends_in_rank_order(end: np.ndarray, rank: np.ndarray) -> np.ndarray:
    return end[np.argsort(rank)]


# --- crews -------------------------------------------------------------------------------

def test_one_crew_repairs_one_after_another_in_priority_order() -> None:
    duration = np.array([2.0, 3.0, 1.0, 4.0, 5.0]) * H
    rank = np.array([3, 0, 4, 1, 2])
    pool = np.zeros(5, np.int64)
    crews = Crews(pool, np.array([1]), np.array([0.0]))
    end = schedule_repairs(np.full(5, H), duration, pool, crews, rank)
    in_order = ends_in_rank_order(end, rank)
    assert (np.diff(in_order) > 0).all()  # strictly one after another
    # each one a duration after the previous, the first one a duration after the damage
    assert np.array_equal(np.diff(np.r_[H, in_order]), duration[np.argsort(rank)])
    assert in_order.tolist() == (H + np.cumsum(duration[np.argsort(rank)])).tolist()


def test_without_a_crew_limit_every_repair_starts_at_once() -> None:
    duration = np.array([2.0, 3.0, 1.0]) * H
    ready = np.array([1.0, 2.0, 1.0]) * H
    pool = np.array([-1, -1, -1])
    end = schedule_repairs(ready, duration, pool, Crews(pool, np.zeros(0, np.int64),
                                                        np.zeros(0)), np.array([2, 1, 0]))
    assert end.tolist() == (ready + duration).tolist()
    # enough crews in a pool: nobody waits either
    pool = np.zeros(3, np.int64)
    end = schedule_repairs(ready, duration, pool, Crews(pool, np.array([3]), np.zeros(1)),
                           np.array([2, 1, 0]))
    assert end.tolist() == (ready + duration).tolist()


def test_a_free_crew_takes_the_best_job_waiting_not_a_better_one_to_come() -> None:
    # job 0 (rank 2) is damaged first; job 1 (rank 0) an hour later, job 2 (rank 1) with it
    ready = np.array([0.0, 1.0, 1.0]) * H
    duration = np.array([3.0, 1.0, 1.0]) * H
    pool = np.zeros(3, np.int64)
    end = schedule_repairs(ready, duration, pool, Crews(pool, np.array([1]), np.zeros(1)),
                           np.array([2, 0, 1]))
    # the crew is on job 0 from 0 to 3 h (nothing else was waiting), then job 1, then 2
    assert (end / H).tolist() == [3.0, 4.0, 5.0]


def test_crews_start_work_at_from_and_pools_are_apart() -> None:
    ready = np.zeros(4)
    duration = np.full(4, 2 * H)
    pool = np.array([0, 0, 1, -1])
    crews = Crews(pool, np.array([1, 1]), np.array([6 * H, 0.0]), ("after the wind", "now"))
    end = schedule_repairs(ready, duration, pool, crews, np.array([1, 0, 2, 3]))
    assert (end / H).tolist() == [10.0, 8.0, 2.0, 2.0]


def test_two_crews_share_the_queue() -> None:
    ready = np.zeros(5)
    duration = np.array([4.0, 1.0, 1.0, 1.0, 1.0]) * H
    pool = np.zeros(5, np.int64)
    end = schedule_repairs(ready, duration, pool, Crews(pool, np.array([2]), np.zeros(1)),
                           np.arange(5))
    # one crew on the long job 0, the other takes 1, 2, 3 in turn, then 4 (at 3 h)
    assert (end / H).tolist() == [4.0, 1.0, 2.0, 3.0, 4.0]


@st.composite
def job_lists(draw):
    n = draw(st.integers(1, 12))
    ready = np.array(draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)), float)
    duration = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), float)
    rank = np.array(draw(st.permutations(range(n))), np.int64)
    return ready, duration, rank, draw(st.integers(1, 3)), float(draw(st.integers(0, 6)))


@settings(max_examples=300, deadline=None)
@given(job_lists())
def test_list_schedule_invariants(case) -> None:
    """Whatever the jobs: each starts once it is ready and the crews are out, never more
    jobs at once than crews, no crew idle while a job waits, and a job that was waiting
    when another started has a better rank or starts no later."""
    ready, duration, rank, n_crews, start = case
    pool = np.zeros(len(ready), np.int64)
    end = schedule_repairs(ready, duration, pool,
                           Crews(pool, np.array([n_crews]), np.array([start])), rank)
    begin = end - duration
    assert (begin >= np.maximum(ready, start)).all()
    for j in range(len(ready)):
        running = int(((begin <= begin[j]) & (end > begin[j])).sum())
        assert running <= n_crews
        if begin[j] > max(ready[j], start):  # it waited: every crew was busy just before
            busy = int(((begin < begin[j]) & (end >= begin[j])).sum())
            assert busy >= n_crews, j
        better_waiting = (rank < rank[j]) & (ready <= begin[j])
        assert (begin[better_waiting] <= begin[j]).all(), j


# --- tanks and refuelling rounds -----------------------------------------------------------

# 0 S (source) - 1 L (line) - 2 T (transformer); 3 SITE needs T with a 6 h tank; 4 DEPOT
S, L, T, SITE, DEPOT = range(5)


def site_network(backup_h: float = 6.0) -> Network:
    power = Layer.from_edges("power", [S, L, T], [(S, L), (L, T)], [True, False, False])
    return Network.from_lists(5, [(SITE, [T], backup_h * H)], [power])


def site_run(supply: Supply | None, events: list[Event] = (), hours: int = 30) -> Timeline:
    mains = [Event(1 * H, (L,), "fail", "storm")]
    return run_timeline(site_network(), [*mains, *events], duration_s=hours * H, step_s=H,
                        supply=supply)


def hours_working(tl: Timeline, asset: int) -> list[int]:
    return [k for k in range(len(tl.times_s)) if tl.working_at(k)[asset]]


def test_a_generator_without_refuelling_stops_at_its_autonomy() -> None:
    for supply in (None, Supply.none(1)):
        tl = site_run(supply)
        assert not tl.working_at(1)[T]
        assert hours_working(tl, SITE) == list(range(7))  # mains lost at 1 h, 6 h of fuel
        assert tl.state_at(7 * H - 1)[SITE] and not tl.state_at(7 * H)[SITE]


def test_refuelling_rounds_keep_it_running() -> None:
    tl = site_run(Supply(np.array([4 * H])))
    assert hours_working(tl, SITE) == list(range(31))
    # a round that needs a depot that works gets through
    needs = sp.csr_matrix(np.array([[0, 0, 0, 0, 1]], np.int8))
    tl = site_run(Supply(np.array([4 * H]), needs))
    assert hours_working(tl, SITE) == list(range(31))


def test_a_round_that_needs_a_depot_that_is_down_fails() -> None:
    needs = sp.csr_matrix(np.array([[0, 0, 0, 0, 1]], np.int8))
    down = [Event(0.0, (DEPOT,), "fail", "flood")]
    tl = site_run(Supply(np.array([4 * H]), needs), down)
    assert hours_working(tl, SITE) == list(range(7))
    # the depot back at 13 h: the next tour (every 4 h from the start: at 16 h) refills the
    # tank; the tour is a fixed schedule, not counted from when the site lost its mains
    back = [*down, Event(13 * H, (DEPOT,), "restore", "end of flood")]
    tl = site_run(Supply(np.array([4 * H]), needs), back)
    assert hours_working(tl, SITE) == [*range(7), *range(16, 31)]
    # back at 12 h, the moment of a tour: the depot was still down just before, the tour
    # fails, and the next one refills
    back = [*down, Event(12 * H, (DEPOT,), "restore", "end of flood")]
    tl = site_run(Supply(np.array([4 * H]), needs), back)
    assert hours_working(tl, SITE) == [*range(7), *range(16, 31)]


def test_a_round_refills_an_empty_tank_too() -> None:
    # a tour every 8 h (at 8, 16, 24 h): the tank runs dry at 7 h, the tour at 8 h fills
    # it (until 14 h), the one at 16 h again (until 22 h), the one at 24 h (until 30 h)
    tl = site_run(Supply(np.array([8 * H])))
    assert hours_working(tl, SITE) == [*range(7), *range(8, 14), *range(16, 22),
                                       *range(24, 30)]


def test_the_mains_back_fill_the_tank_and_stop_the_rounds() -> None:
    back = [Event(5 * H, (L,), "restore", "repair"), Event(10 * H, (L,), "fail", "again")]
    tl = site_run(None, back)
    # a full 6 h again from 10 h
    assert hours_working(tl, SITE) == list(range(16))


# --- mobile generators ------------------------------------------------------------------

# 0 S - 1 LH - 2 TH and 0 S - 3 LO - 4 TO; 5 HOSP needs TH, 6 OTHER needs TO, no backup;
# 7 DEPOT for the generators' rounds
LH, TH, LO, TO, HOSP, OTHER, GDEPOT = range(1, 8)


def two_sites(hosts: list[int], events: list[Event] = (), **kw) -> Timeline:
    power = Layer.from_edges("power", [S, LH, TH, LO, TO],
                             [(S, LH), (LH, TH), (S, LO), (LO, TO)],
                             [True, False, False, False, False])
    net = Network.from_lists(8, [(HOSP, [TH], 0.0), (OTHER, [TO], 0.0)], [power])
    # groups are ordered by owner: 0 is the hospital's, 1 the other site's
    supply = Supply(np.full(2, INF), generator_hosts=np.array(hosts), generators=1,
                    delivery_s=2 * H, generator_fuel_s=10 * H, **kw)
    mains = [Event(1 * H, (LH, LO), "fail", "storm")]
    return run_timeline(net, [*mains, *events], duration_s=30 * H, step_s=H, supply=supply)


def test_one_generator_goes_to_the_first_in_priority_and_runs_dry() -> None:
    tl = two_sites([0, 1])
    # delivered at 3 h, 10 h of fuel, no round: it stops at 13 h; the other site waits
    assert hours_working(tl, HOSP) == [0, *range(3, 13)]
    assert hours_working(tl, OTHER) == [0]
    # the other order of priority: the other site gets it
    tl = two_sites([1, 0])
    assert hours_working(tl, OTHER) == [0, *range(3, 13)]
    assert hours_working(tl, HOSP) == [0]


def test_the_generator_goes_to_the_next_site_when_the_mains_return() -> None:
    tl = two_sites([0, 1], [Event(5 * H, (LH,), "restore", "repair")])
    assert hours_working(tl, HOSP) == [0, *range(3, 31)]
    # sent at 5 h, there at 7 h, 10 h of fuel
    assert hours_working(tl, OTHER) == [0, *range(7, 17)]


def test_a_generator_whose_site_got_its_mains_back_on_the_way_goes_elsewhere() -> None:
    tl = two_sites([0, 1], [Event(2 * H, (LH,), "restore", "repair")])
    assert hours_working(tl, HOSP) == [0, *range(2, 31)]
    # back to the pool when it reaches the hospital at 3 h, at the other site at 5 h
    assert hours_working(tl, OTHER) == [0, *range(5, 15)]


def test_generator_rounds_and_their_depot() -> None:
    tl = two_sites([0, 1], generator_every_s=4 * H)
    assert hours_working(tl, HOSP) == [0, *range(3, 31)]
    depot_down = [Event(0.0, (GDEPOT,), "fail", "flood")]
    tl = two_sites([0, 1], depot_down, generator_every_s=4 * H,
                   generator_needs=np.array([GDEPOT]))
    assert hours_working(tl, HOSP) == [0, *range(3, 13)]


def test_no_generator_for_a_damaged_site() -> None:
    tl = two_sites([0, 1], [Event(1 * H, (HOSP,), "fail", "storm")])
    assert hours_working(tl, HOSP) == [0]
    assert hours_working(tl, OTHER) == [0, *range(3, 13)]


# --- normally-open switches ---------------------------------------------------------------

# feeder A: 0 SA - 1 HA - 2 A1 - 3 LA - 4 A2; feeder B: 5 SB - 6 HB - 7 B1 - 8 LB - 9 B2;
# 10 SW joins A2 and B2, open at the start
SA, HA, A1, LA, A2, SB, HB, B1, LB, B2, SW = range(11)
FEEDER_A = [HA, A1, LA, A2]
DOWNSTREAM_A = [A1, LA, A2]


def feeders(events: list[Event], supply: Supply, absent: tuple[int, ...] = ()) -> Timeline:
    chain = [SA, HA, A1, LA, A2, SW, B2, LB, B1, HB, SB]
    power = Layer.from_edges("power", list(range(11)), list(pairwise(chain)),
                             [a in (SA, SB) for a in range(11)])
    net = Network.from_lists(11, [], [power])
    return run_timeline(net, events, duration_s=24 * H, step_s=H, supply=supply,
                        absent=absent)


def switch_supply(switching_s: float) -> Supply:
    return Supply(np.zeros(0), switches=np.array([SW]), switch_ends=np.array([[A2, B2]]),
                  switching_s=switching_s)


HEAD_A = [Event(1 * H, (HA,), "fail", "storm"), Event(10 * H, (HA,), "restore", "repair")]


def test_a_closed_switch_resupplies_the_feeder_from_its_neighbour() -> None:
    tl = feeders(HEAD_A, switch_supply(H))
    assert not tl.working_at(0)[SW]  # open at the start
    assert tl.working_at(0)[DOWNSTREAM_A].all()
    assert not tl.working_at(1)[DOWNSTREAM_A].any()
    assert tl.working_at(2)[DOWNSTREAM_A].all()  # an hour later, fed by B
    assert tl.working_at(2)[SW] and not tl.working_at(2)[HA]
    # and it stays closed after the repair
    assert all(tl.working_at(k)[SW] for k in range(2, 25))
    closing = [e for e in tl.events if e.assets == (SW,)]
    assert [(e.time_s, e.action) for e in closing] == [(2 * H, "restore")]


def test_without_switching_the_feeder_waits_for_its_repair() -> None:
    for supply, absent in ((Supply.none(0), (SW,)), (switch_supply(INF), ())):
        tl = feeders(HEAD_A, supply, absent)
        assert not tl.working_at(0)[SW]
        down = [k for k in range(25) if not tl.working_at(k)[A2]]
        assert down == list(range(1, 10))


def test_a_restore_event_closes_the_switch() -> None:
    close = Event(5 * H, (SW,), "restore", "mitigation: switch closed by hand")
    tl = feeders([*HEAD_A, close], switch_supply(INF))
    down = [k for k in range(25) if not tl.working_at(k)[A2]]
    assert down == [1, 2, 3, 4]
    assert tl.working_at(5)[SW] and tl.present_at(5)[SW] and not tl.present_at(4)[SW]


def test_a_switch_between_two_dead_feeders_stays_open() -> None:
    both = [Event(1 * H, (HA, HB), "fail", "storm")]
    tl = feeders(both, switch_supply(H))
    assert not any(tl.working_at(k)[SW] for k in range(25))
    assert not any(e.assets == (SW,) for e in tl.events)


# --- no supply: nothing changes ------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_no_supply_is_the_plain_backup_rule(case) -> None:
    """``supply=None`` and ``Supply.none`` (and a supply whose logistics never act) give the
    same states and the same log."""
    n, groups, layers, events, _ = case
    net = build(n, groups, layers)
    runs = [run_timeline(net, events, duration_s=STEPS * STEP, step_s=STEP, supply=s)
            for s in (None, Supply.none(net.n_groups),
                      Supply(np.full(net.n_groups, INF), generators=0, switching_s=STEP))]
    for tl in runs[1:]:
        assert np.array_equal(tl.snapshots, runs[0].snapshots)
        assert np.array_equal(tl.log.time_s, runs[0].log.time_s)
        assert np.array_equal(tl.log.asset, runs[0].log.asset)
        assert np.array_equal(tl.log.working, runs[0].log.working)
        assert len(tl.events) == len(runs[0].events)


@pytest.mark.parametrize("backup_h", [0.0, 6.0])
def test_supply_none_equals_supply_none_on_the_site(backup_h: float) -> None:
    net = site_network(backup_h)
    ev = [Event(1 * H, (L,), "fail", "storm"), Event(9 * H, (L,), "restore", "repair")]
    a = run_timeline(net, ev, duration_s=12 * H, step_s=H)
    b = run_timeline(net, ev, duration_s=12 * H, step_s=H, supply=Supply.none(1))
    assert np.array_equal(a.snapshots, b.snapshots)
