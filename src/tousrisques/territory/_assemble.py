"""From blocks read out of files to validated tables: ids, kinds, layers, geometry, references.

Every check is vectorised; Python loops run over the rows that have a problem only.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

from tousrisques._problems import Problems, suggest
from tousrisques.territory._columns import Block, RawGroups
from tousrisques.territory._kinds import KindSpec
from tousrisques.territory._model import AssetTable, FloatArray, IntArray, ObjArray, Requirements, ZoneTable

SUGGEST_MAX = 20_000  # above this many ids, "did you mean" would cost more than it helps


class Places:
    """Maps a row of concatenated blocks back to its file and line or feature."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = list(blocks)
        self.offsets = np.cumsum([0] + [len(b) for b in blocks]).tolist()

    def __call__(self, row: int) -> tuple[str, dict[str, int]]:
        b = bisect.bisect_right(self.offsets, row) - 1
        block = self.blocks[b]
        return block.file, block.place(row - self.offsets[b])

    def file_codes(self, files: Sequence[str]) -> tuple[npt.NDArray[np.int16], IntArray]:
        code = np.concatenate([np.full(len(b), files.index(b.file), np.int16)
                               for b in self.blocks]) if self.blocks else np.zeros(0, np.int16)
        row = np.concatenate([np.arange(len(b), dtype=np.int64) for b in self.blocks]) \
            if self.blocks else np.zeros(0, np.int64)
        return code, row


class IdIndex:
    """Resolves ids to rows with a hash lookup over the whole set (pyarrow, vectorised)."""

    def __init__(self, ids: ObjArray) -> None:
        self.ids = ids
        self._set = pa.array(ids, type=pa.string())

    def resolve(self, refs: Any) -> IntArray:
        """Row of each reference, -1 where unknown (refs: array, list or pyarrow array)."""
        if not isinstance(refs, pa.Array | pa.ChunkedArray):
            refs = pa.array(np.asarray(refs, dtype=object), type=pa.string())
        if len(refs) == 0:
            return np.zeros(0, np.int64)
        idx = pc.index_in(refs, value_set=self._set)
        return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def suggest(self, ref: str) -> str:
        if len(self.ids) > SUGGEST_MAX:
            return ""
        return suggest(ref, self.ids.tolist())


def concat_blocks(blocks: Sequence[Block]) -> tuple[ObjArray, dict[str, Any]]:
    """Concatenate ids (missing ids get a placeholder no user can write) and columns."""
    parts = []
    offset = 0
    for b in blocks:
        ids = b.ids.copy()
        missing = np.nonzero(ids == None)[0]  # noqa: E711
        for r in missing:
            ids[r] = f"\x00{offset + int(r)}"
        parts.append(ids)
        offset += len(b)
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    return ids, {}


def _concat(blocks: Sequence[Block], get: Callable[[Block], Any], fill: Any,
            dtype: Any) -> np.ndarray:
    parts = []
    for b in blocks:
        v = get(b)
        parts.append(np.full(len(b), fill, dtype=dtype) if v is None else v)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def check_ids(ids: ObjArray, places: Places, problems: Problems, *,
              taken: dict[str, str] | None = None) -> None:
    """Duplicate ids and ids with forbidden characters."""
    if len(ids) == 0:
        return
    arr = pa.array(ids, type=pa.string())
    counts = pc.value_counts(arr)
    dup = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    for d in dup[:200]:
        rows = np.nonzero(ids == d)[0]
        first_file, first_place = places(int(rows[0]))
        other = f"{first_file} " + " ".join(f"{k} {v}" for k, v in first_place.items())
        for r in rows[1:]:
            file, place = places(int(r))
            problems.error("id.duplicate", file, field="id", ident=d, id=d, other=other, **place)
    bad = np.asarray(pc.match_substring_regex(arr, r"[\s;|@,]").to_numpy(zero_copy_only=False))
    for r in np.nonzero(bad)[0]:
        if str(ids[r]).startswith("\x00"):
            continue
        file, place = places(int(r))
        problems.error("id.invalid", file, field="id", id=str(ids[r]), **place)
    if taken:
        for r in np.nonzero(pc.is_in(arr, pa.array(list(taken))).to_numpy(
                zero_copy_only=False))[0]:
            file, place = places(int(r))
            problems.error("id.duplicate", file, field="id", ident=str(ids[r]), id=str(ids[r]),
                           other=taken[str(ids[r])], **place)


def resolve_groups(raw: RawGroups, n_owners: int, index: IdIndex,
                   report: Callable[[int, str, str], None]) -> tuple[Requirements, FloatArray]:
    """Resolve group ids; unknown ones are reported as (owner, ref, suggestion).

    Returns the requirements (``backup_s`` NaN where the file gave none) and the raw backups.
    """
    alt = index.resolve(raw.alt_ids)
    unknown = np.nonzero(alt < 0)[0]
    if len(unknown):
        alt_owner = np.repeat(raw.owner, np.diff(raw.alt_ptr))
        for k in unknown[:2000]:
            ref = str(raw.alt_ids[k])
            report(int(alt_owner[k]), ref, index.suggest(ref))
    owner_ptr = np.zeros(n_owners + 1, np.int64)
    np.cumsum(np.bincount(raw.owner, minlength=n_owners), out=owner_ptr[1:])
    req = Requirements(owner_ptr, raw.alt_ptr.astype(np.int64), alt.clip(0).astype(np.int32),
                       raw.backup_s.copy())
    return req, raw.backup_s


@dataclass
class Located:
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray


def check_geometry(geometry: ObjArray, ids: ObjArray, places: Places, problems: Problems, *,
                   transformer: Transformer, area: tuple[float, float, float, float] | None,
                   field: str = "geometry") -> Located:
    """Empty, non-finite, out-of-range and invalid geometries; representative points."""
    n = len(geometry)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    has = np.asarray(shapely.is_geometry(geometry), dtype=bool)
    rows = np.nonzero(has)[0]
    geoms = geometry[rows]

    def bad(r: int, code: str, **kw: Any) -> None:
        file, place = places(int(r))
        problems.error(code, file, field=field, ident=str(ids[r]), **kw, **place)
        has[r] = False

    empty = shapely.is_empty(geoms)
    for r in rows[empty]:
        bad(r, "geom.empty")
    bounds = shapely.bounds(geoms)
    finite = np.isfinite(bounds).all(axis=1) | empty
    for r in rows[~finite]:
        bad(r, "geom.nan")
    with np.errstate(invalid="ignore"):
        out = finite & ~empty & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                                 | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    for r, b in zip(rows[out], bounds[out], strict=True):
        bad(r, "geom.range", lon=f"{b[0]:g}", lat=f"{b[1]:g}")
    points = shapely.get_type_id(geoms) == 0
    check = ~points & finite & ~empty & ~out
    if check.any():
        valid = shapely.is_valid(geoms[check])
        for r, g in zip(rows[check][~valid], geoms[check][~valid], strict=True):
            bad(r, "geom.invalid", detail=shapely.is_valid_reason(g))
    ok = np.nonzero(has)[0]
    if len(ok):
        g = geometry[ok]
        pt = np.asarray(shapely.get_type_id(g) == 0)
        rep = g.copy()
        if (~pt).any():
            rep[~pt] = shapely.point_on_surface(g[~pt])
        lon[ok] = shapely.get_x(rep)
        lat[ok] = shapely.get_y(rep)
        if area is not None:
            w, s, e, nn = area
            outside = (lon[ok] < w) | (lon[ok] > e) | (lat[ok] < s) | (lat[ok] > nn)
            for r in ok[outside][:5]:
                file, place = places(int(r))
                problems.warning("geom.outside_crs", file, field=field, ident=str(ids[r]),
                                 crs=transformer.target_crs.name if transformer.target_crs
                                 else "the CRS", lon=f"{lon[r]:g}", lat=f"{lat[r]:g}", **place)
    x, y = project(lon, lat, transformer)
    return Located(lon, lat, x, y)


def project(lon: FloatArray, lat: FloatArray,
            transformer: Transformer) -> tuple[FloatArray, FloatArray]:
    x = np.full(len(lon), np.nan)
    y = np.full(len(lon), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        px, py = transformer.transform(lon[ok], lat[ok])
        x[ok], y[ok] = px, py
    return x, y


def build_assets(blocks: Sequence[Block], files: Sequence[str], kinds: dict[str, KindSpec],
                 layer_names: tuple[str, ...], problems: Problems, *,
                 transformer: Transformer,
                 area: tuple[float, float, float, float] | None) -> tuple[AssetTable, IdIndex]:
    """Assemble the asset table and check everything that concerns single assets."""
    places = Places(blocks)
    ids, _ = concat_blocks(blocks)
    n = len(ids)
    check_ids(ids, places, problems)
    index = IdIndex(ids)
    kind_names = tuple(sorted(kinds))

    kind_txt = _concat(blocks, lambda b: b.text.get("kind"), None, object)
    kind_code = np.asarray(pc.index_in(pa.array(kind_txt, type=pa.string()),
                                       value_set=pa.array(kind_names)).fill_null(-1)
                           .to_numpy(zero_copy_only=False), dtype=np.int16)
    for r in np.nonzero(kind_code < 0)[0]:
        file, place = places(int(r))
        if kind_txt[r] is None:
            problems.error("field.missing", file, field="kind", ident=str(ids[r]),
                           expected="a kind: " + ", ".join(kind_names), **place)
        else:
            problems.error("kind.unknown", file, field="kind", ident=str(ids[r]),
                           kind=str(kind_txt[r]), allowed=", ".join(kind_names),
                           suggest=suggest(str(kind_txt[r]), kind_names), **place)
    safe_kind = kind_code.clip(0)
    spec = [kinds[k] for k in kind_names]
    kind_layer = np.array([layer_names.index(s.layer) if s.layer in layer_names else -1
                           for s in spec], np.int16)
    layer_txt = _concat(blocks, lambda b: b.text.get("layer"), None, object)
    layer = kind_layer[safe_kind].copy()
    given = layer_txt != None  # noqa: E711
    if given.any():
        codes = np.asarray(pc.index_in(pa.array(layer_txt[given], type=pa.string()),
                                       value_set=pa.array(list(layer_names), type=pa.string()))
                           .fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int16)
        layer[given] = codes
        for r in np.nonzero(given)[0][codes < 0]:
            file, place = places(int(r))
            problems.error("layer.unknown", file, field="layer", ident=str(ids[r]),
                           layer=str(layer_txt[r]), allowed=", ".join(layer_names),
                           suggest=suggest(str(layer_txt[r]), layer_names), **place)
    layer[kind_code < 0] = np.where(given[kind_code < 0], layer[kind_code < 0], -1)

    flags = _concat(blocks, lambda b: b.flags.get("source"), -1, np.int8)
    kind_source = np.array([s.source for s in spec], bool)
    source = np.where(flags >= 0, flags == 1, kind_source[safe_kind])

    numbers: dict[str, FloatArray] = {}
    for name in ("range_m", "backup_hours", "repair_hours"):
        v = _concat(blocks, lambda b, name=name: b.numbers.get(name), np.nan, np.float64)
        for r in np.nonzero(v < 0)[0]:
            file, place = places(int(r))
            problems.error("field.negative", file, field=name, ident=str(ids[r]),
                           value=f"{v[r]:g}", **place)
        for r in np.nonzero(np.isinf(v))[0]:
            file, place = places(int(r))
            problems.error("field.not_finite", file, field=name, ident=str(ids[r]),
                           value=v[r], expected="a finite number >= 0", **place)
        default = np.array([getattr(s, name) for s in spec], np.float64)[safe_kind]
        numbers[name] = np.where(np.isnan(v), default, v)

    geometry = _concat(blocks, lambda b: b.geometry, None, object)
    loc = check_geometry(geometry, ids, places, problems, transformer=transformer, area=area)

    # connects: both ends known, same layer as the line
    con_raw = np.concatenate([b.connects if b.connects is not None
                              else np.full((len(b), 2), None, dtype=object) for b in blocks]) \
        if blocks else np.full((0, 2), None, dtype=object)
    has_con = np.nonzero(con_raw[:, 0] != None)[0]  # noqa: E711
    connects = np.full((n, 2), -1, np.int64)
    if len(has_con):
        ends = index.resolve(con_raw[has_con].ravel()).reshape(-1, 2)
        connects[has_con] = ends
        for r, (a, b) in zip(has_con, ends, strict=True):
            if a >= 0 and b >= 0 and layer[r] >= 0 and layer[a] == layer[r] \
                    and layer[b] == layer[r] and a != b and a != r and b != r:
                continue
            file, place = places(int(r))
            _connects_problem(problems, file, place, ids, layer, layer_names, index,
                              con_raw, int(r), int(a), int(b))
        # lines without geometry sit midway between their ends
        mid = has_con[np.isnan(loc.lon[has_con])]
        if len(mid):
            a, b = connects[mid, 0], connects[mid, 1]
            okm = (a >= 0) & (b >= 0)
            for arr in (loc.lon, loc.lat, loc.x, loc.y):
                arr[mid[okm]] = (arr[a[okm]] + arr[b[okm]]) / 2

    # requirements, with the kind's power autonomy as default backup
    raw = RawGroups.concat([(off, b.groups) for off, b in
                            zip(places.offsets[:-1], blocks, strict=True)])

    def report(owner: int, ref: str, close: str) -> None:
        file, place = places(owner)
        problems.error("ref.asset", file, field="requires", ident=str(ids[owner]), ref=ref,
                       suggest=close, **place)

    req, given_backup = resolve_groups(raw, n, index, report)
    self_ref = np.repeat(req.owner, np.diff(req.alt_ptr)) == req.alt
    for k in np.nonzero(self_ref)[0][:200]:
        owner = int(np.repeat(req.owner, np.diff(req.alt_ptr))[k])
        file, place = places(owner)
        problems.error("ref.self", file, field="requires", ident=str(ids[owner]),
                       ref=str(ids[owner]), **place)
    backup = given_backup.copy()
    missing = np.isnan(backup)
    if missing.any():
        power = layer_names.index("power") if "power" in layer_names else -2
        alt_power = (layer[req.alt] == power).astype(np.int64)
        all_power = np.add.reduceat(alt_power, req.alt_ptr[:-1]) == np.diff(req.alt_ptr) \
            if req.n_groups else np.zeros(0, bool)
        default = numbers["backup_hours"][req.owner] * 3600.0
        backup[missing] = np.where(all_power[missing], default[missing], 0.0)
    req = Requirements(req.owner_ptr, req.alt_ptr, req.alt, backup)

    file_code, row = places.file_codes(files)
    attrs = _concat_attrs(blocks)
    table = AssetTable(
        ids=ids, kind=kind_code, layer=layer, source=source, geometry=geometry,
        lon=loc.lon, lat=loc.lat, x=loc.x, y=loc.y, connects=connects, requires=req,
        range_m=numbers["range_m"], backup_hours=numbers["backup_hours"],
        repair_hours=numbers["repair_hours"], attrs=attrs, file=file_code, row=row)
    _check_coverage_located(table, kind_names, spec, places, problems)
    return table, index


def _connects_problem(problems: Problems, file: str, place: dict[str, int], ids: ObjArray,
                      layer: npt.NDArray[np.int16], layer_names: tuple[str, ...],
                      index: IdIndex, con_raw: ObjArray, r: int, a: int, b: int) -> None:
    ident = str(ids[r])
    if layer[r] < 0:
        problems.error("connects.no_layer", file, field="connects", ident=ident, **place)
        return
    for end, raw in ((a, con_raw[r, 0]), (b, con_raw[r, 1])):
        if end < 0:
            problems.error("ref.asset", file, field="connects", ident=ident, ref=str(raw),
                           suggest=index.suggest(str(raw)), **place)
        elif end == r or a == b:
            problems.error("ref.self", file, field="connects", ident=ident, ref=str(raw),
                           **place)
            return
        elif layer[end] != layer[r]:
            other = layer_names[layer[end]] if layer[end] >= 0 else "none"
            problems.error("connects.layer", file, field="connects", ident=ident,
                           ref=str(raw), other=other, layer=layer_names[layer[r]], **place)


def _check_coverage_located(table: AssetTable, kind_names: tuple[str, ...],
                            spec: list[KindSpec], places: Places, problems: Problems) -> None:
    ranged = table.range_m > 0
    missing = np.nonzero(ranged & np.isnan(table.x) & (table.kind >= 0))[0]
    for r in missing:
        file, place = places(int(r))
        problems.error("location.missing", file, field="geometry", ident=str(table.ids[r]),
                       what=f"{kind_names[table.kind[r]]} with a range of "
                            f"{table.range_m[r]:g} m", **place)


def _concat_attrs(blocks: Sequence[Block]) -> dict[str, ObjArray]:
    names: list[str] = []
    for b in blocks:
        names.extend(k for k in b.attrs if k not in names)
    return {k: _concat(blocks, lambda b, k=k: b.attrs.get(k), None, object) for k in names}


def build_links(parts: Sequence[tuple[str, Any, Any, ObjArray, Callable[[int], dict[str, int]]]],
                index: IdIndex, assets: AssetTable, layer_names: tuple[str, ...],
                problems: Problems) -> IntArray:
    """Resolve links ``from,to[,layer]``: both ends known, in the same layer (as declared)."""
    out = []
    for rel, frm, to, layer_txt, place in parts:
        a, b = index.resolve(frm), index.resolve(to)
        la = np.where(a >= 0, assets.layer[a.clip(0)], -1)
        lb = np.where(b >= 0, assets.layer[b.clip(0)], -1)
        declared = np.full(len(a), -2, np.int64)
        has = layer_txt != None  # noqa: E711
        if has.any():
            declared[has] = [layer_names.index(v) if v in layer_names else -3
                             for v in layer_txt[has]]
        bad = (a < 0) | (b < 0) | (la < 0) | (la != lb) | ((declared != -2) & (declared != la))
        for r in np.nonzero(bad)[0]:
            p = place(int(r))
            for end, col, fld in ((a[r], frm, "from"), (b[r], to, "to")):
                if end < 0:
                    ref = str(col[int(r)].as_py() or "")
                    if ref:
                        problems.error("ref.asset", rel, field=fld, ref=ref,
                                       suggest=index.suggest(ref), **p)
            if a[r] >= 0 and b[r] >= 0:
                def name(code: int) -> str:
                    return layer_names[code] if code >= 0 else "none"
                problems.error("link.layer", rel, field="layer" if declared[r] != -2 else "to",
                               a=str(assets.ids[a[r]]), b=str(assets.ids[b[r]]),
                               la=name(int(la[r])), lb=name(int(lb[r])), **p)
        ok = ~bad
        out.append(np.stack([a[ok], b[ok]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def build_zones(blocks: Sequence[Block], index: IdIndex, asset_ids: ObjArray,
                problems: Problems, *, transformer: Transformer,
                area: tuple[float, float, float, float] | None) -> ZoneTable:
    """Assemble population zones; their ids must not clash with asset ids."""
    places = Places(blocks)
    ids, _ = concat_blocks(blocks)
    n = len(ids)
    taken = {}
    if n:
        clash = np.asarray(pc.is_in(pa.array(ids, type=pa.string()),
                                    value_set=index._set).to_numpy(zero_copy_only=False))
        taken = {str(v): "an asset" for v in ids[clash]}
    check_ids(ids, places, problems, taken=taken)
    pop = _concat(blocks, lambda b: b.numbers.get("population"), np.nan, np.float64)
    vul = _concat(blocks, lambda b: b.numbers.get("vulnerable"), np.nan, np.float64)
    for r in np.nonzero(np.isnan(pop))[0]:
        file, place = places(int(r))
        problems.error("field.missing", file, field="population", ident=str(ids[r]),
                       expected="the number of inhabitants, a number >= 0", **place)
    for name, v in (("population", pop), ("vulnerable", vul)):
        for r in np.nonzero(v < 0)[0]:
            file, place = places(int(r))
            problems.error("field.negative", file, field=name, ident=str(ids[r]),
                           value=f"{v[r]:g}", **place)
        for r in np.nonzero(np.isinf(v))[0]:
            file, place = places(int(r))
            problems.error("field.not_finite", file, field=name, ident=str(ids[r]),
                           value=v[r], expected="a finite number >= 0", **place)
    with np.errstate(invalid="ignore"):
        over = vul > pop
    for r in np.nonzero(over)[0]:
        file, place = places(int(r))
        problems.error("zone.vulnerable", file, field="vulnerable", ident=str(ids[r]),
                       vulnerable=f"{vul[r]:g}", population=f"{pop[r]:g}", **place)
    geometry = _concat(blocks, lambda b: b.geometry, None, object)
    for r in np.nonzero(~np.asarray(shapely.is_geometry(geometry), dtype=bool))[0]:
        file, place = places(int(r))
        problems.error("geom.missing", file, field="geometry", ident=str(ids[r]),
                       expected="a Polygon, MultiPolygon or Point in WGS84 lon/lat", **place)
    loc = check_geometry(geometry, ids, places, problems, transformer=transformer, area=area)
    raw = RawGroups.concat([(off, b.groups) for off, b in
                            zip(places.offsets[:-1], blocks, strict=True)])

    def report(owner: int, ref: str, close: str) -> None:
        file, place = places(owner)
        problems.error("ref.asset", file, field="requires", ident=str(ids[owner]), ref=ref,
                       suggest=close, **place)

    req, backup = resolve_groups(raw, n, index, report)
    req = Requirements(req.owner_ptr, req.alt_ptr, req.alt, np.nan_to_num(backup, nan=0.0))
    return ZoneTable(ids=ids, population=np.nan_to_num(pop, nan=0.0),
                     vulnerable=np.nan_to_num(vul, nan=0.0), geometry=geometry,
                     lon=loc.lon, lat=loc.lat, x=loc.x, y=loc.y, requires=req,
                     attrs=_concat_attrs(blocks))
