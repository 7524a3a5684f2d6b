"""Results of a run: indicators, the log of changes with causes, metadata; saved to Parquet.

A run is saved as a folder, written in a temporary place and moved in whole:
``indicators.parquet`` (name, time_s, value, count), ``changes.parquet`` (time_s, asset,
working, cause, ref, event) and the metadata in both files' schema (territory and scenario
hashes, seed, version).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tousrisques._atomic import atomic_folder
from tousrisques._exceptions import InputError
from tousrisques.engine._network import Network
from tousrisques.engine._timeline import (
    CAUSE_EVENT,
    CAUSES,
    Event,
    StateLog,
    Timeline,
    run_timeline,
)
from tousrisques.indicators import Indicators, compute_indicators
from tousrisques.territory import CompiledTerritory

META_KEY = b"tousrisques"


def _version() -> str:
    from tousrisques import __version__

    return __version__


@dataclass(frozen=True, eq=False)
class RunResult:
    """One run: its indicators on the output grid and every change of state with its cause."""

    indicators: Indicators
    changes: pa.Table
    metadata: dict[str, str] = field(default_factory=dict)

    def to_parquet(self, folder: str | Path) -> Path:
        """Write ``folder`` (replaced whole; never left half-written)."""
        folder = Path(folder)
        meta = {META_KEY: json.dumps(self.metadata).encode()}
        with atomic_folder(folder) as tmp:
            table = self.indicators.to_table()
            pq.write_table(table.replace_schema_metadata(meta), tmp / "indicators.parquet")
            pq.write_table(self.changes.replace_schema_metadata(meta), tmp / "changes.parquet")
        return folder

    @classmethod
    def from_parquet(cls, folder: str | Path) -> RunResult:
        folder = Path(folder)
        try:
            ind = pq.read_table(folder / "indicators.parquet")
            changes = pq.read_table(folder / "changes.parquet")
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"{folder}: not a run result ({exc})") from exc
        raw = (ind.schema.metadata or {}).get(META_KEY, b"{}")
        return cls(Indicators.from_table(ind), changes.replace_schema_metadata(None),
                   json.loads(raw))


def changes_table(c: CompiledTerritory, log: StateLog, events: Sequence[Event]) -> pa.Table:
    """The log as a table people can read: asset ids, cause names, the event's own words."""
    event_text = np.array([e.cause for e in events] + [""], dtype=object)
    is_event = log.cause == CAUSE_EVENT
    ref = np.where(is_event & (log.ref >= 0), log.ref, len(events))
    return pa.table({
        "time_s": pa.array(log.time_s),
        "asset": c.asset_ids.take(pa.array(log.asset)),
        "working": pa.array(log.working),
        "cause": pa.array(np.array(CAUSES, dtype=object)[log.cause].tolist(), pa.string()),
        "ref": pa.array(log.ref),
        "event": pa.array(np.where(is_event, event_text[ref], "").tolist(), pa.string()),
    })


def simulate(c: CompiledTerritory, events: Sequence[Event], *, duration_s: float,
             step_s: float, absent: Sequence[int] = (), network: Network | None = None,
             metadata: Mapping[str, str] | None = None) -> tuple[RunResult, Timeline]:
    """One run of a territory under timed events: the timeline and its indicators."""
    net = network or Network.from_compiled(c)
    tl = run_timeline(net, events, duration_s=duration_s, step_s=step_s, absent=absent,
                      owners={"zones": c.zone_requires, "channels": c.channel_requires})
    meta = {"version": _version(), "territory": c.name, "territory_hash": c.source_hash,
            **(metadata or {})}
    return RunResult(compute_indicators(c, tl), changes_table(c, tl.log, tl.events),
                     meta), tl
