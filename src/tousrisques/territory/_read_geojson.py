"""GeoJSON FeatureCollections of assets or zones to a :class:`Block`.

One Python pass over the features picks the known fields; points stay as coordinates, other
geometries become shapely objects; compact ``requires`` strings are parsed as one column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import shapely
import shapely.errors
import shapely.geometry

from tousrisques._problems import Place, Problems
from tousrisques._readers import parse_json
from tousrisques.territory._columns import Block, GroupsBuilder, strings
from tousrisques.territory._fields import NUMBER_HINT, TEXT, FieldSpec, parse_flag, parse_number
from tousrisques.territory._geometry import geojson_crs, points_to_wgs84, to_wgs84
from tousrisques.territory._requires import RequiresSyntaxError, parse_compact, parse_groups
from tousrisques.territory._requires_column import parse_column


def _point(geom: dict[str, Any]) -> tuple[float, float] | None:
    c = geom.get("coordinates")
    if (isinstance(c, list) and 2 <= len(c) <= 3
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in c)):
        return float(c[0]), float(c[1])
    return None


def read_geojson(raw: bytes, rel: str, spec: FieldSpec, problems: Problems) -> Block | None:
    """Read one GeoJSON file; every problem is recorded with its feature number."""
    data = parse_json(raw, rel, problems)
    if data is None:
        return None
    if (not isinstance(data, dict) or data.get("type") != "FeatureCollection"
            or not isinstance(data.get("features"), list)):
        problems.error("geojson.collection", rel, line=1)
        return None
    crs_ok, transformer = geojson_crs(data.get("crs"), rel, problems)
    if not crs_ok:
        return None
    features: list[Any] = data["features"]
    n = len(features)
    ids: list[str | None] = []
    numbers = {k: np.full(n, np.nan) for k in spec.numbers}
    flags = {k: np.full(n, -1, np.int8) for k in spec.flags}
    text: dict[str, list[Any]] = {k: [] for k in spec.text}
    req_text: list[str] = []
    connects: list[Any] = []
    attrs: dict[str, dict[int, Any]] = {}
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    given = np.zeros(n, bool)
    flagged = {k: np.zeros(n, bool) for k in (*spec.numbers, "geometry")}
    shapes = np.full(n, None, dtype=object)
    feature_no: list[int] = []
    groups = GroupsBuilder()
    known = spec.known
    polygons: list[tuple[int, int, str | None, dict[str, Any]]] = []

    for fno, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.error("geojson.feature", rel, feature=fno)
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            problems.error("geojson.feature", rel, feature=fno, field="properties")
            continue
        row = len(ids)
        feature_no.append(fno)
        ident = props.get("id")
        if ident is None:
            ident = feat.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident.strip():
            problems.error("field.missing", rel, feature=fno, field="id",
                           expected=spec.id_hint)
            ident = None
        else:
            ident = ident.strip()
        ids.append(ident)

        def bad(code: str, fld: str, _fno: int = fno, _id: str | None = ident,
                **kw: Any) -> None:
            problems.error(code, rel, feature=_fno, field=fld, ident=_id, **kw)

        for k in spec.text:
            v = props.get(k)
            if v is not None and not isinstance(v, str):
                bad("field.type", k, expected_type=TEXT, got=type(v).__name__, expected=TEXT)
                v = None
            text[k].append(v.strip() if isinstance(v, str) and v.strip() else None)
        for k in spec.numbers:
            if k in props:
                num = parse_number(props[k])
                if num is None:
                    flagged[k][row] = True
                    bad("field.number", k, value=str(props[k])[:40], expected=NUMBER_HINT)
                else:
                    numbers[k][row] = num
        for k in spec.flags:
            if k in props:
                flag = parse_flag(props[k])
                if flag is None:
                    bad("field.bool", k, value=str(props[k])[:40])
                else:
                    flags[k][row] = flag
        req = props.get("requires")
        if isinstance(req, str):
            req_text.append(req)
        else:
            req_text.append("")
            if req is not None:
                try:
                    groups.add(row, parse_groups(req))
                except RequiresSyntaxError as exc:
                    bad("requires.syntax", "requires", text=str(req)[:80], detail=exc)
        if spec.connects:
            connects.append(props.get("connects"))
        for k, v in props.items():
            if k not in known:
                attrs.setdefault(k, {})[row] = v

        geom = feat.get("geometry")
        if geom is None:
            continue
        if not isinstance(geom, dict):
            flagged["geometry"][row] = True
            bad("geom.invalid", "geometry", detail="not a GeoJSON geometry object")
            continue
        gtype = geom.get("type")
        if gtype == "Point":
            xy = _point(geom)
            if xy is None:
                flagged["geometry"][row] = True
                bad("geom.invalid", "geometry", detail="a Point needs [lon, lat] numbers")
            else:
                lon[row], lat[row] = xy
                given[row] = True
        elif gtype == "Polygon" and "Polygon" in spec.geometry_types:
            polygons.append((row, fno, ident, geom))
        elif gtype not in spec.geometry_types:
            flagged["geometry"][row] = True
            bad("geom.type", "geometry", type=str(gtype)[:30],
                allowed=", ".join(spec.geometry_types))
        else:
            try:
                shapes[row] = shapely.geometry.shape(geom)
            except Exception as exc:  # shapely raises many types on malformed coordinates
                flagged["geometry"][row] = True
                bad("geom.invalid", "geometry", detail=str(exc).splitlines()[0][:100])

    m = len(ids)
    fno_arr = np.asarray(feature_no, dtype=np.int64)
    if polygons:
        _polygons(polygons, shapes, rel, problems, flagged["geometry"])

    if transformer is not None:  # the file's crs member: to WGS84 lon/lat, checked later
        lon[:m], lat[:m] = points_to_wgs84(lon[:m], lat[:m], transformer)
        shapes[:m] = to_wgs84(shapes[:m], transformer)

    def place(row: int) -> Place:
        return Place(feature=int(fno_arr[row]))

    id_arr = strings(ids)
    col = strings(req_text)
    column, redo = parse_column(col)
    groups.add_raw(column)
    for r in redo.tolist():
        try:
            groups.add(r, parse_compact(req_text[r]))
        except RequiresSyntaxError as exc:
            problems.error("requires.syntax", rel, feature=int(fno_arr[r]), field="requires",
                           ident=ids[r], text=req_text[r][:80], detail=exc)
    block = Block(
        file=rel, ids=id_arr, lon=lon[:m], lat=lat[:m], shapes=shapes[:m],
        groups=groups.finish(), place=place,
        text={k: strings(v) for k, v in text.items()},
        numbers={k: v[:m] for k, v in numbers.items()},
        flags={k: v[:m] for k, v in flags.items()},
        attrs={k: _column(v, m) for k, v in attrs.items()},
        point_given=given[:m], flagged={k: v[:m] for k, v in flagged.items()},
    )
    if spec.connects:
        block.connects = _connects(connects, block, problems)
    return block


def _polygons(items: list[tuple[int, int, str | None, dict[str, Any]]], shapes: np.ndarray,
              rel: str, problems: Problems, flagged: np.ndarray) -> None:
    """Build many polygons at once from their rings; on any doubt, one by one with messages."""
    coords: list[Any] = []
    ring_of: list[int] = []
    poly_of: list[int] = []
    ring = 0
    try:
        for k, (_, _, _, geom) in enumerate(items):
            for r in geom["coordinates"]:
                coords.extend(r)
                ring_of.extend([ring] * len(r))
                poly_of.append(k)
                ring += 1
        xy = np.array(coords, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] not in (2, 3) or not np.isfinite(xy).all():
            raise ValueError("coordinates")
        counts = np.bincount(np.asarray(ring_of, np.int64), minlength=ring)
        if len(poly_of) != ring or (counts < 4).any() or len(set(poly_of)) != len(items):
            raise ValueError("rings")
        rings = shapely.linearrings(xy[:, :2], indices=np.asarray(ring_of, np.int64))
        built = shapely.polygons(rings, indices=np.asarray(poly_of, np.int64))
    except (ValueError, TypeError, KeyError, shapely.errors.GEOSException):
        built = None
    if built is not None and len(built) == len(items):
        shapes[[row for row, _, _, _ in items]] = built
        return
    for row, fno, ident, geom in items:
        try:
            shapes[row] = shapely.geometry.shape(geom)
        except Exception as exc:  # shapely raises many types on malformed coordinates
            flagged[row] = True
            problems.error("geom.invalid", rel, feature=fno, field="geometry", ident=ident,
                           detail=str(exc).splitlines()[0][:100])


def _column(values: dict[int, Any], n: int) -> np.ndarray:
    col = np.full(n, None, dtype=object)
    for i, v in values.items():
        col[i] = v
    return col


def _connects(values: list[Any], block: Block, problems: Problems
              ) -> tuple[pa.Array, pa.Array]:
    a: list[str | None] = [None] * len(values)
    b: list[str | None] = [None] * len(values)
    for row, v in enumerate(values):
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, str):
            v = [p.strip() for p in v.split(";")]
        if not isinstance(v, list) or len(v) != 2 or not all(
                isinstance(p, str) and p.strip() for p in v):
            count = len(v) if isinstance(v, list) else 1
            problems.error("connects.count", block.file, field="connects",
                           ident=block.ids[row].as_py(), count=count, **block.place(row))
            continue
        a[row], b[row] = v[0].strip(), v[1].strip()
    return strings(a), strings(b)
