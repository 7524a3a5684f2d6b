"""Indicators over time: population reached, assets working, actors connected, latency,
governance links, services (DESIGN §5)."""

from tousrisques.indicators._compute import Indicators, compute_indicators

__all__ = ["Indicators", "compute_indicators"]
