"""The dependency network in the form the fixed point reads, built once per territory.

Requirement groups are a sparse groups × assets incidence matrix (``met = G @ working > 0``);
each layer keeps its CSR adjacency with, for every stored edge, the row it starts from, so
that the edges between working assets are selected with two array look-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tousrisques.territory import CompiledTerritory, Requirements

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Layer:
    """One network layer, in local indices ``0..len(members)-1``.

    Attributes
    ----------
    name : str
    members : ndarray
        Asset rows of the layer.
    indptr, indices : ndarray
        CSR adjacency in local indices.
    edge_row : ndarray
        For each edge, the asset row of the line it passes through (-1: a link).
    sources : ndarray of bool
        Which members are sources.

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
    >>> power = net.layers[0]
    >>> power.name, [ids[i] for i in power.members[power.sources]]
    ('power', ['PS-ELBEUF', 'GE-MAIRIE'])
    """

    name: str
    members: IntArray
    indptr: IntArray
    indices: IntArray
    edge_row: IntArray
    sources: BoolArray
    # a key per member that breaks ties between largest components (layers without
    # sources): the component holding the smallest key wins; None: the asset index
    tie: IntArray | None = None

    @property
    def has_sources(self) -> bool:
        return bool(self.sources.any())

    @classmethod
    def from_edges(cls, name: str, members: Sequence[int] | IntArray,
                   edges: Sequence[tuple[int, int]] | IntArray,
                   sources: Sequence[bool] | BoolArray) -> Layer:
        """A layer from its member assets, edges between members (global indices) and the
        source flag of each member."""
        members = np.asarray(members, dtype=np.int64)
        local = {int(g): i for i, g in enumerate(members.tolist())}
        e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        a = np.array([local[int(x)] for x in e[:, 0]], dtype=np.int64)
        b = np.array([local[int(x)] for x in e[:, 1]], dtype=np.int64)
        m = len(members)
        adj = sp.csr_matrix((np.ones(2 * len(a), np.int8), (np.r_[a, b], np.r_[b, a])),
                            shape=(m, m))
        return cls._from_csr(name, members, adj, np.asarray(sources, dtype=bool))

    @classmethod
    def _from_csr(cls, name: str, members: IntArray, adj: sp.csr_matrix,
                  sources: BoolArray, tie: IntArray | None = None) -> Layer:
        indptr = adj.indptr.astype(np.int64)
        rows = np.repeat(np.arange(len(members), dtype=np.int64), np.diff(indptr))
        return cls(name, members.astype(np.int64), indptr, adj.indices.astype(np.int64), rows,
                   sources, None if tie is None else np.asarray(tie, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Network:
    """Assets, their requirement groups and their layers: what the fixed point needs.

    Attributes
    ----------
    n : int
        Number of assets.
    groups : scipy.sparse.csr_matrix
        Requirement groups × assets (1 for each alternative).
    group_owner : ndarray
        The asset each group belongs to.
    backup_s : ndarray
        Autonomy of each group.
    layers : tuple of Layer

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
    >>> net.n == len(ids), [g.name for g in net.layers]
    (True, ['power', 'telecom'])
    """

    n: int
    groups: sp.csr_matrix
    group_owner: IntArray
    backup_s: npt.NDArray[np.float64]
    layers: tuple[Layer, ...]

    @property
    def n_groups(self) -> int:
        return int(self.groups.shape[0])

    @classmethod
    def from_compiled(cls, c: CompiledTerritory) -> Network:
        """The network of a compiled territory."""
        # ties between largest components go to the one holding the smallest asset id in
        # string order, so that reordering the rows of a file changes nothing
        rank = np.empty(c.n_assets, np.int64)
        rank[np.argsort(np.asarray(c.asset_ids.to_pylist(), dtype=object), kind="stable")] = \
            np.arange(c.n_assets)
        layers = tuple(Layer._from_csr(g.name, g.members.astype(np.int64), g.adjacency,
                                       g.sources.astype(bool), rank[g.members])
                       for g in c.layers)
        return cls._from_requirements(c.n_assets, c.requires, layers)

    @classmethod
    def _from_requirements(cls, n: int, req: Requirements, layers: tuple[Layer, ...]
                           ) -> Network:
        g = sp.csr_matrix((np.ones(len(req.alt), np.int32), req.alt.astype(np.int64),
                           req.alt_ptr.astype(np.int64)), shape=(req.n_groups, n))
        return cls(n, g, req.owner.astype(np.int64), req.backup_s.astype(np.float64), layers)

    @classmethod
    def from_lists(cls, n: int, groups: Sequence[tuple[int, Sequence[int], float]],
                   layers: Sequence[Layer] = ()) -> Network:
        """A network written by hand: ``groups`` as ``(owner, alternatives, backup_s)``.

        >>> net = Network.from_lists(3, [(2, [0, 1], 0.0)])
        >>> net.n_groups, net.group_owner.tolist()
        (1, [2])
        """
        order = sorted(range(len(groups)), key=lambda k: groups[k][0])
        owners = np.array([groups[k][0] for k in order], dtype=np.int64)
        alt_ptr = np.zeros(len(order) + 1, np.int64)
        np.cumsum([len(groups[k][1]) for k in order], out=alt_ptr[1:])
        alt = np.array([a for k in order for a in groups[k][1]], dtype=np.int32)
        owner_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(owners, minlength=n), out=owner_ptr[1:])
        backup = np.array([groups[k][2] for k in order], dtype=np.float64)
        return cls._from_requirements(n, Requirements(owner_ptr, alt_ptr, alt, backup),
                                      tuple(layers))
