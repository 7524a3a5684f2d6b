"""The event-driven timeline against a plain time-stepped simulation, and the causes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tests.engine.reference import reference_fixed_point
from tests.engine.test_fixedpoint import build, territories
from tousrisques import load_territory
from tousrisques.engine import Network
from tousrisques.engine._explain import explain
from tousrisques.engine._log import CAUSES
from tousrisques.engine._timeline import Event, run_timeline

STEP = 600.0


def stepped_reference(n, groups, layers, events, steps, backups):
    """Every STEP seconds: apply the events of that instant, then the reference fixed point
    with the groups whose backup still runs excused; the plain way to read DESIGN §3."""
    hits = [0] * n  # each damage needs its own restore; an instant's events count together
    lost_since: dict[int, float] = {}
    states = []
    for s in range(steps + 1):
        t = s * STEP
        delta = [0] * n
        for e in events:
            if e.time_s == t:
                for a in set(e.assets):  # an event damages or restores an asset once
                    delta[a] += 1 if e.action == "fail" else -1
        hits = [max(0, h + d) for h, d in zip(hits, delta, strict=True)]
        damaged = {a for a in range(n) if hits[a] > 0}
        excused = {k for k in range(len(groups))
                   if backups[k] > 0 and (k not in lost_since or t < lost_since[k] + backups[k])}
        working = reference_fixed_point(n, groups, layers, damaged, excused)
        for k, (_, alts, _) in enumerate(groups):
            if any(a in working for a in alts):
                lost_since.pop(k, None)
            else:
                lost_since.setdefault(k, t)
        states.append(working)
    return states


@st.composite
def scenarios(draw):
    n, groups, layers, _, _ = draw(territories())
    backups = [draw(st.sampled_from([0.0, 0.0, STEP, 3 * STEP, 5 * STEP])) for _ in groups]
    groups = [(o, a, b) for (o, a, _), b in zip(groups, backups, strict=True)]
    events = []
    for _ in range(draw(st.integers(0, 6))):
        t = draw(st.integers(0, 10)) * STEP
        assets = tuple(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3)))
        events.append(Event(t, assets, draw(st.sampled_from(["fail", "restore"])), "test"))
    return n, groups, layers, events, backups


STEPS = 14


def timeline_and_reference(n, groups, layers, events, backups):
    """The engine's timeline and the stepped reference's states, on the same case."""
    tl = run_timeline(build(n, groups, layers), events, duration_s=STEPS * STEP, step_s=STEP)
    # the reference numbers groups as given; the network sorts them by owner (stable)
    expected = stepped_reference(n, groups, layers,
                                 sorted(events, key=lambda e: e.time_s), STEPS, backups)
    return tl, expected


@settings(max_examples=250, deadline=None)
@given(scenarios())
def test_timeline_equals_a_time_stepped_reference(case) -> None:
    tl, expected = timeline_and_reference(*case)
    for s in range(STEPS + 1):
        got = set(np.nonzero(tl.working_at(s))[0].tolist())
        assert got == expected[s], f"at step {s}"
        assert set(np.nonzero(tl.state_at(s * STEP))[0].tolist()) == expected[s]


def test_storm_on_the_example_batteries_run_out_then_repair() -> None:
    c = load_territory(EXAMPLE).compile()
    net = Network.from_compiled(c)
    ids = c.asset_ids.to_pylist()
    ps = ids.index("PS-ELBEUF")
    tl = run_timeline(net, [Event(3600, (ps,), "fail", "storm"),
                            Event(10 * 3600, (ps,), "restore", "repair")],
                      duration_s=24 * 3600, step_s=1800)

    def down_at(name: str) -> float:
        k = np.nonzero((tl.log.asset == ids.index(name)) & ~tl.log.working)[0]
        return float(tl.log.time_s[k[0]]) / 3600

    # batteries: the antenna kind's 2 h (territory.yaml), T-SUD@4h in telecom.csv, 6 h siren
    assert down_at("T-NORD") == 1.0
    assert down_at("ANT-NORD") == 3.0
    assert down_at("ANT-SUD") == 5.0
    assert down_at("SIR-CENTRE") == 7.0
    assert tl.state_at(10 * 3600).all()  # the repair brings everything back
    log_causes = {(ids[a], CAUSES[c]) for a, c in zip(tl.log.asset, tl.log.cause,
                                                      strict=True)}
    assert ("ANT-NORD", "backup exhausted") in log_causes
    assert ("T-NORD", "disconnected") in log_causes
    assert ("PS-ELBEUF", "event") in log_causes
    assert ("MAIL-PV", "recovered") in log_causes
    # the state is recomputed at events and timer expiries only, not at every step
    assert tl.computations < 12


def test_explain_walks_back_to_the_event() -> None:
    c = load_territory(EXAMPLE).compile()
    net = Network.from_compiled(c)
    ids = c.asset_ids.to_pylist()
    ps = ids.index("PS-ELBEUF")
    tl = run_timeline(net, [Event(3600, (ps,), "fail", "storm Ciarán")],
                      duration_s=12 * 3600, step_s=3600)
    chain = explain(tl, net, ids.index("MAIL-PV"), 6 * 3600)
    assert [ids[c.asset] for c in chain] == ["MAIL-PV", "NRO-PV", "T-NORD", "L-NORD",
                                              "PS-ELBEUF"]
    assert [c.cause for c in chain] == ["requirement", "backup exhausted", "disconnected",
                                        "disconnected", "event"]
    assert chain[-1].event == "storm Ciarán" and chain[-1].time_s == 3600
    assert [ids[b] for b in chain[1].because] == ["T-NORD"]
    assert explain(tl, net, ids.index("MAIL-PV"), 2 * 3600) == []  # still on backup then


def test_absent_assets_arrive_with_their_mitigation() -> None:
    c = load_territory(EXAMPLE).compile()
    net = Network.from_compiled(c)
    ids = c.asset_ids.to_pylist()
    ge, ps, mairie = ids.index("GE-MAIRIE"), ids.index("PS-ELBEUF"), ids.index("MAIRIE")
    tl = run_timeline(net, [Event(0, (ps,), "fail", "storm"),
                            Event(6 * 3600, (ge,), "restore", "mitigation: generator")],
                      duration_s=12 * 3600, step_s=3600, absent=[ge])
    assert not tl.state_at(0)[mairie] and not tl.state_at(5 * 3600)[mairie]
    assert tl.state_at(6 * 3600)[mairie]
    k = tl.last_change(mairie, 6 * 3600)
    assert CAUSES[tl.log.cause[k]] == "recovered"


@settings(max_examples=250, deadline=None)
@given(scenarios())
def test_incremental_timeline_with_sources_equals_the_reference(case) -> None:
    """With a source in every layer the timeline keeps connectivity incrementally (the
    spanning forests); it must still agree with the time-stepped reference."""
    n, groups, layers, events, backups = case
    layers = [(m, e, [True, *list(s[1:])] if m else []) for m, e, s in layers]
    tl, expected = timeline_and_reference(n, groups, layers, events, backups)
    for s in range(STEPS + 1):
        assert set(np.nonzero(tl.working_at(s))[0].tolist()) == expected[s], f"at step {s}"


def test_incremental_equals_full_recomputation_on_a_synthetic_territory(tmp_path) -> None:
    from tousrisques.territory.synthetic import write_synthetic

    write_synthetic(tmp_path / "t", n_assets=20_000, seed=4, link_factor=1.0)
    c = load_territory(tmp_path / "t").compile()
    net = Network.from_compiled(c)
    rng = np.random.default_rng(9)
    events = []
    for k in range(30):
        t = float(rng.integers(0, 36)) * 1800
        rows = tuple(rng.choice(net.n, int(rng.integers(1, 400)), replace=False).tolist())
        events.append(Event(t, rows, "fail", f"hit {k}"))
        events.append(Event(t + float(rng.integers(1, 20)) * 1800, rows, "restore", "repair"))
    fast = run_timeline(net, events, duration_s=48 * 3600, step_s=1800)
    slow = run_timeline(net, events, duration_s=48 * 3600, step_s=1800, incremental=False)
    np.testing.assert_array_equal(fast.snapshots, slow.snapshots)
    assert len(fast.log) == len(slow.log)
    np.testing.assert_array_equal(fast.log.cause, slow.log.cause)
