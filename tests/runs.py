"""Short ways to run in tests, built on the one way the package offers (a plan, then
``replay`` or ``run_ensemble``), so that tests stay short without the package keeping
several entry points."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from tousrisques.analysis import Ensemble, run_ensemble
from tousrisques.engine import Draws, Event, Hazard, Timeline, make_plan, replay
from tousrisques.indicators import Indicators, compute_indicators
from tousrisques.results import changes_table
from tousrisques.scenario import Scenario, load_scenario, scenario_plan
from tousrisques.territory import CompiledTerritory


class Run(NamedTuple):
    indicators: Indicators
    changes: pa.Table


def simulate(c: CompiledTerritory, events: Sequence[Event], *, duration_s: float,
             step_s: float, absent: Sequence[int] = ()) -> tuple[Run, Timeline]:
    """One run of timed events: its indicators and log, and its timeline."""
    tl = replay(make_plan(c, events=events, absent=absent, duration_s=duration_s,
                          step_s=step_s), 0)
    return Run(compute_indicators(c, tl), changes_table(c, tl)), tl


def ensemble(c: CompiledTerritory, *, hazards: Sequence[Hazard], runs: int, seed: int,
             duration_s: float, step_s: float, events: Sequence[Event] = (),
             absent: Sequence[int] = (), draws: Draws | None = None, workers: int = 1,
             dask: Any = None) -> Ensemble:
    """The Monte Carlo of hazards and events written in code."""
    plan = make_plan(c, hazards=hazards, events=events, absent=absent, seed=seed,
                     duration_s=duration_s, step_s=step_s, draws=draws)
    return run_ensemble(plan, runs=runs, workers=workers, dask=dask)


def run_scenario(scenario: Scenario | str | Path, *, runs: int | None = None,
                 seed: int | None = None, workers: int = 1, dask: Any = None,
                 progress: Any = None) -> Ensemble:
    """A scenario's Monte Carlo (``runs`` defaults to its file's)."""
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return run_ensemble(scenario_plan(s, seed=seed), runs=runs or s.spec.monte_carlo.runs,
                        workers=workers, dask=dask, progress=progress)


def replay_run(s: Scenario, run: int, *, seed: int | None = None) -> tuple[Run, Timeline]:
    """Run number ``run`` of the scenario's Monte Carlo, whole."""
    tl = replay(scenario_plan(s, seed=seed), run)
    return Run(compute_indicators(s.compiled, tl), changes_table(s.compiled, tl)), tl
