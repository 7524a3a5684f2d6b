"""The sample territory "Métropole Rouen Normandie", built by documented, seeded rules.

Real open data: the boundaries and INSEE populations of the 71 communes, the health
facilities of the FINESS register (``tousrisques/data/rouen``, credited in DATA_SOURCES.md).
Everything else is plausible synthetic infrastructure; each rule and figure is explained in
docs/sample-territory.md. Run ``python -m tousrisques.territory.samples.rouen FOLDER`` to
write it; the copy in ``examples/rouen`` is this builder's output (a test checks it), its
scenario library (``examples/rouen/scenarios``, the one copy) is carried over.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
import yaml
from pyproj import Transformer
from scipy.spatial import cKDTree

from tousrisques._atomic import atomic_folder
from tousrisques.territory.samples._rouen_actors import actors as _actors
from tousrisques.territory.samples._rouen_actors import channels as _channels
from tousrisques.territory.samples._rouen_grid import mobile_networks, power_grid
from tousrisques.territory.samples._rouen_health import Hospital
from tousrisques.territory.samples._rouen_health import hospitals as _hospitals
from tousrisques.territory.samples._rouen_sites import sites as _sites

CRS = "EPSG:2154"
CELL_M = 1000.0
PEOPLE_PER_TRANSFORMER = 400
PEOPLE_PER_ANTENNA = 1000
PEOPLE_PER_SIREN = 8000
PEOPLE_PER_FIBRE_NODE = 15000
SOURCE_SUBSTATIONS = 8
RADIO_RELAYS = 6
RESERVE_COMMUNES = 12  # communes with a citizen reserve: the most populated ones
ROUEN = "76540"
CLONE_LIBRARY = Path(__file__).resolve().parents[4] / "examples" / "rouen" / "scenarios"

TO_M = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
TO_WGS = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def _data(name: str) -> str:
    return (resources.files("tousrisques") / "data" / "rouen" / name).read_text("utf-8")


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS.transform(x, y)
    return round(float(lon), 6), round(float(lat), 6)


def _metric(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(TO_M.transform(xy[:, 0],
                                                                             xy[:, 1])))


def _wgs(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(np.column_stack(
        TO_WGS.transform(xy[:, 0], xy[:, 1])), 6))


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that add up to ``total`` exactly."""
    share = weights / weights.sum() * total
    out = np.floor(share).astype(np.int64)
    rest = total - int(out.sum())
    out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    result: np.ndarray = out
    return result


def _kmeans(cx: np.ndarray, cy: np.ndarray, px: np.ndarray, py: np.ndarray,
            rounds: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Move the centres ``cx, cy`` to the means of the points nearest each (k-means)."""
    cx, cy = cx.copy(), cy.copy()
    for _ in range(rounds):
        lab = cKDTree(np.c_[cx, cy]).query(np.c_[px, py])[1]
        for s in range(len(cx)):
            if (lab == s).any():
                cx[s], cy[s] = px[lab == s].mean(), py[lab == s].mean()
    return cx, cy


def build(folder: str | Path, *, seed: int = 0, replace: bool = False) -> Path:
    """Write the sample territory (and its scenario library) in ``folder``, whole (an
    existing territory there is replaced only with ``replace``)."""
    with atomic_folder(folder, replace=replace, marker="territory.yaml") as tmp:
        _write(tmp, np.random.default_rng(seed))
    return Path(folder)


def _write(out: Path, rng: np.random.Generator) -> None:
    communes = json.loads(_data("communes.geojson"))["features"]
    for sub in ("assets", "links", "zones", "scenarios"):
        (out / sub).mkdir()

    # --- zones: 1 km cells clipped to each commune, its population spread by area -------
    zones = []
    zx, zy, zpop, zcommune, zarea = [], [], [], [], []
    town_hall: dict[str, tuple[float, float]] = {}
    for f in communes:
        code, pop = f["properties"]["insee"], int(f["properties"]["population"])
        shape = _metric(shapely.geometry.shape(f["geometry"]))
        rep = shape.point_on_surface()
        town_hall[code] = (rep.x, rep.y)
        x0, y0, x1, y1 = shape.bounds
        cells = []
        for gx in np.arange(math.floor(x0 / CELL_M) * CELL_M, x1, CELL_M):
            for gy in np.arange(math.floor(y0 / CELL_M) * CELL_M, y1, CELL_M):
                part = shape.intersection(shapely.box(gx, gy, gx + CELL_M, gy + CELL_M))
                if part.area > 1.0:
                    cells.append(shapely.make_valid(part))
        people = _largest_remainder(pop, np.array([c.area for c in cells]))
        for k, (cell, n) in enumerate(zip(cells, people, strict=True)):
            p = cell.point_on_surface()
            zx.append(p.x)
            zy.append(p.y)
            zpop.append(int(n))
            zarea.append(cell.area)
            zcommune.append(code)
            zones.append({"type": "Feature",
                          "properties": {"id": f"Z-{code}-{k:03d}", "insee": code,
                                         "commune": f["properties"]["nom"],
                                         "population": int(n),
                                         "vulnerable": round(n * 0.1)},
                          "geometry": shapely.geometry.mapping(_wgs(cell))})
    zx_a, zy_a, pop_a = np.array(zx), np.array(zy), np.array(zpop, float)
    total = int(pop_a.sum())

    def scatter(n: int) -> tuple[np.ndarray, np.ndarray]:
        cells = rng.choice(len(zx_a), n, p=pop_a / pop_a.sum())
        return (zx_a[cells] + rng.uniform(-300, 300, n), zy_a[cells] + rng.uniform(-300, 300, n))

    # --- power: source substations, radial MV feeders, normally-open ties (_rouen_grid) ---
    n_tr = max(10, total // PEOPLE_PER_TRANSFORMER)
    # source substations at population-weighted centres
    sx, sy = _kmeans(*scatter(SOURCE_SUBSTATIONS), zx_a, zy_a)
    density = pop_a / np.maximum(np.array(zarea) / 1e6, 0.01)  # inhabitants per km²
    grid = power_grid(rng, zx_a, zy_a, pop_a, density, n_tr, (sx, sy), _lonlat)
    power, nearest_tr = grid.rows, grid.nearest
    for feature, supply in zip(zones, grid.supply, strict=True):
        feature["properties"]["supply"] = supply

    # --- telecom: four operators' antenna sites, fibre nodes, cores (_rouen_grid) ---------
    rx, ry = town_hall[ROUEN]
    cores = [(rx + 800, ry - 600), (rx - 2500, ry - 4000), (rx + 3000, ry + 2500),
             (rx - 1500, ry + 1800)]
    n_fn = max(2, total // PEOPLE_PER_FIBRE_NODE)
    n_ant = max(4, total // PEOPLE_PER_ANTENNA)
    ax, ay = scatter(n_ant)
    telecom, links = mobile_networks(rng, (ax, ay), scatter(n_fn), cores, nearest_tr, _lonlat)

    # --- sites, services, sirens, radio ---------------------------------------------------
    # institutional and crisis sites, fallback sites, services, hospitals: _rouen_sites.py
    hospitals = _hospitals(_data("hospitals.csv"))
    sites: list[list[Any]] = [["id", "kind", "name", "lon", "lat", "requires", "range_m",
                               "finess", "psychiatric", "day_hospital"]]

    def site(ident: str, kind: str, name: str, x: float | None, y: float | None, req: str,
             rng_m: str = "", **extra: str) -> None:
        where = ("", "") if x is None or y is None else _lonlat(x, y)
        sites.append([ident, kind, name, *where, req, rng_m, extra.get("finess", ""),
                      extra.get("psychiatric", ""), extra.get("day_hospital", "")])

    big = sorted(communes, key=lambda f: -f["properties"]["population"])[:RESERVE_COMMUNES]
    reserve_codes = sorted(f["properties"]["insee"] for f in big)
    pref = (rx + 300, ry + 200)  # for the satellite phone of the plan
    metro = (rx - 600, ry - 300)  # for the fuel depot
    for row in _sites((rx, ry), nearest_tr, town_hall,
                      {code: f"Mairie {_de(_name(communes, code))}" for code in town_hall},
                      {code: _name(communes, code) for code in reserve_codes}, hospitals):
        site(row.pop("id"), row.pop("kind"), row.pop("name"), row.pop("x"), row.pop("y"),
             row.pop("requires"), **row)
    # sirens where people live
    n_siren = max(3, total // PEOPLE_PER_SIREN)
    sx2, sy2 = scatter(n_siren)
    for k in range(n_siren):
        site(f"SIR{k:02d}", "siren", "", sx2[k], sy2[k], f"{nearest_tr(sx2[k], sy2[k])}@6h")
    # emergency services' radio relays, spread over the territory (k-means on zones)
    kx, ky = _kmeans(*scatter(RADIO_RELAYS), zx_a, zy_a)
    for k in range(RADIO_RELAYS):
        site(f"RR{k}", "radio_relay", "Relais radio des secours", kx[k], ky[k],
             f"{nearest_tr(kx[k], ky[k])}@8h")
    # citizen reserves in the most populated communes: door-to-door within 1.5 km
    for code in reserve_codes:
        site(f"RELAIS-{code}", "citizen_relay", f"Réserve communale — {_name(communes, code)}",
             *town_hall[code], "", "1500")

    # --- mitigations (absent unless a scenario brings them) ------------------------------
    mitig: list[list[Any]] = [["id", "kind", "name", "lon", "lat", "requires", "planned"]]
    for k in range(n_ant):
        mitig.append([f"GE-ANT{k:03d}", "generator", "Groupe électrogène d'antenne",
                      *_lonlat(ax[k], ay[k]), "FUEL@48h", "true"])
    mitig.append(["FUEL", "site", "Ravitaillement en carburant", *_lonlat(*metro), "", ""])
    for code, (x, y) in sorted(town_hall.items()):
        mitig.append([f"SAT-{code}", "satphone", f"Téléphone satellite — mairie {code}",
                      *_lonlat(x, y), "", "true"])
    mitig.append(["SAT-PREF", "satphone", "Téléphone satellite — préfecture", *_lonlat(*pref),
                  "", "true"])

    for name, rows in (("assets/power.csv", power), ("assets/telecom.csv", telecom),
                       ("assets/sites.csv", sites), ("assets/mitigations.csv", mitig),
                       ("links/telecom.csv", links)):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (out / name).write_text(buf.getvalue(), encoding="utf-8")
    (out / "zones" / "zones.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": zones}, ensure_ascii=False,
        separators=(",", ":")), encoding="utf-8")
    _write_yaml(out, communes, reserve_codes, hospitals)
    data = resources.files("tousrisques") / "data" / "rouen"
    for name in ("SOURCES.md", "SOURCES.fr.md"):  # the French one read by French reports
        (out / name).write_text((data / name).read_text("utf-8"), encoding="utf-8")
    for name, text in scenario_library():
        (out / "scenarios" / name).write_text(text, encoding="utf-8")


def scenario_library() -> list[tuple[str, str]]:
    """The scenario library's files (name, text). It has one copy, ``examples/rouen/scenarios``
    of a clone, where each file validates beside its territory; a built package carries it as
    ``tousrisques/data/rouen/scenarios`` (setup.py copies it there)."""
    packaged = resources.files("tousrisques") / "data" / "rouen" / "scenarios"
    library: Traversable = packaged if packaged.is_dir() else CLONE_LIBRARY
    if not library.is_dir():
        raise FileNotFoundError(f"the Rouen scenario library is missing: neither {packaged} "
                                f"(an installed package) nor {CLONE_LIBRARY} (a clone)")
    return [(item.name, item.read_text("utf-8"))
            for item in sorted(library.iterdir(), key=lambda p: p.name)
            if item.name.endswith(".yaml")]


def _name(communes: list[dict[str, Any]], code: str) -> str:
    return str(next(f["properties"]["nom"] for f in communes
                    if f["properties"]["insee"] == code))


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated lists out in full: no anchors and aliases for people to decode."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, data: Any, header: str) -> None:
    path.write_text(header + yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True,
                                       sort_keys=False, width=100), encoding="utf-8")


def _de(name: str) -> str:
    """French "de" before a commune's name: "de Rouen", "d'Oissel", "du Grand-Quevilly",
    "des Authieux-sur-le-Port-Saint-Ouen", "de La Bouille"."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return f"d'{name}" if name[:1].upper() in "AEIOUÉÈÊÎÔ" else f"de {name}"


def _write_yaml(out: Path, communes: list[dict[str, Any]], reserves: list[str],
                hospitals: list[Hospital]) -> None:
    head = "# Built by tousrisques.territory.samples.rouen — see docs/sample-territory.md\n"
    _dump(out / "territory.yaml", {
        "name": "Métropole Rouen Normandie (échantillon)",
        "description": {
            "en": "71 communes with their INSEE populations and real hospitals; synthetic "
                  "infrastructure built by documented rules.",
            "fr": "71 communes avec leurs populations légales (Insee) et leurs vrais "
                  "hôpitaux ; infrastructures synthétiques construites selon des règles "
                  "documentées."},
        "timezone": "Europe/Paris", "metric_crs": CRS,
        "assets": ["assets/power.csv", "assets/telecom.csv", "assets/sites.csv",
                   "assets/mitigations.csv"],
        "links": ["links/telecom.csv"], "zones": "zones/zones.geojson",
        "channels": "channels.yaml", "actors": "actors.yaml",
        "kinds": {"satphone": {"range_m": 100, "repair_hours": 24,
                               "label_en": "satellite phone", "label_fr": "téléphone satellite"},
                  "citizen_relay": {"range_m": 1500, "repair_hours": 0,
                                    "label_en": "citizen relay (door to door)",
                                    "label_fr": "relais citoyen (porte-à-porte)"}},
    }, head)

    _dump(out / "channels.yaml", {"channels": _channels()}, head)
    actors = _actors({f["properties"]["insee"]: _de(f["properties"]["nom"]) for f in communes},
                     {code: _name(communes, code) for code in reserves})
    _dump(out / "actors.yaml", {"actors": actors}, head)


def main() -> None:
    build(sys.argv[1] if len(sys.argv) > 1 else "examples/rouen")


if __name__ == "__main__":
    main()
