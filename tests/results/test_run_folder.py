"""A study written to its run folder and read back — on another machine, after its inputs
changed, after its files were tampered with; the representative run; the per-zone and
per-actor-channel shares of a Monte Carlo against runs replayed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import copy_example, write_scenario
from tests.runs import ensemble as run_ensemble
from tousrisques._exceptions import InputError
from tousrisques.analysis import Ensemble, make_study, present_after_mitigations
from tousrisques.engine import Hazard, make_plan, replay
from tousrisques.indicators import compute_indicators
from tousrisques.results import changes_table, read_run, write_run
from tousrisques.scenario import load_scenario, scenario_plan

H = 3600.0


def assert_same_ensemble(a: Ensemble, b: Ensemble) -> None:
    np.testing.assert_array_equal(a.times_s, b.times_s)
    assert a.names == b.names
    np.testing.assert_array_equal(a.values, b.values)  # inf latencies, NaN counts alike
    np.testing.assert_array_equal(a.counts, b.counts)
    assert a.metadata == b.metadata
    assert a.zone_reached is not None and b.zone_reached is not None
    np.testing.assert_array_equal(a.zone_reached, b.zone_reached)
    assert a.actor_channels is not None and b.actor_channels is not None
    np.testing.assert_array_equal(a.actor_channels, b.actor_channels)
    assert (a.zone_ids, a.actor_ids, a.channel_ids, a.broadcast_ids) == \
        (b.zone_ids, b.actor_ids, b.channel_ids, b.broadcast_ids)


@pytest.fixture
def scenarios(tmp_path: Path) -> tuple[Path, Path]:
    folder = copy_example(tmp_path)
    base = folder / "scenarios" / "tempete.yaml"
    text = base.read_text(encoding="utf-8")
    calm = write_scenario(folder, "calme.yaml", text.replace("peak_kmh: 150", "peak_kmh: 100"))
    return base, calm


def test_written_and_read_back_the_study_is_the_same(scenarios: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    base, calm = (load_scenario(p) for p in scenarios)
    study = make_study(base, runs=5, seed=7, other=calm, horizon_s=3 * H)
    assert study.ensemble.metadata["seed"] == "7"
    write_run(study, tmp_path / "run")
    got = read_run(tmp_path / "run")
    back, summary = got.study, got.summary
    assert got.inputs_changed == ()
    assert_same_ensemble(back.ensemble, study.ensemble)
    assert back.run == study.run == summary["representative_run"]
    assert back.run == study.ensemble.representative_run()
    np.testing.assert_array_equal(back.indicators.values, study.indicators.values)
    assert changes_table(back.scenario.compiled, back.timeline).equals(
        changes_table(study.scenario.compiled, study.timeline))
    assert back.criticality is not None and study.criticality is not None
    assert back.criticality.table.equals(study.criticality.table)
    assert (back.criticality.baseline_population, back.criticality.baseline_actors,
            back.criticality.horizon_s) == (study.criticality.baseline_population,
                                            study.criticality.baseline_actors, 3 * H)
    # the scenario compared with, the same way (and no criticality of its own)
    assert back.other is not None and study.other is not None
    assert_same_ensemble(back.other.ensemble, study.other.ensemble)
    assert back.other.run == study.other.run and back.other.criticality is None
    assert summary["other"]["scenario"]["hash"] == calm.content_hash
    assert summary["seed"] == 7 and summary["runs"] == 5


def test_the_representative_run_is_told_with_its_timeline(scenarios: tuple[Path, Path]
                                                          ) -> None:
    s = load_scenario(scenarios[0])
    study = make_study(s, runs=4)
    np.testing.assert_array_equal(study.indicators.values, study.ensemble.values[study.run])
    tl = replay(scenario_plan(s), study.run)
    for k in range(len(tl.times_s)):
        np.testing.assert_array_equal(study.timeline.working_at(k), tl.working_at(k))
    # the criticality is the territory's with the scenario's mitigations in place
    assert study.criticality is not None
    assert present_after_mitigations(s) == []  # the generator is brought at 0 h
    assert study.criticality.table.num_rows == s.compiled.n_assets


def test_inputs_changed_since_the_run_are_named_and_the_copies_used(
        scenarios: tuple[Path, Path], tmp_path: Path) -> None:
    s = load_scenario(scenarios[0])
    study = make_study(s, runs=2)
    write_run(study, tmp_path / "run")
    zones = scenarios[0].parents[1] / "zones" / "population.geojson"
    zones.write_text(zones.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    actors = scenarios[0].parents[1] / "actors.yaml"
    actors.write_text("# a comment added\n" + actors.read_text(encoding="utf-8"),
                      encoding="utf-8")
    got = read_run(tmp_path / "run")
    assert sorted(Path(p).name for p in got.inputs_changed) == ["actors.yaml",
                                                                "population.geojson"]
    np.testing.assert_array_equal(got.study.ensemble.values, study.ensemble.values)


def test_a_summary_from_elsewhere_is_refused(scenarios: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    s = load_scenario(scenarios[0])
    write_run(make_study(s, runs=2), tmp_path / "run")
    path = tmp_path / "run" / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["representative_run"] = (summary["representative_run"] + 1) % 2
    path.write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InputError, match="does not replay the same"):
        read_run(tmp_path / "run")


def _ensemble(series: list[list[float]], name: str = "population_reached:any") -> Ensemble:
    values = np.array(series, dtype=float)[:, None, :]
    return Ensemble(np.arange(values.shape[2]) * H, (name,), values, values * 100)


def test_representative_run_is_the_closest_to_the_median() -> None:
    # the median series, time by time: 1, 0.5, 0.8 — no run follows it exactly
    e = _ensemble([[1, 0.2, 0.2],   # 0.3 + 0.6 away
                   [1, 0.5, 0.9],   # 0.1 away
                   [1, 0.6, 0.7],   # 0.2 away
                   [1, 0.9, 1.0],   # 0.6 away
                   [1, 0.4, 0.8]])  # 0.1 away: a tie, the first one wins
    assert e.representative_run() == 1
    np.testing.assert_array_equal(e.stat("population_reached:any", "p50"), [1, 0.5, 0.8])
    # an even number of runs: the lower of the two middle values is the median
    e = _ensemble([[0.0, 0.0], [0.4, 0.4], [0.6, 0.6], [1.0, 1.0]])
    assert e.representative_run() == 1
    # a run with missing values is far from everything
    e = _ensemble([[np.nan, 0.5], [0.5, 0.5], [0.4, 0.4]])
    assert e.representative_run() == 1
    # by another indicator
    e = _ensemble([[5.0, 1.0], [3.0, 3.0], [1.0, 5.0]], name="actors_connected")
    assert e.representative_run("actors_connected") == 1
    with pytest.raises(ValueError):
        e.representative_run()  # no population_reached:any in it


def test_shares_are_the_mean_of_the_runs_replayed_by_hand(tmp_path: Path) -> None:
    s = load_scenario(copy_example(tmp_path) / "scenarios" / "tempete.yaml")
    c = s.compiled
    hazards = [Hazard(2 * H, np.full(c.n_assets, 0.35), "storm")]
    kw = {"hazards": hazards, "seed": 5, "duration_s": 10 * H, "step_s": H,
          "events": s.events, "absent": s.absent}
    runs = 6
    ens = run_ensemble(c, runs=runs, **kw)
    plan = make_plan(c, **kw)  # type: ignore[arg-type]
    by_hand = [compute_indicators(c, replay(plan, r)) for r in range(runs)]
    zone = np.mean([ind.zone_reached for ind in by_hand], axis=0)
    actor = np.mean([ind.actor_channels for ind in by_hand], axis=0)
    assert ens.zone_reached is not None and ens.actor_channels is not None
    np.testing.assert_allclose(ens.zone_reached, zone)
    np.testing.assert_allclose(ens.actor_channels, actor)
    # they vary: some zones and channels are lost in some runs, not in all
    assert ((zone > 0) & (zone < 1)).any() and ((actor > 0) & (actor < 1)).any()
    # the labels: broadcast channels in the territory's order, then "any"
    broadcast = [str(x) for x in c.channel_ids[c.channel_broadcast].tolist()]
    assert ens.broadcast_ids == (*broadcast, "any")
    assert ens.zone_ids == tuple(str(z) for z in c.zone_ids.to_pylist())
    assert ens.actor_ids == tuple(str(a) for a in c.actor_ids.tolist())
    # a zone reached by any channel in a run is reached by one of them in that run
    for ind in by_hand:
        assert ind.zone_reached is not None
        np.testing.assert_array_equal(ind.zone_reached[:, -1],
                                      ind.zone_reached[:, :-1].any(axis=1))
    # the shares match the indicators: population reached by any, run by run, on average
    reached = np.mean([ind.count("population_reached:any") for ind in by_hand], axis=0)
    np.testing.assert_allclose(ens.zone_reached[:, -1] @ c.population, reached)
    # the same on two workers
    two = run_ensemble(c, runs=runs, workers=2, **kw)
    np.testing.assert_array_equal(two.zone_reached, ens.zone_reached)
    np.testing.assert_array_equal(two.actor_channels, ens.actor_channels)
