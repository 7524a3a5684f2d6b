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
    declares no source."""
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
    sizes = np.bincount(labels[working])
    largest: BoolArray = working & (labels == int(np.argmax(sizes)))
    return largest


class Connectivity(Protocol):
    """Something that tells which working members of a layer are fed (see ``Forest``)."""

    def update(self, w: BoolArray) -> BoolArray: ...


def fixed_point(net: Network, damaged: BoolArray, *,
                on_backup: BoolArray | None = None,
                start: BoolArray | None = None,
                connectivity: Sequence[Connectivity] | None = None) -> FixedPoint:
    """The greatest set of working assets given the ``damaged`` ones.

    ``on_backup`` marks requirement groups that count as met although none of their
    alternatives works (their backup is still running); the timeline sets it. ``start``, when
    given, is a set known to contain the answer (the working set before more damage): the
    removal starts from it instead of from every undamaged asset. Assets outside ``start``
    are reported as not working with the reason ``WORKING``: the caller knows why they were
    down. ``connectivity``, one per layer, replaces the from-scratch connectivity with an
    incremental one that remembers the previous state.
    """
    n = net.n
    working = ~np.asarray(damaged, dtype=bool)
    if start is not None:
        working &= start
    reason = np.where(np.asarray(damaged, dtype=bool), DAMAGED, WORKING).astype(np.int8)
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
    return FixedPoint(working, reason, group, layer_of, stopped, rounds)
