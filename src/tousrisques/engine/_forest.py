"""Connectivity to sources, kept up to date as assets fall and come back.

A layer with sources keeps a spanning forest: every fed member (connected to a working source
through working members) has a parent towards a source. When members fall, only their
descendants in the forest can lose their feed; each of those that still has a fed neighbour
hangs on to it, and the rest of the cut-off piece follows by breadth-first search. When
members come back, they are fed from fed neighbours outwards. The work follows the size of
the pieces that change, not the size of the layer; when a change touches more than a
twentieth of the layer, the forest is rebuilt from scratch with ``scipy.sparse.csgraph``.

Layers without sources follow their largest component, a rule that is not monotone; they are
recomputed whole at each change.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from tousrisques.engine._fixedpoint import _gather, connected_to_source
from tousrisques.engine._network import BoolArray, IntArray, Layer

REBUILD_SHARE = 0.05


class Forest:
    """The fed members of one layer, updated incrementally (see the module docstring)."""

    def __init__(self, layer: Layer, working: BoolArray) -> None:
        self.layer = layer
        self.m = len(layer.members)
        self.rebuilds = 0
        self._rebuild(working)

    def _rebuild(self, w: BoolArray) -> None:
        self.rebuilds += 1
        self.w = w.copy()
        layer, m = self.layer, self.m
        self.parent = np.full(m, -1, np.int64)
        if not layer.has_sources:
            self.fed = connected_to_source(layer, w)
            return
        keep = w[layer.edge_row] & w[layer.indices]
        roots = np.nonzero(w & layer.sources)[0]
        rows = np.r_[layer.edge_row[keep], np.full(len(roots), m), roots]
        cols = np.r_[layer.indices[keep], roots, np.full(len(roots), m)]
        graph = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(m + 1, m + 1))
        _, pred = breadth_first_order(graph, m, directed=False, return_predecessors=True)
        pred = pred[:m].astype(np.int64)
        self.fed = (pred >= 0) & w
        self.parent = np.where(pred == m, -1, pred)
        self.parent[~self.fed] = -1
        self._index_children()

    def _index_children(self) -> None:
        has = self.parent >= 0
        kids = np.nonzero(has)[0]
        order = np.argsort(self.parent[kids], kind="stable")
        self.child = kids[order]
        self.child_ptr = np.zeros(self.m + 1, np.int64)
        np.cumsum(np.bincount(self.parent[kids], minlength=self.m), out=self.child_ptr[1:])
        self.extra_parent = np.zeros(0, np.int64)
        self.extra_child = np.zeros(0, np.int64)

    def update(self, w: BoolArray) -> BoolArray:
        """The working members (local mask ``w``) that are fed."""
        if not self.layer.has_sources:
            if (w != self.w).any():
                self.w = w.copy()
                self.fed = connected_to_source(self.layer, w)
            return self.fed & w
        removed = np.nonzero(self.w & ~w)[0]
        added = np.nonzero(~self.w & w)[0]
        if len(removed) + len(added) > REBUILD_SHARE * self.m:
            self._rebuild(w)
            return self.fed & w
        self.w = w.copy()
        if len(removed):
            self._remove(removed, w)
        if len(added):
            self._grow(added, w)
        if len(self.extra_child) > REBUILD_SHARE * self.m:
            self._index_children()
        return self.fed & w

    def _descendants(self, roots: IntArray) -> IntArray:
        found = []
        frontier = roots
        while len(frontier):
            src, kids = _gather(self.child_ptr, self.child, frontier)
            ok = self.fed[kids] & (self.parent[kids] == src)
            marked = np.zeros(self.m, bool)
            marked[frontier] = True
            sel = marked[self.extra_parent]
            pick, more = self.extra_parent[sel], self.extra_child[sel]
            ok2 = self.fed[more] & (self.parent[more] == pick)
            frontier = np.unique(np.r_[kids[ok], more[ok2]])
            if len(frontier):
                self.fed[frontier] = False  # visited: not fed until re-attached
                found.append(frontier)
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def _attach(self, nodes: IntArray, w: BoolArray) -> None:
        """Feed the working unfed ``nodes`` from their fed neighbours, and outwards from them
        every working unfed member they reach (pieces cut earlier in the same update)."""
        layer = self.layer
        candidate = w & ~self.fed
        nodes = nodes[candidate[nodes]]
        seeds = nodes[layer.sources[nodes]]
        self.fed[seeds] = True
        self.parent[seeds] = -1
        candidate[seeds] = False
        src, nb = _gather(layer.indptr, layer.indices, nodes[candidate[nodes]])
        hook = self.fed[nb] & w[nb]
        hooked, first = np.unique(src[hook], return_index=True)
        self._feed(hooked, nb[hook][first], candidate)
        frontier = np.r_[seeds, hooked]
        while len(frontier):
            src, nb = _gather(layer.indptr, layer.indices, frontier)
            hook = candidate[nb]
            frontier, first = np.unique(nb[hook], return_index=True)
            self._feed(frontier, src[hook][first], candidate)

    def _feed(self, nodes: IntArray, parents: IntArray, candidate: BoolArray) -> None:
        self.fed[nodes] = True
        self.parent[nodes] = parents
        candidate[nodes] = False
        self.extra_parent = np.r_[self.extra_parent, parents]
        self.extra_child = np.r_[self.extra_child, nodes]

    def _remove(self, removed: IntArray, w: BoolArray) -> None:
        roots = removed[self.fed[removed]]
        self.fed[removed] = False
        self.parent[removed] = -1
        if len(roots) == 0:
            return
        cut = self._descendants(roots)
        self.parent[cut] = -1
        if len(cut):
            self._attach(cut, w)

    def _grow(self, added: IntArray, w: BoolArray) -> None:
        self._attach(added, w)
