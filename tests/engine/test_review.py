"""Review of the engine: edge cases of DESIGN §3/§5 and docs/engine.md, each worked out by
hand (or by the plain reference), never copied from the engine's output."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.engine.reference import reference_fixed_point
from tests.runs import ensemble as run_ensemble
from tests.runs import simulate
from tousrisques import InputError, load_territory
from tousrisques.engine import (
    CAUSES,
    DAMAGED,
    WORKING,
    Event,
    Hazard,
    Layer,
    Network,
    connected_to_source,
    explain,
    fixed_point,
    outage,
    run_timeline,
)
from tousrisques.engine._forest import Forest

H = 3600.0


def states(tl, asset: int) -> list[bool]:
    """Whether ``asset`` works at each output time."""
    return [bool(tl.working_at(k)[asset]) for k in range(len(tl.times_s))]


def log_rows(tl) -> list[tuple[float, int, bool, str, int]]:
    return [(float(t), int(a), bool(w), CAUSES[int(c)], int(r)) for t, a, w, c, r in
            zip(tl.log.time_s, tl.log.asset, tl.log.working, tl.log.cause, tl.log.ref,
                strict=True)]


# --- degenerate networks ---------------------------------------------------------------------

def test_empty_network_runs() -> None:
    tl = run_timeline(Network.from_lists(0, []), [], duration_s=H, step_s=H)
    assert len(tl.times_s) == 2 and len(tl.log) == 0
    assert tl.working_at(1).tolist() == []


def test_layer_without_members_changes_nothing() -> None:
    empty = Layer.from_edges("L", [], [], [])
    net = Network.from_lists(2, [], [empty])
    assert fixed_point(net, np.zeros(2, bool)).working.tolist() == [True, True]
    tl = run_timeline(net, [Event(0, (0,), "fail", "x")], duration_s=H, step_s=H)
    assert states(tl, 0) == [False, False] and states(tl, 1) == [True, True]
    forest = Forest(empty, np.zeros(0, bool))
    assert forest.update(np.zeros(0, bool)).tolist() == []


def test_network_without_groups_or_layers_follows_the_events_only() -> None:
    net = Network.from_lists(3, [])
    tl = run_timeline(net, outage([1], H, H, "cut"), duration_s=3 * H, step_s=H)
    assert states(tl, 1) == [True, False, True, True]
    assert states(tl, 0) == [True] * 4 and states(tl, 2) == [True] * 4


# --- events ----------------------------------------------------------------------------------

def test_event_at_time_zero_is_in_the_first_state_and_logged_at_zero() -> None:
    net = Network.from_lists(2, [(1, [0], 0.0)])
    tl = run_timeline(net, [Event(0, (0,), "fail", "storm")], duration_s=H, step_s=H)
    assert tl.working_at(0).tolist() == [False, False]
    assert log_rows(tl) == [(0.0, 0, False, "event", 0), (0.0, 1, False, "requirement", 0)]


def test_events_after_the_duration_are_ignored_and_one_at_the_end_applies() -> None:
    net = Network.from_lists(2, [])
    tl = run_timeline(net, [Event(5 * H, (0,), "fail", "late"),
                            Event(2 * H, (1,), "fail", "at the end")],
                      duration_s=2 * H, step_s=H)
    assert states(tl, 0) == [True, True, True]
    assert states(tl, 1) == [True, True, False]
    assert [(t, a) for t, a, *_ in log_rows(tl)] == [(2 * H, 1)]


def test_restore_of_an_asset_never_failed_changes_nothing() -> None:
    net = Network.from_lists(2, [(1, [0], 0.0)])
    tl = run_timeline(net, [Event(H, (1,), "restore", "no-op")], duration_s=2 * H, step_s=H)
    assert len(tl.log) == 0 and tl.working_at(2).all()


def test_absent_asset_restored_at_time_zero_is_there_from_the_start() -> None:
    net = Network.from_lists(2, [(1, [0], 0.0)])
    tl = run_timeline(net, [Event(0, (0,), "restore", "generator")], duration_s=H,
                      step_s=H, absent=[0])
    assert tl.working_at(0).tolist() == [True, True]
    assert len(tl.log) == 0  # nothing ever changed state


def test_absent_asset_is_logged_at_zero_with_no_event() -> None:
    net = Network.from_lists(2, [(1, [0], H)])
    tl = run_timeline(net, [], duration_s=2 * H, step_s=H, absent=[0])
    # the requirement group of 1 is lost at 0: its 1 h backup carries it to 1 h
    assert states(tl, 1) == [True, False, False]
    assert log_rows(tl) == [(0.0, 0, False, "event", -1),
                            (H, 1, False, "backup exhausted", 0)]
    chain = explain(tl, net, 1, 2 * H)
    assert [(c.asset, c.cause) for c in chain] == [(1, "backup exhausted"), (0, "event")]
    assert chain[1].event == "absent at start"


def test_zero_length_outage_changes_nothing() -> None:
    net = Network.from_lists(2, [(1, [0], 0.0)])
    tl = run_timeline(net, outage([0], H, 0, "blip"), duration_s=2 * H, step_s=H)
    assert tl.working_at(1).all() and len(tl.log) == 0


def test_the_same_asset_failed_twice_then_restored() -> None:
    net = Network.from_lists(1, [])
    tl = run_timeline(net, [Event(H, (0,), "fail", "a"), Event(2 * H, (0,), "fail", "b"),
                            Event(3 * H, (0,), "restore", "repair")],
                      duration_s=4 * H, step_s=H)
    # each damage needs its own repair: one repair for two hits leaves it down
    assert states(tl, 0) == [True, False, False, False, False]
    # down by the first event, which the log keeps naming (docs/engine.md: a damaged
    # asset's row names the damage that put it down); the repair of one of the two damages
    # changes nothing that the log would show
    assert log_rows(tl) == [(H, 0, False, "event", 0)]


def test_overlapping_outages_keep_the_asset_down_until_the_last_one_ends() -> None:
    """DESIGN §3: an asset does not work while it is damaged (hazard, targeted outage,
    cyber-attack; until repaired). A storm outage from 1 h to 5 h and a cyber-attack from
    2 h to 3 h on the same asset: the end of the attack does not repair the storm damage."""
    net = Network.from_lists(1, [])
    events = outage([0], 1 * H, 4 * H, "storm") + outage([0], 2 * H, 1 * H, "cyber-attack")
    tl = run_timeline(net, events, duration_s=6 * H, step_s=H)
    assert states(tl, 0) == [True, False, False, False, False, True, True]


@pytest.mark.parametrize("order", ["a-then-b", "b-then-a"])
def test_back_to_back_outages_do_not_depend_on_the_order_of_the_list(order: str) -> None:
    """Outage A from 0 to 2 h, outage B from 2 h to 4 h on the same asset: it is down from
    0 to 4 h, whatever the order in which the events are listed (A's end and B's start fall
    on the same instant)."""
    a = outage([0], 0, 2 * H, "A")
    b = outage([0], 2 * H, 2 * H, "B")
    net = Network.from_lists(1, [])
    tl = run_timeline(net, a + b if order == "a-then-b" else b + a, duration_s=5 * H,
                      step_s=H)
    assert states(tl, 0) == [False, False, False, False, True, True]


# --- backups ---------------------------------------------------------------------------------

def test_backup_exactly_equal_to_the_outage_holds() -> None:
    """Lost at 1 h with 1 h of backup, met again at 2 h: at 2 h the events apply first, the
    group is met, the owner never stops."""
    net = Network.from_lists(2, [(1, [0], H)])
    tl = run_timeline(net, outage([0], H, H, "cut"), duration_s=3 * H, step_s=H / 2)
    assert states(tl, 1) == [True] * 7
    assert [a for _, a, *_ in log_rows(tl)] == [0, 0]


def test_backup_one_second_short_stops_at_its_end() -> None:
    net = Network.from_lists(2, [(1, [0], H)])
    tl = run_timeline(net, outage([0], H, H + 1, "cut"), duration_s=3 * H, step_s=H / 2)
    # the state at 2 h includes the change at 2 h (backup over); back at 2 h + 1 s
    assert states(tl, 1) == [True, True, True, True, False, True, True]
    assert log_rows(tl) == [(H, 0, False, "event", 0), (2 * H, 1, False, "backup exhausted", 0),
                            (2 * H + 1, 0, True, "event", 1),
                            (2 * H + 1, 1, True, "recovered", -1)]


def test_backup_starts_again_from_full_when_the_group_is_met_again() -> None:
    """Lost at 0 (2 h backup), met again at 1 h, lost again at 1.5 h: works until 3.5 h."""
    net = Network.from_lists(2, [(1, [0], 2 * H)])
    events = [Event(0, (0,), "fail", "a"), Event(H, (0,), "restore", "r"),
              Event(1.5 * H, (0,), "fail", "b")]
    tl = run_timeline(net, events, duration_s=4 * H, step_s=H / 2)
    assert states(tl, 1) == [True] * 7 + [False, False]


def test_several_groups_with_different_backups() -> None:
    """Asset 2 needs 0 (1 h backup) and 1 (3 h backup); both fall at 0. It stops at 1 h
    (first backup over); 0 comes back at 2 h while the second group is still on its backup
    (lost at 0, 3 h): it works again, until 3 h."""
    net = Network.from_lists(3, [(2, [0], H), (2, [1], 3 * H)])
    tl = run_timeline(net, [Event(0, (0, 1), "fail", "storm"),
                            Event(2 * H, (0,), "restore", "repair")],
                      duration_s=4 * H, step_s=H)
    assert states(tl, 2) == [True, False, True, False, False]
    rows = [r for r in log_rows(tl) if r[1] == 2]
    assert rows == [(H, 2, False, "backup exhausted", 0), (2 * H, 2, True, "recovered", -1),
                    (3 * H, 2, False, "backup exhausted", 1)]


def test_a_layer_reached_only_through_a_member_on_backup() -> None:
    """Source 0 — 1 — 2 in a layer; 1 needs asset 3 with 1 h of backup; 3 fails at 0:
    1 and 2 hold until 1 h, then 2 is cut from the source."""
    layer = Layer.from_edges("power", [0, 1, 2], [(0, 1), (1, 2)], [True, False, False])
    net = Network.from_lists(4, [(1, [3], H)], [layer])
    tl = run_timeline(net, [Event(0, (3,), "fail", "x")], duration_s=2 * H, step_s=H)
    assert states(tl, 2) == [True, False, False]
    assert (H, 2, False, "disconnected", 0) in log_rows(tl)


# --- the fixed point ---------------------------------------------------------------------------

def test_fixed_point_start_reports_assets_outside_it_as_documented() -> None:
    """fixed_point's docstring: assets outside ``start`` are reported as not working with the
    reason WORKING (the caller knows why they were down); damaged ones are DAMAGED."""
    net = Network.from_lists(3, [])
    fp = fixed_point(net, np.array([False, False, True]),
                     start=np.array([True, False, True]))
    assert fp.working.tolist() == [True, False, False]
    assert fp.reason[2] == DAMAGED
    assert fp.reason[1] == WORKING


def test_fixed_point_matches_the_reference_on_a_dependency_chain_through_two_layers() -> None:
    # power: 0 (source) - 1 - 2; telecom: 3 (source) - 4; 2 needs 4, 4 needs 1 or 2, 3 needs 0
    groups = [(2, [4], 0.0), (4, [1, 2], 0.0), (3, [0], 0.0)]
    layers = [([0, 1, 2], [(0, 1), (1, 2)], [True, False, False]),
              ([3, 4], [(3, 4)], [True, False])]
    net = Network.from_lists(5, groups, [Layer.from_edges(f"L{i}", m, e, s)
                                         for i, (m, e, s) in enumerate(layers)])
    for damaged in ({1}, {0}, {3}, {4}, set(), {1, 2}):
        d = np.zeros(5, bool)
        d[list(damaged)] = True
        got = set(np.nonzero(fixed_point(net, d).working)[0].tolist())
        assert got == reference_fixed_point(5, groups, layers, damaged), damaged


# --- the incremental spanning forest -------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_forest_agrees_with_connectivity_on_small_changes_of_a_large_layer(seed: int) -> None:
    """Layers of hundreds of members changed a few at a time, so that the incremental path
    (not the rebuild above 5 %) does the work; with and without the engine's invariant."""
    rng = np.random.default_rng(seed)
    m = 400
    edges = rng.integers(0, m, (2 * m, 2))
    edges = edges[edges[:, 0] != edges[:, 1]]
    sources = rng.random(m) < 0.02
    sources[0] = True
    layer = Layer.from_edges("L", np.arange(m), edges, sources)
    w = rng.random(m) < 0.9
    forest = Forest(layer, w)
    for step in range(150):
        w = w.copy()
        flip = rng.choice(m, int(rng.integers(1, 6)), replace=False)
        w[flip] = ~w[flip] if step % 3 else True
        got = forest.update(w)
        np.testing.assert_array_equal(got, connected_to_source(layer, w))
        if seed % 2:
            w &= got
            np.testing.assert_array_equal(forest.update(w), connected_to_source(layer, w))
    assert forest.rebuilds == 1  # the incremental path did the work


def test_forest_when_every_source_falls_and_comes_back() -> None:
    m = 60
    edges = [(i, i + 1) for i in range(m - 1)]
    sources = [i in (0, 30) for i in range(m)]
    layer = Layer.from_edges("L", range(m), edges, sources)
    w = np.ones(m, bool)
    forest = Forest(layer, w)
    for change in ([0], [30], [0, 30], [15], [45]):
        w = w.copy()
        w[change] = ~w[change]
        np.testing.assert_array_equal(forest.update(w), connected_to_source(layer, w))


@pytest.mark.parametrize("seed", range(4))
def test_incremental_timeline_equals_full_recomputation_on_small_changes(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 240
    perm = rng.permutation(n)
    layers = []
    for k, (lo, hi) in enumerate(((0, 120), (120, 200))):
        mem = np.sort(perm[lo:hi])
        e = rng.choice(mem, (2 * len(mem), 2))
        e = e[e[:, 0] != e[:, 1]]
        s = rng.random(len(mem)) < 0.05
        s[0] = True
        layers.append(Layer.from_edges(f"L{k}", mem, e, s))
    groups = [(int(o), rng.choice(n, 2, replace=False).tolist(),
               float(rng.choice([0.0, 600.0, 1800.0]))) for o in rng.choice(n, 80)]
    net = Network.from_lists(n, groups, layers)
    events = [Event(float(rng.integers(0, 20)) * 300,
                    tuple(rng.choice(n, 2, replace=False).tolist()),
                    str(rng.choice(["fail", "fail", "restore"])), "x") for _ in range(20)]
    fast = run_timeline(net, events, duration_s=6000, step_s=300, absent=[int(perm[5])])
    slow = run_timeline(net, events, duration_s=6000, step_s=300, absent=[int(perm[5])],
                        incremental=False)
    np.testing.assert_array_equal(fast.snapshots, slow.snapshots)
    assert log_rows(fast) == log_rows(slow)


# --- explain ---------------------------------------------------------------------------------

def test_explain_with_layer_members_not_in_index_order() -> None:
    """Layer.from_edges takes members in any order. Chain 3 (source) - 2 - 1 - 0; 2 fails:
    0 is cut because its neighbour 1 is down, and 1 because of 2."""
    for members, sources in (([0, 1, 2, 3], [False, False, False, True]),
                             ([3, 2, 1, 0], [True, False, False, False])):
        layer = Layer.from_edges("L", members, [(3, 2), (2, 1), (1, 0)], sources)
        net = Network.from_lists(4, [], [layer])
        tl = run_timeline(net, [Event(H, (2,), "fail", "cut")], duration_s=2 * H, step_s=H)
        chain = explain(tl, net, 0, H)
        assert [(c.asset, c.cause) for c in chain] == \
            [(0, "disconnected"), (1, "disconnected"), (2, "event")], members
        assert chain[0].because == (1,), members


def test_explain_after_a_repair_that_does_not_bring_the_asset_back() -> None:
    """Power 0 and antenna 1 (needs 0) are hit by the storm at 1 h; the antenna is repaired
    at 2 h but the power is still out. At 3 h the antenna is down because of its
    requirement on 0 (itself down by the storm), not because of its own, repaired damage."""
    net = Network.from_lists(2, [(1, [0], 0.0)])
    tl = run_timeline(net, [Event(H, (0, 1), "fail", "storm"),
                            Event(2 * H, (1,), "restore", "antenna repaired")],
                      duration_s=4 * H, step_s=H)
    assert not tl.state_at(3 * H)[1]
    chain = explain(tl, net, 1, 3 * H)
    assert [(c.asset, c.cause) for c in chain] == [(1, "requirement"), (0, "event")]
    assert chain[0].because == (0,)


# --- indicators on small territories -----------------------------------------------------------

def _compile(make_territory, **files):
    return load_territory(make_territory(**files)).compile()


def _ids(c) -> list[str]:
    return c.asset_ids.to_pylist()


def test_broadcast_not_reached_when_no_actor_may_trigger_it(make_territory) -> None:
    """fr-alert is triggered_by the prefecture; here no actor has that role (COD is a mayor).
    Nobody may trigger it: it reaches no one (docs/engine.md: one of the actors allowed to
    trigger it has a working site; 'any actor holding it' is only when triggered_by is
    empty)."""
    from tests.conftest import MINIMAL

    actors = MINIMAL["actors.yaml"].replace("role: prefecture", "role: mayor")
    c = _compile(make_territory, **{"actors.yaml": actors})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    assert r.indicators.count("population_reached:fr-alert").tolist() == [0, 0]
    assert r.indicators.count("population_reached:any").tolist() == [0, 0]


def test_broadcast_without_triggered_by_and_held_by_nobody_reaches_no_one(
        make_territory) -> None:
    from tests.conftest import MINIMAL

    channels = MINIMAL["channels.yaml"] + """\
  - id: loudspeaker
    name: Loudspeaker van
    mode: broadcast
    latency: 5m
    needs_site: false
"""
    c = _compile(make_territory, **{"channels.yaml": channels})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    assert r.indicators.count("population_reached:loudspeaker").tolist() == [0, 0]


def test_territory_without_actors_broadcasts_reach_no_one(make_territory) -> None:
    c = _compile(make_territory, **{"actors.yaml": "actors: []\n"})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    ind = r.indicators
    assert ind.count("population_reached:fr-alert").tolist() == [0, 0]
    assert ind.count("actors_connected").tolist() == [0, 0]
    assert ind.count("governance_links_broken").tolist() == [0, 0]
    assert not any(n.startswith("actor_latency:") for n in ind.names)


def test_duplicated_reports_to_is_one_governance_link(make_territory) -> None:
    """MAIRIE reports_to [COD, COD]: one governance link. Either the territory is refused,
    or the link counts once (broken here: the core network is down, mobile is lost)."""
    from tests.conftest import MINIMAL

    actors = MINIMAL["actors.yaml"].replace("reports_to: [COD]", "reports_to: [COD, COD]")
    try:
        c = _compile(make_territory, **{"actors.yaml": actors})
    except InputError:
        return
    r, _ = simulate(c, [Event(0, (_ids(c).index("CORE"),), "fail", "x")], duration_s=H,
                    step_s=H)
    assert r.indicators.count("governance_links_broken").tolist() == [1, 1]
    assert r.indicators.value("governance_links_broken").tolist() == [1.0, 1.0]


def test_territory_without_channels(make_territory) -> None:
    from tests.conftest import MINIMAL

    actors = MINIMAL["actors.yaml"].replace("channels: [mobile, fr-alert]", "channels: []") \
        .replace("channels: [mobile]", "channels: []")
    c = _compile(make_territory, **{"channels.yaml": "channels: []\n", "actors.yaml": actors})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    ind = r.indicators
    assert ind.count("population_reached:any").tolist() == [0, 0]
    assert ind.value("actor_latency:COD").tolist() == [0, 0]  # a crisis cell on its site
    assert math.isinf(ind.value("actor_latency:MAIRIE")[0])
    assert ind.count("actors_connected").tolist() == [1, 1]
    assert ind.count("governance_links_broken").tolist() == [1, 1]


def test_territory_without_zones(make_territory) -> None:
    from tests.conftest import MINIMAL

    c = _compile(make_territory, **{
        "territory.yaml": MINIMAL["territory.yaml"].replace("zones: zones.geojson\n", ""),
        "zones.geojson": None})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    ind = r.indicators
    assert ind.count("population_reached:any").tolist() == [0, 0]
    assert np.isfinite(ind.value("population_reached:any")).all()
    assert ind.count("actors_connected").tolist() == [2, 2]


def test_zone_population_zero(make_territory) -> None:
    from tests.conftest import MINIMAL

    zones = MINIMAL["zones.geojson"].replace('"population": 1000, "vulnerable": 50',
                                             '"population": 0')
    c = _compile(make_territory, **{"zones.geojson": zones})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    ind = r.indicators
    assert ind.count("population_reached:fr-alert").tolist() == [0, 0]
    assert np.isfinite(ind.value("population_reached:fr-alert")).all()


def test_crisis_cell_whose_site_is_down(make_territory) -> None:
    """Both actors sit at SITE; it fails at 1 h: the crisis cell no longer counts (no working
    crisis cell), mobile needs the site: every latency is infinite, the link is broken."""
    c = _compile(make_territory)
    r, _ = simulate(c, [Event(H, (_ids(c).index("SITE"),), "fail", "fire")],
                    duration_s=2 * H, step_s=H)
    ind = r.indicators
    assert ind.value("actor_latency:COD")[0] == 0
    assert ind.value("actor_latency:MAIRIE")[0] == 60
    assert math.isinf(ind.value("actor_latency:COD")[1])
    assert math.isinf(ind.value("actor_latency:MAIRIE")[1])
    assert ind.count("actors_connected").tolist() == [2, 0, 0]
    assert ind.count("governance_links_broken").tolist() == [0, 1, 1]
    # fr-alert needs its trigger (the prefecture) on a working site
    assert ind.count("population_reached:fr-alert").tolist() == [1000, 0, 0]


def test_zero_latency_channel(make_territory) -> None:
    from tests.conftest import MINIMAL

    channels = MINIMAL["channels.yaml"].replace("latency: 1m", "latency: 0s")
    c = _compile(make_territory, **{"channels.yaml": channels})
    r, _ = simulate(c, [], duration_s=H, step_s=H)
    assert r.indicators.value("actor_latency:MAIRIE").tolist() == [0, 0]
    assert r.indicators.count("actors_connected").tolist() == [2, 2]


def test_actor_without_site(make_territory) -> None:
    """A crisis cell with no site is always a working crisis cell (latency 0); a channel
    without coverage that needs a site is available to it (no site can fall)."""
    actors = """\
actors:
  - id: COD
    name: Préfecture
    role: prefecture
    channels: [radio]
    crisis_cell: true
  - id: MAIRIE
    name: Mairie
    role: mayor
    site: SITE
    channels: [radio]
    reports_to: [COD]
"""
    channels = """\
channels:
  - id: radio
    name: Radio
    mode: point_to_point
    latency: 20s
    requires: CORE
"""
    c = _compile(make_territory, **{"actors.yaml": actors, "channels.yaml": channels})
    r, _ = simulate(c, [Event(H, (_ids(c).index("SITE"),), "fail", "fire")],
                    duration_s=2 * H, step_s=H)
    ind = r.indicators
    assert ind.value("actor_latency:COD").tolist() == [0, 0, 0]
    assert ind.value("actor_latency:MAIRIE")[0] == 20
    assert math.isinf(ind.value("actor_latency:MAIRIE")[1])
    assert ind.count("governance_links_broken").tolist() == [0, 1, 1]


# --- Monte Carlo -------------------------------------------------------------------------------

def test_monte_carlo_does_not_repair_an_absent_asset_into_existence(make_territory) -> None:
    """A1 is absent (no mitigation ever brings it). A hazard certain to hit it cannot make it
    appear once 'repaired' 12 h later (the antenna kind's repair time)."""
    c = _compile(make_territory)
    a1 = _ids(c).index("A1")
    p = np.zeros(c.n_assets)
    p[a1] = 1.0
    e = run_ensemble(c, hazards=[Hazard(0.0, p, "storm")], runs=1, seed=0,
                     duration_s=24 * H, step_s=H, absent=[a1])
    antennas = e.counts[0, e.names.index("assets_working:antenna")]
    assert (antennas == 0).all()
    assert (e.counts[0, e.names.index("population_reached:fr-alert")] == 0).all()


def test_monte_carlo_second_hit_needs_its_own_repair(make_territory) -> None:
    """T1 (a transformer, repaired in 8 h) is hit at 0 and again at 4 h: it is repaired at
    12 h, not at 8 h when the first damage is repaired."""
    c = _compile(make_territory)
    t1 = _ids(c).index("T1")
    p = np.zeros(c.n_assets)
    p[t1] = 1.0
    e = run_ensemble(c, hazards=[Hazard(0.0, p, "storm"), Hazard(4 * H, p, "aftershock")],
                     runs=1, seed=0, duration_s=14 * H, step_s=H)
    tr = e.counts[0, e.names.index("assets_working:transformer")]
    assert tr.tolist() == [0] * 12 + [1] * 3


def test_an_event_time_that_is_not_a_number_is_refused() -> None:
    from tousrisques import InputError

    net = Network.from_lists(1, [])
    with pytest.raises(InputError, match="not a finite number"):
        run_timeline(net, [Event(float("nan"), (0,), "fail", "x")], duration_s=H, step_s=H)
