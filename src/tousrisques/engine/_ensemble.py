"""The results of a Monte Carlo: every run's indicators, their statistics, and how often
each zone was reached and each channel available to each actor; saved to Parquet.

A folder holds ``stats.parquet`` (name, time_s, mean, p10, p50, p90 and the same of counts),
``runs.parquet`` (run, name, time_s, value, count), ``zones.parquet`` (zone, channel,
time_s, reached_share; channel "any" for any broadcast) and ``actor_channels.parquet``
(actor, channel, time_s, available_share), with the metadata in every file's schema; written
aside and moved in whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from tousrisques._atomic import atomic_folder
from tousrisques._exceptions import InputError

FloatArray = npt.NDArray[np.float64]
STATS = ("mean", "p10", "p50", "p90")
META_KEY = b"tousrisques"


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Every run's indicators (``values[run, name, time]``), their statistics, metadata.

    ``zone_reached[k, j, z]`` is the share of runs in which zone ``z`` is reached by the
    broadcast channel ``broadcast_ids[j]`` at ``times_s[k]`` (the last ``j``: by any);
    ``actor_channels[k, a, c]`` the share of runs in which channel ``c`` is available to
    actor ``a``.
    """

    times_s: FloatArray
    names: tuple[str, ...]
    values: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]
    metadata: dict[str, str] = field(default_factory=dict)
    zone_reached: FloatArray | None = None
    actor_channels: FloatArray | None = None
    zone_ids: tuple[str, ...] = ()
    actor_ids: tuple[str, ...] = ()
    channel_ids: tuple[str, ...] = ()
    broadcast_ids: tuple[str, ...] = ()  # the broadcast channels, then "any"

    @property
    def runs(self) -> int:
        return int(self.values.shape[0])

    def stat(self, name: str, which: str, *, counts: bool = False) -> FloatArray:
        """``mean``, ``p10``, ``p50`` or ``p90`` of indicator ``name`` at each time."""
        if name not in self.names:
            raise KeyError(name)
        data = (self.counts if counts else self.values)[:, self.names.index(name)]
        if which == "mean":
            return np.asarray(data.mean(axis=0), dtype=np.float64)
        q = {"p10": 10, "p50": 50, "p90": 90}[which]
        return np.asarray(np.percentile(data, q, axis=0, method="inverted_cdf"),
                          dtype=np.float64)

    def representative_run(self, name: str = "population_reached:any") -> int:
        """The run whose series of ``name`` is closest to the median series (sum of absolute
        differences; the first such run on ties): the one to tell as a story."""
        data = self.values[:, self.names.index(name)]
        data = np.where(np.isfinite(data), data, 1e12)
        median = np.percentile(data, 50, axis=0, method="inverted_cdf")
        return int(np.argmin(np.abs(data - median).sum(axis=1)))

    def stats_table(self) -> pa.Table:
        """Long format: name, time_s, mean, p10, p50, p90 (of values), and the same of counts."""
        cols: dict[str, Any] = {
            "name": np.repeat(np.array(self.names, dtype=object), len(self.times_s)).tolist(),
            "time_s": np.tile(self.times_s, len(self.names))}
        for which in STATS:
            cols[which] = np.concatenate([self.stat(n, which) for n in self.names])
            cols[f"count_{which}"] = np.concatenate([self.stat(n, which, counts=True)
                                                     for n in self.names])
        return pa.table(cols)

    def write_into(self, folder: Path) -> None:
        """Write the Parquet files into an existing folder (the caller makes it whole)."""
        meta = {META_KEY: json.dumps(self.metadata).encode()}
        runs, n, t = self.values.shape
        runs_table = pa.table({
            "run": np.repeat(np.arange(runs), n * t),
            "name": np.tile(np.repeat(np.array(self.names, dtype=object), t), runs).tolist(),
            "time_s": np.tile(self.times_s, runs * n),
            "value": self.values.ravel(), "count": self.counts.ravel()})
        pq.write_table(self.stats_table().replace_schema_metadata(meta),
                       folder / "stats.parquet")
        pq.write_table(runs_table.replace_schema_metadata(meta), folder / "runs.parquet")
        if self.zone_reached is not None:
            n_t, n_b, n_z = self.zone_reached.shape
            pq.write_table(pa.table({
                "zone": np.tile(np.array(self.zone_ids, dtype=object), n_t * n_b).tolist(),
                "channel": np.tile(np.repeat(np.array(self.broadcast_ids, dtype=object), n_z),
                                   n_t).tolist(),
                "time_s": np.repeat(self.times_s, n_b * n_z),
                "reached_share": self.zone_reached.ravel()}).replace_schema_metadata(meta),
                folder / "zones.parquet")
        if self.actor_channels is not None:
            n_t, n_a, n_c = self.actor_channels.shape
            pq.write_table(pa.table({
                "actor": np.tile(np.repeat(np.array(self.actor_ids, dtype=object), n_c),
                                 n_t).tolist(),
                "channel": np.tile(np.array(self.channel_ids, dtype=object),
                                   n_t * n_a).tolist(),
                "time_s": np.repeat(self.times_s, n_a * n_c),
                "available_share": self.actor_channels.ravel()}).replace_schema_metadata(meta),
                folder / "actor_channels.parquet")

    def to_parquet(self, folder: str | Path) -> Path:
        """Write ``folder`` (replaced whole; never left half-written)."""
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            self.write_into(tmp)
        return folder

    @classmethod
    def from_parquet(cls, folder: str | Path) -> Ensemble:
        folder = Path(folder)
        try:
            table = pq.read_table(folder / "runs.parquet")
            zones = pq.read_table(folder / "zones.parquet") \
                if (folder / "zones.parquet").exists() else None
            ac = pq.read_table(folder / "actor_channels.parquet") \
                if (folder / "actor_channels.parquet").exists() else None
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"{folder}: not an ensemble result ({exc})") from exc
        # files changed by hand or by another program: a clear message, not a KeyError
        where = folder / "runs.parquet"
        try:
            meta = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}"))
            if not isinstance(meta, dict) or not all(isinstance(v, str)
                                                     for v in meta.values()):
                raise TypeError(f"metadata {META_KEY.decode()} is not an object of texts")
            runs = int(table.column("run").to_numpy().max()) + 1
            names = tuple(dict.fromkeys(table.column("name").to_pylist()))
            t = len(table) // (runs * len(names))
            shape = (runs, len(names), t)
            values = table.column("value").to_numpy().reshape(shape)
            counts = table.column("count").to_numpy().reshape(shape)
            times = table.column("time_s").to_numpy()[:t].astype(np.float64)
            zone_reached = actor_channels = None
            zone_ids: tuple[str, ...] = ()
            actor_ids: tuple[str, ...] = ()
            channel_ids: tuple[str, ...] = ()
            broadcast_ids: tuple[str, ...] = ()
            where = folder / "zones.parquet"
            if zones is not None and zones.num_rows:  # no rows: a territory without zones
                broadcast_ids = tuple(dict.fromkeys(zones.column("channel").to_pylist()))
                zone_ids = tuple(dict.fromkeys(zones.column("zone").to_pylist()))
                zone_reached = zones.column("reached_share").to_numpy().reshape(
                    t, len(broadcast_ids), len(zone_ids))
            where = folder / "actor_channels.parquet"
            if ac is not None:
                actor_ids = tuple(dict.fromkeys(ac.column("actor").to_pylist()))
                channel_ids = tuple(dict.fromkeys(ac.column("channel").to_pylist()))
                actor_channels = ac.column("available_share").to_numpy().reshape(
                    t, len(actor_ids), len(channel_ids))
        except (KeyError, ValueError, TypeError, ArithmeticError, pa.ArrowException) as exc:
            raise InputError(f"{where}: not what `tousrisques run` writes ({exc}); run the "
                             f"scenario again") from exc
        return cls(times, names, values, counts, meta, zone_reached, actor_channels, zone_ids,
                   actor_ids, channel_ids, broadcast_ids)
