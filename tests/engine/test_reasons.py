"""The reasons kept up to date from one state to the next (``Reasons``) are those computed
afresh, and a run without causes has the same states and indicators as with them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import load_compiled
from tousrisques.engine import Draws, Hazard, Layer, Network, fixed_point, make_plan, replay
from tousrisques.engine._fixedpoint import Reasons, reasons_afresh
from tousrisques.indicators import compute_indicators


def random_network(rng: np.random.Generator, n: int) -> Network:
    """Two layers with a source each and a few isolated assets; one to three requirement
    groups on most assets, with backups on some."""
    groups = []
    for a in range(n):
        for _ in range(int(rng.integers(0, 3))):
            alts = rng.choice(n, int(rng.integers(1, 3)), replace=False).tolist()
            alts = [x for x in alts if x != a] or [(a + 1) % n]
            groups.append((a, alts, float(rng.choice([0.0, 0.0, 3600.0]))))
    order = rng.permutation(n)
    layers = []
    for members in (order[: n // 2], order[n // 2 : n - 5]):
        m = len(members)
        edges = [(int(members[i]), int(members[int(rng.integers(0, i))])) for i in range(1, m)]
        edges += [(int(members[rng.integers(m)]), int(members[rng.integers(m)]))
                  for _ in range(m // 3)]
        edges = [(x, y) for x, y in edges if x != y]
        sources = [i < 2 for i in range(m)]
        layers.append(Layer.from_edges(f"L{len(layers)}", members.tolist(), edges, sources))
    return Network.from_lists(n, groups, layers)


@pytest.mark.parametrize("seed", range(6))
def test_reasons_kept_up_to_date_are_the_reasons_afresh(seed) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    net = random_network(rng, n)
    why = Reasons(net)
    damaged = np.zeros(n, bool)
    excused = np.zeros(net.n_groups, bool)
    before = (np.zeros(n, np.int8), np.full(n, -1), np.full(n, -1))
    before_state = (np.zeros(n, bool), np.ones(n, bool))
    changes = 0
    for _ in range(40):
        # more damage, some repairs, backups that start or run out: any state may follow
        flip = rng.random(n) < rng.choice([0.002, 0.01, 0.05])
        damaged = damaged ^ flip
        excused = excused ^ (rng.random(net.n_groups) < 0.02)
        working = fixed_point(net, damaged, on_backup=excused).working
        changed = why.update(damaged, excused, working)
        reason, group, layer, _ = reasons_afresh(net, damaged, excused, working)
        np.testing.assert_array_equal(why.reason, reason)
        np.testing.assert_array_equal(why.group, group)
        np.testing.assert_array_equal(why.layer, layer)
        # what it says changed holds every change of state, damage or reason
        moved = (reason != before[0]) | (group != before[1]) | (layer != before[2]) \
            | (damaged != before_state[0]) | (working != before_state[1])
        assert not (moved & ~changed).any()
        changes += int(moved.sum())
        before = (reason, group, layer)
        before_state = (damaged.copy(), working)
    assert changes > 100  # the states did move


def test_a_run_without_causes_has_the_same_states_and_indicators() -> None:
    c = load_compiled(EXAMPLE)
    plan = make_plan(c, hazards=[Hazard(3600.0, np.full(c.n_assets, 0.2), "storm")],
                     duration_s=24 * 3600, step_s=3600, seed=5,
                     draws=Draws(repair_beta=0.5, backup_beta=0.3))
    for run in range(3):
        full, bare = replay(plan, run), replay(plan, run, causes=False)
        np.testing.assert_array_equal(full.snapshots, bare.snapshots)
        assert full.computations == bare.computations
        for name, grid in full.owners_ok.items():
            np.testing.assert_array_equal(grid, bare.owners_ok[name])
        for t in full.times_s:
            np.testing.assert_array_equal(full.state_at(t), bare.state_at(t))
        a, b = compute_indicators(c, full), compute_indicators(c, bare)
        assert a.names == b.names
        np.testing.assert_array_equal(a.values, b.values)
        np.testing.assert_array_equal(a.counts, b.counts)
        np.testing.assert_array_equal(a.zone_reached, b.zone_reached)
        np.testing.assert_array_equal(a.actor_channels, b.actor_channels)
        assert len(bare.log) <= len(full.log)
        assert not bare.log.cause.any()
    # the storm did something in the runs compared
    assert (~full.working_at(2)).any()
