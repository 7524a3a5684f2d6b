"""Exposure: the intensity of a hazard footprint at each asset and zone.

A footprint stage is a set of polygons (WGS84), each with an ``intensity``, active from
``start_s`` to ``end_s``. An asset is exposed to the highest intensity among the polygons its
geometry touches: points inside, lines by intersection, zones by intersection of their
polygon. Computed in the territory's metric CRS with a shapely STRtree, so that only nearby
pairs are tested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Stage:
    """One stage of a footprint: polygons and their intensities, and when it acts.

    Attributes
    ----------
    polygons : ndarray of shapely geometries
        In the territory's metric CRS.
    intensity : ndarray
        One per polygon.
    start_s, end_s : float
        When it acts.

    Examples
    --------
    >>> from tousrisques.scenario import storm
    >>> stages = storm((0.90, 49.20), (1.15, 49.40), start_s=3600, end_s=7 * 3600,
    ...                step_s=3600, peak_kmh=150, radius_m=15000)
    >>> stages[0].start_s, stages[0].end_s, stages[0].intensity.tolist()
    (3600.0, 7200.0, [150.0, 112.5, 75.0, 37.5])
    """

    polygons: npt.NDArray[np.object_]
    intensity: FloatArray
    start_s: float
    end_s: float


def project_geometries(geoms: npt.NDArray[np.object_], crs: str) -> npt.NDArray[np.object_]:
    """WGS84 shapely geometries to the metric CRS (None stays None)."""
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    out = np.full(len(geoms), None, dtype=object)
    has = np.asarray(shapely.is_geometry(geoms), dtype=bool)
    if has.any():
        out[has] = shapely.transform(geoms[has], lambda xy: np.column_stack(
            t.transform(xy[:, 0], xy[:, 1])))
    return out


def exposure(stage_polygons_m: npt.NDArray[np.object_], intensity: FloatArray,
             targets_m: npt.NDArray[np.object_]) -> FloatArray:
    """Highest intensity of the (metric) polygons each (metric) target touches; 0 if none.

    Parameters
    ----------
    stage_polygons_m : ndarray of shapely geometries
        A stage's polygons, metric.
    intensity : ndarray
        One per polygon.
    targets_m : ndarray of shapely geometries
        Assets or zones, metric.

    Returns
    -------
    ndarray
        One intensity per target.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from tousrisques.scenario import exposure
    >>> polys = np.array([shapely.box(0, 0, 10, 10), shapely.box(0, 0, 5, 5)])
    >>> targets = np.array([shapely.Point(2, 2), shapely.Point(8, 8), shapely.Point(20, 20)])
    >>> exposure(polys, np.array([1.0, 3.0]), targets).tolist()
    [3.0, 1.0, 0.0]
    """
    out = np.zeros(len(targets_m))
    has = np.nonzero(np.asarray(shapely.is_geometry(targets_m), dtype=bool))[0]
    if len(has) == 0 or len(stage_polygons_m) == 0:
        return out
    tree = shapely.STRtree(stage_polygons_m)
    t_idx, p_idx = tree.query(targets_m[has], predicate="intersects")
    np.maximum.at(out, has[t_idx], intensity[p_idx])
    return out


def stage_exposures(stages: Sequence[Stage], targets_m: npt.NDArray[np.object_], crs: str
                    ) -> list[FloatArray]:
    """The exposure of every target to every stage."""
    return [exposure(project_geometries(s.polygons, crs), s.intensity, targets_m)
            for s in stages]
