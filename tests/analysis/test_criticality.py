"""Criticality of single losses, checked against a brute force that plays each loss through
the engine's timeline and indicators until every backup has run out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.conftest import EXAMPLE, MINIMAL, MakeTerritory
from tests.runs import simulate
from tousrisques import load_territory
from tousrisques.analysis import criticality
from tousrisques.engine import Event
from tousrisques.territory import CompiledTerritory, Requirements
from tousrisques.territory.synthetic import write_synthetic

H = 3600.0
FOREVER = 1e9  # seconds: past every backup of these territories


def _held_for(req: Requirements, horizon_s: float | None) -> Requirements:
    """A loss that lasts ``horizon_s``: a group whose backup outlasts it holds for good, any
    other has no backup at all (``None``: the backups as they are, run out by FOREVER)."""
    if horizon_s is None:
        return req
    return dataclasses.replace(req, backup_s=np.where(req.backup_s > horizon_s, 10 * FOREVER,
                                                      0.0))


def brute_force(c: CompiledTerritory, *, horizon_s: float | None = None,
                absent: tuple[int, ...] = ()) -> tuple[float, float, dict[str, tuple]]:
    """Baseline reach and connected actors, and for each present asset what its loss at
    time 0 costs once everything has settled: (people, actors, assets down)."""
    c = dataclasses.replace(c, requires=_held_for(c.requires, horizon_s),
                            zone_requires=_held_for(c.zone_requires, horizon_s),
                            channel_requires=_held_for(c.channel_requires, horizon_s))

    def settle(events: list[Event]) -> tuple[float, float, np.ndarray]:
        result, tl = simulate(c, events, duration_s=FOREVER, step_s=FOREVER, absent=absent)
        ind = result.indicators
        return (ind.count("population_reached:any")[-1], ind.count("actors_connected")[-1],
                tl.working_at(1))

    pop, actors, working = settle([])
    ids = c.asset_ids.to_pylist()
    out = {}
    for a in range(c.n_assets):
        if a in absent:
            continue
        p, n, w = settle([Event(0.0, (a,), "fail", "loss")])
        out[ids[a]] = (pop - p, actors - n, int((working & ~w).sum()))
    return pop, actors, out


def _as_dict(table) -> dict[str, tuple]:
    return {r["asset"]: (r["population_lost"], r["actors_cut"], r["assets_down"])
            for r in table.to_pylist()}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> CompiledTerritory:
    folder = tmp_path_factory.mktemp("syn") / "t"
    write_synthetic(folder, n_assets=120, seed=3)
    return load_territory(folder).compile()


@pytest.fixture(scope="module")
def example() -> CompiledTerritory:
    return load_territory(EXAMPLE).compile()


def _no_power_source(make_territory: MakeTerritory) -> CompiledTerritory:
    """The minimal territory whose power layer declares no source: the largest component
    of working power assets feeds it (the loss of a cut vertex is then not monotone)."""
    power = MINIMAL["assets/power.geojson"].replace('"source": true', '"source": false')
    return load_territory(make_territory(**{"assets/power.geojson": power})).compile()


@pytest.mark.parametrize("horizon_h", [None, 1.0, 3.0, 5.0])
def test_matches_brute_force_on_the_example(example: CompiledTerritory,
                                            horizon_h: float | None) -> None:
    horizon = None if horizon_h is None else horizon_h * H
    got = criticality(example, horizon_s=horizon)
    pop, actors, expected = brute_force(example, horizon_s=horizon)
    assert got.baseline_population == pop and got.baseline_actors == actors
    assert _as_dict(got.table) == expected
    assert got.table.num_rows == example.n_assets


@pytest.mark.parametrize("horizon_h", [None, 2.5])
def test_matches_brute_force_on_a_synthetic_territory(synthetic: CompiledTerritory,
                                                      horizon_h: float | None) -> None:
    horizon = None if horizon_h is None else horizon_h * H
    got = criticality(synthetic, horizon_s=horizon)
    pop, actors, expected = brute_force(synthetic, horizon_s=horizon)
    assert (got.baseline_population, got.baseline_actors) == (pop, actors)
    assert _as_dict(got.table) == expected
    assert any(v[0] > 0 for v in expected.values())  # some losses cost people


def test_matches_brute_force_without_a_source(make_territory: MakeTerritory) -> None:
    c = _no_power_source(make_territory)
    assert not all(g.sources.any() for g in c.layers)
    got = criticality(c)
    pop, actors, expected = brute_force(c)
    assert (got.baseline_population, got.baseline_actors) == (pop, actors)
    assert _as_dict(got.table) == expected


def test_absent_assets_are_neither_ranked_nor_working(example: CompiledTerritory) -> None:
    ids = example.asset_ids.to_pylist()
    absent = (ids.index("GE-MAIRIE"),)
    got = criticality(example, absent=absent)
    assert "GE-MAIRIE" not in _as_dict(got.table)
    pop, actors, expected = brute_force(example, absent=absent)
    assert (got.baseline_population, got.baseline_actors) == (pop, actors)
    assert _as_dict(got.table) == expected
    # without its generator, the town hall hangs on the north transformer alone
    assert _as_dict(got.table)["T-NORD"][1] > _as_dict(criticality(example).table)["T-NORD"][1]


BACKUP = {"assets/telecom.csv": """\
id,kind,lon,lat,requires,connects
CORE,core,1.02,49.32,,
A1,antenna,1.011,49.311,T1@2h,
SITE,site,1.012,49.312,,
""", "zones.geojson": """\
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "Z1", "population": 1000},
  "geometry": {"type": "Polygon", "coordinates": [[[1.0, 49.3], [1.02, 49.3], [1.02, 49.32],
   [1.0, 49.32], [1.0, 49.3]]]}}
]}
"""}


@pytest.mark.parametrize(("horizon_h", "held"), [(1.0, True), (1.99, True), (2.0, False),
                                                 (3.0, False), (None, False)])
def test_a_backup_longer_than_the_horizon_holds(make_territory: MakeTerritory,
                                                horizon_h: float | None, held: bool) -> None:
    """The antenna runs two hours on its battery: a loss of power shorter than that costs
    nothing but the transformer; a longer one costs the alert and the mayor's mobile."""
    c = load_territory(make_territory(**BACKUP)).compile()
    horizon = None if horizon_h is None else horizon_h * H
    got = _as_dict(criticality(c, horizon_s=horizon).table)
    assert criticality(c, horizon_s=horizon).baseline_population == 1000
    assert got["T1"] == ((0.0, 0, 1) if held else (1000.0, 1, 2))
    assert got["A1"] == (1000.0, 1, 1)  # losing the antenna itself costs it whatever
    assert got["CORE"] == (1000.0, 1, 2)  # the antenna, cut from its core, with it
    assert _as_dict(criticality(c, horizon_s=horizon).table) == \
        brute_force(c, horizon_s=horizon)[2]
    # the timeline agrees: power lost at 0, the antenna still up at the horizon if it held
    if horizon is not None:
        ids = c.asset_ids.to_pylist()
        _, tl = simulate(c, [Event(0.0, (ids.index("T1"),), "fail", "loss")],
                         duration_s=horizon, step_s=horizon)
        assert bool(tl.working_at(1)[ids.index("A1")]) == held


@pytest.mark.parametrize("horizon_h", [None, 3.0])
def test_sharing_evaluations_never_changes_a_result(example: CompiledTerritory,
                                                    synthetic: CompiledTerritory,
                                                    horizon_h: float | None) -> None:
    """Losses that put down the same relevant assets share one evaluation of reach and
    talk; each loss evaluated alone gives the same figures."""
    horizon = None if horizon_h is None else horizon_h * H
    for c in (example, synthetic):
        together = _as_dict(criticality(c, horizon_s=horizon).table)
        alone: dict[str, tuple] = {}
        for a in range(c.n_assets):
            alone |= _as_dict(criticality(c, horizon_s=horizon, candidates=[a]).table)
        assert together == alone


def test_ranking_order_and_columns(example: CompiledTerritory) -> None:
    by_pop = criticality(example, by="population").table
    broadcast = example.channel_ids[example.channel_broadcast].tolist()
    assert by_pop.column_names == ["rank", "asset", "name", "kind", "commune", "feeder",
                                   "group", "group_size", "severity", "main_lost",
                                   "main_share", "actors_cut_off", "actors_cut",
                                   "population_lost", "population_share", "assets_down",
                                   *(f"population_lost:{ch}" for ch in broadcast)]
    rows = by_pop.to_pylist()
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    keys = [(r["population_lost"], r["actors_cut"], r["assets_down"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    total = float(example.population.sum())
    assert all(r["population_share"] == pytest.approx(r["population_lost"] / total)
               for r in rows)
    by_actors = criticality(example, by="actors")
    keys = [(r["actors_cut"], r["population_lost"], r["assets_down"])
            for r in by_actors.table.to_pylist()]
    assert keys == sorted(keys, reverse=True)
    assert by_actors.top(3).num_rows == 3
    assert _as_dict(by_actors.table) == _as_dict(by_pop)
    for by, keys in (("severity", ("severity", "main_lost", "actors_cut_off",
                                   "population_lost", "assets_down")),
                     ("main", ("main_lost", "actors_cut_off", "population_lost",
                               "assets_down"))):
        got = [tuple(r[k] for k in keys) for r in criticality(example, by=by).table.to_pylist()]
        assert got == sorted(got, reverse=True), by
    # every asset's own loss counts it down
    assert all(r["assets_down"] >= 1 for r in rows)


def test_candidates_limit_the_ranking(example: CompiledTerritory) -> None:
    ids = example.asset_ids.to_pylist()
    picked = [ids.index("PS-ELBEUF"), ids.index("ANT-NORD")]
    got = criticality(example, candidates=picked)
    assert sorted(got.table.column("asset").to_pylist()) == ["ANT-NORD", "PS-ELBEUF"]
    whole = _as_dict(criticality(example).table)
    assert _as_dict(got.table) == {k: whole[k] for k in ("ANT-NORD", "PS-ELBEUF")}


def test_processes_share_the_work_and_change_nothing(synthetic: CompiledTerritory) -> None:
    one = criticality(synthetic, horizon_s=3 * 3600.0)
    two = criticality(synthetic, horizon_s=3 * 3600.0, workers=2)
    assert one.table.equals(two.table)
    assert (one.baseline_population, one.baseline_actors) == \
        (two.baseline_population, two.baseline_actors)


@pytest.mark.parametrize("seed", range(4))
def test_single_losses_are_what_a_graph_search_finds(tmp_path, seed: int) -> None:
    """The cut members found once by the depth-first search equal, for every member, a
    fresh search of the layer without it (meshed and tree-like layers, some damage)."""
    from tousrisques.analysis._criticality import _single_losses
    from tousrisques.engine import Network, connected_to_source, fixed_point

    write_synthetic(tmp_path / "t", n_assets=300, seed=seed, link_factor=0.4 * seed)
    c = load_territory(tmp_path / "t").compile()
    net = Network.from_compiled(c)
    damaged = np.random.default_rng(seed).random(net.n) < 0.05
    base = fixed_point(net, damaged).working
    checked = 0
    for layer in net.layers:
        fed = base[layer.members]
        losses = _single_losses(layer, fed)
        for v in range(len(layer.members)):
            w = fed.copy()
            w[v] = False
            expected = np.nonzero(fed & ~connected_to_source(layer, w))[0]
            assert sorted(losses[v]) == expected.tolist(), (layer.name, v)
            checked += 1
    assert checked > 100
