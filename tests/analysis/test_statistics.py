"""The Monte Carlo statistics checked against numpy on series where every statistic differs.

``Ensemble.stat`` takes P-values as actual runs' values (numpy's ``inverted_cdf``: the
smallest value whose share of runs at or below it reaches the level), so an infinite
latency stays infinite; the expected values here are written by hand as well as computed by
numpy, so that a change of method, a swap of levels or of values and counts fails.
"""

from __future__ import annotations

import numpy as np
import pytest

try:  # the Monte Carlo results move from the engine to the analysis layer
    from tousrisques.analysis import Ensemble
except ImportError:  # pragma: no cover - before the move
    from tousrisques.engine import Ensemble  # type: ignore[attr-defined,no-redef]

LEVELS = {"p10": 10, "p50": 50, "p90": 90}
TIMES = np.array([0.0, 3600.0, 7200.0])


def ensemble(values: np.ndarray, counts: np.ndarray | None = None,
             names: tuple[str, ...] = ("population_reached:any",)) -> Ensemble:
    """An ensemble of ``values[run, name, time]`` (counts ten times the values unless given)."""
    values = np.asarray(values, dtype=np.float64)
    counts = values * 10.0 if counts is None else np.asarray(counts, dtype=np.float64)
    return Ensemble(TIMES[: values.shape[2]], names, values, counts)


def distinct_runs() -> np.ndarray:
    """Ten runs, two indicators, three times; values distinct, unsorted by run, skewed."""
    rng = np.random.default_rng(20240607)
    a = rng.permutation(np.arange(1.0, 11.0))  # 1..10 in a shuffled run order
    b = rng.permutation(np.array([0.0, 0.5, 0.9, 2.0, 3.0, 8.0, 20.0, 21.0, 50.0, 99.0]))
    c = rng.permutation(np.linspace(0.05, 0.95, 10) ** 2)
    first = np.stack([a, b, c], axis=1)             # (runs, times)
    second = np.stack([-a, b[::-1] * 2.0, 1.0 - c], axis=1)
    return np.stack([first, second], axis=1)        # (runs, names, times)


NAMES = ("population_reached:any", "assets_working:antenna")


def test_statistics_of_distinct_values_by_hand() -> None:
    # one time step holds 1..10 shuffled: inverted_cdf gives 1, 5, 9, and the mean 5.5
    e = ensemble(distinct_runs(), names=NAMES)
    assert e.stat(NAMES[0], "p10")[0] == 1.0
    assert e.stat(NAMES[0], "p50")[0] == 5.0
    assert e.stat(NAMES[0], "p90")[0] == 9.0
    assert e.stat(NAMES[0], "mean")[0] == pytest.approx(5.5)
    # the second indicator holds -10..-1: P10 is the smallest, P90 the second largest
    assert e.stat(NAMES[1], "p10")[0] == -10.0
    assert e.stat(NAMES[1], "p90")[0] == -2.0
    # and the counts are read from the counts, not the values
    assert e.stat(NAMES[0], "p90", counts=True)[0] == 90.0
    assert e.stat(NAMES[0], "mean", counts=True)[0] == pytest.approx(55.0)


@pytest.mark.parametrize("which", ["mean", "p10", "p50", "p90"])
@pytest.mark.parametrize("counts", [False, True])
def test_statistics_match_numpy(which: str, counts: bool) -> None:
    values = distinct_runs()
    e = ensemble(values, counts=values * 7.0 + 3.0, names=NAMES)
    data = values * 7.0 + 3.0 if counts else values
    for k, name in enumerate(NAMES):
        got = e.stat(name, which, counts=counts)
        series = data[:, k, :]
        want = series.mean(axis=0) if which == "mean" else np.percentile(
            series, LEVELS[which], axis=0, method="inverted_cdf")
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert got.shape == (len(TIMES),)


def test_levels_are_ordered_and_differ() -> None:
    e = ensemble(distinct_runs(), names=NAMES)
    for name in NAMES:
        p10, p50, p90 = (e.stat(name, q) for q in ("p10", "p50", "p90"))
        assert (p10 <= p50).all() and (p50 <= p90).all()
        assert (p10 < p90).all()  # non-degenerate: a swap of the two would be seen
        # P-values are values some run had (not interpolated between runs)
        for q in (p10, p50, p90):
            assert all(v in e.values[:, NAMES.index(name), t] for t, v in enumerate(q))


def test_ties_and_infinite_values() -> None:
    # a latency: four runs cut off (infinite), ties at 60 s
    lat = np.array([60.0, 60.0, 60.0, 120.0, 120.0, 300.0, np.inf, np.inf, np.inf, np.inf])
    values = np.stack([lat, lat[::-1]], axis=1)[:, None, :]  # (runs, 1, 2 times)
    e = ensemble(values, names=("actor_latency:MAIRIE",))
    for which, want in {"p10": 60.0, "p50": 120.0, "p90": np.inf}.items():
        got = e.stat("actor_latency:MAIRIE", which)
        np.testing.assert_array_equal(got, [want, want])
        np.testing.assert_array_equal(
            got, np.percentile(values[:, 0, :], LEVELS[which], axis=0, method="inverted_cdf"))
    assert np.isinf(e.stat("actor_latency:MAIRIE", "mean")).all()


def test_one_run_gives_its_own_values() -> None:
    values = np.array([[[0.2, 0.7, 0.4]]])
    e = ensemble(values)
    for which in ("mean", "p10", "p50", "p90"):
        np.testing.assert_array_equal(e.stat("population_reached:any", which), [0.2, 0.7, 0.4])
    assert e.representative_run() == 0


def test_unknown_statistic_or_name() -> None:
    e = ensemble(distinct_runs(), names=NAMES)
    with pytest.raises(KeyError):
        e.stat("nope", "mean")
    with pytest.raises(KeyError):
        e.stat(NAMES[0], "p95")


def test_stats_table_is_stat_in_long_format() -> None:
    values = distinct_runs()
    e = ensemble(values, counts=values + 100.0, names=NAMES)
    table = e.stats_table().to_pydict()
    assert table["name"] == [n for n in NAMES for _ in TIMES]
    assert table["time_s"] == list(TIMES) * len(NAMES)
    for which, q in [("mean", None), *LEVELS.items()]:
        for prefix, data in (("", values), ("count_", values + 100.0)):
            column = np.array(table[prefix + which])
            want = np.concatenate([
                data[:, k, :].mean(axis=0) if q is None else
                np.percentile(data[:, k, :], q, axis=0, method="inverted_cdf")
                for k in range(len(NAMES))])
            np.testing.assert_allclose(column, want, rtol=0, atol=1e-12)


def test_representative_run_is_closest_to_the_median_series() -> None:
    values = distinct_runs()
    e = ensemble(values, names=NAMES)
    for k, name in enumerate(NAMES):
        series = values[:, k, :]
        median = np.percentile(series, 50, axis=0, method="inverted_cdf")
        distance = np.abs(series - median).sum(axis=1)
        assert e.representative_run(name) == int(np.argmin(distance))
    # a run that is the median at every time is chosen, wherever it stands
    runs = np.array([[0.0, 0.0], [0.9, 0.9], [0.5, 0.5], [0.1, 0.8], [0.6, 0.4]])
    e = ensemble(runs[:, None, :])
    assert e.representative_run() == 2


def test_representative_run_first_on_ties_and_with_infinities() -> None:
    # runs 1 and 3 are equally close to the median series (0.5, 0.5): the first is told
    runs = np.array([[0.0, 0.0], [0.4, 0.6], [1.0, 1.0], [0.6, 0.4], [0.5, 0.9]])
    e = ensemble(runs[:, None, :])
    assert e.representative_run() == 1
    # an infinite latency counts as very far, not as the NaN of inf - inf that argmin picks:
    # the median series is (60, inf) and run 1 has it exactly, run 0 is cut off all along
    lat = np.array([[np.inf, np.inf], [60.0, np.inf], [np.inf, np.inf], [60.0, 60.0]])
    e = ensemble(lat[:, None, :], names=("actor_latency:A",))
    assert e.representative_run("actor_latency:A") == 1
