"""Geometry checks and representative points, vectorised over whole columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from tousrisques._problems import Problems
from tousrisques.territory._columns import Block
from tousrisques.territory._model import (
    FloatArray,
    ObjArray,
)
from tousrisques.territory._rows import BoolArray, Places, concat_column

Area = tuple[float, float, float, float]


@dataclass
class Located:
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray


def geometry_columns(blocks: Sequence[Block]) -> tuple[FloatArray, FloatArray, BoolArray,
                                                       ObjArray, BoolArray]:
    lon = concat_column(blocks, lambda b: b.lon, np.nan, np.float64)
    lat = concat_column(blocks, lambda b: b.lat, np.nan, np.float64)
    given = concat_column(blocks, lambda b: b.point_given, False, bool)
    shapes = concat_column(blocks, lambda b: b.shapes, None, object)
    flagged = concat_column(blocks, lambda b: b.flagged.get("geometry"), False, bool)
    return lon, lat, given, shapes, flagged


def check_geometry(lon: FloatArray, lat: FloatArray, given: BoolArray, shapes: ObjArray,
                   ids: pa.Array, places: Places, problems: Problems, *,
                   transformer: Transformer, area: Area | None) -> Located:
    """Non-finite, out-of-range, empty and invalid geometries; representative points.

    Points are checked as coordinate arrays (``given`` marks the rows that gave one); other
    shapes with shapely, and their representative point is a point on their surface. Each
    problem names the field that holds the bad value in its file (``lon``, ``lat``, ``wkt``
    in CSV; ``geometry`` in GeoJSON).
    """
    lon = np.where(given, lon, np.nan)
    lat = np.where(given, lat, np.nan)

    def bad(r: int, code: str, which: str, **kw: Any) -> None:
        file, place = places(r)
        block = places.block(r)
        fld = {"lon": block.point_fields[0], "lat": block.point_fields[1],
               "shape": block.shape_field}[which]
        problems.error(code, file, field=fld, ident=ids[r].as_py(), **kw, **place)

    with np.errstate(invalid="ignore"):
        finite = np.isfinite(lon) & np.isfinite(lat)
        out = finite & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    for r in np.nonzero(given & ~finite)[0].tolist():
        bad(r, "geom.nan", "lon" if not np.isfinite(lon[r]) else "lat")
    for r in np.nonzero(out)[0].tolist():
        bad(r, "geom.range", "lon" if abs(lon[r]) > 180 else "lat", lon=f"{lon[r]:g}",
            lat=f"{lat[r]:g}")
    lon[~finite | out] = np.nan
    lat[~finite | out] = np.nan

    rows = np.nonzero(np.asarray(shapely.is_geometry(shapes), dtype=bool))[0]
    if len(rows):
        geoms = shapes[rows]
        empty = np.asarray(shapely.is_empty(geoms), dtype=bool)
        bounds = shapely.bounds(geoms)
        fin = np.isfinite(bounds).all(axis=1)
        with np.errstate(invalid="ignore"):
            rng = fin & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                         | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
        valid = np.ones(len(rows), bool)
        check = ~empty & fin & ~rng
        valid[check] = np.asarray(shapely.is_valid(geoms[check]), dtype=bool)
        for k, r in enumerate(rows.tolist()):
            if empty[k]:
                bad(r, "geom.empty", "shape")
            elif not fin[k]:
                bad(r, "geom.nan", "shape")
            elif rng[k]:
                bad(r, "geom.range", "shape", lon=f"{bounds[k, 0]:g}", lat=f"{bounds[k, 1]:g}")
            elif not valid[k]:
                bad(r, "geom.invalid", "shape", detail=shapely.is_valid_reason(geoms[k]))
        good = rows[check & valid]
        if len(good):
            rep = shapely.point_on_surface(shapes[good])
            lon[good], lat[good] = shapely.get_x(rep), shapely.get_y(rep)
    if area is not None:
        w, s, e, n = area
        with np.errstate(invalid="ignore"):
            outside = (lon < w) | (lon > e) | (lat < s) | (lat > n)
        for r in np.nonzero(outside)[0][:5].tolist():
            file, place = places(r)
            problems.warning("geom.outside_crs", file, field="geometry", ident=ids[r].as_py(),
                             crs=transformer.target_crs.name if transformer.target_crs
                             else "the CRS", lon=f"{lon[r]:g}", lat=f"{lat[r]:g}", **place)
    x, y = project(lon, lat, transformer)
    return Located(lon, lat, x, y)


def project(lon: FloatArray, lat: FloatArray,
            transformer: Transformer) -> tuple[FloatArray, FloatArray]:
    """WGS84 lon/lat to the metric CRS; NaN stays NaN."""
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        px, py = transformer.transform(lon[ok], lat[ok])
        x[ok], y[ok] = px, py
    return x, y




_WGS84_LONLAT = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "CRS84",
                 "OGC:CRS84")


def geojson_crs(member: Any, rel: str, problems: Problems) -> tuple[bool, Transformer | None]:
    """Read a GeoJSON file's ``crs`` member: ``(True, None)`` for none or WGS84 lon/lat,
    ``(True, transformer)`` to WGS84 lon/lat (``always_xy``) for another CRS, ``(False,
    None)`` with a problem when it cannot be read (the file is then refused, not guessed).

    Accepted: ``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}``,
    ``{"type": "EPSG", "properties": {"code": 2154}}`` and a plain ``"EPSG:2154"``.

    >>> ok, tr = geojson_crs("EPSG:2154", "f.geojson", Problems())
    >>> ok, [round(v, 2) for v in tr.transform(562_000, 6_928_000)]
    (True, [1.1, 49.44])
    """
    if member is None:
        return True, None
    name: Any = member
    if isinstance(member, dict):
        props = member.get("properties")
        props = props if isinstance(props, dict) else {}
        kind = str(member.get("type", "")).lower()
        if kind == "name":
            name = props.get("name")
        elif kind == "epsg" and isinstance(props.get("code"), int | str):
            name = f"EPSG:{props['code']}"
        else:
            name = None
    shown = str(member)[:100]
    if not isinstance(name, str) or not name.strip():
        problems.error("crs.unreadable", rel, line=1, field="crs", value=shown,
                       detail="no CRS name (a link or an unknown form)")
        return False, None
    if name.strip() in _WGS84_LONLAT:
        return True, None
    try:
        crs = CRS.from_user_input(name.strip())
    except CRSError as exc:
        problems.error("crs.unreadable", rel, line=1, field="crs", value=shown,
                       detail=str(exc).splitlines()[0][:120])
        return False, None
    if crs.to_epsg() == 4326:
        return True, None  # GeoJSON keeps longitude first whatever EPSG:4326's axis order
    try:
        return True, Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except CRSError as exc:
        problems.error("crs.unreadable", rel, line=1, field="crs", value=shown,
                       detail=str(exc).splitlines()[0][:120])
        return False, None


def to_wgs84(shapes: ObjArray, transformer: Transformer) -> ObjArray:
    """Shapely geometries (``None`` stays ``None``) reprojected with ``transformer``."""
    out = shapes.copy()
    has = np.asarray(shapely.is_geometry(shapes), dtype=bool)
    if has.any():
        def move(xy: FloatArray) -> FloatArray:
            x, y = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        out[has] = shapely.transform(shapes[has], move)
    return out


def points_to_wgs84(lon: FloatArray, lat: FloatArray,
                    transformer: Transformer) -> tuple[FloatArray, FloatArray]:
    """Point coordinates reprojected with ``transformer``; NaN stays NaN."""
    return project(lon, lat, transformer)
