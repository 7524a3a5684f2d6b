"""The maps' geometry, from the territory's own files: zones and communes projected to the
metric CRS and simplified, assets as points or segments, their states at the map times."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from tousrisques._messages import Text
from tousrisques.analysis import Study
from tousrisques.report._data import MapAsset, MapData

MAX_MAP_ASSETS = 20_000  # about 1 MB of SVG over three maps
SIMPLIFY_M = 15.0  # below what a printed map of a métropole shows
POINT_ZONE_M = 150.0  # half-side of the square drawn for a zone given as a point
GROUP_KEYS = ("insee", "commune", "code_insee")  # zones of one commune share one of these


Ring = list[tuple[float, float]]


def _rings(geom: shapely.Geometry) -> list[Ring]:
    """Outer rings of a (multi)polygon, rounded to the metre."""
    parts = getattr(geom, "geoms", [geom])
    out = []
    for p in parts:
        if isinstance(p, shapely.Polygon) and not p.is_empty:
            xy = np.round(np.asarray(p.exterior.coords)[:, :2])
            out.append([(float(x), float(y)) for x, y in xy])
    return out


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
    """The located assets the maps draw: all of them up to ``most`` (MAX_MAP_ASSETS); beyond,
    first
    what people and actors are reached through (coverage kinds: antennas, sirens, relays…;
    actors' sites; sources; digital services and cores), then every k-th of the others, so
    that a very large territory still gives a report that opens and prints."""
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


def map_data(study: Study, ks: list[int], channel: str | None) -> MapData:
    """Map geometry and states at the output times ``ks``; zones coloured by the share of
    runs in which ``channel`` reaches them (by any broadcast when None)."""
    s, ens, tl = study.scenario, study.ensemble, study.timeline
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
    drawn = shapely.simplify(proj, SIMPLIFY_M)
    zone_rings = [[] if e else _rings(g) for g, e in zip(drawn, empty, strict=True)]
    key = next((k for k in GROUP_KEYS if k in zones.attrs), None)
    if key is not None:
        groups = np.asarray([str(v) for v in zones.attrs[key]], dtype=object)
        outline: list[Ring] = []
        for g in np.unique(groups):
            merged = shapely.union_all(proj[(groups == g) & ~empty], grid_size=1.0)
            outline += _rings(shapely.simplify(merged, SIMPLIFY_M))
    else:
        outline = _rings(shapely.simplify(shapely.union_all(proj[~empty], grid_size=1.0),
                                          SIMPLIFY_M))
    a = t.assets
    xs, ys = np.round(a.x), np.round(a.y)
    names = a.attrs.get("name")
    assets: list[MapAsset] = []
    rows: list[int] = []
    for i in drawn_assets(study).tolist():
        kind = t.kind_of(i)
        spec = t.kinds[kind]
        line = None
        if a.connects[i, 0] >= 0:
            p, q = int(a.connects[i, 0]), int(a.connects[i, 1])
            if not (np.isfinite(a.x[[p, q]]).all() and np.isfinite(a.y[[p, q]]).all()):
                continue
            line = [(float(xs[p]), float(ys[p])), (float(xs[q]), float(ys[q]))]
        elif not (np.isfinite(a.x[i]) and np.isfinite(a.y[i])):
            continue
        assets.append(MapAsset(a.id_of(i), str(names[i]) if names is not None and names[i]
                               else "", kind, Text(spec.label("en"), spec.label("fr")),
                               float(xs[i]) if np.isfinite(xs[i]) else 0.0,
                               float(ys[i]) if np.isfinite(ys[i]) else 0.0, line))
        rows.append(i)
    states = []
    for k in ks:
        working = tl.working_at(k)[rows]
        present = tl.present_at(k)[rows]
        states.append(np.where(~present, 2, np.where(working, 0, 1)).tolist())
    j = len(ens.broadcast_ids) - 1
    label = None
    if channel is not None and channel in ens.broadcast_ids:
        j = ens.broadcast_ids.index(channel)
        ch = t.channels[t.channel_index[channel]]
        label = Text(ch.name.en, ch.name.fr)
    reached = ens.zone_reached[ks, j, :].tolist() if ens.zone_reached is not None else \
        [[0.0] * len(zones) for _ in ks]
    all_xy = np.array([xy for rings in zone_rings for r in rings for xy in r]
                      + [(m.x, m.y) for m in assets if m.line is None])
    bounds = (float(all_xy[:, 0].min()), float(all_xy[:, 1].min()),
              float(all_xy[:, 0].max()), float(all_xy[:, 1].max())) if len(all_xy) else \
        (0.0, 0.0, 1.0, 1.0)
    return MapData(bounds, zone_rings, [str(x) for x in zones.ids.to_pylist()],
                   zones.population.tolist(), outline,
                   [float(ens.times_s[k] / 3600) for k in ks], reached, assets, states, label,
                   int(located(study).sum()))
