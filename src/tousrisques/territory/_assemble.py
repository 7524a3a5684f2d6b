"""From blocks read out of files to validated tables: ids, kinds, layers, geometry, references.

Every check is vectorised; Python loops run over the rows that have a problem only. All id
references of the territory are resolved in one hash lookup (:meth:`IdIndex.resolve_many`).
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

from tousrisques._messages import Text
from tousrisques._problems import Place, Problems, suggest
from tousrisques.territory._columns import Block, RawGroups, strings
from tousrisques.territory._kinds import KindSpec
from tousrisques.territory._model import (
    AssetTable,
    FloatArray,
    IntArray,
    ObjArray,
    Requirements,
    ZoneTable,
)

FINITE = Text("a finite number >= 0", "un nombre fini >= 0")
SUGGEST_MAX = 20_000  # above this many ids, "did you mean" would cost more than it helps
MISSING_ID = "\x00"  # stands for a missing id: no user can write it, so nothing resolves to it

Area = tuple[float, float, float, float]
BoolArray = npt.NDArray[np.bool_]


def _np(a: Any) -> npt.NDArray[Any]:
    return np.asarray(a.to_numpy(zero_copy_only=False))


class Places:
    """Maps a row of concatenated blocks back to its file and line or feature."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = list(blocks)
        self.offsets: list[int] = np.cumsum([0] + [len(b) for b in blocks]).tolist()

    def __call__(self, row: int) -> tuple[str, Place]:
        b = bisect.bisect_right(self.offsets, row) - 1
        block = self.blocks[b]
        return block.file, block.place(row - self.offsets[b])

    def block(self, row: int) -> Block:
        return self.blocks[bisect.bisect_right(self.offsets, row) - 1]

    def file_codes(self, files: Sequence[str]) -> tuple[npt.NDArray[np.int16], IntArray]:
        if not self.blocks:
            return np.zeros(0, np.int16), np.zeros(0, np.int64)
        code = np.concatenate([np.full(len(b), files.index(b.file), np.int16)
                               for b in self.blocks])
        row = np.concatenate([np.arange(len(b), dtype=np.int64) for b in self.blocks])
        return code, row


class IdIndex:
    """Resolves ids to rows with one hash lookup over the whole set (pyarrow, in C)."""

    def __init__(self, ids: pa.Array) -> None:
        self.ids = ids
        self._list: list[str] | None = None

    def resolve(self, refs: Any) -> IntArray:
        """Row of each reference, -1 where unknown (refs: list, numpy or pyarrow array)."""
        return self.resolve_many([refs])[0]

    def resolve_many(self, parts: Sequence[Any]) -> list[IntArray]:
        """Resolve several arrays of references with a single lookup."""
        arrays = [strings(p) for p in parts]
        total = sum(len(a) for a in arrays)
        if total == 0:
            return [np.zeros(0, np.int64) for _ in arrays]
        idx = pc.index_in(pa.concat_arrays(arrays), value_set=self.ids)
        flat = np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
        ends = np.cumsum([len(a) for a in arrays])
        return np.split(flat, ends[:-1])

    def suggest(self, ref: str) -> str:
        if len(self.ids) > SUGGEST_MAX:
            return ""
        if self._list is None:
            self._list = [s for s in self.ids.to_pylist() if s]
        return suggest(ref, self._list)


def concat_ids(blocks: Sequence[Block]) -> pa.Array:
    """All ids of the blocks; a missing id becomes :data:`MISSING_ID`."""
    if not blocks:
        return strings([])
    ids = pa.concat_arrays([b.ids for b in blocks])
    return pc.fill_null(ids, MISSING_ID)


def _concat(blocks: Sequence[Block], get: Callable[[Block], Any], fill: Any,
            dtype: Any) -> np.ndarray:
    parts = []
    for b in blocks:
        v = get(b)
        parts.append(np.full(len(b), fill, dtype=dtype) if v is None else v)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _numbers(blocks: Sequence[Block], name: str) -> FloatArray:
    return _concat(blocks, lambda b: b.numbers.get(name), np.nan, np.float64)


def _concat_text(blocks: Sequence[Block], name: str) -> pa.Array:
    parts = [b.text.get(name) if b.text.get(name) is not None else pa.nulls(len(b), pa.string())
             for b in blocks]
    return pa.concat_arrays(parts) if parts else strings([])


def check_ids(ids: pa.Array, places: Places, problems: Problems, *,
              first: IntArray | None = None,
              clash: npt.NDArray[np.bool_] | None = None) -> None:
    """Duplicate ids, ids with forbidden characters, and ids already taken elsewhere.

    ``first``, when given, is the row where each id first appears (the ids resolved against
    themselves): any other row is a duplicate.
    """
    if len(ids) == 0:
        return
    if first is not None:
        again = np.nonzero(first != np.arange(len(ids)))[0]
        dup = list(dict.fromkeys(ids.take(pa.array(again)).to_pylist())) if len(again) else []
    else:
        counts = pc.value_counts(ids)
        dup = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    dup = [d for d in dup if d != MISSING_ID]
    if dup:
        values = _np(ids)
        for d in dup[:200]:
            rows = np.nonzero(values == d)[0]
            first_file, first_place = places(int(rows[0]))
            other = f"{first_file} " + " ".join(f"{k} {v}" for k, v in first_place.items())
            for r in rows[1:]:
                file, place = places(int(r))
                problems.error("id.duplicate", file, field="id", ident=d, id=d, other=other,
                               **place)
    bad = _np(pc.match_substring_regex(ids, r"[\s;|@,]")).astype(bool)
    bad &= _np(pc.not_equal(ids, MISSING_ID)).astype(bool)
    for r in np.nonzero(bad)[0].tolist():
        file, place = places(r)
        problems.error("id.invalid", file, field="id", id=ids[r].as_py(), **place)
    if clash is not None:
        for r in np.nonzero(clash)[0].tolist():
            file, place = places(r)
            problems.error("id.duplicate", file, field="id", ident=ids[r].as_py(),
                           id=ids[r].as_py(), other="an asset", **place)


def requirements(raw: RawGroups, alt: IntArray, n_owners: int, ids: pa.Array,
                 places: Places, problems: Problems, index: IdIndex) -> Requirements:
    """Requirement CSR from parsed groups and their resolved alternatives (``backup_s`` NaN
    where the file gave none); unknown ids are reported with their owner's place."""
    unknown = np.nonzero(alt < 0)[0]
    if len(unknown):
        owner = raw.alt_owner
        for k in unknown[:2000].tolist():
            ref = raw.alt_ids[k].as_py()
            r = int(owner[k])
            file, place = places(r)
            problems.error("ref.asset", file, field="requires", ident=ids[r].as_py(), ref=ref,
                           suggest=index.suggest(ref), **place)
    owner_ptr = np.zeros(n_owners + 1, np.int64)
    np.cumsum(np.bincount(raw.owner, minlength=n_owners), out=owner_ptr[1:])
    return Requirements(owner_ptr, raw.alt_ptr.astype(np.int64),
                        alt.clip(0).astype(np.int32), raw.backup_s.copy())


@dataclass
class Located:
    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray


def _geometry_columns(blocks: Sequence[Block]) -> tuple[FloatArray, FloatArray, BoolArray,
                                                       ObjArray, BoolArray]:
    lon = _concat(blocks, lambda b: b.lon, np.nan, np.float64)
    lat = _concat(blocks, lambda b: b.lat, np.nan, np.float64)
    given = _concat(blocks, lambda b: b.point_given, False, bool)
    shapes = _concat(blocks, lambda b: b.shapes, None, object)
    flagged = _concat(blocks, lambda b: b.flagged.get("geometry"), False, bool)
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


def _codes(values: pa.Array, names: Sequence[str]) -> npt.NDArray[np.int16]:
    idx = pc.index_in(values, value_set=strings(list(names)))
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int16)


@dataclass
class AssetRefs:
    """The asset references of the asset files, resolved."""

    con_a: IntArray
    con_b: IntArray
    alt: IntArray
    first: IntArray


def build_assets(blocks: Sequence[Block], files: Sequence[str], ids: pa.Array,
                 raw: RawGroups, refs: AssetRefs, index: IdIndex,
                 kinds: dict[str, KindSpec], layer_names: tuple[str, ...],
                 problems: Problems, *, transformer: Transformer,
                 area: Area | None) -> tuple[AssetTable, BoolArray]:
    """Assemble the asset table and check everything that concerns single assets.

    Also returns the assets whose layer is unsure (unknown kind or layer): their problem is
    reported once, on the asset, and not again on every line or link that touches them.
    """
    places = Places(blocks)
    n = len(ids)
    check_ids(ids, places, problems, first=refs.first)
    kind_names = tuple(sorted(kinds))
    spec = [kinds[k] for k in kind_names]

    kind_txt = _concat_text(blocks, "kind")
    kind_code = _codes(kind_txt, kind_names)
    for r in np.nonzero(kind_code < 0)[0].tolist():
        file, place = places(r)
        value = kind_txt[r].as_py()
        if value is None:
            problems.error("field.missing", file, field="kind", ident=ids[r].as_py(),
                           expected=Text("a kind: " + ", ".join(kind_names),
                                         "un type : " + ", ".join(kind_names)), **place)
        else:
            problems.error("kind.unknown", file, field="kind", ident=ids[r].as_py(),
                           kind=value, allowed=", ".join(kind_names),
                           suggest=suggest(value, kind_names), **place)
    safe_kind = kind_code.clip(0)
    kind_layer = np.array([layer_names.index(s.layer) if s.layer in layer_names else -1
                           for s in spec], np.int16)
    layer = np.where(kind_code >= 0, kind_layer[safe_kind], -1).astype(np.int16)
    layer_txt = _concat_text(blocks, "layer")
    given = ~_np(layer_txt.is_null()).astype(bool)
    unsure = kind_code < 0
    if given.any():
        codes = _codes(layer_txt, layer_names)
        layer[given] = codes[given]
        unsure |= given & (codes < 0)
        for r in np.nonzero(given & (codes < 0))[0].tolist():
            file, place = places(r)
            value = layer_txt[r].as_py()
            problems.error("layer.unknown", file, field="layer", ident=ids[r].as_py(),
                           layer=value, allowed=", ".join(layer_names),
                           suggest=suggest(value, layer_names), **place)

    flags = _concat(blocks, lambda b: b.flags.get("source"), -1, np.int8)
    kind_source = np.array([s.source for s in spec], bool)
    source = np.where(flags >= 0, flags == 1, kind_source[safe_kind])

    numbers: dict[str, FloatArray] = {}
    for name in ("range_m", "backup_hours", "repair_hours"):
        v = _numbers(blocks, name)
        _check_numbers(v, name, ids, places, problems)
        default = np.array([getattr(s, name) for s in spec], np.float64)[safe_kind]
        numbers[name] = np.where(np.isnan(v) | (v < 0) | np.isinf(v), default, v)

    lon, lat, given, shapes, geom_flagged = _geometry_columns(blocks)
    loc = check_geometry(lon, lat, given, shapes, ids, places, problems,
                         transformer=transformer, area=area)

    connects = np.stack([refs.con_a, refs.con_b], axis=1) if n else np.zeros((0, 2), np.int64)
    con_a_txt = pa.concat_arrays([b.connects[0] if b.connects else pa.nulls(len(b), pa.string())
                                  for b in blocks]) if blocks else strings([])
    con_b_txt = pa.concat_arrays([b.connects[1] if b.connects else pa.nulls(len(b), pa.string())
                                  for b in blocks]) if blocks else strings([])
    has_con = ~_np(con_a_txt.is_null()).astype(bool)
    a, b = refs.con_a, refs.con_b
    ok = (a >= 0) & (b >= 0) & (layer >= 0) & (a != b) & (a != np.arange(n)) & \
        (b != np.arange(n))
    ok &= (layer[a.clip(0)] == layer) & (layer[b.clip(0)] == layer)
    shaky = unsure[a.clip(0)] | unsure[b.clip(0)] | unsure
    for r in np.nonzero(has_con & ~ok & ~(shaky & (a >= 0) & (b >= 0)))[0].tolist():
        file, place = places(r)
        _connects_problem(problems, file, place, ids[r].as_py(), layer, layer_names, index,
                          (con_a_txt[r].as_py(), con_b_txt[r].as_py()), r, int(a[r]),
                          int(b[r]))
    connects[~has_con] = -1
    line_kind = np.array([s.line for s in spec], bool)[safe_kind] & (kind_code >= 0)
    for r in np.nonzero(line_kind & ~has_con)[0].tolist():
        file, place = places(r)
        problems.warning("connects.missing", file, field="connects", ident=ids[r].as_py(),
                         kind=kind_names[kind_code[r]], **place)
    is_point = np.isfinite(loc.lon) & ~np.asarray(shapely.is_geometry(shapes), dtype=bool)
    # a line without geometry sits midway between its two ends
    mid = np.nonzero(has_con & ok & np.isnan(loc.lon))[0]
    for arr in (loc.lon, loc.lat, loc.x, loc.y):
        arr[mid] = (arr[a[mid]] + arr[b[mid]]) / 2

    req = requirements(raw, refs.alt, n, ids, places, problems, index)
    alt_owner = raw.alt_owner
    for k in np.nonzero((alt_owner == refs.alt) & (refs.alt >= 0))[0][:200].tolist():
        r = int(alt_owner[k])
        file, place = places(r)
        problems.error("ref.self", file, field="requires", ident=ids[r].as_py(),
                       ref=ids[r].as_py(), **place)
    req = _default_backup(req, layer, layer_names, numbers["backup_hours"])

    file_code, row = places.file_codes(files)
    table = AssetTable(
        ids=ids, kind=kind_code, layer=layer, source=source, lon=loc.lon, lat=loc.lat,
        x=loc.x, y=loc.y, shapes=shapes, is_point=is_point, connects=connects, requires=req,
        range_m=numbers["range_m"], backup_hours=numbers["backup_hours"],
        repair_hours=numbers["repair_hours"], attrs=_concat_attrs(blocks), file=file_code,
        row=row)
    missing = np.nonzero((table.range_m > 0) & np.isnan(table.x) & (kind_code >= 0)
                         & ~geom_flagged & ~given)[0]
    for r in missing.tolist():
        file, place = places(r)
        problems.error("location.missing", file, field="geometry", ident=ids[r].as_py(),
                       what=f"{kind_names[kind_code[r]]} with a range of "
                            f"{table.range_m[r]:g} m", **place)
    return table, unsure


def _check_numbers(v: FloatArray, name: str, ids: pa.Array, places: Places,
                   problems: Problems) -> None:
    with np.errstate(invalid="ignore"):
        negative = np.nonzero(v < 0)[0]
    for r in negative.tolist():
        file, place = places(r)
        problems.error("field.negative", file, field=name, ident=ids[r].as_py(),
                       value=f"{v[r]:g}", **place)
    for r in np.nonzero(np.isinf(v))[0].tolist():
        file, place = places(r)
        problems.error("field.not_finite", file, field=name, ident=ids[r].as_py(),
                       value=v[r], expected=FINITE, **place)


def _default_backup(req: Requirements, layer: npt.NDArray[np.int16],
                    layer_names: tuple[str, ...], backup_hours: FloatArray) -> Requirements:
    """A group that gives no backup takes its asset's power autonomy when all its
    alternatives are power assets, and none otherwise."""
    backup = req.backup_s.copy()
    missing = np.isnan(backup)
    if missing.any():
        power = layer_names.index("power") if "power" in layer_names else -2
        alt_power = (layer[req.alt] == power).astype(np.int64)
        all_power = np.add.reduceat(alt_power, req.alt_ptr[:-1]) == np.diff(req.alt_ptr)
        default = backup_hours[req.owner] * 3600.0
        backup[missing] = np.where(all_power[missing], default[missing], 0.0)
    return Requirements(req.owner_ptr, req.alt_ptr, req.alt, backup)


def _connects_problem(problems: Problems, file: str, place: Place, ident: str,
                      layer: npt.NDArray[np.int16], layer_names: tuple[str, ...],
                      index: IdIndex, raw: tuple[str, str], r: int, a: int, b: int) -> None:
    if layer[r] < 0:
        problems.error("connects.no_layer", file, field="connects", ident=ident, **place)
        return
    for end, ref in ((a, raw[0]), (b, raw[1])):
        if end < 0:
            problems.error("ref.asset", file, field="connects", ident=ident, ref=ref,
                           suggest=index.suggest(ref), **place)
        elif end == r or a == b:
            problems.error("ref.self", file, field="connects", ident=ident, ref=ref, **place)
            return
        elif layer[end] != layer[r]:
            other = layer_names[layer[end]] if layer[end] >= 0 else "none"
            problems.error("connects.layer", file, field="connects", ident=ident, ref=ref,
                           other=other, layer=layer_names[layer[r]], **place)


def _concat_attrs(blocks: Sequence[Block]) -> dict[str, Any]:
    names: list[str] = []
    for b in blocks:
        names.extend(k for k in b.attrs if k not in names)
    out: dict[str, Any] = {}
    for k in names:
        parts = []
        for b in blocks:
            v = b.attrs.get(k)
            if v is None:
                v = np.full(len(b), None, dtype=object)
            elif isinstance(v, pa.Array):
                v = np.asarray(v.to_numpy(zero_copy_only=False), dtype=object)
            parts.append(v)
        out[k] = np.concatenate(parts)
    return out


LinkPart = tuple[str, pa.Array, pa.Array, pa.Array | None, Callable[[int], Place]]


def build_links(parts: Sequence[LinkPart], resolved: Sequence[tuple[IntArray, IntArray]],
                index: IdIndex, assets: AssetTable, unsure: BoolArray,
                layer_names: tuple[str, ...], problems: Problems) -> IntArray:
    """Check links ``from,to[,layer]``: both ends known and in the same layer (as declared).

    An end whose layer is ``unsure`` (unknown kind or layer) was reported on the asset, and is
    not reported again on every link that touches it.
    """
    layer, ids = assets.layer, assets.ids
    out = []
    for (rel, frm, to, layer_txt, place), (a, b) in zip(parts, resolved, strict=True):
        la = np.where(a >= 0, layer[a.clip(0)], -1)
        lb = np.where(b >= 0, layer[b.clip(0)], -1)
        declared = np.full(len(a), -2, np.int64)
        if layer_txt is not None:
            given = ~_np(layer_txt.is_null()).astype(bool)
            codes = _codes(layer_txt, layer_names).astype(np.int64)
            declared[given] = np.where(codes[given] >= 0, codes[given], -3)
        bad = (a < 0) | (b < 0) | (la < 0) | (la != lb) | ((declared != -2) & (declared != la))
        for r in np.nonzero(bad)[0].tolist():
            p = place(r)
            for end, col, fld in ((a[r], frm, "from"), (b[r], to, "to")):
                ref = col[r].as_py() or ""
                if end < 0 and ref:
                    problems.error("ref.asset", rel, field=fld, ref=ref,
                                   suggest=index.suggest(ref), **p)
            if a[r] >= 0 and b[r] >= 0 and not (unsure[a[r]] or unsure[b[r]]):
                def name(code: int) -> str:
                    return layer_names[code] if code >= 0 else "none"
                # name the column that disagrees with the others
                fld = "to" if declared[r] in (-2, la[r]) else "from" if declared[r] == lb[r] \
                    else "layer"
                problems.error("link.layer", rel, field=fld,
                               a=ids[int(a[r])].as_py(), b=ids[int(b[r])].as_py(),
                               la=name(int(la[r])), lb=name(int(lb[r])), **p)
        keep = ~bad
        out.append(np.stack([a[keep], b[keep]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def build_zones(blocks: Sequence[Block], ids: pa.Array, raw: RawGroups, alt: IntArray,
                clash: IntArray, index: IdIndex, problems: Problems, *,
                transformer: Transformer, area: Area | None) -> ZoneTable:
    """Assemble population zones; their ids must not clash with asset ids."""
    places = Places(blocks)
    n = len(ids)
    check_ids(ids, places, problems, clash=(clash >= 0) & (_np(pc.not_equal(
        ids, MISSING_ID)).astype(bool) if n else np.zeros(0, bool)))
    pop = _concat(blocks, lambda b: b.numbers.get("population"), np.nan, np.float64)
    vul = _concat(blocks, lambda b: b.numbers.get("vulnerable"), np.nan, np.float64)
    pop_flagged = _concat(blocks, lambda b: b.flagged.get("population"), False, bool)
    for r in np.nonzero(np.isnan(pop) & ~pop_flagged)[0].tolist():
        file, place = places(r)
        problems.error("field.missing", file, field="population", ident=ids[r].as_py(),
                       expected=Text("the number of inhabitants, a number >= 0",
                                     "le nombre d'habitants, un nombre >= 0"), **place)
    _check_numbers(pop, "population", ids, places, problems)
    _check_numbers(vul, "vulnerable", ids, places, problems)
    with np.errstate(invalid="ignore"):
        over = vul > pop
    for r in np.nonzero(over)[0].tolist():
        file, place = places(r)
        problems.error("zone.vulnerable", file, field="vulnerable", ident=ids[r].as_py(),
                       vulnerable=f"{vul[r]:g}", population=f"{pop[r]:g}", **place)
    lon, lat, given, shapes, geom_flagged = _geometry_columns(blocks)
    missing = ~given & ~np.asarray(shapely.is_geometry(shapes), dtype=bool) & ~geom_flagged
    for r in np.nonzero(missing)[0].tolist():
        file, place = places(r)
        problems.error("geom.missing", file, field="geometry", ident=ids[r].as_py(),
                       expected=Text("a Polygon, MultiPolygon or Point in WGS84 lon/lat",
                                     "un Polygon, MultiPolygon ou Point en lon/lat WGS84"),
                       **place)
    loc = check_geometry(lon, lat, given, shapes, ids, places, problems,
                         transformer=transformer, area=area)
    req = requirements(raw, alt, n, ids, places, problems, index)
    req = Requirements(req.owner_ptr, req.alt_ptr, req.alt, np.nan_to_num(req.backup_s))
    clean = np.where(np.isfinite(pop) & (pop >= 0), pop, 0.0)
    return ZoneTable(ids=ids, population=clean,
                     vulnerable=np.where(np.isfinite(vul) & (vul >= 0), vul, 0.0),
                     shapes=shapes,
                     is_point=np.isfinite(loc.lon) & ~np.asarray(shapely.is_geometry(shapes),
                                                                  dtype=bool),
                     lon=loc.lon, lat=loc.lat, x=loc.x, y=loc.y, requires=req,
                     attrs=_concat_attrs(blocks))
