"""Run a scenario: Monte Carlo over its hazards, with its events and mitigations; or one of
its runs again, whole, with the log of every change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tousrisques.engine import (
    Draws,
    Ensemble,
    Plan,
    RunResult,
    Timeline,
    changes_table,
    make_plan,
    replay,
    run_ensemble,
)
from tousrisques.engine._montecarlo import Progress
from tousrisques.indicators import compute_indicators
from tousrisques.scenario._loader import Scenario, load_scenario


def _draws(s: Scenario) -> Draws:
    mc = s.spec.monte_carlo
    return Draws(repair_beta=mc.repair_beta if s.repair_beta is None else s.repair_beta,
                 backup_beta=mc.backup_beta)


def _metadata(s: Scenario) -> dict[str, str]:
    return {"scenario": s.spec.name.en, "scenario_file": s.path.name,
            "scenario_hash": s.content_hash}


def scenario_plan(s: Scenario, *, seed: int | None = None) -> Plan:
    """What every run of the scenario shares."""
    mc = s.spec.monte_carlo
    return make_plan(s.compiled, hazards=s.hazards, events=s.events, absent=s.absent,
                     seed=mc.seed if seed is None else seed, duration_s=s.duration_s,
                     step_s=s.step_s, draws=_draws(s))


def run_scenario(scenario: Scenario | str | Path, *, runs: int | None = None,
                 seed: int | None = None, workers: int = 1, dask: str | Any | None = None,
                 progress: Progress | None = None) -> Ensemble:
    """The scenario's Monte Carlo (``runs`` and ``seed`` override the file's
    ``monte_carlo``); ``progress`` is called with the number of runs just finished."""
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    mc = s.spec.monte_carlo
    return run_ensemble(s.compiled, hazards=s.hazards, events=s.events, absent=s.absent,
                        runs=runs or mc.runs, seed=mc.seed if seed is None else seed,
                        duration_s=s.duration_s, step_s=s.step_s, workers=workers, dask=dask,
                        draws=_draws(s), metadata=_metadata(s), progress=progress)


def replay_run(s: Scenario, run: int, *, seed: int | None = None
               ) -> tuple[RunResult, Timeline]:
    """Run number ``run`` of the scenario's Monte Carlo again (the same draws, so the same
    indicators), with its timeline and its log of changes."""
    tl = replay(scenario_plan(s, seed=seed), run)
    mc = s.spec.monte_carlo
    meta = {**_metadata(s), "run": str(run), "seed": str(mc.seed if seed is None else seed)}
    return RunResult(compute_indicators(s.compiled, tl),
                     changes_table(s.compiled, tl.log, tl.events), meta), tl
