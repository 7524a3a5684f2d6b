"""The model against what people lived through: the restoration curve of a storm compared
with Enedis' published figures for storm Ciarán (docs/calibration.md).

Run ``python -m tousrisques.analysis.calibration examples/rouen/scenarios/tempete-ciaran.yaml``
to print the comparison.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from tousrisques.analysis._ensemble import Ensemble
from tousrisques.analysis._montecarlo import run_ensemble
from tousrisques.engine import replay
from tousrisques.scenario import Scenario, load_scenario, scenario_plan

FloatArray = npt.NDArray[np.float64]
#: the model's clock time that matches Enedis' first report (07:00, at the peak, after the
#: storm had crossed): hours from the calibration scenario's start (midnight)
FIRST_REPORT_H = 7.0


@dataclass(frozen=True)
class Reference:
    """Published points: hours after the first report, share of customers re-supplied."""

    hours: FloatArray
    restored: FloatArray
    customers: FloatArray


def ciaran() -> Reference:
    """Enedis' figures for storm Ciarán (``data/calibration/ciaran-2023-enedis.csv``).

    Returns
    -------
    Reference

    Examples
    --------
    >>> from tousrisques.analysis.calibration import ciaran
    >>> ref = ciaran()
    >>> ref.hours.tolist(), [round(x, 2) for x in ref.restored.tolist()]
    ([24.5, 36.0, 59.5, 132.0], [0.56, 0.73, 0.85, 0.96])
    """
    text = (resources.files("tousrisques") / "data" / "calibration" /
            "ciaran-2023-enedis.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    hours = np.array([float(r["hours_after_first_report"]) for r in rows])
    people = np.array([float(r["customers_without_power"]) for r in rows])
    peak = people[hours == 0][0]
    later = hours > 0
    return Reference(hours[later], 1 - people[later] / peak, people[later])


def restoration(ensemble: Ensemble, hours: FloatArray, *, from_h: float = FIRST_REPORT_H,
                name: str = "population_without_power") -> FloatArray:
    """The share of the people without power at ``from_h`` who have it again ``hours``
    later, in each run: an array ``(runs, len(hours))``.

    Parameters
    ----------
    ensemble : Ensemble
    hours : ndarray
        Hours after ``from_h``.
    from_h : float
        The reference time, in hours from the start.
    name : str
        The indicator.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.analysis.calibration import restoration
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> restoration(ens, np.array([6.0]), from_h=3).shape
    (2, 1)
    """
    k = ensemble.names.index(name)
    counts = ensemble.counts[:, k, :]
    h = ensemble.times_s / 3600.0
    base = counts[:, min(int(np.searchsorted(h, from_h)), len(h) - 1)]
    cols = np.minimum(np.searchsorted(h, from_h + np.asarray(hours)), len(h) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1 - counts[:, cols] / base[:, None]
    out[base == 0] = 1.0
    result: FloatArray = out
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the model's median restoration against Ciarán's published points."""

    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else "examples/rouen/scenarios/tempete-ciaran.yaml"
    s = load_scenario(path)
    runs = int(args[1]) if len(args) > 1 else s.spec.monte_carlo.runs
    ens = run_ensemble(scenario_plan(s), runs=runs)
    ref = ciaran()
    got = restoration(ens, ref.hours)
    k = ens.names.index("population_without_power")
    at = min(int(np.searchsorted(ens.times_s / 3600, FIRST_REPORT_H)), len(ens.times_s) - 1)
    print(f"{runs} runs; people without power at {FIRST_REPORT_H:g} h (median): "
          f"{np.median(ens.counts[:, k, at]):,.0f} "
          f"({np.median(ens.values[:, k, at]):.1%}); at the worst hour: "
          f"{np.median(ens.counts[:, k, :].max(axis=1)):,.0f} "
          f"({np.median(ens.values[:, k, :].max(axis=1)):.1%})")
    print("hours after 07:00 | Enedis (Ciarán) | model P10 | model median | model P90")
    for j, h in enumerate(ref.hours.tolist()):
        p10, p50, p90 = np.percentile(got[:, j], [10, 50, 90])
        print(f"{h:>17g} | {ref.restored[j]:>15.0%} | {p10:>9.0%} | {p50:>12.0%} | "
              f"{p90:>9.0%}")
    if "antenna" in s.territory.kind_names:
        down, power = antennas_down(s, runs=min(runs, 10))
        print(f"antenna sites down at their worst hour (median of {min(runs, 10)} runs): "
              f"{down:.0%}, of which for lack of power (not damaged): {power:.0%}")
    return 0


def antennas_down(s: Scenario, *, runs: int) -> tuple[float, float]:
    """The median share of antenna sites down at the worst hour, and the share of those
    that are not damaged themselves (down for lack of power or feed)."""
    plan = scenario_plan(s)
    antenna = s.territory.assets.kind == s.territory.kind_names.index("antenna")
    shares, power = [], []
    for i in range(runs):
        tl = replay(plan, i, causes=False)  # its events: the run's damage and repairs
        worst, at = -1, 0
        for k in range(len(tl.times_s)):
            d = int((~tl.working_at(k) & antenna).sum())
            if d > worst:
                worst, at = d, k
        t = tl.times_s[at]
        hits = np.zeros(len(antenna), np.int64)
        for e in tl.events:
            if e.time_s <= t:
                rows = np.unique(np.asarray(e.assets, dtype=np.int64))
                hits[rows] += 1 if e.action == "fail" else -1
        down = ~tl.working_at(at) & antenna
        shares.append(down.sum() / max(antenna.sum(), 1))
        power.append((down & (hits <= 0)).sum() / max(down.sum(), 1))
    return float(np.median(shares)), float(np.median(power))


if __name__ == "__main__":
    raise SystemExit(main())
