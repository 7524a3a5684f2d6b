"""Which run of a scenario an exercise is played on: a given run number, or the Monte Carlo
run closest to a chosen percentile of the worst reach of the main alert channel (the P10
"bad day"); the main alert channel is ``tousrisques.analysis.main_channel``'s."""

from __future__ import annotations

import numpy as np

from tousrisques.analysis import Ensemble
from tousrisques.exercise._errors import ExerciseError


def choose_run(ens: Ensemble, percentile: float, channel: str) -> int:
    """The run whose worst reach by ``channel`` (its lowest over the scenario's times) is
    nearest the ``percentile`` of the runs' worst reaches (the lowest run number on a tie):
    P10 is a bad day, P50 a typical one.

    Parameters
    ----------
    ens : Ensemble
        The scenario's Monte Carlo (``analysis.run_ensemble``).
    percentile : float
        From 0 to 100.
    channel : str
        A broadcast channel id (``analysis.main_channel(scenario)``), or ``any``.

    Returns
    -------
    int
        The run number (``engine.replay(plan, run)`` plays it again).

    Examples
    --------
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.exercise import choose_run
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ens = run_ensemble(scenario_plan(s), runs=8)
    >>> 0 <= choose_run(ens, 10, "fr-alert") < 8
    True
    """
    if isinstance(percentile, bool) or not isinstance(percentile, int | float) \
            or not 0 <= float(percentile) <= 100:
        raise ExerciseError("exercise.percentile", value=percentile)
    worst = ens.values[:, ens.names.index(f"population_reached:{channel}"), :].min(axis=1)
    target = float(np.percentile(worst, float(percentile)))
    return int(np.argmin(np.abs(worst - target)))
