"""The maps' data, from the territory's own files: zones and communes projected to the metric
CRS and simplified, the frame, which assets are drawn one by one and which are counted per
commune, their states at the map times, each channel's reach at its own worst moment, the
hazards' footprints.

**Scale.** A kind of point asset is drawn one symbol per asset when it has at most
``FEW_PER_KIND`` located assets and, all such kinds together, at most ``MOST_SYMBOLS``
(the kinds with the fewest assets are kept first); the others are counted per commune on a
map of their own (share of them down). A small town keeps every asset; a métropole keeps its
sirens, hospitals, sites and cores as symbols and shows its 500 antennas and 1,300
transformers per commune. Line assets are always drawn, as lines.

**Frame.** The maps are framed on the zones (where people live), widened to the assets
within ``NEAR_SHARE`` of the zones' size around them; an asset farther (an alerting platform
placed in Paris, a core network in another city) is left off the map and named in a note.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from tousrisques._i18n import Text, Words
from tousrisques.analysis import Ensemble, Study
from tousrisques.report._communes import SIMPLIFY_M, choropleths, communes, rings
from tousrisques.report._data import MapAsset, MapData, ReachMap
from tousrisques.report._footprints import footprints, framed
from tousrisques.results import ANY, worst_moment, worst_time

MAX_MAP_ASSETS = 20_000  # about 1 MB of SVG over three maps
FEW_PER_KIND = 100  # a kind with more located assets is counted per commune
MOST_SYMBOLS = 400  # symbols on one map, all kinds together
NEAR_SHARE = 0.15  # of the zones' size: how far outside them an asset is still framed
POINT_ZONE_M = 150.0  # half-side of the square drawn for a zone given as a point

Bounds = tuple[float, float, float, float]


def _project(study: Study, geoms: np.ndarray) -> np.ndarray:
    t = study.scenario.territory
    tr = Transformer.from_crs("EPSG:4326", t.metric_crs, always_xy=True)
    return np.asarray(shapely.transform(geoms, lambda xy: np.column_stack(
        tr.transform(xy[:, 0], xy[:, 1]))))


def located(study: Study) -> npt.NDArray[np.bool_]:
    """Assets that have a place on a map: a point, or a line whose two ends have one."""
    a = study.scenario.territory.assets
    here = np.isfinite(a.x) & np.isfinite(a.y)
    line = a.connects[:, 0] >= 0
    ends = a.connects.clip(0)
    ok: npt.NDArray[np.bool_] = np.where(line, here[ends[:, 0]] & here[ends[:, 1]], here)
    return ok


def drawn_assets(study: Study, most: int | None = None) -> npt.NDArray[np.int64]:
    """The located assets the maps may draw: all of them up to ``most`` (MAX_MAP_ASSETS);
    beyond, first what people and actors are reached through (coverage kinds: antennas,
    sirens, relays…; actors' sites; sources; digital services and cores), then every k-th of
    the others, so that a very large territory still gives a report that opens and prints."""
    t = study.scenario.territory
    c = study.scenario.compiled
    n = len(t.assets)
    most = MAX_MAP_ASSETS if most is None else most
    where = located(study)
    if where.sum() <= most:
        return np.nonzero(where)[0].astype(np.int64)
    key = np.zeros(n, bool)
    codes = {k: i for i, k in enumerate(t.kind_names)}
    for kind in (*c.coverage_kinds, "core", "datacenter", "service", "substation"):
        if kind in codes:
            key |= t.assets.kind == codes[kind]
    key[c.actor_site[c.actor_site >= 0]] = True
    key |= t.assets.source
    first = np.nonzero(key & where)[0][:most]
    rest = np.nonzero(~key & where)[0]
    room = max(most - len(first), 0)
    rest = rest[::max(1, -(-len(rest) // room))][:room] if room else rest[:0]
    return np.sort(np.concatenate([first, rest]))


def split_kinds(counts: dict[str, int], *, few: int = FEW_PER_KIND,
                most: int = MOST_SYMBOLS) -> tuple[list[str], list[str]]:
    """The point kinds drawn one by one and those counted per commune (see the module's
    docstring): ``counts`` is the number of located assets of each point kind.

    Examples
    --------
    >>> split_kinds({"antenna": 503, "siren": 62, "core": 4, "site": 98}, most=150)
    (['core', 'siren'], ['antenna', 'site'])
    """
    single: list[str] = []
    room = most
    for kind, n in sorted(counts.items(), key=lambda kv: (kv[1], kv[0])):
        if n <= few and n <= room:
            single.append(kind)
            room -= n
    return sorted(single), sorted(k for k in counts if k not in single)


def _bounds(xy: npt.NDArray[np.float64]) -> Bounds:
    return (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()),
            float(xy[:, 1].max()))


def frame_bounds(zone_xy: npt.NDArray[np.float64], point_xy: npt.NDArray[np.float64],
                 *, near: float = NEAR_SHARE) -> tuple[Bounds, npt.NDArray[np.bool_]]:
    """The map's bounds and which points are on it: the zones' box, widened to the points
    within ``near`` of its size around it; without zones, the points' box without those
    farther than ``near``-times-ten their middle half's size from their median.

    Examples
    --------
    >>> import numpy as np
    >>> zones = np.array([[0.0, 0.0], [10_000.0, 8_000.0]])
    >>> points = np.array([[500.0, 500.0], [11_000.0, 4_000.0], [140_000.0, 200_000.0]])
    >>> frame_bounds(zones, points)
    ((0.0, 0.0, 11000.0, 8000.0), array([ True,  True, False]))
    """
    if len(zone_xy):
        box = _bounds(zone_xy)
        size = max(box[2] - box[0], box[3] - box[1], 1000.0)
    elif len(point_xy):
        mid = np.median(point_xy, axis=0)
        q1, q3 = np.percentile(point_xy, [25, 75], axis=0)
        size = max(float((q3 - q1).max()), 1000.0) * 10 * near
        box = (float(mid[0]), float(mid[1]), float(mid[0]), float(mid[1]))
    else:
        return (0.0, 0.0, 1.0, 1.0), np.zeros(0, bool)
    pad = size * near
    on = ((point_xy[:, 0] >= box[0] - pad) & (point_xy[:, 0] <= box[2] + pad)
          & (point_xy[:, 1] >= box[1] - pad) & (point_xy[:, 1] <= box[3] + pad)) \
        if len(point_xy) else np.zeros(0, bool)
    every = np.concatenate([zone_xy, point_xy[on]]) if len(zone_xy) else point_xy[on]
    return (_bounds(every) if len(every) else box), on


def _worst(ens: Ensemble, name: str) -> int:
    """The worst moment as the key figures name it (the median's, or the P10's when only
    the tail moves), so that a map and the figure above it say the same hour; the lowest
    mean when the indicator holds."""
    k = worst_moment(ens, name)
    return worst_time(ens, name) if k is None else k


def reach_maps(study: Study, channel: str | None) -> list[ReachMap]:
    """The zones ``channel`` (the main alert channel) reaches at its own worst moment, then
    those at least one broadcast channel reaches at that one's worst moment."""
    s, ens = study.scenario, study.ensemble
    t = s.territory
    if ens.zone_reached is None or not ens.broadcast_ids:
        return []
    hours = ens.times_s / 3600
    out = []
    if channel is not None and channel in ens.broadcast_ids[:-1] \
            and f"population_reached:{channel}" in ens.names:
        j = ens.broadcast_ids.index(channel)
        k = _worst(ens, f"population_reached:{channel}")
        ch = t.channels[t.channel_index[channel]]
        out.append(ReachMap(channel, Text(ch.name.en, ch.name.fr), float(hours[k]),
                            ens.zone_reached[k, j, :].tolist()))
    k = _worst(ens, ANY) if ANY in ens.names else 0
    out.append(ReachMap("any", None, float(hours[k]), ens.zone_reached[k, -1, :].tolist()))
    return out


def map_data(study: Study, ks: list[int], channel: str | None) -> MapData:
    """Everything the maps draw (see the module's docstring): asset states at the output
    times ``ks``, the reach of ``channel`` (the main alert channel) and of any broadcast
    channel at their own worst moments, per-commune counts, footprints."""
    s, tl = study.scenario, study.timeline
    t = s.territory
    zones = t.zones
    geoms = np.array(zones.geometry, dtype=object)
    empty = np.array([g is None for g in geoms], dtype=bool)
    geoms[empty] = shapely.Point(0, 0)
    proj = _project(study, geoms)
    is_poly = np.array([isinstance(g, shapely.Polygon | shapely.MultiPolygon) for g in proj],
                       dtype=bool)
    proj[~is_poly] = shapely.buffer(proj[~is_poly], POINT_ZONE_M, cap_style="square")
    proj = shapely.make_valid(proj)
    zone_rings = [[] if e else rings(g, SIMPLIFY_M) for g, e in zip(proj, empty, strict=True)]
    zone_ids = [str(x) for x in zones.ids.to_pylist()]
    units, merged = communes(zones.attrs, zone_ids, np.asarray(zones.population, float), proj,
                             empty)
    outline = [r for u in units for r in u.rings]

    a = t.assets
    xs, ys = np.round(a.x), np.round(a.y)
    names = a.attrs.get("name")
    rows = drawn_assets(study)
    is_line = a.connects[rows, 0] >= 0
    point_rows = rows[~is_line]
    every_point = np.nonzero(located(study) & (a.connects[:, 0] < 0))[0]
    counts = Counter(t.kind_of(int(i)) for i in every_point)
    single, aggregated = split_kinds(dict(counts))
    singles = np.array([t.kind_of(int(i)) in single for i in point_rows], dtype=bool)
    point_rows = point_rows[singles] if len(point_rows) else point_rows
    zone_xy = np.array([xy for r in zone_rings for ring in r for xy in ring]).reshape(-1, 2)
    bounds, on = frame_bounds(zone_xy, np.column_stack([xs[point_rows], ys[point_rows]]))
    kind_labels: dict[str, Words] = {}

    def asset(i: int, line: list[tuple[float, float]] | None = None) -> MapAsset:
        kind = t.kind_of(i)
        spec = t.kinds[kind]
        kind_labels[kind] = Text(spec.label("en"), spec.label("fr"))
        return MapAsset(a.id_of(i), str(names[i]) if names is not None and names[i] else "",
                        kind, kind_labels[kind], float(xs[i]) if np.isfinite(xs[i]) else 0.0,
                        float(ys[i]) if np.isfinite(ys[i]) else 0.0, line,
                        bool(a.construction[i] == 1))

    drawn: list[int] = []
    assets: list[MapAsset] = []
    for i in rows[is_line].tolist():
        p, q = int(a.connects[i, 0]), int(a.connects[i, 1])
        assets.append(asset(i, [(float(xs[p]), float(ys[p])), (float(xs[q]), float(ys[q]))]))
        drawn.append(i)
    off_map = [asset(int(i)) for i in point_rows[~on]]
    for i in point_rows[on].tolist():
        assets.append(asset(i))
        drawn.append(i)
    for kind in aggregated:
        spec = t.kinds[kind]
        kind_labels[kind] = Text(spec.label("en"), spec.label("fr"))
    states = []
    for k in ks:
        working = tl.working_at(k)[drawn]
        present = tl.present_at(k)[drawn]
        states.append(np.where(~present, 2, np.where(working, 0, 1)).tolist())
    hours = study.ensemble.times_s / 3600
    return MapData(bounds, zone_rings, zone_ids, zones.population.tolist(), outline,
                   [float(hours[k]) for k in ks], assets, states, int(located(study).sum()),
                   reach=reach_maps(study, channel), units=units,
                   choropleths=choropleths(study, units, merged, aggregated),
                   footprints=framed(footprints(study), bounds), off_map=off_map,
                   aggregated=aggregated, kind_labels=kind_labels)

