"""Hazard builders: footprints written from a few parameters, so a scenario needs no GIS.

Shapes are drawn in a metric CRS (Lambert-93 by default) and returned in WGS84:

* :func:`plume` — smoke downwind of a point source: a wedge that lengthens with the wind,
  in bands of decreasing concentration;
* :func:`flood` — a river rising in bands along its line, each band reached at its time;
* :func:`storm` — a wind field crossing the territory along a track, peak wind at its core
  decreasing to its edge, one stage per time step.

Cyber-attacks and load shedding are not footprints but timed outages of named assets
(:func:`tousrisques.engine.outage`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Transformer

from tousrisques.scenario._exposure import Stage

LonLat = tuple[float, float]


def _to_wgs(geoms: list[shapely.Geometry], crs: str) -> np.ndarray:
    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return np.array([shapely.transform(g, lambda xy: np.column_stack(
        t.transform(xy[:, 0], xy[:, 1]))) for g in geoms], dtype=object)


def _to_metric(lon: float, lat: float, crs: str) -> tuple[float, float]:
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def plume(source: LonLat, *, wind_from_deg: float, wind_speed_ms: float, start_s: float,
          duration_s: float, step_s: float, half_angle_deg: float = 12.0,
          max_length_m: float = 30_000.0, bands: int = 3, crs: str = "EPSG:2154"
          ) -> list[Stage]:
    """Smoke from a fire at ``source``: at each step the plume reaches ``speed × elapsed``
    metres downwind (wind *from* ``wind_from_deg``, meteorological degrees), in ``bands``
    bands of intensity ``bands`` (near) down to 1 (far); it lasts until the fire's end.

    Parameters
    ----------
    source : (lon, lat)
        The fire, WGS84.
    wind_from_deg, wind_speed_ms : float
        The wind.
    start_s, duration_s, step_s : float
        The fire's start and length, and the step of the plume's growth.
    half_angle_deg, max_length_m : float
        The plume's width and greatest length.
    bands : int
        Bands of intensity.
    crs : str
        The metric CRS of the polygons.

    Returns
    -------
    list of Stage
        In time order, each with its metric polygons and intensities.

    Examples
    --------
    >>> from tousrisques.scenario import plume
    >>> stages = plume((1.0, 49.3), wind_from_deg=270, wind_speed_ms=5, start_s=0,
    ...                duration_s=3 * 3600, step_s=3600)
    >>> len(stages), stages[0].intensity.tolist()
    (3, [3.0, 2.0, 1.0])
    """
    sx, sy = _to_metric(*source, crs)
    heading = math.radians((wind_from_deg + 180.0) % 360.0)  # where the smoke goes
    stages = []
    end = start_s + duration_s
    # one stage per step, and one at the end when the last step overshoots it
    times = list(np.arange(start_s + step_s, end + 1e-9, step_s))
    if not times or times[-1] < end - 1e-9:
        times.append(end)
    for t in times:
        length = min(wind_speed_ms * (t - start_s), max_length_m)
        polys, levels = [], []
        for b in range(bands):
            r0, r1 = length * b / bands, length * (b + 1) / bands
            angles = np.linspace(-half_angle_deg, half_angle_deg, 9)
            outer = [(sx + r1 * math.sin(heading + math.radians(a)),
                      sy + r1 * math.cos(heading + math.radians(a))) for a in angles]
            inner = [(sx + r0 * math.sin(heading + math.radians(a)),
                      sy + r0 * math.cos(heading + math.radians(a))) for a in angles[::-1]]
            ring = outer + (inner if r0 > 0 else [(sx, sy)])
            polys.append(shapely.Polygon(ring))
            levels.append(float(bands - b))
        stages.append(Stage(_to_wgs(polys, crs), np.array(levels), float(t), end))
    return stages


def flood(river: Sequence[LonLat], *, bands: Sequence[tuple[float, float, float]],
          end_s: float, crs: str = "EPSG:2154") -> list[Stage]:
    """A river rising: each band ``(distance_m, depth_m, time_s)`` floods everything within
    ``distance_m`` of the river's line from ``time_s`` to ``end_s`` at ``depth_m``.

    Parameters
    ----------
    river : sequence of (lon, lat)
        The river's line, WGS84.
    bands : sequence of (distance_m, depth_m, time_s)
        Each band flooded from its time on.
    end_s : float
        When the water goes.
    crs : str
        The metric CRS of the polygons.

    Returns
    -------
    list of Stage
        In time order, each with its metric polygons and intensities.

    Examples
    --------
    >>> from tousrisques.scenario import flood
    >>> stages = flood([(0.90, 49.20), (1.00, 49.30)],
    ...                bands=[(200, 1.0, 0), (500, 0.5, 3600)], end_s=86400)
    >>> [(st.start_s, st.intensity.tolist()) for st in stages]
    [(0.0, [1.0]), (3600.0, [0.5])]
    """
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    xs, ys = t.transform([p[0] for p in river], [p[1] for p in river])
    line = shapely.LineString(np.column_stack([xs, ys]))
    stages = []
    for distance, depth, start in sorted(bands, key=lambda b: b[2]):
        stages.append(Stage(_to_wgs([line.buffer(distance)], crs), np.array([float(depth)]),
                            float(start), float(end_s)))
    return stages


def load_shedding(feeders: Sequence[str], *, start_s: float, slot_s: float, every_s: float,
                  days: int) -> list[tuple[str, float, float]]:
    """Rotating load shedding: each day, the feeders are cut one after another for a slot,
    from ``start_s``; the order turns by one feeder each day so that nobody is always first.

    Parameters
    ----------
    feeders : sequence of str
        Asset ids or patterns.
    start_s, slot_s, every_s : float
        First cut, length of a slot, and the period (a day).
    days : int
        How many days.

    Returns
    -------
    list of (feeder, start_s, duration_s)

    Examples
    --------
    >>> from tousrisques.scenario import load_shedding
    >>> load_shedding(["A", "B"], start_s=0, slot_s=2, every_s=24, days=2)
    [('A', 0, 2), ('B', 2, 2), ('B', 24, 2), ('A', 26, 2)]
    """
    out = []
    for d in range(days):
        for i in range(len(feeders)):
            feeder = feeders[(i + d) % len(feeders)]
            out.append((feeder, start_s + d * every_s + i * slot_s, slot_s))
    return out


def storm(start_point: LonLat, end_point: LonLat, *, start_s: float, end_s: float,
          step_s: float, peak_kmh: float, radius_m: float, rings: int = 4,
          crs: str = "EPSG:2154") -> list[Stage]:
    """A storm's core moving in a straight line from ``start_point`` to ``end_point``: at each
    step, rings around the core with winds from ``peak_kmh`` at the centre down to a quarter
    of it at ``radius_m``.

    Parameters
    ----------
    start_point, end_point : (lon, lat)
        WGS84.
    start_s, end_s, step_s : float
        When it crosses, and how often it moves.
    peak_kmh : float
        The wind at its core.
    radius_m : float
        Its radius.
    rings : int
        How many rings of intensity.
    crs : str
        The metric CRS of the polygons.

    Returns
    -------
    list of Stage
        In time order, each with its metric polygons and intensities.

    Examples
    --------
    >>> from tousrisques.scenario import storm
    >>> stages = storm((0.90, 49.20), (1.15, 49.40), start_s=3600, end_s=7 * 3600,
    ...                step_s=3600, peak_kmh=150, radius_m=15000)
    >>> len(stages), stages[-1].start_s / 3600
    (7, 7.0)
    """
    ax, ay = _to_metric(*start_point, crs)
    bx, by = _to_metric(*end_point, crs)
    stages = []
    span = end_s - start_s
    times = list(np.arange(start_s, end_s + 1e-9, step_s))
    if times[-1] < end_s - 1e-9:
        times.append(end_s)  # the core reaches the end point at end_s
    for t in times:
        f = (t - start_s) / span if span > 0 else 0.0
        cx, cy = ax + f * (bx - ax), ay + f * (by - ay)
        centre = shapely.Point(cx, cy)
        polys, winds = [], []
        for r in range(rings):
            r1 = radius_m * (r + 1) / rings
            ring = centre.buffer(r1)
            if r:
                ring = ring.difference(centre.buffer(radius_m * r / rings))
            polys.append(ring)
            winds.append(peak_kmh * (1 - 0.75 * r / max(rings - 1, 1)))
        stages.append(Stage(_to_wgs(polys, crs), np.array(winds), float(t),
                            float(min(t + step_s, max(end_s, t + step_s)))))
    return stages
