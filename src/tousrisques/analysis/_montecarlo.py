"""Monte Carlo: many runs of a plan, in parallel, each with its indicators.

Run ``i`` is ``tousrisques.engine.replay(plan, i)`` (its own generator, seeded by
``(seed, i)``), so the same seed gives the same results whatever the number of workers,
processes or Dask workers. Results: every run's indicators, and per indicator and time the
mean, P10, P50 and P90 (:class:`Ensemble`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques._exceptions import InputError
from tousrisques._version import __version__
from tousrisques.analysis._ensemble import Ensemble
from tousrisques.engine import Plan, replay
from tousrisques.indicators import compute_indicators
from tousrisques.scenario import check_plan

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int], None]
#: seconds a Dask scheduler has to answer (connect and handshake) before it is given up
DASK_TIMEOUT = 10.0


# what a worker sends back for one run: values, counts, names, the packed bits of
# zone_reached (zones wholly reached) and actor_channels, and the zones partly reached (door
# to door by volunteers: flat positions in zone_reached and their shares, a few)
RunOut = tuple[
    FloatArray, FloatArray, tuple[str, ...], npt.NDArray[np.uint8], npt.NDArray[np.uint8],
    npt.NDArray[np.int64], FloatArray,
]


def run_one(plan: Plan, run: int) -> RunOut:
    """Run number ``run`` of the plan: its indicators (the states are those of ``replay``;
    the causes of changes, which indicators do not read, are not computed)."""
    ind = compute_indicators(plan.compiled, replay(plan, run, causes=False))
    assert ind.zone_reached is not None and ind.actor_channels is not None
    shares = ind.zone_reached.ravel()
    part = np.flatnonzero((shares > 0) & (shares < 1))
    return (
        ind.values,
        ind.counts,
        ind.names,
        np.packbits(shares >= 1),
        np.packbits(ind.actor_channels),
        part.astype(np.int64),
        shares[part],
    )


_PLAN: Plan | None = None


def _install(plan: Plan) -> None:
    global _PLAN  # one plan per worker process, sent once
    _PLAN = plan


def _chunk(runs: Sequence[int]) -> list[RunOut]:
    assert _PLAN is not None
    return [run_one(_PLAN, r) for r in runs]


def _chunk_with(plan: Plan, runs: Sequence[int]) -> list[RunOut]:
    return [run_one(plan, r) for r in runs]


def run_ensemble(
    plan: Plan,
    *,
    runs: int,
    workers: int = 1,
    dask: str | Any | None = None,
    progress: Progress | None = None,
    max_memory: int | str | None = None,
) -> Ensemble:
    """The Monte Carlo of a plan: ``runs`` runs, each with its indicators.

    Run ``i`` is ``tousrisques.engine.replay(plan, i)``: the same seed gives the same results
    whatever the number of workers.

    Parameters
    ----------
    plan : Plan
        From ``tousrisques.scenario.scenario_plan`` or ``tousrisques.engine.make_plan``.
    runs : int
        Number of runs (1 or more).
    workers : int
        Local processes (1: in this process).
    dask : str or Client, optional
        A Dask scheduler address, ``"local"`` for a local cluster, or a ``Client``.
    progress : callable, optional
        Called with the number of runs just finished, as they finish.
    max_memory : int or str, optional
        The most memory the Monte Carlo may take (bytes, or ``"16G"``); default the
        environment variable ``TOUSRISQUES_MAX_MEMORY``, else half of the machine's memory.
        A Monte Carlo estimated above it (``runs=10**9``), more than 1,000,000 runs or more
        workers than 4 per core is refused before it starts (``InputError``, codes
        ``budget.*``); a Dask scheduler that does not answer within ``DASK_TIMEOUT`` seconds
        is ``InputError("dask.unreachable")``.

    Returns
    -------
    Ensemble
        Every run's indicators, their statistics, per-zone and per-actor shares.

    Examples
    --------
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> plan = scenario_plan(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"))
    >>> ens = run_ensemble(plan, runs=4)
    >>> ens.runs, ens.stat("population_reached:any", "p10").shape == ens.times_s.shape
    (4, True)
    """
    if runs < 1:
        raise InputError("ensemble.runs", runs=runs)
    check_plan(plan, runs=runs, workers=workers, max_memory=max_memory)
    workers = min(workers, runs)
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
    return _gather(plan, results, runs)


def _chunks(order: list[int], workers: int) -> list[list[int]]:
    size = max(1, math.ceil(len(order) / (workers * 4)))
    return [order[i : i + size] for i in range(0, len(order), size)]


def _gather(plan: Plan, results: list[RunOut], runs: int) -> Ensemble:
    c = plan.compiled
    names = results[0][2]
    times = np.arange(0.0, plan.duration_s + plan.step_s / 2, plan.step_s)
    n_b = int(c.channel_broadcast.sum()) + 1
    n_t, n_z = len(times), len(c.population)
    n_a, n_c = len(c.actor_ids), len(c.channel_ids)
    zones = np.zeros(n_t * n_b * n_z)
    actor_channels = np.zeros(n_t * n_a * n_c)
    for r in results:
        zones += np.unpackbits(r[3], count=n_t * n_b * n_z)
        zones[r[5]] += r[6]
        actor_channels += np.unpackbits(r[4], count=n_t * n_a * n_c)
    meta = {
        "version": __version__,
        "runs": str(runs),
        "seed": str(plan.seed),
        "territory": c.name,
        "territory_hash": c.source_hash,
        **plan.metadata,
    }
    return Ensemble(
        times,
        names,
        np.stack([r[0] for r in results]),
        np.stack([r[1] for r in results]),
        meta,
        (zones / runs).reshape(n_t, n_b, n_z),
        (actor_channels / runs).reshape(n_t, n_a, n_c),
        tuple(str(x) for x in c.zone_ids.to_pylist()),
        tuple(str(x) for x in c.actor_ids.tolist()),
        tuple(str(x) for x in c.channel_ids.tolist()),
        (*(str(x) for x in c.channel_ids[c.channel_broadcast].tolist()), "any"),
    )


def _on_dask(plan: Plan, order: list[int], dask: str | Any, tick: Progress) -> list[RunOut]:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    own = None
    if isinstance(dask, str):
        own = (
            Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None))
            if dask == "local"
            else dask_client(dask)
        )
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


def dask_client(address: str, timeout: float | str | None = None) -> Any:
    """A client of the Dask scheduler at ``address``, or ``InputError("dask.unreachable")``
    when none answers within ``timeout`` seconds (default ``DASK_TIMEOUT``): a silent host,
    an HTTP server or a closed port is refused in bounded time, never waited on.

    Parameters
    ----------
    address : str
        A Dask scheduler's address (``"tcp://10.0.0.5:8786"``).
    timeout : float or str, optional
        Seconds, or a Dask duration (``"30s"``); default ``DASK_TIMEOUT``.

    Returns
    -------
    distributed.Client
        Connected; the caller closes it.

    Raises
    ------
    InputError
        ``dask.unreachable`` when no scheduler answers within ``timeout``.

    Examples
    --------
    >>> from tousrisques import InputError
    >>> from tousrisques.analysis import dask_client
    >>> try:
    ...     dask_client("tcp://127.0.0.1:1", timeout=0.2)  # nothing listens there
    ... except InputError as exc:
    ...     print(exc.code)
    dask.unreachable
    """
    from dask.distributed import Client

    seconds = _seconds(DASK_TIMEOUT if timeout is None else timeout)
    try:
        # Client's own timeout does not bound the handshake: at a host that accepts and
        # says nothing it waits for ever; so ask who is there first, within the time
        _probe(address, seconds)
        return Client(address, timeout=seconds)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        raise InputError("dask.unreachable", address=address,
                         detail=str(exc).splitlines()[0][:200] if str(exc)
                         else type(exc).__name__) from None


def _seconds(timeout: float | str) -> float:
    if isinstance(timeout, str):
        from dask.utils import parse_timedelta

        return float(parse_timedelta(timeout))
    return float(timeout)


def _probe(address: str, timeout: float) -> None:
    """Connect to ``address`` and ask for its identity, all within ``timeout`` seconds, in a
    thread of its own (so that a caller's running event loop is left alone); raise
    ``OSError`` when no Dask scheduler answers."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm.core import connect

    async def ask() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> Any:
        return await asyncio.wait_for(ask(), timeout)

    pool = ThreadPoolExecutor(1)
    try:
        reply = pool.submit(asyncio.run, bounded()).result(timeout + 1)
    except TimeoutError:  # asyncio's and the future's are this one (Python 3.11)
        raise OSError(f"no answer within {timeout:g} s") from None
    except Exception as exc:  # a comm closed, an HTTP reply that is not Dask's
        raise OSError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    finally:
        pool.shutdown(wait=False)
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise OSError("what answers there is not a Dask scheduler")
