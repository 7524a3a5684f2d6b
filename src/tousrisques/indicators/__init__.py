"""Indicators over time: population reached, assets working, actors connected, latency,
governance links, services; people without power, vulnerable people unreached, sensitive
sites down, coordination links (DESIGN §5)."""

from tousrisques.indicators._compute import Indicators, Snapshot, compute_indicators, snapshot
from tousrisques.indicators._people import network_channels, without_power

__all__ = ["Indicators", "Snapshot", "compute_indicators", "network_channels", "snapshot",
           "without_power"]
