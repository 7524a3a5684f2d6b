"""Criticality as a crisis manager reads it: the cost per channel checked against the engine
run with the asset removed, actors cut off from the cell they report to, fallback sites, the
ranking by severity (platforms and crisis cells first when their loss is that large), names
and communes beside the ids, and the sections of one feeder as one line."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.conftest import EXAMPLE, ROOT
from tests.runs import simulate
from tousrisques import load_territory
from tousrisques.analysis import Criticality, criticality, present_after_mitigations
from tousrisques.analysis._criticality_groups import group_heads, zone_labels
from tousrisques.engine import Event
from tousrisques.indicators import snapshot
from tousrisques.scenario import Scenario, load_scenario
from tousrisques.territory import CompiledTerritory, Territory
from tousrisques.territory.synthetic import write_synthetic

FOREVER = 1e9
ROUEN_STORM = ROOT / "examples" / "rouen" / "scenarios" / "tempete.yaml"


def _settled(c: CompiledTerritory, lost: int | None) -> tuple[dict[str, float], int, int]:
    """The engine's timeline run until every backup has run out, ``lost`` failed at 0:
    people reached per broadcast channel (its indicators), actors able to reach a crisis
    cell, and actors cut off (that, or a command link to the one they report to broken)."""
    events = [] if lost is None else [Event(0.0, (lost,), "fail", "loss")]
    result, tl = simulate(c, events, duration_s=FOREVER, step_s=FOREVER)
    ind = result.indicators
    reach = {ch: float(ind.count(f"population_reached:{ch}")[-1])
             for ch in c.channel_ids[c.channel_broadcast].tolist()}
    working = tl.working_at(1)
    snap = snapshot(c, working, tl.owners_ok["zones"][1], tl.owners_ok["channels"][1])
    cut = ~np.isfinite(snap.latency)
    a, b = c.reports_to[:, 0], c.reports_to[:, 1]
    cut[a[snap.component[a] != snap.component[b]]] = True
    return reach, int(ind.count("actors_connected")[-1]), int(cut.sum())


@pytest.fixture(scope="module")
def town() -> tuple[Territory, CompiledTerritory]:
    t = load_territory(EXAMPLE)
    return t, t.compile()


@pytest.fixture(scope="module")
def rouen() -> tuple[Scenario, Criticality]:
    if not ROUEN_STORM.exists():
        pytest.skip("the Rouen sample is not in examples/rouen")
    s = load_scenario(ROUEN_STORM)
    return s, criticality(s.compiled, absent=present_after_mitigations(s),
                          territory=s.territory)


def test_the_cost_per_channel_is_the_engine_run_without_the_asset(
        town: tuple[Territory, CompiledTerritory], tmp_path) -> None:
    write_synthetic(tmp_path / "t", n_assets=150, seed=5)
    syn = load_territory(tmp_path / "t").compile()
    for c in (town[1], syn):
        got = {r["asset"]: r for r in criticality(c).table.to_pylist()}
        reach, connected, cut = _settled(c, None)
        ids = c.asset_ids.to_pylist()
        some = 0
        for a in range(c.n_assets):
            r = got[ids[a]]
            after, conn, cut_a = _settled(c, a)
            for ch, people in reach.items():
                assert r[f"population_lost:{ch}"] == pytest.approx(people - after[ch]), \
                    (ids[a], ch)
            assert r["actors_cut"] == connected - conn
            assert r["actors_cut_off"] == cut_a - cut, ids[a]
            some += r["actors_cut_off"] > r["actors_cut"]
        main = criticality(c).main_channel
        assert main is not None and all(
            r["main_lost"] == r[f"population_lost:{main}"] for r in got.values())
        assert all(r["severity"] == pytest.approx(max(
            r["main_share"], r["actors_cut_off"] / len(c.actor_ids))) for r in got.values())
    assert some >= 0


def test_the_main_channel_is_the_one_reaching_most_in_the_healthy_state(
        town: tuple[Territory, CompiledTerritory]) -> None:
    c = town[1]
    reach, _, _ = _settled(c, None)
    cr = criticality(c)
    assert cr.baseline_main == max(reach.values()) == reach[cr.main_channel]
    other = next(ch for ch in reach if ch != cr.main_channel)
    forced = criticality(c, main_channel=other)
    assert forced.main_channel == other and forced.baseline_main == reach[other]
    assert all(r["main_lost"] == r[f"population_lost:{other}"]
               for r in forced.table.to_pylist())
    with pytest.raises(ValueError, match="broadcast"):
        criticality(c, main_channel="nope")


def test_the_crisis_cell_site_and_the_platform_rank_first_in_the_town(
        town: tuple[Territory, CompiledTerritory]) -> None:
    """The town hall hosts the crisis cell every actor reports to: its loss cuts them all
    off; the FR-Alert platform carries the main alert to everyone it reaches."""
    t, c = town
    cr = criticality(c, territory=t)
    heads = cr.heads().to_pylist()
    assert heads[0]["asset"] == "MAIRIE" and heads[0]["actors_cut_off"] == len(c.actor_ids)
    platform = next(r for r in cr.table.to_pylist() if r["asset"] == "FR-ALERT")
    assert platform["main_lost"] == cr.baseline_main > 0
    assert platform["population_lost"] == 0  # the siren still reaches them: any-channel says 0
    first = [r["asset"] for r in heads[:8]]
    assert platform["group"] in first


def test_fr_alert_platform_leads_the_rouen_ranking(rouen: tuple[Scenario, Criticality]) -> None:
    _, cr = rouen
    assert cr.main_channel == "fr-alert"
    head = cr.heads(1).to_pylist()[0]
    assert head["asset"] == "FR-ALERT" and head["main_lost"] == cr.baseline_main
    assert head["main_share"] > 0.9
    # by any channel it costs nobody: the old ranking put it thousands of lines down
    old = criticality(rouen[0].compiled, absent=present_after_mitigations(rouen[0]),
                      by="population")
    assert old.table.column("asset").to_pylist().index("FR-ALERT") > 1000


def test_one_feeder_is_one_line(rouen: tuple[Scenario, Criticality]) -> None:
    s, cr = rouen
    rows = cr.table.to_pylist()
    by_feeder: dict[str, set[str]] = {}
    for r in rows:
        if r["feeder"]:
            by_feeder.setdefault(r["feeder"], set()).add(r["group"])
    assert len(by_feeder) > 20
    assert all(len(groups) == 1 for groups in by_feeder.values())
    heads = cr.heads(20).to_pylist()
    feeders = [f for r in heads for f in {x["feeder"] for x in rows
                                          if x["group"] == r["asset"]} if f]
    assert len(feeders) == len(set(feeders))  # no feeder twice in the top 20
    # the group's line carries the worst of its members, and counts them all
    for r in heads:
        members = [x for x in rows if x["group"] == r["asset"]]
        assert len(members) == r["group_size"]
        assert r["severity"] == max(x["severity"] for x in members)
    # a feeder's sections and transformers: lines and the transformers only it touches
    a = s.territory.assets
    feeder = a.attrs["feeder"]
    d = next(f for f in by_feeder if f == rows[[r["kind"] for r in rows].index("line")]
             ["feeder"])
    ranked = {r["asset"] for r in rows}  # an open tie switch is absent: not ranked
    lines = [i for i in range(len(a)) if feeder[i] == d and a.id_of(i) in ranked]
    ends = {int(e) for i in lines for e in a.connects[i]} - set(np.nonzero(a.source)[0])
    in_group = {x["asset"] for x in rows if x["group"] == next(iter(by_feeder[d]))}
    assert {a.id_of(i) for i in lines} <= in_group
    assert {a.id_of(e) for e in ends} <= in_group


def test_names_and_communes_beside_the_ids(rouen: tuple[Scenario, Criticality]) -> None:
    s, cr = rouen
    t = s.territory
    labels = zone_labels(t)
    zones = np.array(t.zones.geometry, dtype=object)
    names = t.assets.attrs["name"]
    checked = 0
    for r in cr.heads(30).to_pylist():
        i = t.assets.row_of(r["asset"])
        assert r["name"] == (str(names[i]) if names[i] else "")
        if np.isfinite(t.assets.lon[i]):
            p = shapely.Point(t.assets.lon[i], t.assets.lat[i])
            inside = [z for z, g in enumerate(zones) if g is not None and g.intersects(p)]
            if inside:
                assert r["commune"] == labels[inside[0]]
                checked += 1
        else:
            assert r["commune"] == "" or t.assets.connects[i, 0] >= 0
    assert checked >= 5
    assert labels[0] != t.zones.ids[0].as_py()  # a commune's name, not a zone id


def test_a_fallback_site_takes_over_when_the_loss_lasts(rouen: tuple[Scenario,
                                                                     Criticality]) -> None:
    """The COD works from REPLI-COD 2 h after the préfecture is lost: a loss of one hour
    costs FR-Alert (only the préfecture triggers it), a lasting one does not."""
    s, lasting = rouen
    short = criticality(s.compiled, absent=present_after_mitigations(s), horizon_s=3600.0,
                        candidates=[s.territory.assets.row_of("PREFECTURE")])
    row = short.table.to_pylist()[0]
    assert row["main_lost"] == short.baseline_main
    long = next(r for r in lasting.table.to_pylist() if r["asset"] == "PREFECTURE")
    assert long["main_lost"] == 0


def test_group_heads_join_same_consequence_and_same_feeder() -> None:
    keys = np.array([9, 0, 9, 4, 0, 4, 0])
    feeders = np.array(["", "A", "", "", "A", "B", ""], dtype=object)
    heads = group_heads(keys, feeders).tolist()
    assert heads == [0, 1, 0, 3, 1, 3, 6]
    assert group_heads(np.zeros(3, np.int64), np.array(["", "", ""], dtype=object)).tolist() \
        == [0, 1, 2]


def test_workers_give_the_same_groups(tmp_path) -> None:
    write_synthetic(tmp_path / "t", n_assets=300, seed=2)
    t = load_territory(tmp_path / "t")
    c = t.compile()
    one = criticality(c, territory=t)
    two = criticality(c, territory=t, workers=2)
    assert one.table.equals(two.table)
    assert one.heads().num_rows < one.table.num_rows  # some assets fall together
