"""The simulation engine: the fixed point of DESIGN §3 over a compiled territory."""

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

__all__ = [
    "DAMAGED",
    "DISCONNECTED",
    "REASONS",
    "REQUIREMENT",
    "WORKING",
    "FixedPoint",
    "Layer",
    "Network",
    "connected_to_source",
    "fixed_point",
]
