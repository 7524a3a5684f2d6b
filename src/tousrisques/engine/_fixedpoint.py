"""The greatest fixed point of DESIGN §3, vectorised.

An asset works iff it is not damaged, every requirement group is met (or on backup), and, in
a layer, it is connected to a working source (to the largest working component when the
layer declares no source). Starting from every undamaged asset working, each round removes
what breaks a rule: requirement groups with sparse matrix-vector products until nothing more
falls, then connectivity with ``scipy.sparse.csgraph`` per layer. Removal only ever removes,
so the loop ends, and what is left is the greatest set that satisfies every rule: mutual
dependencies that hold stay up.

Every asset that stops records why: damaged, a requirement group not met (which one), or cut
from every source of its layer (which layer), and in which round, so that a cause can be
followed back to the first ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from tousrisques.engine._network import BoolArray, IntArray, Layer, Network

WORKING = 0
DAMAGED = 1
REQUIREMENT = 2
DISCONNECTED = 3
REASONS = ("working", "damaged", "requirement", "disconnected")


@dataclass(frozen=True, eq=False)
class FixedPoint:
    """Which assets work, and for each one that does not, why.

    ``reason`` is one of :data:`REASONS` (as codes); ``group`` the requirement group that was
    not met (-1 otherwise); ``layer`` the layer it was cut from (-1 otherwise); ``round`` the
    round in which it stopped (0: damaged), which orders the causes of a cascade.

    Attributes
    ----------
    working : ndarray of bool
        Which assets work.
    reason : ndarray of int8
        Index into :data:`REASONS`.
    group, layer, round : ndarray
        The group not met, the layer cut from, the round it stopped in.
    rounds : int
        How many rounds the removal took.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Network, fixed_point
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> net = Network.from_compiled(c)
    >>> damaged = np.zeros(net.n, dtype=bool)
    >>> damaged[ids.index("PS-ELBEUF")] = True
    >>> from tousrisques.engine import REASONS
    >>> fp = fixed_point(net, damaged)
    >>> REASONS[fp.reason[ids.index("T-NORD")]]
    'disconnected'
    """

    working: BoolArray
    reason: npt.NDArray[np.int8]
    group: IntArray
    layer: npt.NDArray[np.int16]
    round: npt.NDArray[np.int32]
    rounds: int


def connected_to_source(layer: Layer, working: BoolArray) -> BoolArray:
    """Among the layer's members that work (``working``, local), those connected to a working
    source through working members — or to the largest working component, when the layer
    declares no source.

    Parameters
    ----------
    layer : Layer
    working : ndarray of bool
        One per member of the layer.

    Returns
    -------
    ndarray of bool
        One per member.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Network, fixed_point
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> net = Network.from_compiled(c)
    >>> damaged = np.zeros(net.n, dtype=bool)
    >>> damaged[ids.index("PS-ELBEUF")] = True
    >>> from tousrisques.engine import connected_to_source
    >>> power = net.layers[0]
    >>> up = np.ones(len(power.members), dtype=bool)
    >>> up[0] = False  # the substation; the town hall's generator is a source too
    >>> [ids[m] for m, ok in zip(power.members, connected_to_source(power, up)) if ok]
    ['GE-MAIRIE']
    """
    m = len(layer.members)
    if m == 0 or not working.any():
        return np.zeros(m, bool)
    keep = working[layer.edge_row] & working[layer.indices]
    indptr = np.zeros(m + 1, np.int64)
    np.cumsum(np.bincount(layer.edge_row[keep], minlength=m), out=indptr[1:])
    graph = sp.csr_matrix((np.ones(int(keep.sum()), np.int8), layer.indices[keep], indptr),
                          shape=(m, m))
    _, labels = connected_components(graph, directed=False)
    if layer.has_sources:
        fed = np.zeros(int(labels.max()) + 1, bool)
        fed[labels[working & layer.sources]] = True
        ok: BoolArray = working & fed[labels]
        return ok
    # the largest component; a tie goes to the one holding the smallest key (the asset id's
    # rank in string order for a compiled territory, else the asset index): never file order
    sizes = np.bincount(labels[working], minlength=int(labels.max()) + 1)
    key = layer.members if layer.tie is None else layer.tie
    least = np.full(len(sizes), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(least, labels[working], key[working])
    best = np.nonzero(sizes == sizes.max())[0]
    largest: BoolArray = working & (labels == int(best[np.argmin(least[best])]))
    return largest


class Connectivity(Protocol):
    """Something that tells which working members of a layer are fed (see ``Forest``)."""

    def update(self, w: BoolArray) -> BoolArray: ...


def fixed_point(net: Network, damaged: BoolArray, *,
                on_backup: BoolArray | None = None,
                start: BoolArray | None = None,
                connectivity: Sequence[Connectivity] | None = None,
                reasons: bool = True) -> FixedPoint:
    """The greatest set of working assets given the ``damaged`` ones.

    ``on_backup`` marks requirement groups that count as met although none of their
    alternatives works (their backup is still running); the timeline sets it. ``start``, when
    given, is a set known to contain the answer (the working set before more damage): the
    removal starts from it instead of from every undamaged asset. ``connectivity``, one per
    layer, replaces the from-scratch connectivity with an incremental one that remembers the
    previous state.

    The reasons (and groups, layers and rounds) never depend on ``start``: they are those of
    the removal from every undamaged asset, so that an asset's cause is a function of the
    state alone and every chain of causes ends in damage (see :func:`reasons_afresh`).
    ``reasons=False`` skips that recomputation when ``start`` is given, for callers that need
    the working set only (then the reasons are those of the assets that fell in this call;
    the others down read ``WORKING``); the working set is the same.

    Parameters
    ----------
    net : Network
    damaged : ndarray of bool
        One per asset.
    on_backup : ndarray of bool, optional
        Requirement groups counted as met.
    start : ndarray of bool, optional
        A working set known to contain the answer.
    connectivity : sequence, optional
        Incremental connectivity, one per layer.
    reasons : bool
        False: with ``start``, skip the reasons of assets that were down before.

    Returns
    -------
    FixedPoint

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Network, fixed_point
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> net = Network.from_compiled(c)
    >>> damaged = np.zeros(net.n, dtype=bool)
    >>> damaged[ids.index("PS-ELBEUF")] = True
    >>> fp = fixed_point(net, damaged)
    >>> int(fp.working.sum()), bool(fp.working[ids.index("ANT-NORD")])  # no backup here
    (7, False)
    """
    n = net.n
    working = ~np.asarray(damaged, dtype=bool)
    if start is not None:
        working &= start
    reason = np.asarray(damaged, dtype=bool).astype(np.int8)  # DAMAGED is 1, WORKING 0
    group = np.full(n, -1, np.int64)
    layer_of = np.full(n, -1, np.int16)
    stopped = np.zeros(n, np.int32)
    excused = np.zeros(net.n_groups, bool) if on_backup is None else on_backup
    rounds = 0
    while True:
        while True:  # requirement groups, until nothing more falls
            rounds += 1
            met = (net.groups @ working.view(np.int8)) > 0
            failing = ~(met | excused)
            owners = net.group_owner[failing]
            alive = working[owners]
            if not alive.any():
                break
            falling, first = np.unique(owners[alive], return_index=True)
            working[falling] = False
            reason[falling] = REQUIREMENT
            group[falling] = np.nonzero(failing)[0][alive][first]
            stopped[falling] = rounds
        rounds += 1
        cut_any = False
        for code, layer in enumerate(net.layers):
            w = working[layer.members]
            fed = connectivity[code].update(w) if connectivity is not None \
                else connected_to_source(layer, w)
            lost = layer.members[w & ~fed]
            if len(lost):
                working[lost] = False
                reason[lost] = DISCONNECTED
                layer_of[lost] = code
                stopped[lost] = rounds
                cut_any = True
        if not cut_any:
            break
    if start is not None and reasons:
        reason, group, layer_of, stopped = reasons_afresh(net, damaged, excused, working)
    return FixedPoint(working, reason, group, layer_of, stopped, rounds)


def _gather(indptr: npt.NDArray[np.integer], indices: npt.NDArray[np.integer], rows: IntArray
            ) -> tuple[IntArray, IntArray]:
    """The stored entries of ``rows``: (the row of each entry, its column)."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    offsets = np.repeat(starts - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
    pos = offsets + np.arange(total)
    return np.repeat(rows, lengths), indices[pos].astype(np.int64, copy=False)


def reasons_afresh(net: Network, damaged: BoolArray, excused: BoolArray, working: BoolArray
                   ) -> tuple[npt.NDArray[np.int8], IntArray, npt.NDArray[np.int16],
                              npt.NDArray[np.int32]]:
    """Why each asset that does not work is down, as the removal from every undamaged asset
    says it, given the answer ``working`` (the greatest fixed point): reason, group, layer
    and round, as in :class:`FixedPoint`.

    Only the assets that end down can be removed, so the removal is replayed on them alone:
    requirement groups of theirs until nothing more falls, then connectivity, where the
    members that end working count as fed (with a source in every layer, each is connected
    to one through working members). The work follows the number of assets down, not the
    size of the territory. A layer without sources (largest-component rule) is not
    monotone: the removal is then computed whole.
    """
    damaged = np.asarray(damaged, dtype=bool)
    if not all(layer.has_sources for layer in net.layers):
        fp = fixed_point(net, damaged, on_backup=excused)
        return fp.reason, fp.group, fp.layer, fp.round
    n = net.n
    candidate = ~working & ~damaged  # removed on the way
    reason = np.where(damaged, DAMAGED, WORKING).astype(np.int8)
    group = np.full(n, -1, np.int64)
    layer_of = np.full(n, -1, np.int16)
    stopped = np.zeros(n, np.int32)
    nodes = np.nonzero(candidate)[0]
    if len(nodes) == 0:
        return reason, group, layer_of, stopped
    rows = np.nonzero(candidate[net.group_owner])[0]
    out = _replay(net, excused, working, nodes, rows, _positions(net))
    reason[nodes], group[nodes], layer_of[nodes], stopped[nodes] = out
    return reason, group, layer_of, stopped


def _positions(net: Network) -> list[IntArray]:
    """For each layer, each asset's index among its members (-1: not a member)."""
    out = []
    for layer in net.layers:
        pos = np.full(net.n, -1, np.int64)
        pos[layer.members] = np.arange(len(layer.members))
        out.append(pos)
    return out


def _replay(net: Network, excused: BoolArray, working: BoolArray, nodes: IntArray,
            rows: IntArray, position: Sequence[IntArray]
            ) -> tuple[npt.NDArray[np.int8], IntArray, npt.NDArray[np.int16],
                       npt.NDArray[np.int32]]:
    """The removal of :func:`reasons_afresh` replayed on ``nodes`` (sorted assets that end
    down and are not damaged: all of them, or clusters of them that read no other, see
    :class:`Reasons`), whose requirement groups are ``rows`` (sorted). Assets outside
    ``nodes`` keep their final state throughout: working ones work, the others are damaged.
    The work follows the size of ``nodes`` and their links. Returns reason, group, layer and
    round of each node, in the order of ``nodes``."""
    k = len(nodes)
    reason = np.full(k, WORKING, np.int8)
    group = np.full(k, -1, np.int64)
    layer_of = np.full(k, -1, np.int16)
    stopped = np.zeros(k, np.int32)
    alive = np.ones(k, bool)
    rows = rows[~excused[rows]]
    n_rows = len(rows)
    ent_group, alt = _gather(net.groups.indptr, net.groups.indices, rows)
    ent_row = np.searchsorted(rows, ent_group)
    # an alternative that works counts throughout; a node counts while it stands
    at = np.searchsorted(nodes, alt).clip(max=k - 1)
    is_node = nodes[at] == alt
    steady = np.bincount(ent_row[working[alt]], minlength=n_rows)
    node_row, node_at = ent_row[is_node], at[is_node]
    owner_at = np.searchsorted(nodes, net.group_owner[rows])
    rounds = 0
    while True:
        while True:
            rounds += 1
            count = steady + np.bincount(node_row[alive[node_at]], minlength=n_rows)
            failing = np.nonzero(count == 0)[0]
            owners = owner_at[failing]
            live = alive[owners]
            if not live.any():
                break
            falling, first = np.unique(owners[live], return_index=True)
            alive[falling] = False
            reason[falling] = REQUIREMENT
            group[falling] = rows[failing[live][first]]
            stopped[falling] = rounds
        rounds += 1
        cut_any = False
        for code, layer in enumerate(net.layers):
            pos = position[code][nodes]
            sel = np.nonzero(alive & (pos >= 0))[0]
            if len(sel) == 0:
                continue
            mem = pos[sel]
            lengths = layer.indptr[mem + 1] - layer.indptr[mem]
            src = np.repeat(np.arange(len(sel)), lengths)
            _, nb = _gather(layer.indptr, layer.indices, mem)
            nb_asset = layer.members[nb]
            # anchored: a source, or next to a member that ends up working
            anchored = layer.sources[mem].copy()
            anchored[src[working[nb_asset]]] = True
            nb_at = np.searchsorted(nodes, nb_asset).clip(max=k - 1)
            inner = (nodes[nb_at] == nb_asset) & alive[nb_at]
            if inner.any():  # pieces of nodes: fed when one of theirs is anchored
                sel_of = np.full(k, -1, np.int64)
                sel_of[sel] = np.arange(len(sel))
                indptr = np.zeros(len(sel) + 1, np.int64)  # src is sorted: CSR directly
                np.cumsum(np.bincount(src[inner], minlength=len(sel)), out=indptr[1:])
                graph = sp.csr_matrix((np.ones(int(inner.sum()), np.int8),
                                       sel_of[nb_at[inner]], indptr),
                                      shape=(len(sel), len(sel)))
                n_comp, labels = connected_components(graph, directed=False)
                fed = np.zeros(n_comp, bool)
                fed[labels[anchored]] = True
                anchored = fed[labels]
            lost = sel[~anchored]
            if len(lost):
                alive[lost] = False
                reason[lost] = DISCONNECTED
                layer_of[lost] = code
                stopped[lost] = rounds
                cut_any = True
        if not cut_any:
            break
    return reason, group, layer_of, stopped


class Reasons:
    """The reasons of :func:`reasons_afresh`, kept up to date from one state to the next.

    An asset that ends down without being damaged (a candidate) falls in the removal only
    because of the assets it reads: the alternatives of its groups and its layer neighbours.
    Working assets stay up through the removal and damaged ones are down from the start, so
    the reasons of a cluster of candidates (joined by those links) depend on that cluster
    alone. From one state to the next only the clusters that touch an asset whose state
    changed (or a candidate whose backup started or ended) are replayed; the others keep
    their reasons. The rounds of the clusters kept are those of the state they were computed
    in (the log does not use them). A layer without sources is not monotone: every state is
    then computed whole.
    """

    def __init__(self, net: Network) -> None:
        self.net = net
        self.monotone = all(layer.has_sources for layer in net.layers)
        self.state: tuple[BoolArray, BoolArray, BoolArray] | None = None
        self.reason = np.zeros(net.n, np.int8)
        self.group = np.full(net.n, -1, np.int64)
        self.layer = np.full(net.n, -1, np.int16)
        self.round = np.zeros(net.n, np.int32)
        self._owned: tuple[IntArray, IntArray, sp.csc_matrix, list[IntArray]] | None = None

    def _maps(self) -> tuple[IntArray, IntArray, sp.csc_matrix, list[IntArray]]:
        """Each owner's groups (pointer, group indices), the groups each asset is an
        alternative of (the groups' matrix by column), each asset's place in each layer."""
        if self._owned is None:
            net = self.net
            order = np.argsort(net.group_owner, kind="stable").astype(np.int64)
            ptr = np.zeros(net.n + 1, np.int64)
            np.cumsum(np.bincount(net.group_owner, minlength=net.n), out=ptr[1:])
            self._owned = ptr, order, net.groups.tocsc(), _positions(net)
        return self._owned

    def _neighbours(self, assets: IntArray) -> IntArray:
        """Who ``assets`` read or are read by: their groups' alternatives, the owners of
        the groups they are an alternative of, their layer neighbours (with repeats)."""
        net = self.net
        ptr, order, by_alt, position = self._maps()
        found = [_gather(net.groups.indptr, net.groups.indices,
                         _gather(ptr, order, assets)[1])[1],
                 net.group_owner[_gather(by_alt.indptr, by_alt.indices, assets)[1]]]
        for code, layer in enumerate(net.layers):
            pos = position[code][assets]
            found.append(layer.members[_gather(layer.indptr, layer.indices, pos[pos >= 0])[1]])
        return np.concatenate(found)

    def _keep(self, damaged: BoolArray, excused: BoolArray, working: BoolArray) -> None:
        # the timeline changes ``damaged`` in place; ``excused`` and ``working`` are new
        # arrays at each computation, which nobody changes
        self.state = damaged.copy(), excused, working

    def set(self, damaged: BoolArray, excused: BoolArray, fp: FixedPoint) -> BoolArray:
        """Take the reasons of a fixed point computed from every undamaged asset (they are
        the removal's); returns which assets' state or reason may have changed."""
        if self.state is None:
            touched = np.ones(self.net.n, bool)
        else:
            # a reason changes only where the asset is down now, or was down before (then
            # its state changed)
            before_damaged, _, before_working = self.state
            touched = (damaged != before_damaged) | (fp.working != before_working)
            down = np.nonzero(~fp.working)[0]
            touched[down] |= (fp.reason[down] != self.reason[down]) \
                | (fp.group[down] != self.group[down]) | (fp.layer[down] != self.layer[down])
        # the fixed point's arrays become this one's (the timeline keeps no other reference)
        self.reason, self.group, self.layer, self.round = fp.reason, fp.group, fp.layer, \
            fp.round
        self._keep(damaged, excused, fp.working)
        return touched

    def update(self, damaged: BoolArray, excused: BoolArray, working: BoolArray
               ) -> BoolArray:
        """The reasons for a new state (the greatest fixed point ``working``); returns which
        assets' state or reason may have changed."""
        net = self.net
        if self.state is None or not self.monotone:
            self.reason, self.group, self.layer, self.round = reasons_afresh(
                net, damaged, excused, working)
            self._keep(damaged, excused, working)
            return np.ones(net.n, bool)
        before_damaged, before_excused, before_working = self.state
        candidate = ~(working | damaged)
        moved = (damaged ^ before_damaged) | (working ^ before_working)
        owners = net.group_owner[excused != before_excused]
        moved[owners[candidate[owners]]] = True
        seeds = np.nonzero(moved)[0]
        # the clusters of candidates that hold a seed or read one (breadth first; a node
        # may be twice in a frontier, never in two)
        reached = moved & candidate
        nb = self._neighbours(seeds)
        frontier = np.r_[seeds[reached[seeds]], nb[candidate[nb] & ~reached[nb]]]
        reached[frontier] = True
        while len(frontier):
            nb = self._neighbours(frontier)
            frontier = nb[candidate[nb] & ~reached[nb]]
            reached[frontier] = True
        nodes = np.nonzero(reached)[0]
        if len(nodes):
            ptr, order, _, position = self._maps()
            rows = np.sort(_gather(ptr, order, nodes)[1])
            replayed = _replay(net, excused, working, nodes, rows, position)
            self.reason[nodes], self.group[nodes], self.layer[nodes], self.round[nodes] = \
                replayed
        out = seeds[~candidate[seeds]]  # now working or damaged
        self.reason[out] = np.where(damaged[out], DAMAGED, WORKING)
        self.group[out] = -1
        self.layer[out] = -1
        self.round[out] = 0
        self._keep(damaged, excused, working)
        changed: BoolArray = reached | moved
        return changed
