"""Which repair comes first: the priority of each asset by what it feeds.

Grid operators restore by priority: hospitals, crisis cells, the communes' crisis sites,
other sensitive establishments, vulnerable customers, then the most customers first.
:func:`service_rank` ranks every asset that way from what hangs on it: the sites and zones
that require it (a zone's homes split evenly among its supply), summed up the tree that
feeds each layer from its sources (breadth first, normally-open switches left open), so that
a feeder's head comes before its branches.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from tousrisques.territory import CompiledTerritory

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: no class: ranked by the people it serves only
NO_CLASS = 1_000


def service_rank(c: CompiledTerritory, site_class: IntArray, *, absent: IntArray | None = None,
                 zone_supply: sp.csr_matrix | None = None, by_vulnerable: bool = True,
                 by_customers: bool = True) -> IntArray:
    """The repair priority of every asset, 0 first.

    Parameters
    ----------
    c : CompiledTerritory
    site_class : ndarray of int
        Per asset, its own priority class (0 first: a hospital's site, ...; ``NO_CLASS``:
        none). An asset takes the best class of the sites it feeds.
    absent : ndarray of int, optional
        Assets that are not there (normally-open switches): the feeding tree avoids them.
    zone_supply : scipy.sparse matrix, optional
        Zones × assets, the share of each zone's homes on each asset (a zone's
        ``supply``); a zone without one (an empty row, or no matrix at all) counts its
        requirement alternatives in equal shares.
    by_vulnerable, by_customers : bool
        Rank by vulnerable people served, then by people served (within a class).

    Returns
    -------
    ndarray of int
        The rank of each asset.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import NO_CLASS, service_rank
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> rank = service_rank(c, np.full(len(ids), NO_CLASS))
    >>> rank[ids.index("PS-ELBEUF")] < rank[ids.index("T-NORD")]  # the source first
    np.True_
    """
    n = c.n_assets
    cls = np.asarray(site_class, dtype=np.int64).copy()
    req = c.requires
    owner_of_alt = np.repeat(req.owner, np.diff(req.alt_ptr)).astype(np.int64)
    alt = req.alt.astype(np.int64)
    # a site's class goes to what it requires
    np.minimum.at(cls, alt, cls[owner_of_alt])
    share = _zone_alternatives(c)
    if zone_supply is not None:
        # a zone that names its supply hangs on it; the others on their requirements
        given = sp.csr_matrix(zone_supply, dtype=np.float64)
        other = (np.diff(given.indptr) == 0).astype(np.float64)
        share = sp.csr_matrix(given + sp.diags(other) @ share)
    people = np.asarray(share.T @ c.population).ravel()
    weak = np.asarray(share.T @ c.vulnerable).ravel()
    for layer in c.layers:
        members = layer.members.astype(np.int64)
        parent, depth = _tree(layer.adjacency, layer.sources.astype(bool), members, absent)
        subs = [arr[members] for arr in (people, weak)]
        sub_cls = cls[members]
        # up the tree a level at a time, deepest first: each level adds to its parents
        linked = np.nonzero(parent >= 0)[0]
        by_depth = linked[np.argsort(-depth[linked], kind="stable")]
        bounds = np.flatnonzero(np.diff(depth[by_depth])) + 1
        for nodes in np.split(by_depth, bounds):
            up = parent[nodes]
            for sub in subs:
                np.add.at(sub, up, sub[nodes])
            np.minimum.at(sub_cls, up, sub_cls[nodes])
        for arr, sub in zip((people, weak), subs, strict=True):
            arr[members] = sub
        cls[members] = sub_cls
    keys: list[npt.NDArray[np.float64] | IntArray] = [np.arange(n)]
    if by_customers:
        keys.append(-people)
    if by_vulnerable:
        keys.append(-weak)
    keys.append(cls)
    order = np.lexsort(keys)
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n)
    return rank


def _zone_alternatives(c: CompiledTerritory) -> sp.csr_matrix:
    req = c.zone_requires
    n_alt = np.diff(req.alt_ptr)

    zone = np.repeat(req.owner, n_alt).astype(np.int64)
    weight = np.repeat(1.0 / np.maximum(n_alt, 1), n_alt)
    return sp.csr_matrix((weight, (zone, req.alt.astype(np.int64))),
                         shape=(len(c.population), c.n_assets))


def _tree(adj: sp.csr_matrix, sources: npt.NDArray[np.bool_], members: IntArray,
          absent: IntArray | None) -> tuple[IntArray, IntArray]:
    """Each member's parent on a breadth-first tree from every source at once (-1 for a
    source or a member no source reaches), and its depth (sources 0)."""
    m = len(members)
    keep = np.ones(m, bool)
    if absent is not None and len(absent):
        keep[np.isin(members, absent)] = False
    a = sp.coo_matrix(adj)
    ok = keep[a.row] & keep[a.col]
    root = m  # a node joined to every source
    src = np.nonzero(sources & keep)[0]
    rows = np.r_[a.row[ok], np.full(len(src), root), src]
    cols = np.r_[a.col[ok], src, np.full(len(src), root)]
    g = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(m + 1, m + 1))
    order, pred = breadth_first_order(g, root, directed=False, return_predecessors=True)
    parent = pred[:m].astype(np.int64)
    parent[parent == root] = -1
    parent[parent < 0] = -1
    # depths in breadth-first order: a node's parent comes before it, a level at a time
    depth = np.zeros(m, np.int64)
    nodes = order[order != root].astype(np.int64)
    level = nodes[parent[nodes] < 0]
    d = 0
    children = sp.csr_matrix((np.ones(int((parent >= 0).sum()), np.int8),
                              (parent[parent >= 0], np.nonzero(parent >= 0)[0])), shape=(m, m))
    while len(level):
        depth[level] = d
        d += 1
        level = children[level].indices.astype(np.int64)
    return parent, depth
