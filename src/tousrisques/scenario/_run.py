"""Run a scenario: Monte Carlo over its hazards, with its events and mitigations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tousrisques.engine import Draws, Ensemble, run_ensemble
from tousrisques.scenario._loader import Scenario, load_scenario


def run_scenario(scenario: Scenario | str | Path, *, runs: int | None = None,
                 workers: int = 1, dask: str | Any | None = None) -> Ensemble:
    """The scenario's Monte Carlo (``runs`` overrides the file's ``monte_carlo.runs``)."""
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    mc = s.spec.monte_carlo
    return run_ensemble(s.compiled, hazards=s.hazards, events=s.events, absent=s.absent,
                        runs=runs or mc.runs, seed=mc.seed, duration_s=s.duration_s,
                        step_s=s.step_s, workers=workers, dask=dask,
                        draws=Draws(repair_beta=mc.repair_beta if s.repair_beta is None
                                    else s.repair_beta, backup_beta=mc.backup_beta),
                        metadata={"scenario": s.spec.name.en, "scenario_file": s.path.name,
                                  "scenario_hash": s.content_hash})
