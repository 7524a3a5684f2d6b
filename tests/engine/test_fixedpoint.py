"""The fixed point against the plain reference, and its invariants, on random territories."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tests.engine.reference import reference_fixed_point
from tousrisques import load_territory
from tousrisques.engine import (
    DAMAGED,
    DISCONNECTED,
    REQUIREMENT,
    Layer,
    Network,
    fixed_point,
)


@st.composite
def territories(draw):
    """Small random territories: groups with alternatives, mutual dependencies, layers with
    or without sources, random damage and groups on backup."""
    n = draw(st.integers(2, 14))
    groups = []
    for owner in range(n):
        for _ in range(draw(st.integers(0, 2))):
            alts = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
            groups.append((owner, alts, 0.0))
    assets = list(range(n))
    draw(st.randoms(use_true_random=False)).shuffle(assets)
    layers = []
    start = 0
    for _ in range(draw(st.integers(0, 2))):
        size = draw(st.integers(0, n - start))
        members = sorted(assets[start:start + size])
        start += size
        edges = []
        if len(members) >= 2:
            pairs = st.tuples(st.sampled_from(members), st.sampled_from(members))
            edges = [(a, b) for a, b in draw(st.lists(pairs, max_size=2 * len(members)))
                     if a != b]
        sources = draw(st.lists(st.booleans(), min_size=len(members), max_size=len(members)))
        layers.append((members, edges, sources))
    damaged = set(draw(st.lists(st.integers(0, n - 1), max_size=n)))
    excused = set(draw(st.lists(st.integers(0, max(len(groups) - 1, 0)), max_size=3))) \
        if groups else set()
    return n, groups, layers, damaged, excused


def build(n, groups, layers):
    return Network.from_lists(n, groups, [Layer.from_edges(f"L{i}", m, e, s)
                                          for i, (m, e, s) in enumerate(layers)])


def excused_mask(net, groups, excused):
    # Network.from_lists orders groups by owner (stable): map the reference's indices
    order = sorted(range(len(groups)), key=lambda k: groups[k][0])
    mask = np.zeros(net.n_groups, bool)
    for pos, k in enumerate(order):
        mask[pos] = k in excused
    return mask


@settings(max_examples=400, deadline=None)
@given(territories())
def test_engine_equals_reference(case) -> None:
    n, groups, layers, damaged, excused = case
    net = build(n, groups, layers)
    d = np.zeros(n, bool)
    d[list(damaged)] = True
    got = fixed_point(net, d, on_backup=excused_mask(net, groups, excused))
    expected = reference_fixed_point(n, groups, layers, damaged, excused)
    assert set(np.nonzero(got.working)[0].tolist()) == expected


@settings(max_examples=300, deadline=None)
@given(territories(), st.lists(st.integers(0, 13), max_size=4))
def test_more_damage_never_makes_more_assets_work(case, more) -> None:
    """Monotone when every layer has a source. A layer without one follows its largest
    component, which is not monotone: when it breaks up, another may become the largest
    (see test_largest_component_rule_is_not_monotone)."""
    n, groups, layers, damaged, _ = case
    layers = [(m, e, [True, *list(s[1:])] if m else []) for m, e, s in layers]
    net = build(n, groups, layers)
    d = np.zeros(n, bool)
    d[list(damaged)] = True
    before = fixed_point(net, d).working
    d[[m for m in more if m < n]] = True
    after = fixed_point(net, d).working
    assert not (after & ~before).any()


@settings(max_examples=200, deadline=None)
@given(territories())
def test_nothing_damaged_keeps_every_satisfiable_asset(case) -> None:
    """With no damage, a territory whose requirements can all be met (here: every group lists
    its own owner's partner in a ring of mutual dependencies) keeps everything working."""
    n = case[0]
    ring = [(i, [(i + 1) % n], 0.0) for i in range(n)] + [((i + 1) % n, [i], 0.0)
                                                         for i in range(n)]
    net = Network.from_lists(n, ring, [Layer.from_edges("all", list(range(n)),
                                                        [(i, (i + 1) % n) for i in range(n)],
                                                        [False] * n)])
    assert fixed_point(net, np.zeros(n, bool)).working.all()


def test_example_territory_healthy_and_after_the_substation_falls() -> None:
    c = load_territory(EXAMPLE).compile()
    net = Network.from_compiled(c)
    ids = c.asset_ids.to_pylist()
    assert fixed_point(net, np.zeros(net.n, bool)).working.all()
    d = np.zeros(net.n, bool)
    d[ids.index("PS-ELBEUF")] = True
    r = fixed_point(net, d)
    down = {ids[i] for i in np.nonzero(~r.working)[0]}
    # the town hall and its server room hold on the generator; the core network has its own
    assert {"MAIRIE", "DC-PV", "GE-MAIRIE", "CORE-RN"}.isdisjoint(down)
    assert {"T-NORD", "T-SUD", "ANT-NORD", "ANT-SUD", "MAIL-PV"} <= down
    t_nord, ant, mail = ids.index("T-NORD"), ids.index("ANT-NORD"), ids.index("MAIL-PV")
    assert r.reason[ids.index("PS-ELBEUF")] == DAMAGED
    assert r.reason[t_nord] == DISCONNECTED and c.layer_names[r.layer[t_nord]] == "power"
    assert r.reason[ant] == REQUIREMENT
    assert [ids[a] for a in c.requires.groups_of(ant)[0][0]] == ["T-NORD"]
    # the mail server fell after the fibre node it needs: the rounds order the cascade
    assert r.reason[mail] == REQUIREMENT and r.round[mail] > r.round[ids.index("NRO-PV")]
    # on backup, the antennas hold
    on_backup = c.requires.backup_s > 0
    held = fixed_point(net, d, on_backup=on_backup)
    assert held.working[ant]


def test_largest_component_rule_is_not_monotone() -> None:
    """Two isolated nodes in a layer without source: node 0's component wins the tie; once
    node 0 is damaged, node 1's component is the largest and works."""
    net = Network.from_lists(2, [], [Layer.from_edges("L", [0, 1], [], [False, False])])
    assert fixed_point(net, np.array([False, False])).working.tolist() == [True, False]
    assert fixed_point(net, np.array([True, False])).working.tolist() == [False, True]
