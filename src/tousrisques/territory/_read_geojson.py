"""GeoJSON FeatureCollections of assets or zones to a :class:`Block`."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.geometry

from tousrisques._problems import Problems
from tousrisques._readers import parse_json
from tousrisques.territory._columns import Block, GroupsBuilder
from tousrisques.territory._fields import FieldSpec, parse_flag, parse_number
from tousrisques.territory._requires import RequiresSyntaxError, parse_groups


def _point_coords(geom: dict[str, Any]) -> tuple[float, float] | None:
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
    features: list[Any] = data["features"]
    n = len(features)
    ids: list[str] = []
    numbers = {k: np.full(n, np.nan) for k in spec.numbers}
    flags = {k: np.full(n, -1, np.int8) for k in spec.flags}
    text: dict[str, list[Any]] = {k: [] for k in spec.text}
    connects: list[Any] = []
    attrs: dict[str, dict[int, Any]] = {}
    geoms: list[Any] = []
    point_rows: list[int] = []
    point_xy: list[tuple[float, float]] = []
    feature_no: list[int] = []
    groups = GroupsBuilder()
    known = spec.known

    for fno, feat in enumerate(features, start=1):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.error("geojson.feature", rel, feature=fno)
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            problems.error("geojson.feature", rel, feature=fno, field="properties")
            continue
        ident = props.get("id", feat.get("id"))
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if not isinstance(ident, str) or not ident.strip():
            problems.error("field.missing", rel, feature=fno, field="id",
                           expected=f"a unique id for the {spec.what}, in properties.id")
            continue
        ident = ident.strip()
        row = len(ids)
        ids.append(ident)
        feature_no.append(fno)

        def bad(code: str, fld: str, _fno: int = fno, _id: str = ident, **kw: Any) -> None:
            problems.error(code, rel, feature=_fno, field=fld, ident=_id, **kw)

        for k in spec.text:
            v = props.get(k)
            if v is not None and not isinstance(v, str):
                bad("field.type", k, expected_type="text", got=type(v).__name__, expected="text")
                v = None
            text[k].append(v.strip() if isinstance(v, str) and v.strip() else None)
        for k in spec.numbers:
            if k in props:
                num = parse_number(props[k])
                if num is None:
                    bad("field.number", k, value=str(props[k])[:40],
                        expected="a number >= 0")
                else:
                    numbers[k][row] = num
        for k in spec.flags:
            if k in props:
                flag = parse_flag(props[k])
                if flag is None:
                    bad("field.bool", k, value=str(props[k])[:40])
                else:
                    flags[k][row] = flag
        if "requires" in props:
            try:
                groups.add(row, parse_groups(props["requires"]))
            except RequiresSyntaxError as exc:
                bad("requires.syntax", "requires", text=str(props["requires"])[:80],
                    detail=str(exc))
        if spec.connects:
            connects.append(props.get("connects"))
        for k, v in props.items():
            if k not in known:
                attrs.setdefault(k, {})[row] = v

        geom = feat.get("geometry")
        if geom is None:
            geoms.append(None)
            continue
        if not isinstance(geom, dict):
            bad("geom.invalid", "geometry", detail="not a GeoJSON geometry object")
            geoms.append(None)
            continue
        gtype = geom.get("type")
        if gtype == "Point":
            xy = _point_coords(geom)
            if xy is None:
                bad("geom.invalid", "geometry", detail="a Point needs [lon, lat] numbers")
                geoms.append(None)
            else:
                geoms.append(None)
                point_rows.append(row)
                point_xy.append(xy)
            continue
        if gtype not in spec.geometry_types:
            bad("geom.type", "geometry", type=str(gtype)[:30],
                allowed=", ".join(spec.geometry_types))
            geoms.append(None)
            continue
        try:
            geoms.append(shapely.geometry.shape(geom))
        except Exception as exc:  # shapely raises many types on malformed coordinates
            bad("geom.invalid", "geometry", detail=str(exc).splitlines()[0][:100])
            geoms.append(None)

    m = len(ids)
    geometry = np.empty(m, dtype=object)
    geometry[:] = geoms
    if point_rows:
        xy = np.asarray(point_xy, dtype=np.float64)
        geometry[np.asarray(point_rows)] = shapely.points(xy)
    fno_arr = np.asarray(feature_no, dtype=np.int64)

    def place(row: int) -> dict[str, int]:
        return {"feature": int(fno_arr[row])}

    block = Block(
        file=rel,
        ids=np.asarray(ids, dtype=object),
        geometry=geometry,
        groups=groups.finish(),
        place=place,
        text={k: np.asarray(v, dtype=object) for k, v in text.items()},
        numbers={k: v[:m] for k, v in numbers.items()},
        flags={k: v[:m] for k, v in flags.items()},
        attrs={k: _column(v, m) for k, v in attrs.items()},
    )
    if spec.connects:
        block.connects = _connects_json(connects, block, problems)
    return block


def _column(values: dict[int, Any], n: int) -> np.ndarray:
    col = np.full(n, None, dtype=object)
    for i, v in values.items():
        col[i] = v
    return col


def _connects_json(values: list[Any], block: Block, problems: Problems) -> np.ndarray:
    out = np.full((len(values), 2), None, dtype=object)
    for row, v in enumerate(values):
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, str):
            v = [p.strip() for p in v.split(";")]
        if not isinstance(v, list) or len(v) != 2 or not all(
                isinstance(p, str) and p.strip() for p in v):
            count = len(v) if isinstance(v, list) else 1
            problems.error("connects.count", block.file, field="connects",
                           ident=str(block.ids[row]), count=count, **block.place(row))
            continue
        out[row, 0], out[row, 1] = v[0].strip(), v[1].strip()
    return out

