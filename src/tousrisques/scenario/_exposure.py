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
    """One stage of a footprint: polygons and their intensities, and when it acts."""

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
    """Highest intensity of the (metric) polygons each (metric) target touches; 0 if none."""
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
