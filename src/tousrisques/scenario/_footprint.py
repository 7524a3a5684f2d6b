"""A hazard's footprint file: GeoJSON polygons with an intensity and a time window.

Coordinates are WGS84 longitude/latitude unless the file's ``crs`` member says otherwise
(old-style GeoJSON, as QGIS and ogr2ogr still write it: ``{"type": "name", "properties":
{"name": "urn:ogc:def:crs:EPSG::2154"}}``); then they are reprojected from it. A ``crs`` that
cannot be read refuses the file, since guessing would damage the wrong place or nothing.
After reprojection every polygon must lie within longitude −180..180 and latitude −90..90,
and a footprint entirely outside the territory gets a warning: it damages nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from tousrisques._durations import parse_duration
from tousrisques._exceptions import InvalidValueError
from tousrisques._i18n import N_, Msg
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems
from tousrisques._readers import parse_json, read_bytes
from tousrisques.scenario._exposure import Stage
from tousrisques.territory import Territory
from tousrisques.territory._geometry import geojson_crs, to_wgs84

EXPECTED = N_("a Polygon or MultiPolygon with intensity (a number >= 0), start and end "
              "(durations, end after start)")


def read_footprint(path: Path, rel: str, duration: float, problems: Problems,
                   limits: ReadLimits, territory: Territory | None = None,
                   roots: tuple[Path, ...] = ()) -> list[Stage]:
    """The stages of a footprint file: its polygons grouped by time window, in WGS84.

    Every problem is recorded (with its feature number); features with one are left out.
    ``territory``, when given, is used to warn of a footprint that misses it entirely.
    """
    raw = read_bytes(path, rel, problems, max_bytes=limits.max_data_bytes,
                     setting="max_data_bytes", roots=roots)
    data = parse_json(raw, rel, problems) if raw is not None else None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        if data is not None:
            problems.error("geojson.collection", rel, line=1)
        return []
    ok, transformer = geojson_crs(data.get("crs"), rel, problems)
    if not ok:
        return []
    groups: dict[tuple[float, float], tuple[list[Any], list[float]]] = {}
    expected = Msg(EXPECTED)
    for fno, feat in enumerate(data["features"], start=1):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        fld = "geometry"
        try:
            if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
                raise InvalidValueError("value.no_geometry")
            geom = shapely.geometry.shape(feat["geometry"])
            if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
                raise InvalidValueError("value.not_area", type=geom.geom_type)
            if transformer is not None:
                geom = to_wgs84(np.array([geom], dtype=object), transformer)[0]
            west, south, east, north = shapely.bounds(geom)
            if not np.isfinite([west, south, east, north]).all():
                problems.error("geom.nan", rel, feature=fno, field=fld)
                continue
            if west < -180 or east > 180 or south < -90 or north > 90:
                far = (west, south) if west < -180 or south < -90 else (east, north)
                problems.error("geom.range", rel, feature=fno, field=fld,
                               lon=f"{far[0]:g}", lat=f"{far[1]:g}")
                continue
            if not geom.is_valid:
                raise ValueError(shapely.is_valid_reason(geom))
            fld = "intensity"
            level_raw = props.get("intensity")
            if isinstance(level_raw, bool) or not isinstance(level_raw, int | float):
                raise InvalidValueError("value.intensity")
            level = float(level_raw)
            if not np.isfinite(level) or level < 0:
                raise InvalidValueError("value.intensity_range")
            fld = "start"
            start = parse_duration(str(props.get("start", "0s")))
            fld = "end"
            end = parse_duration(str(props["end"])) if "end" in props else duration
            if end < start:
                raise InvalidValueError("value.end_before_start")
        except Exception as exc:  # shapely raises many types on malformed geometry
            detail: object = exc if isinstance(exc, InvalidValueError) else (
                str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__)
            problems.error("field.invalid", rel, feature=fno, field=fld, detail=detail,
                           expected=expected)
            continue
        polys, levels = groups.setdefault((start, end), ([], []))
        polys.append(geom)
        levels.append(level)
    stages = [Stage(np.array(p, dtype=object), np.array(v), s, e)
              for (s, e), (p, v) in sorted(groups.items())]
    if territory is not None and stages:
        _check_overlap(stages, territory, rel, problems)
    return stages


def _extent(territory: Territory) -> tuple[float, float, float, float] | None:
    lon = np.concatenate([territory.assets.lon, territory.zones.lon])
    lat = np.concatenate([territory.assets.lat, territory.zones.lat])
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    box = [float(lon[ok].min()), float(lat[ok].min()), float(lon[ok].max()),
           float(lat[ok].max())]
    zones = [g for g in territory.zones.geometry.tolist() if g is not None]
    if zones:
        zw, zs, ze, zn = shapely.total_bounds(np.array(zones, dtype=object))
        box = [min(box[0], zw), min(box[1], zs), max(box[2], ze), max(box[3], zn)]
    return box[0], box[1], box[2], box[3]


def _check_overlap(stages: list[Stage], territory: Territory, rel: str,
                   problems: Problems) -> None:
    """A warning when no polygon of the footprint touches the territory's extent."""
    box = _extent(territory)
    if box is None:
        return
    shapes = np.concatenate([s.polygons for s in stages])
    area = shapely.box(*box)
    if np.asarray(shapely.intersects(shapes, area)).any():
        return
    w, s, e, n = shapely.total_bounds(shapes)
    problems.warning("footprint.outside", rel, field="geometry",
                     lon=f"{w:.4f}..{e:.4f}", lat=f"{s:.4f}..{n:.4f}",
                     territory_lon=f"{box[0]:.4f}..{box[2]:.4f}",
                     territory_lat=f"{box[1]:.4f}..{box[3]:.4f}")
