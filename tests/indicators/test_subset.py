"""Indicators computed in part (``only``) or from the memo of states already met give the
very values of the whole computation: on the Rouen storm (door-to-door relays, fallback
sites, operators), for the base runs and for a variant with backups that shares the memo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tousrisques.engine import replay
from tousrisques.indicators import SnapshotMemo, compute_indicators, snapshot
from tousrisques.scenario import BackupSpec, load_scenario, scenario_plan, with_measures

ROUEN = Path(__file__).parents[2] / "examples" / "rouen" / "scenarios" / "tempete.yaml"
OBJECTIVE = ["population_reached:fr-alert", "vulnerable_unreached:any", "actors_connected"]


@pytest.fixture(scope="module")
def storm():  # type: ignore[no-untyped-def]
    if not ROUEN.exists():
        pytest.skip(f"{ROUEN} is not there (make samples)")
    return load_scenario(ROUEN)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def test_the_memo_changes_no_value(storm) -> None:  # type: ignore[no-untyped-def]
    plan = scenario_plan(storm)
    memo = SnapshotMemo()
    for run in (0, 1):
        tl = replay(plan, run, causes=False)
        full = compute_indicators(plan.compiled, tl)
        kept = compute_indicators(plan.compiled, tl, memo=memo)
        assert kept.names == full.names
        assert same(kept.values, full.values) and same(kept.counts, full.counts)
        assert kept.zone_reached is not None and full.zone_reached is not None
        assert same(kept.zone_reached, full.zone_reached)
    # output times share states: fewer snapshots computed than output times
    assert memo.hits > 0 and memo.misses < 2 * len(tl.times_s)
    # a variant (batteries of 3 days at every antenna) meets the base's states again
    variant = scenario_plan(with_measures(storm, backups=[
        BackupSpec(name="antennas", kinds=["antenna"], autonomy="72h")]))
    hits = memo.hits
    tl = replay(variant, 0, causes=False)
    kept = compute_indicators(variant.compiled, tl, memo=memo)
    full = compute_indicators(variant.compiled, tl)
    assert same(kept.values, full.values)
    assert memo.hits > hits


def test_only_computes_the_named_indicators_alike(storm) -> None:  # type: ignore[no-untyped-def]
    plan = scenario_plan(storm)
    tl = replay(plan, 2, causes=False)
    full = compute_indicators(plan.compiled, tl)
    few = compute_indicators(plan.compiled, tl, only=OBJECTIVE, memo=SnapshotMemo())
    assert set(few.names) == set(OBJECTIVE)
    for name in OBJECTIVE:
        assert same(few.value(name), full.value(name)), name
        assert same(few.count(name), full.count(name)), name
    # indicators that read no snapshot, alone
    counts = [n for n in full.names if n.startswith(("assets_working:", "sites_down:"))]
    counts.append("population_without_power")
    got = compute_indicators(plan.compiled, tl, only=counts)
    assert list(got.names) == [n for n in full.names if n in counts]
    for name in counts:
        assert same(got.value(name), full.value(name)), name
    # a name the territory does not have is simply not there
    assert compute_indicators(plan.compiled, tl, only=["no_such"]).names == ()


def test_the_network_in_numpy_is_scipys(storm) -> None:  # type: ignore[no-untyped-def]
    """Latencies and components of the actors, by relaxing the actor–channel graph, equal
    those of scipy's Dijkstra and connected components (labels included), for the states of
    a storm run and for random cuts of channels and sites on them."""
    from tousrisques.indicators._fallback import Moves
    from tousrisques.indicators._snapshot import _holds, _network, _network_scipy

    plan = scenario_plan(storm)
    c = plan.compiled
    tl = replay(plan, 1, causes=False)
    moves = Moves(c)
    rng = np.random.default_rng(7)
    cut_some = 0
    for k in range(len(tl.times_s)):
        working = tl.working_at(k)
        snap = snapshot(c, working, tl.owners_ok["zones"][k], tl.owners_ok["channels"][k],
                        holds=_holds(c), moved=moves.step(float(tl.times_s[k]), working))
        for avail, site_ok in ((snap.avail, snap.site_ok),
                               (snap.avail & (rng.random(snap.avail.shape) < 0.4),
                                snap.site_ok & (rng.random(len(snap.site_ok)) < 0.6))):
            ours, theirs = _network(c, avail, site_ok), _network_scipy(c, avail, site_ok)
            assert np.array_equal(ours[0], theirs[0]), k
            assert np.array_equal(ours[1], theirs[1]), k
            cut_some += int(np.isinf(ours[0]).any())
    assert cut_some  # some actors were cut off: the comparison saw infinite latencies
