"""The shared crisis map's data: the territory's own zones, communes, assets and lines in
longitude and latitude (static, made once per exercise model), and their state at a scenario
time (assets down, each zone's reach by the main alert channel, by the volunteers sent, and
the share informed by the players' alerts or volunteers).

Zones and communes are projected to the territory's metric CRS, simplified there
(:data:`SIMPLIFY_M`), and brought back to WGS84, rounded to 5 decimals (about a metre): the
Rouen sample's map is under 1.5 MB. Point assets are drawn one by one for the kinds with the
fewest assets first, at most :data:`MOST_ASSETS` (``report._geometry.split_kinds``); line
assets are drawn as lines.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from tousrisques.exercise import Exercise, Session
from tousrisques.report._communes import communes, rings
from tousrisques.report._geometry import POINT_ZONE_M, split_kinds
from tousrisques.territory import Territory

__all__ = ["MOST_ASSETS", "SIMPLIFY_M", "MapGeometry", "map_geometry", "map_state"]

#: how much zones and communes are simplified (metres)
SIMPLIFY_M = 25.0
#: point assets drawn one by one, at most
MOST_ASSETS = 600
_DIGITS = 5


@dataclass(frozen=True)
class MapGeometry:
    """The static map of an exercise: ``data`` (the JSON answer of ``GET …/map``) and the
    asset rows drawn as points and as lines.

    Examples
    --------
    >>> import numpy as np
    >>> MapGeometry({}, np.zeros(0, np.int64), np.zeros(0, np.int64)).data
    {}
    """

    data: dict[str, Any]
    points: npt.NDArray[np.int64]
    lines: npt.NDArray[np.int64]


_CACHE: weakref.WeakKeyDictionary[Exercise, MapGeometry] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def _back(tr: Transformer, ring: list[tuple[float, float]]) -> list[list[float]]:
    xy = np.asarray(ring, float).reshape(-1, 2)
    lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    return [[round(float(a), _DIGITS), round(float(b), _DIGITS)]
            for a, b in zip(np.atleast_1d(lon), np.atleast_1d(lat), strict=True)]


def _build(ex: Exercise) -> MapGeometry:
    t = ex.scenario.territory
    to_m = Transformer.from_crs("EPSG:4326", t.metric_crs, always_xy=True)
    to_deg = Transformer.from_crs(t.metric_crs, "EPSG:4326", always_xy=True)
    geoms = np.array(t.zones.geometry, dtype=object)
    empty = np.array([g is None for g in geoms], dtype=bool)
    geoms[empty] = shapely.Point(0, 0)
    proj = np.asarray(shapely.transform(geoms, lambda xy: np.column_stack(
        to_m.transform(xy[:, 0], xy[:, 1]))))
    is_poly = np.array([isinstance(g, shapely.Polygon | shapely.MultiPolygon) for g in proj],
                       dtype=bool)
    proj[~is_poly] = shapely.buffer(proj[~is_poly], POINT_ZONE_M, cap_style="square")
    proj = shapely.make_valid(proj)
    pop = np.asarray(t.zones.population, float)
    units, _ = communes(t.zones.attrs, list(ex.zone_ids), pop, proj, empty)
    zone_unit = {z: u.id for u in units for z in u.zones}
    zones: list[dict[str, Any]] = []
    every: list[list[float]] = []
    for z, zid in enumerate(ex.zone_ids):
        zone_rings = [] if empty[z] else [_back(to_deg, r) for r in rings(proj[z], SIMPLIFY_M)]
        every += [xy for ring in zone_rings for xy in ring]
        zones.append({"id": zid, "name": _zone_name(t.zones.attrs, z) or zid,
                      "commune": zone_unit.get(z), "population": float(pop[z]),
                      "rings": zone_rings})
    outlines = [{"code": u.id, "name": u.name, "rings": [_back(to_deg, r) for r in u.rings]}
                for u in units]
    a = t.assets
    # an asset that never works in the run is not there (planned equipment a mitigation
    # would bring): it is not drawn, and never counted down
    where = _located(t) & ex.present
    is_line = a.connects[:, 0] >= 0
    point_rows = np.nonzero(where & ~is_line)[0]
    counts = Counter(t.kind_of(int(i)) for i in point_rows)
    single, _ = split_kinds(dict(counts), most=MOST_ASSETS)
    points = np.array([i for i in point_rows.tolist() if t.kind_of(i) in single], np.int64)
    lines = np.nonzero(where & is_line)[0].astype(np.int64)
    assets = []
    for i in points.tolist():
        kind = t.kind_of(i)
        spec = t.kinds[kind]
        assets.append({"id": a.id_of(i), "kind": kind,
                       "kind_label": {"en": spec.label("en"), "fr": spec.label("fr")},
                       "lon": round(float(a.lon[i]), _DIGITS),
                       "lat": round(float(a.lat[i]), _DIGITS)})
    drawn_lines = []
    for i in lines.tolist():
        p, q = int(a.connects[i, 0]), int(a.connects[i, 1])
        drawn_lines.append({"id": a.id_of(i), "kind": t.kind_of(i), "coords": [
            [round(float(a.lon[p]), _DIGITS), round(float(a.lat[p]), _DIGITS)],
            [round(float(a.lon[q]), _DIGITS), round(float(a.lat[q]), _DIGITS)]]})
    every = every or [[float(a.lon[i]), float(a.lat[i])] for i in points.tolist()]
    xy = np.asarray(every, float).reshape(-1, 2)
    bounds = [float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()),
              float(xy[:, 1].max())] if len(xy) else [0.0, 0.0, 1.0, 1.0]
    data = {"bounds": bounds, "lat0": round((bounds[1] + bounds[3]) / 2, _DIGITS),
            "zones": zones, "communes": outlines, "assets": assets, "lines": drawn_lines}
    return MapGeometry(data, points, lines)


def _located(t: Territory) -> npt.NDArray[np.bool_]:
    """Assets with a place: a point, or a line whose two ends have one."""
    a = t.assets
    here = np.isfinite(a.lon) & np.isfinite(a.lat)
    ends = a.connects.clip(0)
    ok: npt.NDArray[np.bool_] = np.where(a.connects[:, 0] >= 0,
                                         here[ends[:, 0]] & here[ends[:, 1]], here)
    return ok


def _zone_name(attrs: dict[str, npt.NDArray[np.object_]], z: int) -> str:
    for key in ("name", "nom", "commune"):
        if key in attrs and attrs[key][z] is not None and str(attrs[key][z]):
            return str(attrs[key][z])
    return ""


def map_geometry(ex: Exercise) -> MapGeometry:
    """The static map of ``ex`` (made once per exercise model, then cached).

    Parameters
    ----------
    ex : Exercise

    Returns
    -------
    MapGeometry

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> m = map_geometry(Exercise.for_run(s, 0)).data
    >>> [z["id"] for z in m["zones"]], len(m["assets"]) > 0, len(m["bounds"])
    (['Z-CENTRE', 'Z-PLATEAU', 'Z-BORDS', 'Z-HAMEAU'], True, 4)
    """
    with _GUARD:
        found = _CACHE.get(ex)
    if found is None:
        found = _build(ex)
        with _GUARD:
            _CACHE[ex] = found
    return found


def map_state(session: Session, scenario_s: float, clock: str) -> dict[str, Any]:
    """The map's state at ``scenario_s``: drawn assets and lines not working, each zone's
    share reached by the main alert channel now, informed by the volunteers sent, and
    informed by the alerts sent or the volunteers (``any``), and :meth:`Session.reach`.

    Parameters
    ----------
    session : Session
    scenario_s : float
    clock : str
        ``scenario_s`` on the territory's clock.

    Returns
    -------
    dict

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from tousrisques.exercise import Exercise, MemoryStore, Session
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
    >>> session = Session.create(MemoryStore(), "x", Exercise.for_run(s, 0), now=t0)
    >>> state = map_state(session, 0.0, "00:00")
    >>> state["assets_down"], state["zones"]["Z-CENTRE"]
    ([], {'main': 1.0, 'relays': 0.0, 'any': 0.0})
    """
    ex = session.exercise
    geometry = map_geometry(ex)
    working = ex.timeline.working_at(ex._k(scenario_s))
    ids = ex.scenario.territory.assets
    reach = session.zone_reach(scenario_s)
    return {"scenario_s": scenario_s, "clock": clock,
            "assets_down": [ids.id_of(int(i)) for i in geometry.points if not working[i]],
            "lines_down": [ids.id_of(int(i)) for i in geometry.lines if not working[i]],
            "zones": {z: {"main": round(float(m), 4), "relays": round(float(v), 4),
                          "any": round(float(y), 4)}
                      for z, m, v, y in zip(ex.zone_ids, reach["main"], reach["relays"],
                                            reach["any"], strict=True)},
            "reach": session.reach_of(reach)}
