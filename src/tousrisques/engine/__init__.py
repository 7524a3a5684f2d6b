"""The simulation engine: the fixed point of DESIGN §3 over a compiled territory, the
timeline of a scenario with backup timers, and the causes of every change."""

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
from tousrisques.engine._network import Layer, Network
from tousrisques.engine._timeline import CAUSES, Event, StateLog, Timeline, run_timeline

__all__ = [
    "CAUSES",
    "DAMAGED",
    "DISCONNECTED",
    "REASONS",
    "REQUIREMENT",
    "WORKING",
    "Cause",
    "Event",
    "FixedPoint",
    "Layer",
    "Network",
    "StateLog",
    "Timeline",
    "connected_to_source",
    "explain",
    "fixed_point",
    "run_timeline",
]
