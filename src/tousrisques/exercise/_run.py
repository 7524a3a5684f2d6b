"""Which run of a scenario an exercise is played on: a given run number, or the Monte Carlo
run closest to a chosen percentile of the worst reach of the main alert channel (the P10
"bad day")."""

from __future__ import annotations

import numpy as np

from tousrisques.analysis import Ensemble
from tousrisques.exercise._errors import ExerciseError


def main_channel(ens: Ensemble) -> str:
    """The main alert channel: the broadcast that reaches the most people at the start (the
    mean over the runs), not counting door to door, which grows over the hours.

    Parameters
    ----------
    ens : Ensemble

    Returns
    -------
    str
        A channel id; ``any`` when the territory has no broadcast.

    Examples
    --------
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.exercise import main_channel
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> main_channel(run_ensemble(scenario_plan(s), runs=2))
    'fr-alert'
    """
    best, best_reach = "any", -1.0
    for ch in ens.broadcast_ids:
        name = f"population_reached:{ch}"
        if ch == "any" or name not in ens.names:
            continue
        reach = float(ens.values[:, ens.names.index(name), 0].mean())
        if reach > best_reach:
            best, best_reach = ch, reach
    return best


def choose_run(ens: Ensemble, percentile: float, *, channel: str | None = None) -> int:
    """The run whose worst reach by ``channel`` (over the scenario's times) is nearest the
    ``percentile`` of the runs' worst reaches (the lowest run number on a tie): P10 is a bad
    day, P50 a typical one.

    Parameters
    ----------
    ens : Ensemble
        The scenario's Monte Carlo (``analysis.run_ensemble``).
    percentile : float
        From 0 to 100.
    channel : str, optional
        A broadcast channel id, or ``any``; default :func:`main_channel`.

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
    >>> 0 <= choose_run(ens, 10) < 8
    True
    """
    if isinstance(percentile, bool) or not 0 <= float(percentile) <= 100:
        raise ExerciseError("exercise.percentile", value=percentile)
    name = f"population_reached:{channel or main_channel(ens)}"
    worst = ens.values[:, ens.names.index(name), :].min(axis=1)
    target = float(np.percentile(worst, float(percentile)))
    return int(np.argmin(np.abs(worst - target)))
