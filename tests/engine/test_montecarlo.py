"""Monte Carlo: reproducible whatever the workers, statistics that match the runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tests.runs import ensemble as run_ensemble
from tests.runs import simulate
from tousrisques import load_territory
from tousrisques.engine import Draws, Event, Hazard

H = 3600.0


@pytest.fixture(scope="module")
def compiled():
    return load_territory(EXAMPLE).compile()


def _storm(c, p: float = 0.3):
    return [Hazard(H, np.full(c.n_assets, p), "storm")]


def test_same_seed_same_results_whatever_the_workers(compiled) -> None:
    kw = {"hazards": _storm(compiled), "runs": 24, "seed": 11, "duration_s": 12 * H,
          "step_s": H, "draws": Draws(repair_beta=0.4, backup_beta=0.3)}
    one = run_ensemble(compiled, workers=1, **kw)
    two = run_ensemble(compiled, workers=2, **kw)
    np.testing.assert_array_equal(one.values, two.values)
    np.testing.assert_array_equal(one.counts, two.counts)
    other = run_ensemble(compiled, workers=1, **{**kw, "seed": 12})
    assert not np.array_equal(one.values, other.values)
    # the runs differ from one another: damage is drawn
    assert len({v.tobytes() for v in one.values}) > 1


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(compiled) -> None:
    kw = {"hazards": _storm(compiled), "runs": 8, "seed": 5, "duration_s": 6 * H,
          "step_s": H}
    local = run_ensemble(compiled, workers=1, **kw)
    on_dask = run_ensemble(compiled, dask="local", **kw)
    np.testing.assert_array_equal(local.values, on_dask.values)


def test_statistics_match_the_runs(compiled) -> None:
    e = run_ensemble(compiled, hazards=_storm(compiled, 0.5), runs=41, seed=2,
                     duration_s=12 * H, step_s=H)
    name = "population_reached:any"
    runs = e.values[:, e.names.index(name)]
    np.testing.assert_allclose(e.stat(name, "mean"), runs.mean(axis=0))
    p10, p50, p90 = (e.stat(name, q) for q in ("p10", "p50", "p90"))
    assert (p10 <= p50).all() and (p50 <= p90).all()
    # with 41 runs, the median is the 21st value of each time's sorted runs
    np.testing.assert_array_equal(p50, np.sort(runs, axis=0)[20])
    assert np.isclose(p10[0], runs[0, 0])  # nothing happens before the storm at 1 h


def test_no_damage_gives_the_deterministic_run(compiled) -> None:
    ids = compiled.asset_ids.to_pylist()
    ps = ids.index("PS-ELBEUF")
    events = [Event(H, (ps,), "fail", "outage")]
    e = run_ensemble(compiled, hazards=[Hazard(H, np.zeros(compiled.n_assets), "none")],
                     events=events, runs=3, seed=1, duration_s=12 * H, step_s=H)
    single, _ = simulate(compiled, events, duration_s=12 * H, step_s=H)
    for run in range(3):
        np.testing.assert_array_equal(e.values[run], single.indicators.values)


def test_certain_damage_is_repaired_after_the_kind_repair_time(compiled) -> None:
    ids = compiled.asset_ids.to_pylist()
    p = np.zeros(compiled.n_assets)
    p[ids.index("ANT-NORD")] = 1.0  # antenna sites: repaired after 12 h (catalogue)
    e = run_ensemble(compiled, hazards=[Hazard(2 * H, p, "lightning")], runs=2, seed=0,
                     duration_s=20 * H, step_s=H)
    antennas = e.counts[0, e.names.index("assets_working:antenna")]
    assert antennas.tolist()[:2] == [2, 2]
    assert (antennas[2:14] == 1).all() and antennas[14] == 2


def test_parquet_round_trip(compiled, tmp_path: Path) -> None:
    e = run_ensemble(compiled, hazards=_storm(compiled), runs=5, seed=4, duration_s=4 * H,
                     step_s=H)
    from tousrisques.results import read_ensemble, shape_of, write_ensemble

    (tmp_path / "mc").mkdir()
    write_ensemble(e, tmp_path / "mc")
    back = read_ensemble(tmp_path / "mc", shape_of(e))
    np.testing.assert_array_equal(back.values, e.values)
    assert back.names == e.names and back.metadata["seed"] == "4"
    stats = e.stats_table()
    assert set(stats.column_names) >= {"name", "time_s", "mean", "p10", "p50", "p90"}
