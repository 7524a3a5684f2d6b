"""Where each hazard of a scenario acts, in the territory's metric CRS, for the maps.

* a **storm**: the track of its core from its start point to its end point, the band its
  strongest winds sweep (a quarter of its radius either side of the track, as the builder's
  inner ring) and the band it reaches at all (its radius);
* a **flood**: the band along the river flooded at the end, and the band of the deepest water
  when it is narrower;
* a **plume**: the smoke at its longest, and its densest band;
* a **footprint file**: the zones it reaches (``Scenario.zone_exposure``), and those at its
  highest intensity — the file's own polygons may reach far beyond the territory.

Shapes are simplified to a tenth of a percent of their size: they are drawn over a map, not
measured.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import shapely
from pyproj import Transformer

from tousrisques._durations import parse_duration
from tousrisques._i18n import Text
from tousrisques.analysis import Study
from tousrisques.report._communes import rings
from tousrisques.report._data import Footprint
from tousrisques.results import text_of
from tousrisques.scenario import plume

CORE_SHARE = 0.25  # of a storm's radius: its strongest ring (the builder's inner ring)


def _simplified(geom: shapely.Geometry) -> shapely.Geometry:
    x0, y0, x1, y1 = shapely.bounds(geom)
    return shapely.simplify(geom, max(x1 - x0, y1 - y0, 1.0) / 1000)


def _area_rings(geom: shapely.Geometry) -> list[list[tuple[float, float]]]:
    return rings(_simplified(geom)) if geom is not None and not geom.is_empty else []


def footprints(study: Study) -> list[Footprint]:
    """The footprint of each hazard of the study's scenario (see the module's docstring).

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> study = make_study(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"), runs=1)
    >>> [(f.id, f.model, len(f.track or [])) for f in footprints(study)]
    [('tempete', 'storm', 2)]
    """
    s = study.scenario
    t = s.territory
    crs = t.metric_crs
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def metric(lonlat: list[tuple[float, float]]) -> list[tuple[float, float]]:
        xs, ys = to_m.transform([p[0] for p in lonlat], [p[1] for p in lonlat])
        return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]

    out: list[Footprint] = []
    for h in s.spec.hazards:
        words = text_of(h.name) if h.name else Text(h.id, h.id)
        if h.storm is not None:
            track = metric([h.storm.start_point, h.storm.end_point])
            line = shapely.LineString(track)
            out.append(Footprint(h.id, words, "storm", _area_rings(line.buffer(h.storm.radius_m)),
                                 _area_rings(line.buffer(h.storm.radius_m * CORE_SHARE)),
                                 [(round(x), round(y)) for x, y in track]))
        elif h.flood is not None:
            river = shapely.LineString(metric(list(h.flood.river)))
            widest = max(d for d, _depth, _t in h.flood.bands)
            deepest = max(h.flood.bands, key=lambda b: (b[1], -b[0]))[0]
            out.append(Footprint(h.id, words, "flood", _area_rings(river.buffer(widest)),
                                 _area_rings(river.buffer(deepest)) if deepest < widest
                                 else []))
        elif h.plume is not None:
            p = h.plume
            stages = plume(p.source, wind_from_deg=p.wind_from_deg,
                           wind_speed_ms=p.wind_speed_ms, start_s=parse_duration(p.start),
                           duration_s=parse_duration(p.duration), step_s=parse_duration(p.step),
                           half_angle_deg=p.half_angle_deg, max_length_m=p.max_length_m,
                           crs=crs)
            last = stages[-1]
            shapes = np.array([shapely.transform(g, lambda xy: np.column_stack(
                to_m.transform(xy[:, 0], xy[:, 1]))) for g in last.polygons], dtype=object)
            top = last.intensity == last.intensity.max()
            out.append(Footprint(h.id, words, "plume", _area_rings(shapely.union_all(shapes)),
                                 _area_rings(shapely.union_all(shapes[top]))))
        else:
            level = s.zone_exposure.get(h.id)
            if level is None or not len(level) or not (level > 0).any():
                continue
            zones = np.array(t.zones.geometry, dtype=object)
            has = np.array([g is not None for g in zones]) & (level > 0)
            shapes = np.array([shapely.transform(g, lambda xy: np.column_stack(
                to_m.transform(xy[:, 0], xy[:, 1]))) for g in zones[has]], dtype=object)
            top = level[has] == level[has].max()
            whole = shapely.union_all(shapes, grid_size=1.0)
            out.append(Footprint(h.id, words, "footprint", _area_rings(whole),
                                 _area_rings(shapely.union_all(shapes[top], grid_size=1.0))
                                 if not top.all() else []))
    return out



def framed(prints: list[Footprint], bounds: tuple[float, float, float, float]
           ) -> list[Footprint]:
    """The footprints as a map framed on ``bounds`` draws them: a shape that covers the
    whole frame is left out (it would only hatch or circle everything) and flagged.

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> square = [[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]]
    >>> f = Footprint("h", Text("h", "h"), "flood", square, square)
    >>> g = framed([f], (10.0, 10.0, 20.0, 20.0))[0]
    >>> g.rings, g.reach_everywhere, g.core_everywhere
    ([], True, True)
    """
    box = shapely.box(*bounds)

    def covers(rs: list[list[tuple[float, float]]]) -> bool:
        if not rs:
            return False
        shape = shapely.union_all([shapely.Polygon(r) for r in rs if len(r) >= 4])
        return bool(shape.contains(box))

    out = []
    for f in prints:
        whole, strong = covers(f.rings), covers(f.core)
        out.append(replace(f, rings=[] if whole else f.rings, core=[] if strong else f.core,
                           reach_everywhere=whole, core_everywhere=strong))
    return out
