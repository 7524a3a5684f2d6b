"""Monte Carlo: many runs of the same scenario with damage drawn at random, in parallel.

Run ``i`` draws everything from its own generator, seeded by ``(seed, i)``: the same seed gives
the same results whatever the number of workers, processes or Dask workers. Each hazard gives
every asset a probability of damage (the scenario issue computes it from fragility curves);
a damaged asset is repaired after its kind's repair time, spread by a lognormal of
``repair_beta``, at the next output step; backups may be spread the same way
(``backup_beta``). Results: every run's indicators, and per indicator and time the mean,
P10, P50 and P90.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from tousrisques._atomic import atomic_folder
from tousrisques._exceptions import InputError
from tousrisques.engine._network import Network
from tousrisques.engine._timeline import Event, run_timeline
from tousrisques.indicators import compute_indicators
from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]
STATS = ("mean", "p10", "p50", "p90")


@dataclass(frozen=True, eq=False)
class Hazard:
    """Each asset is damaged with ``probability[i]`` at ``time_s`` (one time for all, or one
    per asset); ``cause`` names it.

    A hazard that grows in stages (a rising flood, a storm crossing) gives ``steps``: for
    each asset, the times at which its damage probability rises and the probability from
    then on (``asset``, ``time_s``, ``probability`` arrays, sorted by time). One uniform draw
    ``u`` per asset decides: the asset is damaged at the first step whose probability
    exceeds ``u`` — so its chance of damage is the peak probability, and it falls as soon
    as the hazard is strong enough for it, not only when the peak arrives.
    """

    time_s: float | FloatArray
    probability: FloatArray
    cause: str
    steps: tuple[npt.NDArray[np.int64], FloatArray, FloatArray] | None = None


@dataclass(frozen=True)
class Draws:
    """What varies between runs besides damage."""

    repair: bool = True
    repair_beta: float | FloatArray = 0.0  # one spread for all, or one per asset
    backup_beta: float = 0.0


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs, sent once."""

    compiled: CompiledTerritory
    network: Network
    hazards: tuple[Hazard, ...]
    events: tuple[Event, ...]
    absent: tuple[int, ...]
    duration_s: float
    step_s: float
    seed: int
    draws: Draws


def run_one(plan: Plan, run: int) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Run number ``run`` of the plan: (values, counts, names) of its indicators."""
    c, net = plan.compiled, plan.network
    rng = np.random.default_rng([plan.seed, run])
    events = list(plan.events)
    # an absent asset cannot be damaged before a mitigation brings it
    arrival = np.full(net.n, -np.inf)
    missing = np.zeros(net.n, bool)
    missing[list(plan.absent)] = True
    arrival[missing] = np.inf
    for e in plan.events:
        if e.action == "restore":
            rows = np.asarray(e.assets, dtype=np.int64)
            rows = rows[missing[rows]]
            arrival[rows] = np.minimum(arrival[rows], e.time_s)
    for h in plan.hazards:
        u = rng.random(net.n)
        if h.steps is not None:
            s_asset, s_time, s_prob = h.steps
            over = np.nonzero(s_prob > u[s_asset])[0]
            first_assets, first = np.unique(s_asset[over], return_index=True)
            at = np.full(net.n, np.inf)
            at[first_assets] = s_time[over][first]
            drawn = np.isfinite(at)
        else:
            drawn = u < h.probability
            at = np.broadcast_to(np.asarray(h.time_s, dtype=np.float64), (net.n,))
        hit = np.nonzero(drawn & (at >= arrival))[0]
        if len(hit) == 0:
            continue
        when = at[hit]
        for t in np.unique(when):
            events.append(Event(float(t), tuple(hit[when == t].tolist()), "fail", h.cause))
        if plan.draws.repair:
            delay = c.repair_s[hit]
            beta = np.broadcast_to(np.asarray(plan.draws.repair_beta, dtype=np.float64),
                                   (net.n,))[hit]
            if (beta > 0).any():
                delay = delay * np.exp(beta * rng.standard_normal(len(hit)))
            done = np.ceil((when + delay) / plan.step_s) * plan.step_s
            for t in np.unique(done):
                if t <= plan.duration_s:
                    rows = hit[done == t]
                    events.append(Event(float(t), tuple(rows.tolist()), "restore",
                                        f"repair after {h.cause}"))
    if plan.draws.backup_beta > 0 and net.n_groups:
        net = replace(net, backup_s=net.backup_s * rng.lognormal(
            0.0, plan.draws.backup_beta, net.n_groups))
    tl = run_timeline(net, events, duration_s=plan.duration_s, step_s=plan.step_s,
                      absent=plan.absent,
                      owners={"zones": c.zone_requires, "channels": c.channel_requires})
    ind = compute_indicators(c, tl)
    return ind.values, ind.counts, ind.names


_PLAN: Plan | None = None


def _install(plan: Plan) -> None:
    global _PLAN  # one plan per worker process, sent once
    _PLAN = plan


def _chunk(runs: Sequence[int]) -> list[tuple[FloatArray, FloatArray, tuple[str, ...]]]:
    assert _PLAN is not None
    return [run_one(_PLAN, r) for r in runs]


def _chunk_with(plan: Plan, runs: Sequence[int]
                ) -> list[tuple[FloatArray, FloatArray, tuple[str, ...]]]:
    return [run_one(plan, r) for r in runs]


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Every run's indicators (``values[run, name, time]``), their statistics, metadata."""

    times_s: FloatArray
    names: tuple[str, ...]
    values: npt.NDArray[np.float64]
    counts: npt.NDArray[np.float64]
    metadata: dict[str, str] = field(default_factory=dict)

    def stat(self, name: str, which: str, *, counts: bool = False) -> FloatArray:
        """``mean``, ``p10``, ``p50`` or ``p90`` of indicator ``name`` at each time."""
        data = (self.counts if counts else self.values)[:, self.names.index(name)]
        if which == "mean":
            return np.asarray(data.mean(axis=0), dtype=np.float64)
        q = {"p10": 10, "p50": 50, "p90": 90}[which]
        return np.asarray(np.percentile(data, q, axis=0, method="inverted_cdf"),
                          dtype=np.float64)

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

    def to_parquet(self, folder: str | Path) -> Path:
        """Write ``stats.parquet`` and ``runs.parquet`` in ``folder``, moved in whole."""
        folder = Path(folder)
        meta = {b"tousrisques": json.dumps(self.metadata).encode()}
        runs, n, t = self.values.shape
        runs_table = pa.table({
            "run": np.repeat(np.arange(runs), n * t),
            "name": np.tile(np.repeat(np.array(self.names, dtype=object), t), runs).tolist(),
            "time_s": np.tile(self.times_s, runs * n),
            "value": self.values.ravel(), "count": self.counts.ravel()})
        with atomic_folder(folder) as tmp:
            pq.write_table(self.stats_table().replace_schema_metadata(meta),
                           tmp / "stats.parquet")
            pq.write_table(runs_table.replace_schema_metadata(meta), tmp / "runs.parquet")
        return folder

    @classmethod
    def from_parquet(cls, folder: str | Path) -> Ensemble:
        try:
            table = pq.read_table(Path(folder) / "runs.parquet")
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"{folder}: not an ensemble result ({exc})") from exc
        meta = json.loads((table.schema.metadata or {}).get(b"tousrisques", b"{}"))
        runs = int(table.column("run").to_numpy().max()) + 1
        names = tuple(dict.fromkeys(table.column("name").to_pylist()))
        t = len(table) // (runs * len(names))
        shape = (runs, len(names), t)
        return cls(table.column("time_s").to_numpy()[:t].astype(np.float64), names,
                   table.column("value").to_numpy().reshape(shape),
                   table.column("count").to_numpy().reshape(shape), meta)


def run_ensemble(c: CompiledTerritory, *, hazards: Sequence[Hazard], runs: int, seed: int,
                 duration_s: float, step_s: float, events: Sequence[Event] = (),
                 absent: Sequence[int] = (), draws: Draws | None = None, workers: int = 1,
                 dask: str | Any | None = None,
                 metadata: dict[str, str] | None = None) -> Ensemble:
    """``runs`` runs of the scenario; ``workers`` local processes, or a Dask cluster
    (``dask``: a scheduler address, ``"local"`` for a local cluster, or a ``Client``)."""
    if runs < 1:
        raise InputError("monte_carlo.runs must be at least 1")
    plan = Plan(c, Network.from_compiled(c), tuple(hazards), tuple(events), tuple(absent),
                duration_s, step_s, seed, draws or Draws())
    order = list(range(runs))
    if dask is not None:
        results = _on_dask(plan, order, dask)
    elif workers <= 1:
        results = _chunk_with(plan, order)
    else:
        size = max(1, math.ceil(runs / (workers * 4)))
        chunks = [order[i:i + size] for i in range(0, runs, size)]
        with ProcessPoolExecutor(workers, initializer=_install, initargs=(plan,)) as pool:
            results = [r for part in pool.map(_chunk, chunks) for r in part]
    names = results[0][2]
    times = np.arange(0.0, duration_s + step_s / 2, step_s)
    from tousrisques import __version__

    meta = {"version": __version__, "runs": str(runs), "seed": str(seed),
            "territory": c.name, "territory_hash": c.source_hash, **(metadata or {})}
    return Ensemble(times, names, np.stack([r[0] for r in results]),
                    np.stack([r[1] for r in results]), meta)


def _on_dask(plan: Plan, order: list[int], dask: str | Any) -> list[Any]:
    from dask.distributed import Client, LocalCluster

    own = None
    if isinstance(dask, str):
        own = Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
                     if dask == "local" else dask)
        client = own
    else:
        client = dask
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = max(1, math.ceil(len(order) / (workers * 4)))
        chunks = [order[i:i + size] for i in range(0, len(order), size)]
        shared = client.scatter(plan, broadcast=True)
        futures = client.map(_chunk_with, [shared] * len(chunks), chunks, pure=False)
        return [r for part in client.gather(futures) for r in part]
    finally:
        if own is not None:
            cluster = own.cluster
            own.close()
            if cluster is not None:
                cluster.close()
