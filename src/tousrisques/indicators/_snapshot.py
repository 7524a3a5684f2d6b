"""Snapshots: who is reached and who can talk for one state of the assets (DESIGN §5), and a
memo of the snapshots of the states already met.

A snapshot depends on the state alone — the assets working, each zone's and channel's
requirements met, the actors working from their fallback site — not on the time nor on the
run. The memo (:class:`SnapshotMemo`) keeps them by state, so that the output times, runs
and variants of a scenario (backups, brought assets) that meet a state again do not compute it
again: the advice evaluates many variants of the same runs, which differ at a few output times.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _covered(matrix: sp.csr_matrix, working: BoolArray) -> BoolArray:
    hit: BoolArray = (matrix @ working.view(np.int8)) > 0
    return hit


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Who is reached and who can talk, for one state of the assets.

    ``zone_reached[j, z]``: zone ``z`` reached by the ``j``-th broadcast channel (the last
    row: by any); ``site_ok[a]``: actor ``a``'s site works; ``avail[a, c]``: channel ``c`` is
    available to actor ``a``; ``latency[a]``: seconds to the nearest crisis cell (inf: cut
    off); ``component[a]``: actor ``a``'s component of the information network.

    Attributes
    ----------
    zone_reached : ndarray of bool
        ``(broadcast channels + 1, zones)``.
    site_ok : ndarray of bool
        Per actor.
    avail : ndarray of bool
        ``(actors, channels)``.
    latency : ndarray
        Per actor, seconds (inf: cut off).
    component : ndarray
        Per actor, its component.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import snapshot
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> up = np.ones(len(c.asset_ids), dtype=bool)
    >>> s = snapshot(c, up, np.ones(len(c.zone_ids), bool), np.ones(len(c.channel_ids), bool))
    >>> bool(np.isfinite(s.latency).all()), s.zone_reached[-1].tolist()
    (True, [True, True, True, False])
    """

    zone_reached: BoolArray
    site_ok: BoolArray
    avail: BoolArray
    latency: FloatArray
    component: npt.NDArray[np.int32]


def _holds(c: CompiledTerritory) -> BoolArray:
    n_a, n_c = len(c.actor_ids), len(c.channel_ids)
    if not (n_a and n_c):
        return np.zeros((n_a, n_c), bool)
    held: BoolArray = c.actor_channels.toarray().astype(bool)
    return held


def snapshot(c: CompiledTerritory, working: BoolArray, zones_ok: BoolArray,
             channels_ok: BoolArray, *, holds: BoolArray | None = None,
             moved: BoolArray | None = None) -> Snapshot:
    """Reach and talk for one state: ``working`` assets, ``zones_ok`` (each zone's own
    requirements met or on backup) and ``channels_ok`` (each channel's requirements).

    Parameters
    ----------
    c : CompiledTerritory
    working : ndarray of bool
        Per asset.
    zones_ok, channels_ok : ndarray of bool
        Per zone and per channel.
    holds : ndarray of bool, optional
        Which governance links hold.
    moved : ndarray of bool, optional
        Per actor, working from its fallback site (see ``_fallback.py``).

    Returns
    -------
    Snapshot

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import snapshot
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> up = np.ones(len(c.asset_ids), dtype=bool)
    >>> up[c.asset_ids.to_pylist().index("CORE-RN")] = False
    >>> s = snapshot(c, up, np.ones(len(c.zone_ids), bool), np.ones(len(c.channel_ids), bool))
    >>> dict(zip(c.actor_ids.tolist(), np.isfinite(s.latency).tolist()))["CIS"]
    True
    """
    held = _holds(c) if holds is None else holds
    n_a, n_c = held.shape
    broadcast = np.nonzero(c.channel_broadcast)[0]
    site_ok = np.where(c.actor_site >= 0, working[c.actor_site.clip(0)], True)
    if moved is not None:
        site_ok |= moved  # the fallback site works (Moves.step)
    zone_reached = np.zeros((len(broadcast) + 1, len(c.population)), bool)
    for j, ch in enumerate(broadcast):
        if not channels_ok[ch]:
            continue
        # who may trigger it: the actors named (roles expanded), or when it names nobody,
        # any actor holding it; nobody at all means it cannot be sent
        if c.channel_trigger_declared[ch]:
            t = c.channel_triggers
            allowed = t.indices[t.indptr[ch]:t.indptr[ch + 1]]
        else:
            allowed = np.nonzero(held[:, ch])[0]
        if not site_ok[allowed].any():
            continue
        where = np.ones(len(c.population), bool)
        cov = int(c.channel_coverage[ch])
        if cov >= 0:
            where &= _covered(c.zone_coverage[c.coverage_kinds[cov]], working)
        if c.channel_needs_site[ch]:
            where &= zones_ok
        zone_reached[j] = where
    zone_reached[-1] = zone_reached[:-1].any(axis=0)
    avail = held & channels_ok[None, :]
    avail &= site_ok[:, None] | ~c.channel_needs_site[None, :]
    for j in range(n_c):
        cov = int(c.channel_coverage[j])
        if cov >= 0 and avail[:, j].any():
            covered = _covered(c.actor_reach(j), working)  # by_operator: its own
            if moved is not None and moved.any():
                covered = np.where(moved, _covered(c.fallback_reach(j), working), covered)
            avail[:, j] &= covered
    if n_a:
        latency, component = _network(c, avail, site_ok)
    else:
        latency, component = np.zeros(0), np.zeros(0, np.int32)
    return Snapshot(zone_reached, site_ok, avail, latency, component)


def _network(c: CompiledTerritory, avail: BoolArray, site_ok: BoolArray
             ) -> tuple[FloatArray, npt.NDArray[np.int32]]:
    """Latency of each actor to its nearest crisis cell, and the component of each actor, in
    the graph of actors and point-to-point channels.

    The graph is small (actors and channels) and bipartite, so both are found by relaxing
    its edges all at once until nothing moves, rather than by scipy's graph routines (whose
    cost per call is most of a snapshot's): each path's length is summed edge after edge
    from its crisis cell, as Dijkstra sums it, and the components are numbered as scipy's
    ``connected_components`` numbers them (by their first node)."""
    n_a, n_c = avail.shape
    p2p = ~c.channel_broadcast
    a_idx, ch_idx = np.nonzero(avail & p2p[None, :])
    weight = c.channel_latency_s[ch_idx] / 2 + 1e-9  # as the edges of the graph before
    n = n_a + n_c
    # components: each node takes the smallest node index it is joined to
    label = np.arange(n)
    left, right = a_idx, n_a + ch_idx
    while len(left):
        low = np.minimum(label[left], label[right])
        new = label.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]  # jump along what is known
        if np.array_equal(new, label):
            break
        label = new
    comp = np.unique(label, return_inverse=True)[1].reshape(-1)
    # actors alone in their component have no channel at all: give each its own component
    lonely = np.bincount(comp, minlength=n)[comp[:n_a]] == 1
    comp_a = np.where(lonely, -1 - np.arange(n_a), comp[:n_a]).astype(np.int32)
    cells = np.nonzero(c.crisis_cell & site_ok)[0]
    if len(cells) == 0:
        return np.full(n_a, np.inf), comp_a
    lat = np.full(n_a, np.inf)
    lat[cells] = 0.0
    hub = np.full(n_c, np.inf)
    while True:
        to_hub = hub.copy()
        np.minimum.at(to_hub, ch_idx, lat[a_idx] + weight)
        to_actor = lat.copy()
        np.minimum.at(to_actor, a_idx, to_hub[ch_idx] + weight)
        if np.array_equal(to_hub, hub) and np.array_equal(to_actor, lat):
            break
        hub, lat = to_hub, to_actor
    lat[np.isfinite(lat)] = np.round(lat[np.isfinite(lat)], 6)
    return lat, comp_a


def _network_scipy(c: CompiledTerritory, avail: BoolArray, site_ok: BoolArray
                   ) -> tuple[FloatArray, npt.NDArray[np.int32]]:
    """:func:`_network` by scipy's graph routines (the reference of the tests)."""
    n_a, n_c = avail.shape
    p2p = ~c.channel_broadcast
    a_idx, ch_idx = np.nonzero(avail & p2p[None, :])
    weight = c.channel_latency_s[ch_idx] / 2 + 1e-9  # zero weights would vanish from csgraph
    n = n_a + n_c
    graph = sp.csr_matrix((np.r_[weight, weight], (np.r_[a_idx, n_a + ch_idx],
                                                    np.r_[n_a + ch_idx, a_idx])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    lonely = np.bincount(comp, minlength=n)[comp[:n_a]] == 1
    comp_a = np.where(lonely, -1 - np.arange(n_a), comp[:n_a]).astype(np.int32)
    cells = np.nonzero(c.crisis_cell & site_ok)[0]
    if len(cells) == 0:
        return np.full(n_a, np.inf), comp_a
    dist = dijkstra(graph, directed=False, indices=cells, min_only=True)
    lat = np.asarray(dist[:n_a], dtype=np.float64)
    lat[np.isfinite(lat)] = np.round(lat[np.isfinite(lat)], 6)
    return lat, comp_a


def layout_key(c: CompiledTerritory) -> tuple[int, ...]:
    """What a snapshot reads of a territory, as an identity: the objects of every field but
    the assets' requirements (whose effect the states already hold). Two variants of a
    scenario that differ by backups share it; one that gives an actor a terminal or a
    fallback site does not.

    Parameters
    ----------
    c : CompiledTerritory

    Returns
    -------
    tuple of int
        Valid while ``c``'s fields live.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import layout_key
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> layout_key(replace(c, requires=c.requires)) == layout_key(c)
    True
    >>> layout_key(replace(c, actor_channels=c.actor_channels.copy())) == layout_key(c)
    False
    """
    return tuple(id(getattr(c, f.name)) for f in fields(c)
                 if f.name not in ("requires", "source_hash"))


class SnapshotMemo:
    """The snapshots of the states already met, for one territory and its variants.

    A state is the assets working, each zone's and channel's requirements met and the
    actors working from their fallback site; its snapshot, and whatever goes with it (the
    door-to-door coverage), is kept under the state's bits, apart for each layout of the
    territory (:func:`layout_key`): variants that differ by backups share their snapshots,
    one that changes what a state means (an actor's terminal) has its own. At most ``size``
    states are kept, the least recently used forgotten first.

    Parameters
    ----------
    size : int
        States kept at most.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> from tousrisques.indicators import SnapshotMemo, compute_indicators
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> core = c.asset_ids.to_pylist().index("CORE-RN")
    >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
    ...                  duration_s=5 * 3600, step_s=3600)
    >>> memo = SnapshotMemo()
    >>> ind = compute_indicators(c, replay(plan, 0), memo=memo)
    >>> memo.misses, memo.hits  # six output times, two states: before/after, and during
    (2, 4)
    >>> bool((ind.values == compute_indicators(c, replay(plan, 0)).values).all())
    True
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: dict[bytes, tuple[Snapshot, Any]] = {}  # the layout bound last
        self._stores: dict[tuple[int, ...], dict[bytes, tuple[Snapshot, Any]]] = {
            (): self._items}
        self._kept: list[CompiledTerritory] = []  # so that the ids of layout_key stay theirs
        self._c: CompiledTerritory | None = None

    def bind(self, c: CompiledTerritory) -> None:
        """Use the memo for ``c``: the snapshots of its layout (:func:`layout_key`).

        Parameters
        ----------
        c : CompiledTerritory

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> from tousrisques.indicators import SnapshotMemo
        >>> memo = SnapshotMemo()
        >>> memo.bind(load_compiled("src/tousrisques/templates/petite-ville"))
        >>> len(memo)
        0
        """
        if self._c is c:
            return
        key = layout_key(c)
        if key not in self._stores:
            self._stores[key] = {}
            self._kept.append(c)
        self._items = self._stores[key]
        self._c = c

    def key(self, packed: npt.NDArray[np.uint8], zones_ok: BoolArray, channels_ok: BoolArray,
            moved: BoolArray | None) -> bytes:
        """The key of a state: the packed bits of the assets working (a row of
        ``Timeline.snapshots``), of the zones' and channels' requirements met, and of the
        actors moved.

        Parameters
        ----------
        packed : ndarray of uint8
        zones_ok, channels_ok : ndarray of bool
        moved : ndarray of bool, optional

        Returns
        -------
        bytes

        Examples
        --------
        >>> import numpy as np
        >>> from tousrisques.indicators import SnapshotMemo
        >>> k = SnapshotMemo().key(np.zeros(2, np.uint8), np.ones(3, bool), np.ones(1, bool),
        ...                        None)
        >>> len(k)  # 2 bytes of assets, 1 of zones, 1 of channels
        4
        """
        parts = [packed.tobytes(), np.packbits(zones_ok).tobytes(),
                 np.packbits(channels_ok).tobytes()]
        if moved is not None:
            parts.append(np.packbits(moved).tobytes())
        return b"".join(parts)

    def get(self, key: bytes) -> tuple[Snapshot, Any] | None:
        """What was kept for the state ``key`` (None: never met, or forgotten).

        Parameters
        ----------
        key : bytes

        Returns
        -------
        tuple or None

        Examples
        --------
        >>> from tousrisques.indicators import SnapshotMemo
        >>> SnapshotMemo().get(b"x") is None
        True
        """
        got = self._items.pop(key, None)
        if got is None:
            self.misses += 1
        else:
            self.hits += 1
            self._items[key] = got  # the last used, forgotten last
        return got

    def put(self, key: bytes, value: tuple[Snapshot, Any]) -> None:
        """Keep ``value`` for the state ``key``, forgetting the least recently used state
        when full.

        Parameters
        ----------
        key : bytes
        value : tuple
            The snapshot and what goes with it.

        Examples
        --------
        >>> from tousrisques.indicators import SnapshotMemo
        >>> memo = SnapshotMemo(size=1)
        >>> memo.put(b"a", (None, None)); memo.put(b"b", (None, None))
        >>> len(memo), memo.get(b"a") is None
        (1, True)
        """
        if len(self) >= self.size:
            fullest = max(self._stores.values(), key=len)
            del fullest[next(iter(fullest))]
        self._items[key] = value

    def __len__(self) -> int:
        return sum(len(store) for store in self._stores.values())
