"""The log of changes: always right, whatever the events (issue 9, item 8).

A down asset's cause is a function of the state at that instant: ``event`` while it is
damaged (naming the event that began its damage), else the rule that removes it first when
the state is computed from every undamaged asset (requirement groups until nothing more
falls, then connectivity; its first group that is not met). A row is written when an asset
changes state, or stays down and its cause changes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import MINIMAL, ROOT
from tests.engine.test_timeline import STEP, STEPS, scenarios
from tousrisques import load_territory
from tousrisques.engine import Layer, Network, explain
from tousrisques.engine._log import (
    CAUSE_BACKUP,
    CAUSE_DISCONNECTED,
    CAUSE_EVENT,
    CAUSE_RECOVERED,
    CAUSE_REQUIREMENT,
    CAUSES,
    DOWN_CAUSES,
)
from tousrisques.engine._timeline import Event, Timeline, outage, run_timeline

H = 3600.0


def rows_of(tl: Timeline, asset: int) -> list[tuple[float, bool, str, int]]:
    k = np.nonzero(tl.log.asset == asset)[0]
    return [(float(tl.log.time_s[i]) / H, bool(tl.log.working[i]), CAUSES[tl.log.cause[i]],
             int(tl.log.ref[i])) for i in k]


def two_layers() -> Network:
    """Power: S (source) — T. Telecom: C (core, source) — A (antenna, needs T, 2 h of
    battery). Assets: S=0, T=1, C=2, A=3."""
    return Network.from_lists(4, [(3, [1], 2 * H)], [
        Layer.from_edges("power", [0, 1], [(0, 1)], [True, False]),
        Layer.from_edges("telecom", [2, 3], [(2, 3)], [True, False])])


def test_a_restore_of_an_asset_down_for_another_reason_writes_no_down_row() -> None:
    net = two_layers()
    tl = run_timeline(net, [Event(H, (0,), "fail", "storm"),
                            Event(4 * H, (3,), "restore", "repair crew")],
                      duration_s=8 * H, step_s=H)
    # the antenna's battery runs out at 3 h; the restore at 4 h changes nothing
    assert rows_of(tl, 3) == [(3.0, False, "backup exhausted", 0)]
    down = ~tl.log.working
    assert not (down & (tl.log.cause == CAUSE_RECOVERED)).any()
    chain = explain(tl, net, 3, 5 * H)
    assert [(c.asset, c.cause) for c in chain] == [(3, "backup exhausted"),
                                                    (1, "disconnected"), (0, "event")]
    assert chain[-1].event == "storm"


def test_a_change_of_reason_while_down_is_logged() -> None:
    """The antenna's battery runs out at 2 h; its core is damaged at 3 h; its power is back
    at 5 h. From 3 h it reads "cut from the core" (the rule that removes it first when the
    state is computed afresh: the cut comes before the requirement that falls with it), and
    never again "backup exhausted" once its power works."""
    net = two_layers()
    tl = run_timeline(net, [Event(0, (0,), "fail", "storm"),
                            Event(3 * H, (2,), "fail", "cyber-attack"),
                            Event(5 * H, (0,), "restore", "repair")],
                      duration_s=8 * H, step_s=H)
    assert rows_of(tl, 3) == [(2.0, False, "backup exhausted", 0),
                              (3.0, False, "disconnected", 1)]
    chain = explain(tl, net, 3, 6 * H)
    assert [(c.asset, c.cause, c.event) for c in chain] == [
        (3, "disconnected", ""), (2, "event", "cyber-attack")]
    # at 2 h 30 the answer is still the battery, back to the storm
    assert [c.asset for c in explain(tl, net, 3, 2.5 * H)] == [3, 1, 0]


def test_a_cause_that_stops_holding_is_replaced() -> None:
    """Cut from the core first; the core comes back while the power is still out: the
    antenna now waits for its power (its battery ran out long ago)."""
    net = two_layers()
    tl = run_timeline(net, [Event(0, (0, 2), "fail", "storm"),
                            Event(4 * H, (2,), "restore", "core repaired")],
                      duration_s=8 * H, step_s=H)
    assert rows_of(tl, 3) == [(0.0, False, "disconnected", 1),
                              (4.0, False, "backup exhausted", 0)]
    assert [c.asset for c in explain(tl, net, 3, 5 * H)] == [3, 1, 0]


def test_a_damaged_asset_that_is_repaired_but_still_down_says_why() -> None:
    net = two_layers()
    tl = run_timeline(net, [Event(H, (0, 3), "fail", "storm"),
                            Event(2 * H, (3,), "restore", "antenna repaired"),
                            Event(6 * H, (0,), "restore", "power back")],
                      duration_s=8 * H, step_s=H)
    # repaired at 2 h, it runs on the battery it has had since 1 h, empty at 3 h
    assert rows_of(tl, 3) == [(1.0, False, "event", 0), (2.0, True, "event", 1),
                              (3.0, False, "backup exhausted", 0),
                              (6.0, True, "recovered", -1)]


def test_an_asset_named_twice_in_one_event_is_damaged_once() -> None:
    net = two_layers()
    tl = run_timeline(net, [Event(H, (0, 0), "fail", "storm: [S, 'S*']"),
                            Event(3 * H, (0,), "restore", "repair")],
                      duration_s=6 * H, step_s=H)
    assert not tl.state_at(2 * H)[0]
    assert tl.state_at(3 * H).all()
    assert rows_of(tl, 0) == [(1.0, False, "event", 0), (3.0, True, "event", 1)]


def test_two_overlapping_damages_each_need_their_restore_and_the_first_is_named() -> None:
    """A storm 1 h–5 h and a cyber-attack 2 h–3 h on the same asset: down 1 h–5 h, named
    after the storm throughout; the same with the attack 2 h–6 h: down until 6 h."""
    net = two_layers()
    nested = run_timeline(net, outage([0], H, 4 * H, "storm") + outage([0], 2 * H, H, "cyber"),
                          duration_s=8 * H, step_s=H)
    assert [bool(nested.state_at(h * H)[0]) for h in range(8)] == \
        [True, False, False, False, False, True, True, True]
    assert [r[:3] for r in rows_of(nested, 0)] == [(1.0, False, "event"),
                                                   (5.0, True, "event")]
    assert nested.events[rows_of(nested, 0)[0][3]].cause == "storm"
    overlap = run_timeline(net, outage([0], H, 2 * H, "storm") + outage([0], 2 * H, 4 * H,
                                                                          "cyber"),
                           duration_s=8 * H, step_s=H)
    assert [bool(overlap.state_at(h * H)[0]) for h in range(8)] == \
        [True, False, False, False, False, False, True, True]
    # two events of one instant on the same asset: two damages, two restores
    both = run_timeline(net, [Event(H, (0,), "fail", "a"), Event(H, (0,), "fail", "b"),
                              Event(2 * H, (0,), "restore", "end of a")],
                        duration_s=4 * H, step_s=H)
    assert not both.state_at(4 * H)[0]


# --- ties between largest components do not depend on the order of the rows ------------

MESH = ["B2", "B1", "M1", "M2", "X1"]


def mesh_territory(folder: Path, order: list[str]) -> Path:
    files = dict(MINIMAL)
    files["territory.yaml"] = files["territory.yaml"].replace(
        "assets/telecom.csv]", "assets/telecom.csv, assets/mesh.csv]\nlayers: [mesh]")
    files["assets/mesh.csv"] = "id,kind,lon,lat,requires,connects,layer\n" + "".join(
        f"{a},site,1.0,49.3,,,mesh\n" for a in order)
    files["links/links.csv"] += "B1,B2,mesh\nM1,M2,mesh\n"
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("order", [MESH, MESH[::-1], ["M2", "X1", "B2", "M1", "B1"]])
def test_a_tie_between_largest_components_goes_to_the_smallest_id(tmp_path, order) -> None:
    c = load_territory(mesh_territory(tmp_path / "t", order)).compile()
    net = Network.from_compiled(c)
    ids = c.asset_ids.to_pylist()
    # at 1 h B1 fails: M1–M2 is the largest component alone
    tl = run_timeline(net, [Event(H, (ids.index("B1"),), "fail", "flood"),
                            Event(2 * H, (ids.index("B1"),), "restore", "repair")],
                      duration_s=3 * H, step_s=H)
    states = [{ids[i] for i in np.nonzero(~tl.working_at(k))[0]} for k in range(4)]
    # B1–B2 and M1–M2 tie: the component of B1, the smallest id in string order, wins
    assert states == [{"M1", "M2", "X1"}, {"B1", "B2", "X1"}, {"M1", "M2", "X1"},
                      {"M1", "M2", "X1"}]


# --- the property: every row right, every explanation without error ----------------------


def reference_reasons(n, groups, layers, damaged, excused):
    """Why each asset is down, the plain way: start from every undamaged asset, remove what
    breaks a rule (requirement groups until nothing more falls, then each layer's
    connectivity), noting for each one the rule that removed it first."""
    graphs = []
    for members, edges, sources in layers:
        g = nx.Graph()
        g.add_nodes_from(members)
        g.add_edges_from(edges)
        graphs.append((g, {m for m, s in zip(members, sources, strict=True) if s}))
    why: dict[int, tuple[str, int]] = {a: ("damaged", -1) for a in damaged}
    working = set(range(n)) - set(damaged)
    while True:
        while True:
            fall = {}
            for k, (owner, alts, _) in enumerate(groups):
                if owner in working and owner not in fall and k not in excused \
                        and not any(a in working for a in alts):
                    fall[owner] = k
            if not fall:
                break
            working -= set(fall)
            why.update({a: ("requirement", k) for a, k in fall.items()})
        cut = {}
        for code, (g, sources) in enumerate(graphs):
            comps = list(nx.connected_components(g.subgraph(x for x in g if x in working)))
            if sources:
                fed = set().union(*(c for c in comps if c & sources)) if comps else set()
            else:
                fed = max(comps, key=lambda c: (len(c), -min(c)), default=set())
            cut.update({a: code for a in g if a in working and a not in fed})
        if not cut:
            return working, why
        working -= set(cut)
        why.update({a: ("disconnected", code) for a, code in cut.items()})


def stepped(n, groups, layers, events, backups):
    """Every STEP: apply the instant's events (each counts once per asset; a damage that
    begins names the first event that caused it), then the reference with its reasons."""
    hits = [0] * n
    began_by = [-1] * n
    lost_since: dict[int, float] = {}
    out = []
    for s in range(STEPS + 1):
        t = s * STEP
        delta = [0] * n
        first_fail: dict[int, int] = {}
        for k, e in enumerate(events):
            if e.time_s == t:
                for a in set(e.assets):
                    delta[a] += 1 if e.action == "fail" else -1
                    if e.action == "fail":
                        first_fail.setdefault(a, k)
        for a in range(n):
            now = max(0, hits[a] + delta[a])
            if now > 0 and hits[a] == 0:
                began_by[a] = first_fail[a]
            hits[a] = now
        damaged = {a for a in range(n) if hits[a] > 0}
        excused = {k for k in range(len(groups))
                   if backups[k] > 0 and (k not in lost_since or t < lost_since[k] + backups[k])}
        working, why = reference_reasons(n, groups, layers, damaged, excused)
        for k, (_, alts, _) in enumerate(groups):
            if any(a in working for a in alts):
                lost_since.pop(k, None)
            else:
                lost_since.setdefault(k, t)
        out.append((working, why, list(began_by)))
    return out


@st.composite
def cases(draw):
    n, groups, layers, events, backups = draw(scenarios())
    if draw(st.booleans()):  # a source in every layer: the incremental path
        layers = [(m, e, [True, *list(s[1:])] if m else []) for m, e, s in layers]
    return n, groups, layers, events, backups


@settings(max_examples=100, deadline=None)
@given(cases())
def test_every_row_of_the_log_is_right_and_explain_never_fails(case) -> None:
    n, groups, layers, events, backups = case
    net = Network.from_lists(n, groups, [Layer.from_edges(f"L{i}", m, e, s)
                                         for i, (m, e, s) in enumerate(layers)])
    tl = run_timeline(net, events, duration_s=STEPS * STEP, step_s=STEP)
    ref = stepped(n, groups, layers, list(tl.events), backups)
    # the network numbers groups by owner (stable sort): the reference's k is at position[k]
    order = sorted(range(len(groups)), key=lambda k: groups[k][0])
    position = {k: pos for pos, k in enumerate(order)}
    # (c) a down row has a down cause, an up row an up cause
    down = ~tl.log.working
    assert np.isin(tl.log.cause[down], DOWN_CAUSES).all()
    assert np.isin(tl.log.cause[~down], [CAUSE_EVENT, CAUSE_RECOVERED]).all()
    for k in np.nonzero(~down & (tl.log.cause == CAUSE_EVENT))[0]:
        assert tl.events[tl.log.ref[k]].action == "restore"
    for s in range(STEPS + 1):
        t = s * STEP
        working, why, began_by = ref[s]
        # (b) the log replayed gives the engine's states, and the reference's
        replayed = tl.state_at(t)
        np.testing.assert_array_equal(replayed, tl.working_at(s))
        assert set(np.nonzero(replayed)[0].tolist()) == working
        for a in range(n):
            # (a) explain returns, and says why each down asset is down
            chain = explain(tl, net, a, t)
            if a in working:
                assert chain == []
                continue
            assert chain and chain[0].asset == a
            assert all(c.cause in ("event", "requirement", "backup exhausted",
                                   "disconnected") for c in chain)
            # (d) the logged cause is the reference's
            k = tl.last_change(a, t)
            cause, r = int(tl.log.cause[k]), int(tl.log.ref[k])
            kind, which = why[a]
            if kind == "damaged":
                assert (cause, r) == (CAUSE_EVENT, began_by[a]), (s, a)
            elif kind == "requirement":
                expected = CAUSE_BACKUP if backups[which] > 0 else CAUSE_REQUIREMENT
                assert (cause, r) == (expected, position[which]), (s, a)
            else:
                assert (cause, r) == (CAUSE_DISCONNECTED, which), (s, a)


# --- the Rouen demo: explain ends in an answer for every asset and time asked ---------


@pytest.mark.slow
def test_explain_on_the_rouen_demo_never_fails() -> None:
    from tousrisques.analysis import explain_actor
    from tousrisques.engine import replay
    from tousrisques.scenario import load_scenario, scenario_plan

    found = sorted(ROOT.glob("examples/rouen/scenarios/tempete.yaml")) or sorted(
        ROOT.glob("src/tousrisques/**/rouen/**/tempete.yaml"))
    if not found:
        pytest.skip("the Rouen storm scenario is not in this checkout")
    s = load_scenario(found[0])
    plan = scenario_plan(s)
    tl = replay(plan, 0)
    net = Network.from_compiled(s.compiled)
    rng = np.random.default_rng(7)
    ever_down = np.unique(tl.log.asset[~tl.log.working])
    assert len(ever_down) > 50
    assets = rng.choice(ever_down, 60, replace=False)
    explained = 0
    for t in tl.times_s[:: max(len(tl.times_s) // 6, 1)]:
        state = tl.state_at(float(t))
        for a in assets.tolist():
            chain = explain(tl, net, a, float(t))
            assert bool(chain) == (not state[a])
            explained += bool(chain)
            # a cause is never later than what it explains: no line damaged at 5 h as the
            # first cause of a substation cut at 4 h
            assert all(c.time_s <= chain[0].time_s for c in chain), \
                [(c.asset, c.time_s) for c in chain if c.time_s > chain[0].time_s]
        for actor in range(0, len(s.compiled.actor_ids), 9):
            explain_actor(s.compiled, tl, net, actor, float(t))
    assert explained > 0
