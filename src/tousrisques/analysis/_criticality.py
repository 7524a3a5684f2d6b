"""Criticality: what the single loss of each asset costs — people no longer reached by any
broadcast, actors no longer able to reach a crisis cell, assets down with it.

The loss lasts ``horizon_s``: requirement groups whose backup lasts longer still hold
(``None``: a lasting loss, every backup run out). The baseline is the territory with every
asset working (the absent ones excepted); each loss is one greatest fixed point started from
the baseline's working set (a loss can only remove assets when every layer has a source),
and losses that put down the same relevant assets — the ones channels, zones, coverage and
actors' sites depend on — share one evaluation of reach and talk.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tousrisques.engine import Layer, Network, connected_to_source, fixed_point
from tousrisques.indicators import snapshot
from tousrisques.territory import CompiledTerritory, Requirements

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Criticality:
    """One row per asset evaluated, most critical first: ``population_lost`` (people),
    ``actors_cut`` (actors), ``assets_down`` (itself included); ``baseline_population`` and
    ``baseline_actors`` are the healthy state's reach and connected actors.

    Attributes
    ----------
    table : pyarrow.Table
        ``rank``, ``asset``, ``kind``, ``population_lost``, ``population_share``,
        ``actors_cut``, ``assets_down``.
    baseline_population : float
    baseline_actors : int
    horizon_s : float or None

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.analysis import criticality
    >>> cr = criticality(load_compiled("src/tousrisques/templates/petite-ville"))
    >>> cr.table.column("asset").to_pylist()[:2], cr.baseline_actors
    (['MAIRIE', 'PS-ELBEUF'], 5)
    """

    table: pa.Table
    baseline_population: float
    baseline_actors: int
    horizon_s: float | None

    def top(self, n: int) -> pa.Table:
        return self.table.slice(0, n)


def _single_losses(layer: Layer, fed: BoolArray) -> list[list[int]]:
    """For each member ``v`` of the layer, the members cut from every source when ``v``
    alone is removed from the fed ones (``v`` included), by one depth-first search from a
    node joined to every fed source: a member is cut by ``v`` when its subtree hangs below
    ``v`` with no back edge above it (Tarjan's articulation points). Members not fed lose
    nothing more."""
    m = len(layer.members)
    root = m
    disc = np.full(m + 1, -1, np.int64)
    low = np.zeros(m + 1, np.int64)
    order: list[int] = []
    end = np.zeros(m + 1, np.int64)  # preorder index one past the node's subtree
    cut: list[list[int]] = [[] for _ in range(m)]
    is_source = np.append(fed & layer.sources, False)
    roots = np.nonzero(is_source)[0].tolist()

    def neighbours(v: int) -> list[int]:
        if v == root:
            return roots
        nb = layer.indices[layer.indptr[v]:layer.indptr[v + 1]]
        return nb[fed[nb]].tolist()  # type: ignore[no-any-return]

    disc[root] = 0
    order.append(root)
    stack = [(root, -1, iter(neighbours(root)))]
    while stack:
        v, parent, it = stack[-1]
        w = next(it, None)
        if w is None:
            stack.pop()
            end[v] = len(order)
            if parent >= 0:
                low[parent] = min(low[parent], low[v])
                if parent != root and low[v] >= disc[parent]:
                    cut[parent].append(v)  # v's subtree hangs on parent alone
            continue
        if disc[w] < 0:
            disc[w] = len(order)
            # a source also hangs on the joined node: a back edge to it, whatever its parent
            low[w] = 0 if is_source[w] else disc[w]
            order.append(w)
            stack.append((w, v, iter(neighbours(w))))
        elif w != parent:
            low[v] = min(low[v], disc[w])
    pre = np.asarray(order, dtype=np.int64)
    out: list[list[int]] = []
    for v in range(m):
        lost = [v] if fed[v] else []
        for child in cut[v]:
            lost.extend(pre[disc[child]:end[child]].tolist())
        out.append(lost)
    return out


class _FromBaseline:
    """Connectivity of one layer that knows the healthy state: when the layer's working
    members are the last ones found fed, all of them are still fed (a fed set stays fed);
    when they are the healthy ones less one member, the members that one cuts off were
    found once for all (``_single_losses``); only other cases search the graph."""

    def __init__(self, layer: Layer, baseline: BoolArray) -> None:
        self.layer = layer
        self.baseline = baseline[layer.members]
        self.losses = _single_losses(layer, self.baseline)
        self.reset()

    def reset(self) -> None:
        self.last = self.baseline

    def update(self, w: BoolArray) -> BoolArray:
        if np.array_equal(w, self.last):
            return w.copy()
        gone = np.nonzero(self.baseline & ~w)[0]
        if len(gone) == 1 and (w <= self.baseline).all():
            fed = w.copy()
            fed[self.losses[int(gone[0])]] = False
        else:
            fed = connected_to_source(self.layer, w)
        self.last = fed
        return fed


def _owners_ok(req: Requirements, working: BoolArray, n_assets: int,
               horizon_s: float | None) -> BoolArray:
    met = (req.matrix(n_assets) @ working.view(np.int8)) > 0
    holds = met | (req.backup_s > horizon_s if horizon_s is not None else False)
    ok: BoolArray = np.bincount(req.owner[~holds], minlength=req.n_owners) == 0
    return ok


class _Losses:
    """Everything one worker needs to cost single losses (sent once to each process)."""

    def __init__(self, c: CompiledTerritory, absent: Sequence[int],
                 horizon_s: float | None) -> None:
        self.c = c
        self.horizon_s = horizon_s
        self.net = net = Network.from_compiled(c)
        n = c.n_assets
        self.damaged = np.zeros(n, bool)
        self.damaged[list(absent)] = True
        self.on_backup = (net.backup_s > horizon_s) if horizon_s is not None else None
        self.monotone = all(layer.has_sources for layer in net.layers)
        self.base = fixed_point(net, self.damaged, on_backup=self.on_backup,
                                reasons=False).working
        relevant = np.zeros(n, bool)
        relevant[c.actor_site[c.actor_site >= 0]] = True
        for req in (c.zone_requires, c.channel_requires):
            relevant[req.alt] = True
        kind_code = {k: i for i, k in enumerate(c.kind_names)}
        for kind in c.coverage_kinds:
            relevant |= c.kind == kind_code.get(kind, -1)
        self.relevant = relevant
        self.base_pop, self.base_actors = self.evaluate(self.base)

    def evaluate(self, working: BoolArray) -> tuple[float, int]:
        """People reached by any broadcast and actors connected, for one state."""
        c, n = self.c, self.c.n_assets
        snap = snapshot(c, working, _owners_ok(c.zone_requires, working, n, self.horizon_s),
                        _owners_ok(c.channel_requires, working, n, self.horizon_s))
        return float(snap.zone_reached[-1] @ c.population), int(np.isfinite(snap.latency).sum())

    def cost(self, rows: Sequence[int]) -> tuple[FloatArray, IntArray, IntArray]:
        """People lost, actors cut and assets down for the single loss of each of ``rows``."""
        net, base = self.net, self.base
        known = [_FromBaseline(layer, base) for layer in net.layers] if self.monotone \
            else None
        pop_lost = np.zeros(len(rows))
        actors_cut = np.zeros(len(rows), np.int64)
        down = np.zeros(len(rows), np.int64)
        seen: dict[bytes, tuple[float, int]] = {}
        for i, a in enumerate(rows):
            for k in known or ():
                k.reset()
            hit = self.damaged.copy()
            hit[a] = True
            working = fixed_point(net, hit, on_backup=self.on_backup,
                                  start=base if self.monotone else None,
                                  connectivity=known, reasons=False).working
            lost = base & ~working
            down[i] = int(lost.sum())
            key = np.packbits(lost & self.relevant).tobytes()
            if key not in seen:
                seen[key] = self.evaluate(working) if (lost & self.relevant).any() \
                    else (self.base_pop, self.base_actors)
            pop, actors = seen[key]
            pop_lost[i] = self.base_pop - pop
            actors_cut[i] = self.base_actors - actors
        return pop_lost, actors_cut, down


_WORKER: _Losses | None = None


def _install(losses: _Losses) -> None:
    global _WORKER  # one per worker process, sent once
    _WORKER = losses


def _cost(rows: list[int]) -> tuple[FloatArray, IntArray, IntArray]:
    assert _WORKER is not None
    return _WORKER.cost(rows)


def criticality(c: CompiledTerritory, *, horizon_s: float | None = None,
                absent: Sequence[int] = (), candidates: Sequence[int] | None = None,
                by: str = "population", workers: int = 1) -> Criticality:
    """Rank ``candidates`` (default: every present asset) by the cost of their single loss;
    ``by`` "population" (then actors) or "actors" (then population); ``workers`` local
    processes share the candidates (the same result whatever their number).

    Parameters
    ----------
    c : CompiledTerritory
    horizon_s : float, optional
        Judge the loss after this long (backups run out); default: at once.
    absent : sequence of int
        Asset rows absent.
    candidates : sequence of int, optional
        The assets to evaluate.
    by : {"population", "actors"}
    workers : int
        Local processes.

    Returns
    -------
    Criticality

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.analysis import criticality
    >>> cr = criticality(load_compiled("src/tousrisques/templates/petite-ville"))
    >>> top = cr.table.slice(0, 1).to_pylist()[0]
    >>> top["asset"], top["population_lost"], top["actors_cut"]
    ('MAIRIE', 5250.0, 5)
    """
    losses = _Losses(c, absent, horizon_s)
    rows = np.asarray(candidates if candidates is not None
                      else np.nonzero(~losses.damaged)[0], dtype=np.int64)
    if workers <= 1 or len(rows) < 2 * workers:
        pop_lost, actors_cut, down = losses.cost(rows.tolist())
    else:
        # interleaved chunks: neighbouring assets (one feeder) cost alike
        chunks = [rows[i::workers * 4].tolist() for i in range(workers * 4)]
        with ProcessPoolExecutor(workers, initializer=_install, initargs=(losses,)) as pool:
            parts = list(pool.map(_cost, chunks))
        pop_lost, actors_cut, down = np.zeros(len(rows)), np.zeros(len(rows), np.int64), \
            np.zeros(len(rows), np.int64)
        for i, (p, a, d) in enumerate(parts):
            pop_lost[i::workers * 4], actors_cut[i::workers * 4], down[i::workers * 4] = p, a, d
    primary, secondary = (pop_lost, actors_cut) if by == "population" else (actors_cut,
                                                                           pop_lost)
    order = np.lexsort((-down, -secondary, -primary))
    total = float(c.population.sum())
    ids = c.asset_ids.take(pa.array(rows[order]))
    table = pa.table({
        "rank": np.arange(1, len(rows) + 1),
        "asset": ids,
        "kind": [c.kind_names[int(k)] for k in c.kind[rows[order]]],
        "population_lost": pop_lost[order],
        "population_share": pop_lost[order] / total if total else pop_lost[order] * 0,
        "actors_cut": actors_cut[order],
        "assets_down": down[order],
    })
    return Criticality(table, losses.base_pop, losses.base_actors, horizon_s)
