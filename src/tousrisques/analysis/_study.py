"""A study: a scenario's Monte Carlo, its representative run told whole, the criticality
of its assets, and optionally another scenario beside it (its mitigated variant).

Its run folder (files, summary, hashes, copies of the inputs) is ``tousrisques.results``'s
business: ``write_run(study, folder)`` and ``read_run(folder)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tousrisques.analysis._criticality import Criticality, criticality
from tousrisques.analysis._ensemble import Ensemble
from tousrisques.analysis._montecarlo import run_ensemble
from tousrisques.engine import Network, Timeline, replay
from tousrisques.indicators import Indicators, compute_indicators
from tousrisques.scenario import Scenario, check_scenario, scenario_plan

Progress = Callable[[int], None]


@dataclass(frozen=True, eq=False)
class Study:
    """Everything a report and the command line draw on.

    Attributes
    ----------
    scenario : Scenario
    ensemble : Ensemble
    run : int
        The representative run.
    indicators : Indicators
    timeline : Timeline
        The representative run, replayed whole.
    criticality : Criticality or None
    other : Study or None
        The scenario it is compared with.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> study = make_study(s, runs=2)
    >>> study.ensemble.values.shape[0], float(study.timeline.times_s[-1]) / 3600
    (2, 48.0)
    """

    scenario: Scenario
    ensemble: Ensemble
    run: int  # the representative run
    indicators: Indicators  # of the representative run
    timeline: Timeline  # of the representative run, with its log of changes
    criticality: Criticality | None  # None for the scenario compared with
    other: Study | None = None  # the scenario compared with (no further nesting)

    @property
    def network(self) -> Network:
        return Network.from_compiled(self.scenario.compiled)


def present_after_mitigations(s: Scenario) -> list[int]:
    """Assets absent for good: absent at the start and never brought by a mitigation.

    Parameters
    ----------
    s : Scenario

    Returns
    -------
    list of int
        Asset rows.

    Examples
    --------
    >>> from tousrisques.analysis import present_after_mitigations
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> present_after_mitigations(s)  # the generator is delivered at 0h
    []
    """
    brought = {a for e in s.events if e.action == "restore" for a in e.assets}
    return [a for a in s.absent if a not in brought]


def make_study(scenario: Scenario, *, runs: int | None = None, seed: int | None = None,
               workers: int = 1, dask: str | Any | None = None,
               progress: Progress | None = None, other: Scenario | None = None,
               horizon_s: float | None = None, rank_assets: bool = True,
               max_memory: int | str | None = None) -> Study:
    """Run the scenario (and ``other``) and gather what a report needs.

    Parameters
    ----------
    scenario : Scenario
        From ``tousrisques.scenario.load_scenario``.
    runs, seed : int, optional
        Override the file's ``monte_carlo``.
    workers, dask, progress, max_memory
        As for :func:`run_ensemble`; both scenarios are checked against the limits before
        either runs.
    other : Scenario, optional
        A scenario to set beside it (its mitigated variant), run with the same settings.
    horizon_s : float, optional
        How long the single losses of the criticality last (None: for good).
    rank_assets : bool
        Rank every asset by the cost of its loss (on a very large territory this costs
        more than the Monte Carlo).

    Returns
    -------
    Study

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=4)
    >>> study.ensemble.runs, 0 <= study.run < 4
    (4, True)
    """
    for s in (scenario, other) if other is not None else (scenario,):
        check_scenario(s, runs=runs, workers=workers, max_memory=max_memory)
    ens = _monte_carlo(scenario, runs, seed, workers, dask, progress, max_memory)
    compared = None
    if other is not None:
        other_ens = _monte_carlo(other, runs, seed, workers, dask, progress, max_memory)
        compared = complete_study(other, other_ens, seed=seed, crit=None, other=None)
    crit = criticality(scenario.compiled, horizon_s=horizon_s,
                       absent=present_after_mitigations(scenario), workers=workers,
                       territory=scenario.territory) \
        if rank_assets else None
    return complete_study(scenario, ens, seed=seed, crit=crit, other=compared)


def _monte_carlo(s: Scenario, runs: int | None, seed: int | None, workers: int,
                 dask: str | Any | None, progress: Progress | None,
                 max_memory: int | str | None = None) -> Ensemble:
    return run_ensemble(scenario_plan(s, seed=seed), runs=runs or s.spec.monte_carlo.runs,
                        workers=workers, dask=dask, progress=progress, max_memory=max_memory)


def complete_study(s: Scenario, ens: Ensemble, *, seed: int | None,
                   crit: Criticality | None, other: Study | None) -> Study:
    """The study of a Monte Carlo already run: its representative run replayed whole.

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo (run now, or read back from a run folder).
    seed : int, optional
        The seed the Monte Carlo was run with (default: the scenario's), so that the
        representative run replays to the same numbers.
    crit : Criticality or None
        The territory's criticality ranking, if computed.
    other : Study or None
        The study set beside it.

    Returns
    -------
    Study

    Examples
    --------
    >>> from tousrisques.analysis import complete_study, run_ensemble
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> study = complete_study(s, ens, seed=None, crit=None, other=None)
    >>> study.run == ens.representative_run(), study.criticality is None
    (True, True)
    """
    run = ens.representative_run()
    tl = replay(scenario_plan(s, seed=seed), run)
    return Study(s, ens, run, compute_indicators(s.compiled, tl), tl, crit, other)
