"""The validated territory: columnar tables of assets and zones, channels and actors.

Tables are columns (numpy arrays), not lists of objects, so that a territory of millions of
assets loads in seconds and compiles without walking Python objects.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
import shapely

from tousrisques._problems import Problem
from tousrisques.territory._config import Actor, Channel, LocalText
from tousrisques.territory._construction import construction_codes, normally_open_flags
from tousrisques.territory._globs import glob_regex
from tousrisques.territory._kinds import KindSpec

if TYPE_CHECKING:
    from tousrisques.territory._compiled import CompiledTerritory
    from tousrisques.territory._coverage import Coverage
    from tousrisques.territory._operators import Operators
    from tousrisques.territory._summary import TerritorySummary

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True, eq=False)
class Requirements:
    """Resolved requirement groups of a set of owners (assets, zones or channels), as CSR.

    Owner ``i`` has groups ``owner_ptr[i]:owner_ptr[i+1]``; group ``g`` is met when one of the
    assets ``alt[alt_ptr[g]:alt_ptr[g+1]]`` works; ``backup_s[g]`` is its autonomy (0: none).

    Attributes
    ----------
    owner_ptr, alt_ptr : ndarray
        CSR pointers: groups per owner, alternatives per group.
    alt : ndarray of int32
        Asset rows of the alternatives.
    backup_s : ndarray of float
        Autonomy per group, in seconds.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> r = c.requires
    >>> g = r.owner_ptr[c.asset_ids.to_pylist().index("ANT-NORD")]  # its first group
    >>> alternatives = r.alt[r.alt_ptr[g]:r.alt_ptr[g + 1]]
    >>> [c.asset_ids[int(a)].as_py() for a in alternatives], float(r.backup_s[g])
    (['T-NORD'], 7200.0)
    """

    owner_ptr: IntArray
    alt_ptr: IntArray
    alt: npt.NDArray[np.int32]
    backup_s: FloatArray

    @property
    def n_owners(self) -> int:
        return len(self.owner_ptr) - 1

    @property
    def n_groups(self) -> int:
        return len(self.alt_ptr) - 1

    @cached_property
    def owner(self) -> IntArray:
        """Owner of each group."""
        return np.repeat(np.arange(self.n_owners, dtype=np.int64), np.diff(self.owner_ptr))

    def groups_of(self, i: int) -> list[tuple[list[int], float]]:
        """Groups of owner ``i``: ``[(alternative asset indices, backup seconds), ...]``."""
        out = []
        for g in range(int(self.owner_ptr[i]), int(self.owner_ptr[i + 1])):
            alts = self.alt[self.alt_ptr[g]:self.alt_ptr[g + 1]].tolist()
            out.append((alts, float(self.backup_s[g])))
        return out

    def matrix(self, n_assets: int) -> sp.csr_matrix:
        """Groups × assets incidence: ``(M @ working) > 0`` tells which groups are met."""
        data = np.ones(len(self.alt), dtype=np.int32)
        return sp.csr_matrix((data, self.alt, self.alt_ptr), shape=(self.n_groups, n_assets))

    @classmethod
    def empty(cls, n_owners: int) -> Requirements:
        return cls(np.zeros(n_owners + 1, np.int64), np.zeros(1, np.int64),
                   np.zeros(0, np.int32), np.zeros(0))


def _geometry(shapes: ObjArray, is_point: npt.NDArray[np.bool_], lon: FloatArray,
              lat: FloatArray) -> ObjArray:
    out = shapes.copy()
    out[is_point] = shapely.points(lon[is_point], lat[is_point])
    return out


@dataclass(frozen=True, eq=False)
class _LocatedTable:
    """Rows with an id, a place and requirements: what assets and zones have in common.

    ``ids`` is a pyarrow string array; ``lon``/``lat`` (WGS84) and ``x``/``y`` (metric CRS)
    are each row's representative point (NaN when it has no location); ``shapes`` holds the
    non-point geometries and ``is_point`` marks the rows whose geometry is a point.
    """

    ids: pa.Array
    shapes: ObjArray
    is_point: npt.NDArray[np.bool_]
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray
    requires: Requirements
    attrs: dict[str, ObjArray]

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def geometry(self) -> ObjArray:
        """Every row's WGS84 geometry as shapely objects (None where it has none)."""
        return _geometry(self.shapes, self.is_point, self.lon, self.lat)


@dataclass(frozen=True, eq=False)
class AssetTable(_LocatedTable):
    """Every asset: one row each, in the order of the files named in territory.yaml.

    ``kind`` and ``layer`` are codes into the territory's ``kind_names`` and ``layer_names``
    (-1: none); ``connects`` the rows a line joins (-1: not a line); ``file`` and ``row`` where
    each asset was read.

    Attributes
    ----------
    ids : pyarrow.Array
        Asset ids.
    x, y : ndarray
        Coordinates in the territory's metric CRS (``lon``, ``lat``: WGS84).
    requires : Requirements
        Requirement groups.
    attrs : dict
        Other columns of the files, by name.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> a = t.assets
    >>> i = a.ids.to_pylist().index("ANT-NORD")
    >>> t.kind_names[a.kind[i]], t.layer_names[a.layer[i]], float(a.range_m[i])
    ('antenna', 'telecom', 2500.0)
    """

    kind: npt.NDArray[np.int16]
    layer: npt.NDArray[np.int16]
    source: npt.NDArray[np.bool_]
    connects: IntArray
    range_m: FloatArray
    backup_hours: FloatArray
    repair_hours: FloatArray
    file: npt.NDArray[np.int16]
    row: IntArray

    @cached_property
    def planned(self) -> npt.NDArray[np.bool_]:
        """Assets marked ``planned`` (true, yes, oui, 1): they exist only once a scenario's
        mitigation brings them."""
        flag = self.attrs.get("planned")
        if flag is None:
            return np.zeros(len(self), bool)
        return np.array([str(v).strip().lower() in ("true", "yes", "oui", "1")
                         for v in flag.tolist()], bool)

    @cached_property
    def construction(self) -> npt.NDArray[np.int8]:
        """How each asset is built: 0 overhead, 1 underground, -1 not said
        (``construction`` field; see ``territory/_construction.py``)."""
        return construction_codes(self.attrs.get("construction"), len(self))

    @cached_property
    def normally_open(self) -> npt.NDArray[np.bool_]:
        """Normally-open switches: they do not exist until a scenario closes them."""
        return normally_open_flags(self.attrs.get("normally_open"), len(self))

    def rows_of(self, ids: Sequence[str] | pa.Array) -> IntArray:
        """Row of each id, -1 where unknown, in one vectorised lookup.

        The distinct ids asked for are hashed, then the table's ids are looked up among them
        in one pass in C: asking for a few ids of a large table does not hash the whole table,
        and asking for many costs one lookup, not one per id.

        >>> from tousrisques import load_territory
        >>> territory = load_territory("src/tousrisques/templates/petite-ville")
        >>> territory.assets.rows_of(["T-NORD", "nope", "T-NORD"])
        array([ 3, -1,  3])
        """
        asked = ids if isinstance(ids, pa.Array) else pa.array(list(ids), type=pa.string())
        if len(asked) == 0:
            return np.zeros(0, np.int64)
        encoded = asked.dictionary_encode()
        distinct, code = encoded.dictionary, encoded.indices
        at = pc.index_in(self.ids, value_set=distinct)
        found = np.nonzero(~np.asarray(at.is_null().to_numpy(zero_copy_only=False), bool))[0]
        which = np.asarray(at.filter(at.is_valid()).to_numpy(zero_copy_only=False), np.int64)
        # an id present twice in the table (only in a table that failed validation): its first
        distinct_rows = np.full(len(distinct), -1, np.int64)
        first, keep = np.unique(which, return_index=True)
        distinct_rows[first] = found[keep]
        out = distinct_rows[np.asarray(code.fill_null(0).to_numpy(zero_copy_only=False),
                                       np.int64)]
        if code.null_count:
            out[np.asarray(code.is_null().to_numpy(zero_copy_only=False), bool)] = -1
        return out

    def row_of(self, ident: str) -> int:
        """Row of one asset id (a scan in C, nothing hashed); raises KeyError when unknown."""
        r = pc.index(self.ids, pa.scalar(ident, pa.string())).as_py()
        if r is None or r < 0:
            raise KeyError(ident)
        return int(r)

    def rows_matching(self, pattern: str) -> IntArray:
        """Rows whose id matches the shell-style ``pattern`` (``*``, ``?``, ``[...]``, as
        :func:`fnmatch.fnmatchcase`), in table order; one pass over the ids in C."""
        try:
            hit = pc.match_substring_regex(self.ids, glob_regex(pattern))
        except pa.ArrowInvalid:  # pragma: no cover - a class RE2 cannot read: the slow way
            return np.array([i for i, x in enumerate(self.ids.to_pylist())
                             if fnmatch.fnmatchcase(x, pattern)], np.int64)
        return np.nonzero(np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False),
                                     bool))[0].astype(np.int64)

    def id_of(self, row: int) -> str:
        return str(self.ids[row].as_py())


@dataclass(frozen=True, eq=False)
class ZoneTable(_LocatedTable):
    """Population zones: where people live, how many, and what their homes need.

    Attributes
    ----------
    ids : pyarrow.Array
        Zone ids.
    population, vulnerable : ndarray
        People living there, and how many of them are vulnerable.
    requires : Requirements
        What their homes need.
    supply : scipy.sparse.csr_matrix or None
        Zones × assets: the power assets their homes hang on, each weighing
        ``1/len(supply)`` (an empty row: the zone gives none); see ``territory/_supply.py``.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> dict(zip(t.zones.ids.to_pylist(), t.zones.population.tolist()))
    {'Z-CENTRE': 2100.0, 'Z-PLATEAU': 1400.0, 'Z-BORDS': 1750.0, 'Z-HAMEAU': 320.0}
    """

    population: FloatArray
    vulnerable: FloatArray
    supply: sp.csr_matrix | None = None


@dataclass(frozen=True, eq=False)
class Territory:
    """A validated territory. Build it with :meth:`from_folder`; compile it for the engine.

    Attributes
    ----------
    name, timezone, metric_crs : str
        From ``territory.yaml``.
    assets : AssetTable
        Every asset, one row each.
    zones : ZoneTable
        The population zones.
    channels, actors : tuple
        :class:`Channel` and :class:`Actor` declarations.
    warnings : tuple of Problem
        What did not stop it from loading.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> t.assets.ids.to_pylist()[:3], t.layer_of(0)
    (['PS-ELBEUF', 'L-NORD', 'L-SUD'], 'power')
    >>> c = t.compile()
    >>> len(c.asset_ids) == len(t.assets.ids)
    True
    """

    name: str
    timezone: str
    metric_crs: str
    kinds: dict[str, KindSpec]
    kind_names: tuple[str, ...]
    layer_names: tuple[str, ...]
    assets: AssetTable
    links: IntArray
    zones: ZoneTable
    channels: tuple[Channel, ...]
    actors: tuple[Actor, ...]
    actor_sites: IntArray
    channel_requires: Requirements
    files: tuple[str, ...]
    folder: Path | None = None
    description: LocalText | None = None
    warnings: tuple[Problem, ...] = field(default=())
    # per actor, the asset row of its fallback site (-1: none)
    actor_fallbacks: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def from_folder(cls, path: str | Path, **options: Any) -> Territory:
        """Load and validate the territory in ``path`` (a folder or its territory.yaml).

        Raises :class:`~tousrisques.ValidationError` listing every problem found.

        Parameters
        ----------
        path : str or Path
            A territory folder or its ``territory.yaml``.
        **options
            Passed to :func:`~tousrisques.load_territory` (``limits``).

        Returns
        -------
        Territory

        Examples
        --------
        >>> from tousrisques import Territory
        >>> Territory.from_folder("src/tousrisques/templates/petite-ville").timezone
        'Europe/Paris'
        """
        from tousrisques.territory._loader import load_territory

        return load_territory(path, **options)

    @cached_property
    def coverage(self) -> Coverage:
        """Which coverage assets reach which zones and actor sites (computed once)."""
        from tousrisques.territory._coverage import compute_coverage

        return compute_coverage(self)

    @cached_property
    def operators(self) -> Operators:
        """The operators the assets' ``operator`` names (see ``territory/_operators.py``)."""
        from tousrisques.territory._operators import asset_operators

        return asset_operators(self.assets)

    def compile(self) -> CompiledTerritory:
        """The engine's arrays (see :class:`~tousrisques.territory.CompiledTerritory`).

        Returns
        -------
        CompiledTerritory

        Examples
        --------
        >>> from tousrisques import load_territory
        >>> t = load_territory("src/tousrisques/templates/petite-ville")
        >>> c = t.compile()
        >>> [g.name for g in c.layers]
        ['power', 'telecom']
        """
        from tousrisques.territory._compiled import compile_territory

        return compile_territory(self)

    def summary(self) -> TerritorySummary:
        """Counts and coverage shares, for people.

        Returns
        -------
        TerritorySummary
            What ``tousrisques validate`` prints.

        Examples
        --------
        >>> from tousrisques import load_territory
        >>> t = load_territory("src/tousrisques/templates/petite-ville")
        >>> s = t.summary()
        >>> s.assets, s.population, s.by_layer
        (20, 5570.0, {'none': 9, 'power': 6, 'telecom': 5})
        """
        from tousrisques.territory._summary import summarize

        return summarize(self)

    def kind_of(self, i: int) -> str:
        """The kind of asset row ``i``.

        Parameters
        ----------
        i : int
            An asset row.

        Returns
        -------
        str

        Examples
        --------
        >>> from tousrisques import load_territory
        >>> t = load_territory("src/tousrisques/templates/petite-ville")
        >>> t.kind_of(0), t.kind_of(t.assets.ids.to_pylist().index("ANT-NORD"))
        ('substation', 'antenna')
        """
        return self.kind_names[int(self.assets.kind[i])]

    def layer_of(self, i: int) -> str | None:
        """The network layer of asset row ``i``, or None when it belongs to none.

        Parameters
        ----------
        i : int
            An asset row.

        Returns
        -------
        str or None

        Examples
        --------
        >>> from tousrisques import load_territory
        >>> t = load_territory("src/tousrisques/templates/petite-ville")
        >>> t.layer_of(0), t.layer_of(t.assets.ids.to_pylist().index("MAIRIE"))
        ('power', None)
        """
        code = int(self.assets.layer[i])
        return None if code < 0 else self.layer_names[code]

    @cached_property
    def actor_index(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.actors)}

    @cached_property
    def channel_index(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.channels)}
