"""The simulation engine: the fixed point of DESIGN §3 over a compiled territory, the
timeline of a scenario with backup timers, the causes of every change, Monte Carlo."""

from tousrisques.engine._ensemble import Ensemble
from tousrisques.engine._explain import Cause, explain
from tousrisques.engine._fixedpoint import (
    DAMAGED,
    DISCONNECTED,
    REASONS,
    REQUIREMENT,
    WORKING,
    FixedPoint,
    connected_to_source,
    fixed_point,
)
from tousrisques.engine._montecarlo import Draws, Hazard, Plan, make_plan, replay, run_ensemble
from tousrisques.engine._network import Layer, Network
from tousrisques.engine._results import RunResult, changes_table, simulate
from tousrisques.engine._timeline import (
    CAUSES,
    Event,
    StateLog,
    Timeline,
    outage,
    run_timeline,
)

__all__ = [
    "CAUSES",
    "DAMAGED",
    "DISCONNECTED",
    "REASONS",
    "REQUIREMENT",
    "WORKING",
    "Cause",
    "Draws",
    "Ensemble",
    "Event",
    "FixedPoint",
    "Hazard",
    "Layer",
    "Network",
    "Plan",
    "RunResult",
    "StateLog",
    "Timeline",
    "changes_table",
    "connected_to_source",
    "explain",
    "fixed_point",
    "make_plan",
    "outage",
    "replay",
    "run_ensemble",
    "run_timeline",
    "simulate",
]
