"""The simulation engine: the fixed point of DESIGN §3 over a compiled territory, the
timeline of a scenario with backup timers, the causes of every change, and the plan of a
scenario's runs with the draws of each (``replay(plan, i)``).

The Monte Carlo over many runs, which computes indicators too, is
``tousrisques.analysis.run_ensemble``.
"""

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
from tousrisques.engine._log import CAUSES, StateLog
from tousrisques.engine._logistics import Crews, Supply, schedule_repairs
from tousrisques.engine._network import Layer, Network
from tousrisques.engine._plan import Draws, Hazard, Plan, make_plan, plan_events, replay
from tousrisques.engine._priority import NO_CLASS, service_rank
from tousrisques.engine._timeline import (
    Event,
    Timeline,
    outage,
    run_timeline,
)

__all__ = [
    "CAUSES",
    "DAMAGED",
    "DISCONNECTED",
    "NO_CLASS",
    "REASONS",
    "REQUIREMENT",
    "WORKING",
    "Cause",
    "Crews",
    "Draws",
    "Event",
    "FixedPoint",
    "Hazard",
    "Layer",
    "Network",
    "Plan",
    "StateLog",
    "Supply",
    "Timeline",
    "connected_to_source",
    "explain",
    "fixed_point",
    "make_plan",
    "outage",
    "plan_events",
    "replay",
    "run_timeline",
    "schedule_repairs",
    "service_rank",
]
