"""What a participant may draw on the shared map: a GeoJSON ``Point`` or ``LineString`` in
WGS84 longitude and latitude, finite, within the territory's bounds widened by
:data:`MARGIN_M` — checked before anything is written, one clear refusal per problem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tousrisques.exercise._errors import ExerciseError

#: how far outside the territory's bounds a point may still be placed (metres)
MARGIN_M = 10_000.0
#: the fewest and the most points of a line
LINE_POINTS = (2, 200)
_M_PER_DEGREE = 111_320.0

Bounds = tuple[float, float, float, float]


def widened(bounds: Bounds, margin_m: float = MARGIN_M) -> Bounds:
    """``(west, south, east, north)`` widened by ``margin_m`` metres on every side.

    Parameters
    ----------
    bounds : tuple of float
        In degrees.
    margin_m : float

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> w, s, e, n = widened((1.0, 49.0, 1.2, 49.5))
    >>> round(s, 3), round(n, 3), round(e - 1.2, 3)
    (48.91, 49.59, 0.138)
    """
    w, s, e, n = bounds
    dlat = margin_m / _M_PER_DEGREE
    mid = math.radians(max(min((s + n) / 2, 89.0), -89.0))
    dlon = margin_m / (_M_PER_DEGREE * max(math.cos(mid), 1e-6))
    return (max(w - dlon, -180.0), max(s - dlat, -90.0), min(e + dlon, 180.0),
            min(n + dlat, 90.0))


def _position(value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ExerciseError("geometry.coordinates")
    lon, lat = value
    for x in (lon, lat):
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ExerciseError("geometry.coordinates")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ExerciseError("geometry.coordinates")
    return float(lon), float(lat)


def check_geometry(geometry: object, bounds: Bounds | None) -> dict[str, Any]:
    """The geometry, checked and rewritten as plain JSON (``type`` and ``coordinates``
    only), or :class:`ExerciseError`.

    Parameters
    ----------
    geometry : object
        What the participant sent.
    bounds : tuple of float or None
        ``(west, south, east, north)``, already widened (:func:`widened`); None: anywhere.

    Returns
    -------
    dict

    Raises
    ------
    ExerciseError
        ``geometry.type``, ``geometry.points``, ``geometry.coordinates``,
        ``geometry.outside``.

    Examples
    --------
    >>> check_geometry({"type": "Point", "coordinates": [1.1, 49.3]}, (1, 49, 2, 50))
    {'type': 'Point', 'coordinates': [1.1, 49.3]}
    >>> check_geometry({"type": "LineString", "coordinates": [[1.1, 49.3]]}, None)
    Traceback (most recent call last):
    ...
    tousrisques.exercise._errors.ExerciseError: a line has from 2 to 200 points, not 1
    """
    if not isinstance(geometry, Mapping) or set(geometry) - {"type", "coordinates"} \
            or geometry.get("type") not in ("Point", "LineString"):
        raise ExerciseError("geometry.type")
    coords = geometry.get("coordinates")
    if geometry["type"] == "Point":
        points = [_position(coords)]
    else:
        if not isinstance(coords, list | tuple):
            raise ExerciseError("geometry.coordinates")
        if not LINE_POINTS[0] <= len(coords) <= LINE_POINTS[1]:
            raise ExerciseError("geometry.points", least=LINE_POINTS[0], most=LINE_POINTS[1],
                                count=len(coords))
        points = [_position(p) for p in coords]
    if bounds is not None:
        w, s, e, n = bounds
        for lon, lat in points:
            if not (w <= lon <= e and s <= lat <= n):
                raise ExerciseError("geometry.outside", lon=f"{lon:.5f}", lat=f"{lat:.5f}",
                                    km=round(MARGIN_M / 1000))
    if geometry["type"] == "Point":
        return {"type": "Point", "coordinates": list(points[0])}
    return {"type": "LineString", "coordinates": [list(p) for p in points]}
