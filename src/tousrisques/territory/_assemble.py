"""From blocks read out of files to validated tables: kinds, layers, lines, links, zones.

Every check is vectorised; Python loops run over the rows that have a problem only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

from tousrisques._i18n import N_, Msg
from tousrisques._problems import Place, Problems, suggest
from tousrisques.territory._columns import Block, RawGroups, strings
from tousrisques.territory._construction import check_construction
from tousrisques.territory._geometry import Area, check_geometry, geometry_columns
from tousrisques.territory._kinds import KindSpec
from tousrisques.territory._model import (
    AssetTable,
    FloatArray,
    IntArray,
    Requirements,
    ZoneTable,
)
from tousrisques.territory._rows import (
    MISSING_ID,
    BoolArray,
    IdIndex,
    Places,
    check_ids,
    check_numbers,
    codes_of,
    concat_attrs,
    concat_column,
    concat_numbers,
    concat_text,
    requirements,
    to_numpy,
)


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

    kind_txt = concat_text(blocks, "kind")
    kind_code = codes_of(kind_txt, kind_names)
    for r in np.nonzero(kind_code < 0)[0].tolist():
        file, place = places(r)
        value = kind_txt[r].as_py()
        if value is None:
            problems.error("field.missing", file, field="kind", ident=ids[r].as_py(),
                           expected=Msg(N_("a kind: {kinds}"), kinds=", ".join(kind_names)),
                           **place)
        else:
            problems.error("kind.unknown", file, field="kind", ident=ids[r].as_py(),
                           kind=value, allowed=", ".join(kind_names),
                           suggest=suggest(value, kind_names), **place)
    safe_kind = kind_code.clip(0)
    kind_layer = np.array([layer_names.index(s.layer) if s.layer in layer_names else -1
                           for s in spec], np.int16)
    layer = np.where(kind_code >= 0, kind_layer[safe_kind], -1).astype(np.int16)
    layer_txt = concat_text(blocks, "layer")
    given = ~to_numpy(layer_txt.is_null()).astype(bool)
    unsure = kind_code < 0
    if given.any():
        codes = codes_of(layer_txt, layer_names)
        layer[given] = codes[given]
        unsure |= given & (codes < 0)
        for r in np.nonzero(given & (codes < 0))[0].tolist():
            file, place = places(r)
            value = layer_txt[r].as_py()
            problems.error("layer.unknown", file, field="layer", ident=ids[r].as_py(),
                           layer=value, allowed=", ".join(layer_names),
                           suggest=suggest(value, layer_names), **place)

    flags = concat_column(blocks, lambda b: b.flags.get("source"), -1, np.int8)
    kind_source = np.array([s.source for s in spec], bool)
    source = np.where(flags >= 0, flags == 1, kind_source[safe_kind])

    numbers: dict[str, FloatArray] = {}
    for name in ("range_m", "backup_hours", "repair_hours"):
        v = concat_numbers(blocks, name)
        check_numbers(v, name, ids, places, problems)
        default = np.array([getattr(s, name) for s in spec], np.float64)[safe_kind]
        numbers[name] = np.where(np.isnan(v) | (v < 0) | np.isinf(v), default, v)

    lon, lat, given, shapes, geom_flagged = geometry_columns(blocks)
    loc = check_geometry(lon, lat, given, shapes, ids, places, problems,
                         transformer=transformer, area=area)

    connects = np.stack([refs.con_a, refs.con_b], axis=1) if n else np.zeros((0, 2), np.int64)
    con_a_txt = pa.concat_arrays([b.connects[0] if b.connects else pa.nulls(len(b), pa.string())
                                  for b in blocks]) if blocks else strings([])
    con_b_txt = pa.concat_arrays([b.connects[1] if b.connects else pa.nulls(len(b), pa.string())
                                  for b in blocks]) if blocks else strings([])
    has_con = ~to_numpy(con_a_txt.is_null()).astype(bool)
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
        repair_hours=numbers["repair_hours"], attrs=concat_attrs(blocks), file=file_code,
        row=row)
    check_construction(table.attrs, ids, places, problems)
    missing = np.nonzero((table.range_m > 0) & np.isnan(table.x) & (kind_code >= 0)
                         & ~geom_flagged & ~given)[0]
    for r in missing.tolist():
        file, place = places(r)
        problems.error("location.missing", file, field="geometry", ident=ids[r].as_py(),
                       what=f"{kind_names[kind_code[r]]} with a range of "
                            f"{table.range_m[r]:g} m", **place)
    return table, unsure


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
        if len(layer) == 0:  # no asset was read: every end is unknown, said once each
            la = lb = np.full(len(a), -1, np.int64)
        else:
            la = np.where(a >= 0, layer[a.clip(0)], -1)
            lb = np.where(b >= 0, layer[b.clip(0)], -1)
        declared = np.full(len(a), -2, np.int64)
        if layer_txt is not None:
            given = ~to_numpy(layer_txt.is_null()).astype(bool)
            codes = codes_of(layer_txt, layer_names).astype(np.int64)
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
    check_ids(ids, places, problems, clash=(clash >= 0) & (to_numpy(pc.not_equal(
        ids, MISSING_ID)).astype(bool) if n else np.zeros(0, bool)))
    pop = concat_column(blocks, lambda b: b.numbers.get("population"), np.nan, np.float64)
    vul = concat_column(blocks, lambda b: b.numbers.get("vulnerable"), np.nan, np.float64)
    pop_flagged = concat_column(blocks, lambda b: b.flagged.get("population"), False, bool)
    for r in np.nonzero(np.isnan(pop) & ~pop_flagged)[0].tolist():
        file, place = places(r)
        problems.error("field.missing", file, field="population", ident=ids[r].as_py(),
                       expected=Msg(N_("the number of inhabitants, a number >= 0")), **place)
    check_numbers(pop, "population", ids, places, problems)
    check_numbers(vul, "vulnerable", ids, places, problems)
    with np.errstate(invalid="ignore"):
        over = vul > pop
    for r in np.nonzero(over)[0].tolist():
        file, place = places(r)
        problems.error("zone.vulnerable", file, field="vulnerable", ident=ids[r].as_py(),
                       vulnerable=f"{vul[r]:g}", population=f"{pop[r]:g}", **place)
    lon, lat, given, shapes, geom_flagged = geometry_columns(blocks)
    missing = ~given & ~np.asarray(shapely.is_geometry(shapes), dtype=bool) & ~geom_flagged
    for r in np.nonzero(missing)[0].tolist():
        file, place = places(r)
        problems.error("geom.missing", file, field="geometry", ident=ids[r].as_py(),
                       expected=Msg(N_("a Polygon, MultiPolygon or Point in WGS84 lon/lat")),
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
                     attrs=concat_attrs(blocks))
