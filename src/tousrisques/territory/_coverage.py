"""Coverage: which range-based assets (antennas, sirens, relays, transmitters) reach which
zones and actor sites, computed once with a spatial index in the territory's metric CRS.

A zone is reached when its representative point (a point inside it) lies within the asset's
range: its population is taken to live there. This is exact for the small grid cells of the
sample territory and coarse for large zones; see docs/territory-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from tousrisques.territory._model import FloatArray, IntArray, Territory


@dataclass(frozen=True, eq=False)
class Coverage:
    """Per coverage kind, sparse matrices of targets × assets (1 where the asset reaches).

    Attributes
    ----------
    kinds : tuple of str
        The coverage kinds (those with a ``range_m``).
    zones, actors : dict of scipy.sparse.csr_matrix
        Per kind, zones × assets and actors × assets.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> reach = c.zone_coverage["siren"]  # the same matrices, compiled
    >>> zone = c.zone_ids.to_pylist().index("Z-CENTRE")
    >>> [c.asset_ids[int(j)].as_py() for j in reach[zone].indices]
    ['SIR-CENTRE']
    """

    kinds: tuple[str, ...]
    zones: dict[str, sp.csr_matrix]
    actors: dict[str, sp.csr_matrix]


def _reach(tx: FloatArray, ty: FloatArray, ax: FloatArray, ay: FloatArray,
           ranges: FloatArray, asset_rows: IntArray, n_assets: int) -> sp.csr_matrix:
    """Targets × assets matrix: target t reached by asset a when distance <= range of a.

    Both sets go into k-d trees (scipy's cKDTree, the spatial index) and only pairs closer
    than the largest range are ever compared.
    """
    n_t = len(tx)
    ok = np.nonzero(np.isfinite(tx) & np.isfinite(ty))[0]
    if len(ok) == 0 or len(asset_rows) == 0:
        return sp.csr_matrix((n_t, n_assets), dtype=np.int8)
    targets = cKDTree(np.c_[tx[ok], ty[ok]])
    sources = cKDTree(np.c_[ax, ay])
    pairs = sources.sparse_distance_matrix(targets, float(ranges.max()),
                                           output_type="ndarray")
    a_idx, t_idx, dist = pairs["i"], pairs["j"], pairs["v"]
    keep = dist <= ranges[a_idx]
    rows = ok[t_idx[keep]]
    cols = asset_rows[a_idx[keep]]
    m = sp.csr_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n_t, n_assets))
    m.sum_duplicates()
    return m


def compute_coverage(t: Territory) -> Coverage:
    """Coverage of zones and actor sites by every kind that has assets with a range."""
    a = t.assets
    n = len(a)
    located = np.isfinite(a.x) & (a.range_m > 0)
    site_rows = t.actor_sites
    sx = np.where(site_rows >= 0, a.x[site_rows.clip(0)], np.nan) if len(site_rows) \
        else np.zeros(0)
    sy = np.where(site_rows >= 0, a.y[site_rows.clip(0)], np.nan) if len(site_rows) \
        else np.zeros(0)
    kinds = []
    zones: dict[str, sp.csr_matrix] = {}
    actors: dict[str, sp.csr_matrix] = {}
    wanted = {c.coverage for c in t.channels if c.coverage}
    for code, name in enumerate(t.kind_names):
        rows = np.nonzero(located & (a.kind == code))[0]
        if len(rows) == 0 and name not in wanted:
            continue
        kinds.append(name)
        ax, ay, rng = a.x[rows], a.y[rows], a.range_m[rows]
        zones[name] = _reach(t.zones.x, t.zones.y, ax, ay, rng, rows, n)
        actors[name] = _reach(sx, sy, ax, ay, rng, rows, n)
    return Coverage(tuple(kinds), zones, actors)
