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

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques._exceptions import InputError
from tousrisques.engine._ensemble import Ensemble
from tousrisques.engine._network import Network
from tousrisques.engine._timeline import Event, Timeline, run_timeline
from tousrisques.indicators import compute_indicators
from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]


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


def plan_events(plan: Plan, run: int) -> tuple[list[Event], Network]:
    """The events of run number ``run`` (damage and repairs drawn from its own generator)
    and its network (backups drawn too, when they vary)."""
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
    return events, net


def replay(plan: Plan, run: int) -> Timeline:
    """Run number ``run`` again, whole: its timeline with the log of every change."""
    c = plan.compiled
    events, net = plan_events(plan, run)
    return run_timeline(net, events, duration_s=plan.duration_s, step_s=plan.step_s,
                        absent=plan.absent,
                        owners={"zones": c.zone_requires, "channels": c.channel_requires})


# what a worker sends back for one run: values, counts, names, and the packed bits of
# zone_reached and actor_channels
RunOut = tuple[FloatArray, FloatArray, tuple[str, ...], npt.NDArray[np.uint8],
               npt.NDArray[np.uint8]]


def run_one(plan: Plan, run: int) -> RunOut:
    """Run number ``run`` of the plan: its indicators."""
    ind = compute_indicators(plan.compiled, replay(plan, run))
    assert ind.zone_reached is not None and ind.actor_channels is not None
    return (ind.values, ind.counts, ind.names, np.packbits(ind.zone_reached),
            np.packbits(ind.actor_channels))


_PLAN: Plan | None = None


def _install(plan: Plan) -> None:
    global _PLAN  # one plan per worker process, sent once
    _PLAN = plan


def _chunk(runs: Sequence[int]) -> list[RunOut]:
    assert _PLAN is not None
    return [run_one(_PLAN, r) for r in runs]


def _chunk_with(plan: Plan, runs: Sequence[int]) -> list[RunOut]:
    return [run_one(plan, r) for r in runs]


def make_plan(c: CompiledTerritory, *, hazards: Sequence[Hazard], seed: int,
              duration_s: float, step_s: float, events: Sequence[Event] = (),
              absent: Sequence[int] = (), draws: Draws | None = None) -> Plan:
    """Everything the runs of a scenario share (see :func:`run_ensemble`)."""
    return Plan(c, Network.from_compiled(c), tuple(hazards), tuple(events), tuple(absent),
                duration_s, step_s, seed, draws or Draws())


Progress = Callable[[int], None]


def run_ensemble(c: CompiledTerritory, *, hazards: Sequence[Hazard], runs: int, seed: int,
                 duration_s: float, step_s: float, events: Sequence[Event] = (),
                 absent: Sequence[int] = (), draws: Draws | None = None, workers: int = 1,
                 dask: str | Any | None = None, metadata: dict[str, str] | None = None,
                 progress: Progress | None = None) -> Ensemble:
    """``runs`` runs of the scenario; ``workers`` local processes, or a Dask cluster
    (``dask``: a scheduler address, ``"local"`` for a local cluster, or a ``Client``).
    ``progress`` is called with the number of runs just finished, as they finish."""
    if runs < 1:
        raise InputError("monte_carlo.runs must be at least 1")
    plan = make_plan(c, hazards=hazards, seed=seed, duration_s=duration_s, step_s=step_s,
                     events=events, absent=absent, draws=draws)
    order = list(range(runs))
    tick = progress or (lambda n: None)
    if dask is not None:
        results = _on_dask(plan, order, dask, tick)
    elif workers <= 1:
        results = []
        for r in order:
            results.append(run_one(plan, r))
            tick(1)
    else:
        chunks = _chunks(order, workers)
        with ProcessPoolExecutor(workers, initializer=_install, initargs=(plan,)) as pool:
            futures = {pool.submit(_chunk, chunk): i for i, chunk in enumerate(chunks)}
            parts: list[list[RunOut]] = [[] for _ in chunks]
            for future in as_completed(futures):
                parts[futures[future]] = future.result()
                tick(len(parts[futures[future]]))
        results = [r for part in parts for r in part]
    return _gather(c, plan, results, runs, metadata)


def _chunks(order: list[int], workers: int) -> list[list[int]]:
    size = max(1, math.ceil(len(order) / (workers * 4)))
    return [order[i:i + size] for i in range(0, len(order), size)]


def _gather(c: CompiledTerritory, plan: Plan, results: list[RunOut], runs: int,
            metadata: dict[str, str] | None) -> Ensemble:
    names = results[0][2]
    times = np.arange(0.0, plan.duration_s + plan.step_s / 2, plan.step_s)
    n_b = int(c.channel_broadcast.sum()) + 1
    n_t, n_z = len(times), len(c.population)
    n_a, n_c = len(c.actor_ids), len(c.channel_ids)
    zones = np.zeros(n_t * n_b * n_z)
    actor_channels = np.zeros(n_t * n_a * n_c)
    for r in results:
        zones += np.unpackbits(r[3], count=n_t * n_b * n_z)
        actor_channels += np.unpackbits(r[4], count=n_t * n_a * n_c)
    from tousrisques import __version__

    meta = {"version": __version__, "runs": str(runs), "seed": str(plan.seed),
            "territory": c.name, "territory_hash": c.source_hash, **(metadata or {})}
    return Ensemble(times, names, np.stack([r[0] for r in results]),
                    np.stack([r[1] for r in results]), meta,
                    (zones / runs).reshape(n_t, n_b, n_z),
                    (actor_channels / runs).reshape(n_t, n_a, n_c),
                    tuple(str(x) for x in c.zone_ids.to_pylist()),
                    tuple(str(x) for x in c.actor_ids.tolist()),
                    tuple(str(x) for x in c.channel_ids.tolist()),
                    (*(str(x) for x in c.channel_ids[c.channel_broadcast].tolist()), "any"))


def _on_dask(plan: Plan, order: list[int], dask: str | Any, tick: Progress) -> list[RunOut]:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    own = None
    if isinstance(dask, str):
        own = Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
                     if dask == "local" else dask)
        client = own
    else:
        client = dask
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = _chunks(order, workers)
        shared = client.scatter(plan, broadcast=True)
        futures = client.map(_chunk_with, [shared] * len(chunks), chunks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        parts: list[list[RunOut]] = [[] for _ in chunks]
        for future in dask_completed(futures):
            parts[index[future.key]] = future.result()
            tick(len(parts[index[future.key]]))
        return [r for part in parts for r in part]
    finally:
        if own is not None:
            cluster = own.cluster
            own.close()
            if cluster is not None:
                cluster.close()
