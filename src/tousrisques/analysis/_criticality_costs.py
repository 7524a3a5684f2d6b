"""The cost of single losses, as arrays: for each asset, the people each broadcast channel
no longer reaches, the actors cut off, the assets down with it (see ``_criticality.py``).

The loss lasts ``horizon_s``: requirement groups whose backup lasts longer still hold
(``None``: a lasting loss, every backup run out), and an actor whose site is down works from
its fallback site when the loss lasts at least its ``fallback_delay``. The baseline is the
territory with every asset working (the absent ones excepted); each loss is one greatest
fixed point started from the baseline's working set (a loss can only remove assets when every
layer has a source), and losses that put down the same relevant assets — the ones channels,
zones, coverage and actors' sites depend on — share one evaluation of reach and talk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.engine import Layer, Network, connected_to_source, fixed_point
from tousrisques.indicators import snapshot
from tousrisques.territory import CompiledTerritory, Requirements

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class State:
    """What one state of the assets gives: people reached by each broadcast channel (in
    the territory's order) and by any, actors able to reach a crisis cell, and actors cut
    off (no crisis cell, or a broken link to one they report to)."""

    reach: FloatArray
    reach_any: float
    connected: int
    cut_off: int


@dataclass(frozen=True)
class Costs:
    """Per loss evaluated (rows in the order asked): people lost per broadcast channel
    ``(rows, channels)`` and by any, actors no longer able to reach a crisis cell, actors cut
    off (``State.cut_off``), assets down with it, and a consequence key: two losses share a
    non-zero key when they put down the same relevant assets (0: none)."""

    lost: FloatArray
    lost_any: FloatArray
    actors_cut: IntArray
    cut_off: IntArray
    down: IntArray
    key: IntArray

    @staticmethod
    def join(parts: Sequence[Costs], slots: Sequence[slice | IntArray], n: int,
             n_channels: int) -> Costs:
        """The costs of ``n`` rows from parts computed on ``slots`` of them."""
        out = Costs(np.zeros((n, n_channels)), np.zeros(n), np.zeros(n, np.int64),
                    np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64))
        for part, slot in zip(parts, slots, strict=True):
            for name in ("lost", "lost_any", "actors_cut", "cut_off", "down", "key"):
                getattr(out, name)[slot] = getattr(part, name)
        return out


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


class Losses:
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
        # actors that work from their fallback site when theirs is down for this long
        n_a = len(c.actor_ids)
        fallback = c.actor_fallback if len(c.actor_fallback) == n_a else np.full(n_a, -1)
        delay = c.actor_fallback_delay_s if len(c.actor_fallback_delay_s) == n_a \
            else np.zeros(n_a)
        moves = (fallback >= 0) & (c.actor_site >= 0)
        if horizon_s is not None:
            moves &= delay <= horizon_s + 1e-9
        who = np.nonzero(moves)[0]
        self.fallback = (np.column_stack([who, c.actor_site[who]]).astype(np.int64),
                         fallback[who].astype(np.int64)) if len(who) else None
        relevant[fallback[who]] = True
        self.relevant = relevant
        self.baseline = self.evaluate(self.base)

    def evaluate(self, working: BoolArray) -> State:
        """Reach and talk for one state of the assets."""
        c, n = self.c, self.c.n_assets
        moved = None
        if self.fallback is not None:
            site, fallback = self.fallback
            moved = np.zeros(len(c.actor_ids), bool)
            moved[site[:, 0]] = ~working[site[:, 1]] & working[fallback]
        snap = snapshot(c, working, _owners_ok(c.zone_requires, working, n, self.horizon_s),
                        _owners_ok(c.channel_requires, working, n, self.horizon_s),
                        moved=moved)
        reach = snap.zone_reached @ c.population
        connected = np.isfinite(snap.latency)
        cut = ~connected
        if len(c.reports_to):
            a, b = c.reports_to[:, 0], c.reports_to[:, 1]
            broken = snap.component[a] != snap.component[b]
            cut[a[broken]] = True
        return State(reach[:-1], float(reach[-1]), int(connected.sum()), int(cut.sum()))

    def cost(self, rows: Sequence[int]) -> Costs:
        """What the single loss of each of ``rows`` costs."""
        net, base = self.net, self.base
        known = [_FromBaseline(layer, base) for layer in net.layers] if self.monotone \
            else None
        m = len(rows)
        b = self.baseline
        lost = np.zeros((m, len(b.reach)))
        out = Costs(lost, np.zeros(m), np.zeros(m, np.int64), np.zeros(m, np.int64),
                    np.zeros(m, np.int64), np.zeros(m, np.int64))
        seen: dict[bytes, tuple[State, int]] = {}
        for i, a in enumerate(rows):
            for k in known or ():
                k.reset()
            hit = self.damaged.copy()
            hit[a] = True
            working = fixed_point(net, hit, on_backup=self.on_backup,
                                  start=base if self.monotone else None,
                                  connectivity=known, reasons=False).working
            gone = base & ~working
            out.down[i] = int(gone.sum())
            gone &= self.relevant
            key = np.packbits(gone).tobytes()
            if key not in seen:
                touched = bool(gone.any())
                # the key travels between processes: a digest, not Python's salted hash
                digest = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(),
                                        "little", signed=True) | 1 if touched else 0
                seen[key] = (self.evaluate(working) if touched else b, digest)
            s, out.key[i] = seen[key]
            lost[i] = b.reach - s.reach
            out.lost_any[i] = b.reach_any - s.reach_any
            out.actors_cut[i] = b.connected - s.connected
            out.cut_off[i] = s.cut_off - b.cut_off
        return out


_WORKER: Losses | None = None


def install(losses: Losses) -> None:
    """Keep ``losses`` in this worker process (sent once)."""
    global _WORKER  # one per worker process, sent once
    _WORKER = losses


def cost_in_worker(rows: list[int]) -> Costs:
    """``Losses.cost`` in a worker process set up by :func:`install`."""
    assert _WORKER is not None
    return _WORKER.cost(rows)


