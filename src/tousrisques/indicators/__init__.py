"""Indicators over time: population reached, assets working, actors connected, latency,
governance links, services; people without power, vulnerable people unreached, sensitive
sites down, coordination links (DESIGN §5)."""

from tousrisques.indicators._compute import Indicators, compute_indicators
from tousrisques.indicators._people import network_channels, without_power
from tousrisques.indicators._snapshot import Snapshot, SnapshotMemo, layout_key, snapshot

__all__ = ["Indicators", "Snapshot", "SnapshotMemo", "compute_indicators", "layout_key",
           "network_channels", "snapshot", "without_power"]
