"""Synthetic territories of any size, seeded: for tests and benchmarks, 1,000 to 3,000,000 assets.

The shape follows a French territory at coarse grain (see docs/territory-format.md):

* population zones on a grid of 1 km cells, denser around a few town centres;
* a power distribution tree per source substation (``substation``, ``source: true``) down to
  MV/LV ``transformer`` nodes, each tree edge a ``line`` asset that can fail;
* ``antenna`` sites placed where people live, each fed by its nearest transformer and joined to
  its nearest ``fibre_node`` by a ``backhaul`` asset; fibre nodes link to the ``core`` nodes;
* sirens and town-hall ``site`` assets; a préfecture crisis cell, town halls, a fire service;
* optional extra mesh links between nearby transformers (``link_factor`` per asset).

The same seed writes the same files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml
from pyproj import Transformer
from scipy.spatial import cKDTree

from tousrisques._atomic import atomic_folder

CELL_M = 1000.0
ORIGIN = (560_000.0, 6_880_000.0)  # Lambert-93, near Rouen
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]


def _ids(prefix: str, n: int) -> npt.NDArray[np.str_]:
    return np.char.add(prefix, np.arange(n).astype(str))


def _tree_parents(px: FloatArray, py: FloatArray, sx: FloatArray, sy: FloatArray,
                  window: int = 16) -> tuple[IntArray, IntArray]:
    """Attach each point to its nearest source, then to the nearest point closer to that
    source among the ``window`` before it: a radial distribution tree.

    Returns (source of each point, parent of each point: -1 = the source itself).
    """
    src = cKDTree(np.c_[sx, sy]).query(np.c_[px, py])[1].astype(np.int64)
    d = np.hypot(px - sx[src], py - sy[src])
    order = np.lexsort((d, src))
    parent = np.full(len(px), -1, np.int64)
    best = np.full(len(px), np.inf)
    ox, oy, osrc = px[order], py[order], src[order]
    # the distance to the source itself is the first candidate
    best[order] = np.hypot(ox - sx[osrc], oy - sy[osrc])
    for k in range(1, window + 1):
        cand = np.arange(k, len(order))
        same = osrc[cand] == osrc[cand - k]
        dist = np.hypot(ox[cand] - ox[cand - k], oy[cand] - oy[cand - k])
        better = same & (dist < best[order[cand]])
        tgt = order[cand[better]]
        best[tgt] = dist[better]
        parent[tgt] = order[cand[better] - k]
    return src, parent


@dataclass(frozen=True)
class SyntheticPlan:
    """Positions (Lambert-93 metres) and topology of a synthetic territory, before writing."""

    rng: np.random.Generator
    n_assets: int
    link_factor: float
    zx: FloatArray
    zy: FloatArray
    pop: FloatArray
    sx: FloatArray
    sy: FloatArray
    tx: FloatArray
    ty: FloatArray
    tr_ids: StrArray
    src_ids: StrArray
    line_from: StrArray
    tr_tree: cKDTree
    ax: FloatArray
    ay: FloatArray
    fx: FloatArray
    fy: FloatArray
    kx: FloatArray
    ky: FloatArray
    ant_fn: IntArray
    fn_core: IntArray
    hx: FloatArray
    hy: FloatArray
    rx: FloatArray
    ry: FloatArray


def build_synthetic(n_assets: int, *, seed: int = 0, link_factor: float = 0.0
                    ) -> SyntheticPlan:
    """Plan a synthetic territory of exactly ``n_assets`` assets (see the module docstring)."""
    if n_assets < 50:
        raise ValueError("a synthetic territory needs at least 50 assets")
    rng = np.random.default_rng(seed)
    n_tr = max(4, int(n_assets * 0.33))
    n_ant = max(2, int(n_assets * 0.15))
    n_src = max(1, n_assets // 2000)
    n_core = 2 + n_assets // 500_000
    n_fn = max(1, n_assets // 200)
    n_zone = max(4, n_assets // 25)
    n_hall = max(1, n_zone // 50)
    n_fixed = n_src + 2 * n_tr + n_core + n_fn + 2 * n_ant + 4 + n_hall
    n_siren = max(1, n_assets - n_fixed)
    side = math.ceil(math.sqrt(n_zone))
    extent = side * CELL_M

    # zones: grid cells, population denser near a few centres
    zi = np.arange(n_zone)
    zx = (ORIGIN[0] + (zi % side + 0.5) * CELL_M).astype(np.float64)
    zy = (ORIGIN[1] + (zi // side + 0.5) * CELL_M).astype(np.float64)
    n_centre = max(1, n_zone // 400)
    cx = ORIGIN[0] + rng.uniform(0, extent, n_centre)
    cy = ORIGIN[1] + rng.uniform(0, extent, n_centre)
    dist = cKDTree(np.c_[cx, cy]).query(np.c_[zx, zy])[0]
    pop = np.round(60 + 4000 * np.exp(-dist / 3000.0) * rng.lognormal(0, 0.5, n_zone))

    def scatter(n: int, weights: FloatArray | None) -> tuple[FloatArray, FloatArray]:
        cells = rng.choice(n_zone, n, p=None if weights is None else weights / weights.sum())
        return (zx[cells] + rng.uniform(-0.45, 0.45, n) * CELL_M,
                zy[cells] + rng.uniform(-0.45, 0.45, n) * CELL_M)

    sx, sy = scatter(n_src, None)
    tx, ty = scatter(n_tr, np.sqrt(pop))
    src_of, parent = _tree_parents(tx, ty, sx, sy)
    tr_ids = _ids("T", n_tr)
    src_ids = _ids("PS", n_src)
    line_from = np.where(parent >= 0, tr_ids[parent.clip(0)], src_ids[src_of])
    ax, ay = scatter(n_ant, pop)
    fx, fy = scatter(n_fn, pop)
    kx, ky = scatter(n_core, pop)
    hx, hy = scatter(n_hall, pop)
    rx, ry = scatter(n_siren, pop)
    return SyntheticPlan(
        rng=rng, n_assets=n_assets, link_factor=link_factor, zx=zx, zy=zy, pop=pop, sx=sx,
        sy=sy, tx=tx, ty=ty, tr_ids=tr_ids, src_ids=src_ids, line_from=line_from,
        tr_tree=cKDTree(np.c_[tx, ty]), ax=ax, ay=ay, fx=fx, fy=fy, kx=kx, ky=ky,
        ant_fn=cKDTree(np.c_[fx, fy]).query(np.c_[ax, ay])[1].astype(np.int64),
        fn_core=cKDTree(np.c_[kx, ky]).query(np.c_[fx, fy])[1].astype(np.int64),
        hx=hx, hy=hy, rx=rx, ry=ry)


def write_synthetic(folder: str | Path, *, n_assets: int, seed: int = 0,
                    link_factor: float = 0.0, asset_format: str = "csv",
                    replace: bool = False) -> int:
    """Write a synthetic territory folder; return its number of assets.

    ``asset_format`` is ``csv`` (compact requirements) or ``geojson``. The folder is written
    in a temporary place and moved in whole.
    """
    if asset_format not in ("csv", "geojson"):
        raise ValueError("asset_format is csv or geojson")
    d = build_synthetic(n_assets, seed=seed, link_factor=link_factor)
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    with atomic_folder(folder, replace=replace, marker="territory.yaml") as tmp:
        count = _write(tmp, d, to_wgs, asset_format)
    return count


def _near(tree: cKDTree, ids: StrArray, x: FloatArray, y: FloatArray) -> StrArray:
    nearest: StrArray = ids[tree.query(np.c_[x, y])[1]]
    return nearest


def _write(out: Path, d: SyntheticPlan, to_wgs: Transformer, fmt: str) -> int:
    (out / "assets").mkdir()
    (out / "links").mkdir()
    (out / "zones").mkdir()
    tree = d.tr_tree
    tr_ids = d.tr_ids

    def lonlat(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        lon, lat = to_wgs.transform(x, y)
        return np.round(lon, 6), np.round(lat, 6)

    tables: dict[str, dict[str, Any]] = {}
    n_src, n_tr = len(d.sx), len(d.tx)
    slon, slat = lonlat(d.sx, d.sy)
    tlon, tlat = lonlat(d.tx, d.ty)
    empty = np.full(n_tr, "", dtype=object)
    tables["power"] = {
        "id": np.concatenate([d.src_ids, tr_ids, _ids("L", n_tr)]),
        "kind": np.array(["substation"] * n_src + ["transformer"] * n_tr + ["line"] * n_tr),
        "source": np.array(["true"] * n_src + [""] * (2 * n_tr)),
        "lon": np.concatenate([slon, tlon, np.full(n_tr, np.nan)]),
        "lat": np.concatenate([slat, tlat, np.full(n_tr, np.nan)]),
        "requires": np.concatenate([np.full(n_src + 2 * n_tr, "", dtype=object)]),
        "connects": np.concatenate([np.full(n_src + n_tr, "", dtype=object),
                                    np.char.add(np.char.add(d.line_from.astype(str), ";"),
                                                tr_ids)]),
    }
    del empty
    n_ant, n_fn, n_core = len(d.ax), len(d.fx), len(d.kx)
    fn_ids, core_ids, ant_ids = _ids("FN", n_fn), _ids("CORE", n_core), _ids("A", n_ant)
    alon, alat = lonlat(d.ax, d.ay)
    flon, flat = lonlat(d.fx, d.fy)
    klon, klat = lonlat(d.kx, d.ky)
    tables["telecom"] = {
        "id": np.concatenate([core_ids, fn_ids, ant_ids, _ids("BH", n_ant)]),
        "kind": np.array(["core"] * n_core + ["fibre_node"] * n_fn + ["antenna"] * n_ant
                         + ["backhaul"] * n_ant),
        "lon": np.concatenate([klon, flon, alon, np.full(n_ant, np.nan)]),
        "lat": np.concatenate([klat, flat, alat, np.full(n_ant, np.nan)]),
        "requires": np.concatenate([
            _near(tree, tr_ids, d.kx, d.ky), _near(tree, tr_ids, d.fx, d.fy),
            _near(tree, tr_ids, d.ax, d.ay), np.full(n_ant, "")]),
        "connects": np.concatenate([np.full(n_core + n_fn + n_ant, ""),
                                    np.char.add(np.char.add(ant_ids, ";"),
                                                fn_ids[d.ant_fn])]),
    }
    n_hall, n_siren = len(d.hx), len(d.rx)
    hall_ids = _ids("HALL", n_hall)
    hlon, hlat = lonlat(d.hx, d.hy)
    rlon, rlat = lonlat(d.rx, d.ry)
    cod_x, cod_y = float(np.mean(d.zx)), float(np.mean(d.zy))
    clon, clat = lonlat(np.array([cod_x]), np.array([cod_y]))
    hall_req = np.char.add(_near(tree, tr_ids, d.hx, d.hy), "|GEN-COD")
    tables["sites"] = {
        "id": np.concatenate([["COD", "GEN-COD", "SDIS", "FR-ALERT"], hall_ids,
                              _ids("SIREN", n_siren)]),
        "kind": np.array(["site", "generator", "site", "service"] + ["site"] * n_hall
                         + ["siren"] * n_siren),
        "lon": np.concatenate([clon, clon, clon + 0.001, [np.nan], hlon, rlon]),
        "lat": np.concatenate([clat, clat, clat, [np.nan], hlat, rlat]),
        "requires": np.concatenate([
            [str(_near(tree, tr_ids, np.array([cod_x]), np.array([cod_y]))[0]) + "|GEN-COD",
             "", str(_near(tree, tr_ids, np.array([cod_x]), np.array([cod_y]))[0]), ""],
            hall_req, np.char.add(_near(tree, tr_ids, d.rx, d.ry), "@6h")]),
    }
    count = 0
    for name, cols in tables.items():
        count += len(cols["id"])
        if fmt == "csv":
            _write_csv(out / "assets" / f"{name}.csv", cols)
        else:
            _write_geojson(out / "assets" / f"{name}.geojson", cols)
    _write_links(out / "links" / "links.csv", d, core_ids, fn_ids)
    _write_zones(out / "zones" / "zones.geojson", d, to_wgs)
    _write_yaml(out, fmt, hall_ids)
    return count


def _write_csv(path: Path, cols: dict[str, Any]) -> None:
    arrays = {}
    for k, v in cols.items():
        a = np.asarray(v)
        if a.dtype.kind == "f":
            arrays[k] = pa.array(a, pa.float64(), mask=np.isnan(a))
        else:
            arrays[k] = pa.array(a.astype(str).tolist(), pa.string())
    pacsv.write_csv(pa.table(arrays), path,
                    pacsv.WriteOptions(quoting_style="needed"))


def _write_geojson(path: Path, cols: dict[str, Any]) -> None:
    ids = np.asarray(cols["id"])
    features = []
    lon, lat = np.asarray(cols["lon"]), np.asarray(cols["lat"])
    for i in range(len(ids)):
        props: dict[str, object] = {"id": str(ids[i]), "kind": str(np.asarray(cols["kind"])[i])}
        for key in ("source", "requires", "connects"):
            if key in cols:
                v = str(np.asarray(cols[key])[i])
                if v:
                    if key == "source":
                        props[key] = True
                    elif key == "connects":
                        props[key] = v.split(";")
                    else:
                        props[key] = v
        geom = None if np.isnan(lon[i]) else {"type": "Point",
                                               "coordinates": [float(lon[i]), float(lat[i])]}
        features.append({"type": "Feature", "properties": props, "geometry": geom})
    path.write_bytes(orjson.dumps({"type": "FeatureCollection", "features": features}))


def _write_links(path: Path, d: SyntheticPlan, core_ids: npt.NDArray[np.str_],
                 fn_ids: npt.NDArray[np.str_]) -> None:
    frm = [fn_ids, core_ids[:-1]]
    to = [core_ids[d.fn_core], core_ids[1:]]
    layer = ["telecom"] * (len(fn_ids) + len(core_ids) - 1)
    extra = int(d.link_factor * d.n_assets)
    if extra:
        rng: np.random.Generator = d.rng
        tree = d.tr_tree
        tr_ids = d.tr_ids
        a = rng.integers(0, len(tr_ids), extra)
        k = min(8, len(tr_ids))
        _, nb = tree.query(np.c_[d.tx[a], d.ty[a]], k=k)
        b = nb[np.arange(extra), rng.integers(1, k, extra)]
        frm.append(tr_ids[a])
        to.append(tr_ids[b])
        layer += ["power"] * extra
    pacsv.write_csv(pa.table({"from": pa.array(np.concatenate(frm).tolist()),
                              "to": pa.array(np.concatenate(to).tolist()),
                              "layer": pa.array(layer)}), path)


def _write_zones(path: Path, d: SyntheticPlan, to_wgs: Transformer) -> None:
    zx, zy, pop = d.zx, d.zy, d.pop
    tree = d.tr_tree
    req = _near(tree, d.tr_ids, zx, zy)
    h = CELL_M / 2
    xs = np.stack([zx - h, zx + h, zx + h, zx - h, zx - h], axis=1)
    ys = np.stack([zy - h, zy - h, zy + h, zy + h, zy - h], axis=1)
    lon, lat = to_wgs.transform(xs, ys)
    lon, lat = np.round(lon, 6), np.round(lat, 6)
    features = [{"type": "Feature",
                 "properties": {"id": f"Z{i}", "population": int(pop[i]),
                                "vulnerable": int(pop[i] * 0.1), "requires": str(req[i])},
                 "geometry": {"type": "Polygon", "coordinates": [
                     np.c_[lon[i], lat[i]].tolist()]}}
                for i in range(len(zx))]
    path.write_bytes(orjson.dumps({"type": "FeatureCollection", "features": features}))


def _write_yaml(out: Path, fmt: str, hall_ids: npt.NDArray[np.str_]) -> None:
    ext = "csv" if fmt == "csv" else "geojson"
    territory = {
        "name": "Synthetic territory", "timezone": "Europe/Paris", "metric_crs": "EPSG:2154",
        "assets": [f"assets/power.{ext}", f"assets/telecom.{ext}", f"assets/sites.{ext}"],
        "links": ["links/links.csv"], "zones": "zones/zones.geojson",
        "channels": "channels.yaml", "actors": "actors.yaml",
    }
    channels = [
        {"id": "mobile", "name": {"fr": "Téléphonie mobile", "en": "Mobile phone"},
         "mode": "point_to_point", "latency": "1m", "requires": "CORE0|CORE1",
         "coverage": "antenna"},
        {"id": "fixed", "name": {"fr": "Téléphonie fixe", "en": "Fixed line"},
         "mode": "point_to_point", "latency": "1m", "requires": "CORE0|CORE1"},
        {"id": "radio", "name": {"fr": "Radio des secours", "en": "Emergency radio"},
         "mode": "point_to_point", "latency": "30s"},
        {"id": "cell-broadcast", "name": {"fr": "FR-Alert", "en": "Cell broadcast"},
         "mode": "broadcast", "latency": "10m", "requires": "FR-ALERT; CORE0|CORE1",
         "coverage": "antenna", "triggered_by": ["prefecture"]},
        {"id": "siren", "name": {"fr": "Sirènes", "en": "Sirens"}, "mode": "broadcast",
         "latency": "5m", "coverage": "siren", "needs_site": False,
         "triggered_by": ["prefecture", "mayor"]},
    ]
    actors = [
        {"id": "COD", "name": {"fr": "Préfecture — COD", "en": "Prefecture operations centre"},
         "role": "prefecture", "site": "COD", "crisis_cell": True,
         "channels": ["mobile", "fixed", "radio", "cell-broadcast", "siren"]},
        {"id": "SDIS", "name": {"fr": "SDIS — CTA-CODIS", "en": "Fire service dispatch"},
         "role": "fire_service", "site": "SDIS", "channels": ["mobile", "fixed", "radio"],
         "reports_to": ["COD"]},
    ] + [{"id": f"MAIRE-{h}", "name": f"Mairie {h}", "role": "mayor", "site": str(h),
          "channels": ["mobile", "fixed", "siren"], "reports_to": ["COD"]}
         for h in hall_ids.tolist()]
    for name, data in (("territory.yaml", territory), ("channels.yaml", {"channels": channels}),
                       ("actors.yaml", {"actors": actors})):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (out / name).write_text(text, encoding="utf-8")
