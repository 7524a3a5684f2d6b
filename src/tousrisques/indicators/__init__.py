"""Indicators over time: population reached, assets working, actors connected, latency,
governance links, services (DESIGN §5)."""

from tousrisques.indicators._compute import Indicators, Snapshot, compute_indicators, snapshot

__all__ = ["Indicators", "Snapshot", "compute_indicators", "snapshot"]
