"""Key figures, findings, the worst tail and the isolated communes against the run folder's
own files: every number is recomputed here from ``stats.parquet`` and ``runs.parquet`` with
pyarrow and numpy, not taken from the code that wrote them.

Medians with their P10–P90 band; a figure whose indicator never moves holds and names no
worst moment; the tail's runs are those where the main alert channel falls lowest."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLE, copy_example, write_scenario
from tousrisques.analysis import make_study
from tousrisques.results import HOLD, isolated_communes, key_figures, worst_tail, write_run
from tousrisques.scenario import load_scenario

RUNS = 12
#: each figure's indicator and whether its worst is its highest value
INDICATOR = {
    "reach_network_worst": ("population_reached:network", False),
    "reach_any_worst": ("population_reached:any", False),
    "without_power_worst": ("population_without_power", True),
    "vulnerable_unreached_worst": ("vulnerable_unreached:any", True),
    "actors_worst": ("actors_connected", False),
    "governance_worst": ("governance_links_broken", True),
    "services_worst": ("services_up", False),
    "power_worst": ("assets_working:power", False),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("figures") / "run"
    study = make_study(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), runs=RUNS,
                       rank_assets=False)
    write_run(study, out)
    return out


def stats(folder: Path) -> dict[str, dict[str, np.ndarray]]:
    t = pq.read_table(folder / "stats.parquet").to_pydict()
    out: dict[str, dict[str, list[float]]] = {}
    for i, name in enumerate(t["name"]):
        row = out.setdefault(name, {k: [] for k in t if k != "name"})
        for k in row:
            row[k].append(t[k][i])
    return {n: {k: np.asarray(v, dtype=float) for k, v in d.items()} for n, d in out.items()}


def expected_moment(s: dict[str, np.ndarray], highest: bool) -> int | None:
    """The worst moment as the report names it, from the file: the median's worst, else the
    P10's (P90's), else none."""
    for stat in ("p50", "p90" if highest else "p10"):
        v = s[stat]
        move = v - v[0] if highest else v[0] - v
        if move.max() > HOLD:
            return int(np.argmax(v) if highest else np.argmin(v))
    return None


def test_every_key_figure_is_the_run_folder_data(folder: Path) -> None:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data = stats(folder)
    checked = 0
    for f in summary["key_figures"]:
        if f["id"] not in INDICATOR:
            continue
        name, highest = INDICATOR[f["id"]]
        s = data[name]
        k = expected_moment(s, highest)
        assert f["holds"] == (k is None), f["id"]
        i = 0 if k is None else k
        assert f["at_h"] == (None if k is None else pytest.approx(s["time_s"][k] / 3600))
        for key, stat in (("median", "p50"), ("p10", "p10"), ("p90", "p90"),
                          ("mean", "mean")):
            assert f[key] == pytest.approx(s[stat][i], abs=1e-6), (f["id"], key)
        assert f["p10"] <= f["median"] <= f["p90"]  # the shown value is inside its band
        if name.startswith(("population", "vulnerable")):
            assert f["count"] == pytest.approx(s["count_p50"][i], abs=1e-3)
        checked += 1
    assert checked >= 6


def test_the_tail_is_the_worst_tenth_of_runs_parquet(folder: Path) -> None:
    study = make_study(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), runs=RUNS,
                       rank_assets=False)
    tail = worst_tail(study.scenario, study.ensemble)
    runs = pq.read_table(folder / "runs.parquet").to_pydict()
    rows = [i for i, n in enumerate(runs["name"]) if n == tail.indicator]
    per_run: dict[int, list[tuple[float, float]]] = {}
    for i in rows:
        per_run.setdefault(runs["run"][i], []).append((runs["time_s"][i], runs["value"][i]))
    lows = {r: min(v for _t, v in series) for r, series in per_run.items()}
    order = sorted(lows, key=lambda r: (lows[r], r))
    n = math.ceil(RUNS / 10)
    assert tail.total == RUNS and tail.runs == order[:n]
    for r, low, at in zip(tail.runs, tail.lowest, tail.lowest_h, strict=True):
        first = min(t for t, v in sorted(per_run[r]) if v == lows[r])
        assert low == pytest.approx(lows[r]) and at == pytest.approx(first / 3600)
    assert tail.typical == pytest.approx(sorted(lows.values())[(RUNS - 1) // 2])


def test_a_collapse_is_counted_in_the_runs_where_it_happens(folder: Path) -> None:
    # a storm that is a breeze in most runs and breaks everything in a few: the kinds that
    # collapse in the tail are counted from runs.parquet, below half their start
    study = make_study(load_scenario(EXAMPLE / "scenarios" / "tempete.yaml"), runs=RUNS,
                       rank_assets=False)
    tail = worst_tail(study.scenario, study.ensemble)
    runs = pq.read_table(folder / "runs.parquet").to_pydict()
    for c in tail.collapses:
        name = f"assets_working:{c.kind}"
        series: dict[int, list[float]] = {}
        for i, n in enumerate(runs["name"]):
            if n == name:
                series.setdefault(runs["run"][i], []).append(runs["value"][i])
        lows = sorted(min(v) for v in series.values())
        typical = lows[(RUNS - 1) // 2]
        start = sorted(v[0] for v in series.values())[(RUNS - 1) // 2]
        hit = [r for r, v in series.items() if min(v) < 0.5 * start and min(v) < typical - 0.2]
        assert c.runs == len(hit) > 0


@pytest.fixture(scope="module")
def calm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example town under a breeze, without the ransomware: nothing moves."""
    town = copy_example(tmp_path_factory.mktemp("calm"))
    text = (town / "scenarios" / "tempete.yaml").read_text(encoding="utf-8")
    text = text.replace("peak_kmh: 150", "peak_kmh: 20")
    start, end = text.index("events:"), text.index("mitigations:")
    return write_scenario(town, "calme.yaml", text[:start] + text[end:])


def test_an_indicator_that_never_moves_holds_and_has_no_worst_moment(calm: Path) -> None:
    study = make_study(load_scenario(calm), runs=4, rank_assets=False)
    figures = {f.id: f for f in key_figures(study.scenario, study.ensemble)}
    for fid in ("reach_network_worst", "reach_any_worst", "actors_worst", "power_worst"):
        assert figures[fid].holds and figures[fid].at_h is None, fid
    assert figures["recovery"].holds
    tail = worst_tail(study.scenario, study.ensemble)
    assert tail.collapses == [] and tail.lowest[0] >= tail.start - HOLD


def test_isolated_communes_are_worst_first_and_their_cells_cut_off() -> None:
    s = load_scenario(Path("examples/rouen/scenarios/tempete.yaml"))
    study = make_study(s, runs=6, rank_assets=False)
    found = isolated_communes(s, study.ensemble)
    assert found, "the Rouen storm cuts some communal crisis cells off"
    keys = [(-max(c.unreached_h, c.cut_h), -c.population) for c in found]
    assert keys == sorted(keys)
    ens = study.ensemble
    hours = ens.times_s / 3600
    for c in found:
        assert 0 <= c.from_h <= hours[-1] and (c.to_h is None or c.from_h <= c.to_h)
        assert c.population > 0 and c.code
        if c.cut_h > 0:  # its town hall's cell is cut off in most runs for that long
            ccc = f"actor_latency:CCC-{c.code}"
            connected = np.isfinite(ens.values[:, ens.names.index(ccc), :]).mean(axis=0)
            step = hours[1] - hours[0]
            assert (connected < 0.5).sum() * step == pytest.approx(c.cut_h)
