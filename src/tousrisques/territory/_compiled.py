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
from typing import Any

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
        kind = self.coverage_kinds[int(self.channel_coverage[channel])]
        if channel < len(self.channel_by_operator) and self.channel_by_operator[channel] \
                and kind in self.operator_coverage:
            return self.operator_coverage[kind]
        return self.actor_coverage[kind]

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
        kind = self.coverage_kinds[int(self.channel_coverage[channel])]
        if channel < len(self.channel_by_operator) and self.channel_by_operator[channel] \
                and kind in self.fallback_operator_coverage:
            return self.fallback_operator_coverage[kind]
        empty = sp.csr_matrix((len(self.actor_ids), len(self.asset_ids)), dtype=np.int8)
        return self.fallback_coverage.get(kind, empty)

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
        arrays = _flatten(self)
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
            return _unflatten(arrays)
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


def _put_req(out: dict[str, Any], prefix: str, r: Requirements) -> None:
    out[f"{prefix}.owner_ptr"] = r.owner_ptr
    out[f"{prefix}.alt_ptr"] = r.alt_ptr
    out[f"{prefix}.alt"] = r.alt
    out[f"{prefix}.backup_s"] = r.backup_s


def _get_req(z: dict[str, Any], prefix: str) -> Requirements:
    return Requirements(z[f"{prefix}.owner_ptr"], z[f"{prefix}.alt_ptr"], z[f"{prefix}.alt"],
                        z[f"{prefix}.backup_s"])


def _put_csr(out: dict[str, Any], prefix: str, m: sp.csr_matrix) -> None:
    m = sp.csr_matrix(m)
    out[f"{prefix}.data"] = m.data
    out[f"{prefix}.indices"] = m.indices
    out[f"{prefix}.indptr"] = m.indptr
    out[f"{prefix}.shape"] = np.array(m.shape, np.int64)


def _get_csr(z: dict[str, Any], prefix: str) -> sp.csr_matrix:
    return sp.csr_matrix((z[f"{prefix}.data"], z[f"{prefix}.indices"], z[f"{prefix}.indptr"]),
                         shape=tuple(int(s) for s in z[f"{prefix}.shape"]))


_PLAIN = ("kind", "layer", "source", "repair_s", "population",
          "vulnerable", "actor_ids", "actor_role", "actor_site", "crisis_cell", "reports_to",
          "channel_ids", "channel_broadcast", "channel_latency_s", "channel_coverage",
          "channel_needs_site", "channel_trigger_declared", "kind_sensitive",
          "kind_carried_by_people", "coordinates_with", "actor_relay",
          "relay_assets", "actor_operator",
          "channel_by_operator", "actor_fallback", "actor_fallback_delay_s")


def _strings(values: tuple[str, ...]) -> npt.NDArray[np.str_]:
    return np.array(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def _flatten(c: CompiledTerritory) -> dict[str, Any]:
    out: dict[str, Any] = {"format_version": np.array(FORMAT_VERSION),
                           "name": np.array(c.name),
                           "source_hash": np.array(c.source_hash),
                           "kind_names": _strings(c.kind_names),
                           "layer_names": _strings(c.layer_names),
                           "coverage_kinds": _strings(c.coverage_kinds),
                           "operator_names": _strings(c.operator_names),
                           "operator_kinds": _strings(tuple(c.operator_coverage)),
                           "fallback_kinds": _strings(tuple(c.fallback_coverage)),
                           "fallback_operator_kinds":
                               _strings(tuple(c.fallback_operator_coverage))}
    for k in _PLAIN:
        out[k] = getattr(c, k)
    _put_strings(out, "asset_ids", c.asset_ids)
    _put_strings(out, "zone_ids", c.zone_ids)
    _put_req(out, "requires", c.requires)
    _put_req(out, "zone_requires", c.zone_requires)
    _put_req(out, "channel_requires", c.channel_requires)
    for g in c.layers:
        out[f"layer.{g.name}.members"] = g.members
        out[f"layer.{g.name}.sources"] = g.sources
        _put_csr(out, f"layer.{g.name}.adjacency", g.adjacency)
    for k in c.coverage_kinds:
        _put_csr(out, f"zone_coverage.{k}", c.zone_coverage[k])
        _put_csr(out, f"actor_coverage.{k}", c.actor_coverage[k])
    _put_csr(out, "actor_channels", c.actor_channels)
    _put_csr(out, "channel_triggers", c.channel_triggers)
    _put_csr(out, "asset_operators", c.asset_operators if c.asset_operators is not None
             else sp.csr_matrix((len(c.asset_ids), 0), dtype=bool))
    for k in c.operator_coverage:
        _put_csr(out, f"operator_coverage.{k}", c.operator_coverage[k])
    for k in c.fallback_coverage:
        _put_csr(out, f"fallback_coverage.{k}", c.fallback_coverage[k])
    for k in c.fallback_operator_coverage:
        _put_csr(out, f"fallback_operator_coverage.{k}", c.fallback_operator_coverage[k])
    _put_csr(out, "zone_supply", c.zone_supply if c.zone_supply is not None
             else sp.csr_matrix((len(c.zone_ids), len(c.asset_ids))))
    return out


def _unflatten(z: dict[str, Any]) -> CompiledTerritory:
    layer_names = tuple(str(s) for s in z["layer_names"])
    kinds = tuple(str(s) for s in z["coverage_kinds"])
    return CompiledTerritory(
        name=str(z["name"]),
        source_hash=str(z["source_hash"]) if "source_hash" in z else "",
        kind_names=tuple(str(s) for s in z["kind_names"]),
        layer_names=layer_names,
        coverage_kinds=kinds,
        requires=_get_req(z, "requires"),
        zone_requires=_get_req(z, "zone_requires"),
        channel_requires=_get_req(z, "channel_requires"),
        layers=tuple(LayerGraph(name, z[f"layer.{name}.members"], _get_csr(
            z, f"layer.{name}.adjacency"), z[f"layer.{name}.sources"]) for name in layer_names),
        zone_coverage={k: _get_csr(z, f"zone_coverage.{k}") for k in kinds},
        actor_coverage={k: _get_csr(z, f"actor_coverage.{k}") for k in kinds},
        actor_channels=_get_csr(z, "actor_channels"),
        channel_triggers=_get_csr(z, "channel_triggers"),
        operator_names=tuple(str(s) for s in z["operator_names"]),
        asset_operators=_get_csr(z, "asset_operators"),
        operator_coverage={str(k): _get_csr(z, f"operator_coverage.{k}")
                           for k in z["operator_kinds"]},
        fallback_coverage={str(k): _get_csr(z, f"fallback_coverage.{k}")
                           for k in z["fallback_kinds"]},
        fallback_operator_coverage={str(k): _get_csr(z, f"fallback_operator_coverage.{k}")
                                    for k in z["fallback_operator_kinds"]},
        zone_supply=_get_csr(z, "zone_supply"),
        asset_ids=_get_strings(z, "asset_ids"),
        zone_ids=_get_strings(z, "zone_ids"),
        **{k: z[k] for k in _PLAIN},
    )


def _put_strings(out: dict[str, Any], prefix: str, values: pa.Array) -> None:
    """A string array as its Arrow offsets and bytes: no per-string work either way."""
    values = pa.concat_arrays([values]) if values.offset else values
    values = values.cast(pa.large_string())
    _, offsets, data = values.buffers()
    n = len(values)
    out[f"{prefix}.offsets"] = np.frombuffer(offsets, dtype=np.int64)[:n + 1].copy()
    end = int(out[f"{prefix}.offsets"][-1]) if n else 0
    out[f"{prefix}.data"] = np.frombuffer(data, dtype=np.uint8)[:end].copy() \
        if data is not None else np.zeros(0, np.uint8)


def _get_strings(z: dict[str, Any], prefix: str) -> pa.Array:
    offsets, data = z[f"{prefix}.offsets"], z[f"{prefix}.data"]
    arr = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                           pa.py_buffer(data))
    return arr.cast(pa.string())
