"""What the criticality ranking says beside each asset's id: its name, its commune, its
feeder, and the group of assets that fall together (see ``_criticality.py``).

* **Commune**: the zone that holds the asset's place (a line: the middle of its two ends),
  else the nearest zone within ``NEAREST_ZONE_M``; the zone's ``commune`` field, else its
  INSEE code (``insee``, ``code_insee``), else its ``name``, else its id. Assets without a
  place (a digital platform) have none.
* **Feeder**: the asset's ``feeder`` field; an asset without one (a transformer) that only
  lines of one feeder touch belongs to that feeder (a source substation, which many feeders
  touch, to none; normally-open tie switches do not count).
* **Groups**: two assets are in one group when their single losses put down the same
  relevant assets (the same consequence, so the same cost), or when they belong to the same
  feeder; groups join transitively. The group is named by its best-ranked member, its head.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from tousrisques.territory import Territory
from tousrisques.territory.communes import NEAREST_ZONE_M

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

ZONE_LABELS = ("commune", "insee", "code_insee", "name")


def _text(values: ObjArray | None, n: int) -> ObjArray:
    """Each value as text, "" where missing (None, NaN, empty)."""
    out = np.full(n, "", dtype=object)
    if values is None:
        return out
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and v != v):
            continue
        out[i] = str(v).strip()
    return out


def asset_names(t: Territory) -> ObjArray:
    """Each asset's ``name`` ("" where it has none).

    Parameters
    ----------
    t : Territory

    Returns
    -------
    ndarray of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> str(asset_names(t)[t.assets.row_of("MAIRIE")])
    'Hôtel de ville (PCS)'
    """
    return _text(t.assets.attrs.get("name"), len(t.assets))


def zone_labels(t: Territory) -> ObjArray:
    """Each zone's commune: its ``commune`` field, else its INSEE code, else its name, else
    its id.

    Parameters
    ----------
    t : Territory

    Returns
    -------
    ndarray of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> zone_labels(load_territory("src/tousrisques/templates/petite-ville")).tolist()
    ['Centre', 'Plateau', 'Bords de Seine', 'Hameau des Essarts']
    """
    z = t.zones
    out = np.array([str(x) for x in z.ids.to_pylist()], dtype=object)
    for field in reversed(ZONE_LABELS):
        values = _text(z.attrs.get(field), len(z))
        out = np.where(values != "", values, out)
    return out


def asset_communes(t: Territory) -> ObjArray:
    """Each asset's commune (``zone_labels`` of the zone it stands in, else of the nearest
    zone within ``NEAREST_ZONE_M``; "" without a place).

    Parameters
    ----------
    t : Territory

    Returns
    -------
    ndarray of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> str(asset_communes(t)[t.assets.row_of("MAIRIE")])
    'Centre'
    """
    a, z = t.assets, t.zones
    n = len(a)
    lon, lat, x, y = a.lon.copy(), a.lat.copy(), a.x.copy(), a.y.copy()
    line = (a.connects[:, 0] >= 0) & ~np.isfinite(lon)
    ends = a.connects[line].clip(0)
    for v in (lon, lat, x, y):
        v[line] = (v[ends[:, 0]] + v[ends[:, 1]]) / 2
    out = np.full(n, "", dtype=object)
    here = np.nonzero(np.isfinite(lon) & np.isfinite(lat))[0]
    if not len(z) or not len(here):
        return out
    labels = zone_labels(t)
    geoms = np.array(z.geometry, dtype=object)
    has = np.array([g is not None for g in geoms], bool)
    zone = np.full(n, -1, np.int64)
    if has.any():
        tree = shapely.STRtree(geoms[has])
        pts, hit = tree.query(shapely.points(lon[here], lat[here]), predicate="intersects")
        first = np.unique(pts, return_index=True)[1]
        zone[here[pts[first]]] = np.nonzero(has)[0][hit[first]]
    lost = here[(zone[here] < 0) & np.isfinite(x[here]) & np.isfinite(y[here])]
    placed = np.isfinite(z.x) & np.isfinite(z.y)
    if len(lost) and placed.any():
        dist, k = cKDTree(np.column_stack([z.x[placed], z.y[placed]])).query(
            np.column_stack([x[lost], y[lost]]), distance_upper_bound=NEAREST_ZONE_M)
        near = np.isfinite(dist)
        zone[lost[near]] = np.nonzero(placed)[0][k[near]]
    out[zone >= 0] = labels[zone[zone >= 0]]
    return out


def asset_feeders(t: Territory) -> ObjArray:
    """Each asset's feeder: its ``feeder`` field, else the one feeder of every line that
    touches it ("" when none, or several).

    Parameters
    ----------
    t : Territory

    Returns
    -------
    ndarray of str

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> sorted(set(asset_feeders(t).tolist()))
    ['']
    """
    a = t.assets
    n = len(a)
    own = _text(a.attrs.get("feeder"), n)
    # a normally-open tie switch joins two feeders only once a scenario closes it
    lines = np.nonzero((a.connects[:, 0] >= 0) & (own != "") & ~a.normally_open)[0]
    if not len(lines):
        return own
    codes, code = np.unique(own[lines].astype(str), return_inverse=True)
    ends = np.concatenate([a.connects[lines, 0], a.connects[lines, 1]])
    which = np.concatenate([code, code])
    pairs = np.unique(np.column_stack([ends, which]), axis=0)
    count = np.bincount(pairs[:, 0], minlength=n)
    single = pairs[count[pairs[:, 0]] == 1]
    out = own.copy()
    take = single[(own[single[:, 0]] == "") & ~a.source[single[:, 0]]]
    out[take[:, 0]] = codes[take[:, 1]]
    return out


def group_heads(keys: IntArray, feeders: ObjArray) -> IntArray:
    """For rows in rank order, the row of each one's group head (the group's first row):
    rows join when they share a non-zero consequence key or a non-empty feeder.

    Parameters
    ----------
    keys : ndarray of int
        Per row, the consequence key of its loss (0: it puts down nothing relevant).
    feeders : ndarray of str
        Per row, its feeder ("" for none).

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> group_heads(np.array([5, 0, 5, 7, 0]),
    ...             np.array(["", "D1", "", "D1", ""], dtype=object)).tolist()
    [0, 1, 0, 1, 4]
    """
    n = len(keys)
    src: list[IntArray] = []
    dst: list[IntArray] = []
    texts = feeders.astype(str)
    for values, present in ((keys, keys != 0), (texts, texts != "")):
        rows = np.nonzero(present)[0]
        order = rows[np.argsort(values[rows], kind="stable")]
        same = values[order[1:]] == values[order[:-1]]
        src.append(order[:-1][same])
        dst.append(order[1:][same])
    if not src:
        return np.arange(n, dtype=np.int64)
    s, d = np.concatenate(src), np.concatenate(dst)
    graph = coo_matrix((np.ones(len(s), np.int8), (s, d)), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=False)
    head = np.full(label.max() + 1, n, np.int64)
    np.minimum.at(head, label, np.arange(n))
    out: IntArray = head[label]
    return out
