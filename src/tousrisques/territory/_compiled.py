"""The compiled territory: the engine's only input, as arrays, saved and reloaded as ``.npz``.

Everything is indexed by position: assets ``0..n-1`` in file order, zones, actors, channels.
Requirement groups are CSR (:class:`Requirements`); each network layer is a symmetric CSR
adjacency over its own members, line assets being nodes between the two assets they join, so
that removing a failed line removes its edge; coverage is a sparse targets × assets matrix per
coverage kind.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from tousrisques._atomic import refuse_to_replace
from tousrisques._exceptions import CompiledFormatError
from tousrisques._gc import gc_paused
from tousrisques.territory._config import ROLES
from tousrisques.territory._fallback import fallback_fields
from tousrisques.territory._model import FloatArray, IntArray, Requirements, Territory
from tousrisques.territory._operators import operator_fields
from tousrisques.territory._relays import relay_arrays

FORMAT_VERSION = 3
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class LayerGraph:
    """One network layer: its member assets, their adjacency (local indices) and sources.

    Attributes
    ----------
    name : str
        The layer's name.
    members : ndarray of int32
        Asset rows in the layer.
    adjacency : scipy.sparse.csr_matrix
        Edges between members (local indices).
    sources : ndarray of bool
        Which members are sources.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> telecom = c.layers[1]
    >>> telecom.name, [c.asset_ids[int(i)].as_py() for i in telecom.members[telecom.sources]]
    ('telecom', ['CORE-RN'])
    """

    name: str
    members: npt.NDArray[np.int32]
    adjacency: sp.csr_matrix
    sources: BoolArray


@dataclass(frozen=True, eq=False)
class CompiledTerritory:
    """Arrays for the engine; see the module docstring for their layout.

    Attributes
    ----------
    asset_ids, zone_ids : pyarrow.Array
        Ids of the asset and zone rows.
    kind, layer : ndarray
        Codes into ``kind_names`` and ``layer_names`` (-1: none).
    requires, zone_requires, channel_requires : Requirements
        Requirement groups of assets, zones and channels.
    layers : tuple of LayerGraph
        One graph per network layer.
    zone_coverage, actor_coverage : dict of sparse matrices
        Per coverage kind, which assets reach which zones and actors' sites.
    source_hash : str
        The :func:`territory_hash` of the files it was compiled from.
    zone_supply : scipy.sparse.csr_matrix or None
        Zones × assets: the power assets each zone's homes hang on, weights
        ``1/len(supply)`` (an empty row: the zone gives no ``supply``).
    kind_sensitive, kind_carried_by_people : ndarray of bool
        Per kind of ``kind_names``: a sensitive establishment; a coverage carried by people.
    coordinates_with : ndarray
        ``(links, 2)`` actor rows: coordination links, apart from ``reports_to`` (command).
    actor_relay : ndarray
        ``(actors, 5)``: volunteers (0: not a citizen relay), households per hour per
        volunteer, shift (s), shifts per day, muster (s); see ``territory/_relays.py``.
    relay_assets : ndarray
        ``(pairs, 2)``: (asset row, actor row), which actor's volunteers walk from which
        door-to-door coverage asset.
    operator_names : tuple of str
        The operators the assets name (as first written).
    asset_operators : scipy.sparse.csr_matrix or None
        Assets × operators: which operators each asset belongs to (a shared site: several).
    actor_operator : ndarray of int16
        Per actor, its phones' operator (a column of ``asset_operators``; -1: any).
    channel_by_operator : ndarray of bool
        Per channel: reached through the actor's own operator only (see :meth:`actor_reach`).
    operator_coverage : dict of sparse matrices
        Per coverage kind of a ``by_operator`` channel, :attr:`actor_coverage` kept to each
        actor's operator (empty when no asset names an operator).
    actor_fallback, actor_fallback_delay_s : ndarray
        Per actor, the asset row of its fallback site (-1: none) and the move's duration.
    fallback_coverage, fallback_operator_coverage : dict of sparse matrices
        As :attr:`actor_coverage` and :attr:`operator_coverage`, at the fallback sites.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> c.kind_names[c.kind[0]], c.layer_names[c.layer[0]]
    ('substation', 'power')
    >>> c.zone_coverage["antenna"].shape  # zones × assets
    (4, 20)
    """

    name: str
    asset_ids: pa.Array
    kind: npt.NDArray[np.int16]
    kind_names: tuple[str, ...]
    layer: npt.NDArray[np.int16]
    layer_names: tuple[str, ...]
    source: BoolArray
    repair_s: FloatArray
    requires: Requirements
    layers: tuple[LayerGraph, ...]
    zone_ids: pa.Array
    population: FloatArray
    vulnerable: FloatArray
    zone_requires: Requirements
    coverage_kinds: tuple[str, ...]
    zone_coverage: dict[str, sp.csr_matrix]
    actor_coverage: dict[str, sp.csr_matrix]
    actor_ids: npt.NDArray[np.str_]
    actor_role: npt.NDArray[np.int16]
    actor_site: IntArray
    crisis_cell: BoolArray
    actor_channels: sp.csr_matrix
    reports_to: IntArray
    channel_ids: npt.NDArray[np.str_]
    channel_broadcast: BoolArray
    channel_latency_s: FloatArray
    channel_requires: Requirements
    channel_coverage: npt.NDArray[np.int16]
    channel_needs_site: BoolArray
    channel_triggers: sp.csr_matrix
    channel_trigger_declared: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    source_hash: str = ""  # territory_hash() of the files it was compiled from, when known
    zone_supply: sp.csr_matrix | None = None
    kind_sensitive: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    kind_carried_by_people: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    coordinates_with: IntArray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    actor_relay: FloatArray = field(default_factory=lambda: np.zeros((0, 5)))
    relay_assets: IntArray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    operator_names: tuple[str, ...] = ()
    asset_operators: sp.csr_matrix | None = None
    actor_operator: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    channel_by_operator: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    operator_coverage: dict[str, sp.csr_matrix] = field(default_factory=dict)
    actor_fallback: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    actor_fallback_delay_s: FloatArray = field(default_factory=lambda: np.zeros(0))
    fallback_coverage: dict[str, sp.csr_matrix] = field(default_factory=dict)
    fallback_operator_coverage: dict[str, sp.csr_matrix] = field(default_factory=dict)

    @property
    def n_assets(self) -> int:
        return len(self.asset_ids)

    def actor_reach(self, channel: int) -> sp.csr_matrix:
        """Actors × assets: which assets of the coverage kind of ``channel`` give it to which
        actor — for a ``by_operator`` channel, only those of the actor's own operator (or of
        none); for the others, :attr:`actor_coverage` of the kind.

        Parameters
        ----------
        channel : int
            A channel row with a coverage kind.

        Returns
        -------
        scipy.sparse.csr_matrix

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> mobile = c.channel_ids.tolist().index("mobile")
        >>> c.actor_reach(mobile).shape  # actors × assets
        (5, 20)
        """
        kind, own = self._reach_kind(channel)
        return self.operator_coverage[kind] if own and kind in self.operator_coverage \
            else self.actor_coverage[kind]

    def fallback_reach(self, channel: int) -> sp.csr_matrix:
        """As :meth:`actor_reach`, for each actor at its fallback site (an empty row: none).

        Parameters
        ----------
        channel : int
            A channel row with a coverage kind.

        Returns
        -------
        scipy.sparse.csr_matrix

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> mobile = c.channel_ids.tolist().index("mobile")
        >>> c.fallback_reach(mobile).nnz  # no actor of the example has a fallback site
        0
        """
        kind, own = self._reach_kind(channel)
        if own and kind in self.fallback_operator_coverage:
            return self.fallback_operator_coverage[kind]
        empty = sp.csr_matrix((len(self.actor_ids), len(self.asset_ids)), dtype=np.int8)
        return self.fallback_coverage.get(kind, empty)

    def _reach_kind(self, channel: int) -> tuple[str, bool]:
        """The coverage kind of ``channel``, and whether actors reach it by their operator."""
        own = channel < len(self.channel_by_operator) and bool(self.channel_by_operator[channel])
        return self.coverage_kinds[int(self.channel_coverage[channel])], own

    def save(self, path: str | Path, *, replace: bool = False) -> None:
        """Write to ``path`` (``.npz``) atomically: a temporary file moved in whole; an
        existing file is replaced only with ``replace``.

        Parameters
        ----------
        path : str or Path
            Where to write it.
        replace : bool
            Replace an existing file.

        Raises
        ------
        InputError
            When ``path`` exists and ``replace`` is not given.

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> import tempfile
        >>> from tousrisques import CompiledTerritory, InputError
        >>> path = tempfile.mkdtemp() + "/petite-ville.npz"
        >>> c.save(path)
        >>> CompiledTerritory.load(path).asset_ids.equals(c.asset_ids)
        True
        >>> try:
        ...     c.save(path)
        ... except InputError as e:
        ...     print(e.code)
        output.exists
        """
        from tousrisques.territory._compiled_npz import flatten

        arrays = flatten(self)
        path = Path(path)
        refuse_to_replace(path, replace=replace)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the file private by accident
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> CompiledTerritory:
        """Read a file written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            A ``.npz`` file written by :meth:`save`.

        Returns
        -------
        CompiledTerritory

        Raises
        ------
        CompiledFormatError
            When the file is not a compiled territory of this version.

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> import tempfile
        >>> from tousrisques import CompiledTerritory
        >>> path = tempfile.mkdtemp() + "/c.npz"
        >>> c.save(path)
        >>> CompiledTerritory.load(path).name
        'Petite-Ville-sur-Seine (exemple)'
        """
        from tousrisques.territory._compiled_npz import unflatten

        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise CompiledFormatError("compiled.unreadable", path=path, detail=exc) from exc
        version = int(arrays.get("format_version", np.array(-1)))
        if version != FORMAT_VERSION:
            raise CompiledFormatError("compiled.version", path=path, version=version,
                                      expected=FORMAT_VERSION)
        try:
            return unflatten(arrays)
        except KeyError as exc:
            raise CompiledFormatError("compiled.missing", path=path, name=exc) from exc


def _layer_graph(code: int, name: str, t: Territory) -> LayerGraph:
    a = t.assets
    members = np.nonzero(a.layer == code)[0]
    local = np.full(len(a), -1, np.int64)
    local[members] = np.arange(len(members))
    links = t.links[a.layer[t.links[:, 0]] == code] if len(t.links) else t.links
    lines = members[a.connects[members, 0] >= 0]
    ea = np.concatenate([links[:, 0], lines, lines])
    eb = np.concatenate([links[:, 1], a.connects[lines, 0], a.connects[lines, 1]])
    ea, eb = local[ea], local[eb]
    m = len(members)
    adj = sp.csr_matrix((np.ones(2 * len(ea), np.int8),
                         (np.concatenate([ea, eb]), np.concatenate([eb, ea]))), shape=(m, m))
    # parallel edges (a link written twice) stay as repeated entries: connectivity ignores
    # them, and sorting 4M indices to merge them would cost more than the whole layer
    return LayerGraph(name, members.astype(np.int32), adj, a.source[members].copy())


def compile_territory(t: Territory) -> CompiledTerritory:
    """Turn a validated territory into the engine's arrays."""
    with gc_paused():
        return _compile(t)


def _compile(t: Territory) -> CompiledTerritory:
    a = t.assets
    cov = t.coverage
    actor_site = t.actor_sites
    ch_index = t.channel_index
    ac_index = t.actor_index
    rows, cols = [], []
    for i, ac in enumerate(t.actors):
        for c in ac.channels:
            rows.append(i)
            cols.append(ch_index[c])
    actor_channels = sp.csr_matrix((np.ones(len(rows), bool), (rows, cols)),
                                   shape=(len(t.actors), len(t.channels)))
    reports = np.unique(np.array([(i, ac_index[b]) for i, ac in enumerate(t.actors)
                                  for b in ac.reports_to], dtype=np.int64).reshape(-1, 2),
                        axis=0)
    # a coordination link is one link whichever side names it
    coordinates = np.unique(np.sort(np.array(
        [(i, ac_index[b]) for i, ac in enumerate(t.actors) for b in ac.coordinates_with],
        dtype=np.int64).reshape(-1, 2), axis=1), axis=0)
    supply = t.zones.supply if t.zones.supply is not None \
        else sp.csr_matrix((len(t.zones), len(a)))
    relay_params, relay_pairs = relay_arrays(t)
    ops = operator_fields(t.operators, t.actors, t.channels, cov.actors)
    trig_r, trig_c = [], []
    for i, ch in enumerate(t.channels):
        for who in ch.triggered_by:
            for j, ac in enumerate(t.actors):
                if ac.id == who or ac.role == who:
                    trig_r.append(i)
                    trig_c.append(j)
    triggers = sp.csr_matrix((np.ones(len(trig_r), bool), (trig_r, trig_c)),
                             shape=(len(t.channels), len(t.actors)))
    return CompiledTerritory(
        name=t.name,
        asset_ids=a.ids,
        kind=a.kind.astype(np.int16), kind_names=t.kind_names,
        layer=a.layer.astype(np.int16), layer_names=t.layer_names,
        source=a.source.astype(bool), repair_s=a.repair_hours * 3600.0,
        requires=a.requires,
        layers=tuple(_layer_graph(code, name, t) for code, name in enumerate(t.layer_names)),
        zone_ids=t.zones.ids, population=t.zones.population,
        vulnerable=t.zones.vulnerable, zone_requires=t.zones.requires,
        coverage_kinds=cov.kinds, zone_coverage=cov.zones, actor_coverage=cov.actors,
        actor_ids=np.asarray([ac.id for ac in t.actors], dtype=str),
        actor_role=np.array([ROLES.index(ac.role) for ac in t.actors], np.int16),
        actor_site=actor_site,
        crisis_cell=np.array([ac.crisis_cell for ac in t.actors], bool),
        actor_channels=actor_channels, reports_to=reports,
        channel_ids=np.asarray([c.id for c in t.channels], dtype=str),
        channel_broadcast=np.array([c.mode == "broadcast" for c in t.channels], bool),
        channel_latency_s=np.array([c.latency_s for c in t.channels], np.float64),
        channel_requires=t.channel_requires,
        channel_coverage=np.array([cov.kinds.index(c.coverage) if c.coverage in cov.kinds
                                   else -1 for c in t.channels], np.int16),
        channel_needs_site=np.array([c.needs_site for c in t.channels], bool),
        channel_triggers=triggers,
        channel_trigger_declared=np.array([bool(c.triggered_by) for c in t.channels], bool),
        zone_supply=sp.csr_matrix(supply, dtype=np.float64),
        kind_sensitive=np.array([t.kinds[k].sensitive for k in t.kind_names], bool),
        kind_carried_by_people=np.array([t.kinds[k].carried_by_people
                                         for k in t.kind_names], bool),
        coordinates_with=coordinates,
        actor_relay=relay_params, relay_assets=relay_pairs,
        **ops,
        **fallback_fields(t, cov.kinds, t.operators, ops["actor_operator"], t.channels),
    )
