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
from tousrisques.territory.synthetic import _tree_parents

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
    zx, zy, zpop, zcommune = [], [], [], []
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
            zcommune.append(code)
            zones.append({"type": "Feature",
                          "properties": {"id": f"Z-{code}-{k:03d}", "insee": code,
                                         "population": int(n),
                                         "vulnerable": round(n * 0.1)},
                          "geometry": shapely.geometry.mapping(_wgs(cell))})
    zx_a, zy_a, pop_a = np.array(zx), np.array(zy), np.array(zpop, float)
    total = int(pop_a.sum())

    def scatter(n: int) -> tuple[np.ndarray, np.ndarray]:
        cells = rng.choice(len(zx_a), n, p=pop_a / pop_a.sum())
        return (zx_a[cells] + rng.uniform(-300, 300, n), zy_a[cells] + rng.uniform(-300, 300, n))

    # --- power: source substations, a feeder tree to MV/LV transformers ------------------
    n_tr = max(10, total // PEOPLE_PER_TRANSFORMER)
    tx, ty = scatter(n_tr)
    # source substations at population-weighted centres
    sx, sy = _kmeans(*scatter(SOURCE_SUBSTATIONS), tx, ty)
    src_of, parent = _tree_parents(tx, ty, sx, sy)
    tr_tree = cKDTree(np.c_[tx, ty])

    def nearest_tr(x: float, y: float) -> str:
        return f"T{int(tr_tree.query([x, y])[1]):04d}"

    power: list[list[Any]] = [["id", "kind", "name", "lon", "lat", "source", "requires",
                               "connects"]]
    for s in range(SOURCE_SUBSTATIONS):
        power.append([f"PS{s}", "substation", f"Poste source {s}", *_lonlat(sx[s], sy[s]),
                      "true", "", ""])
    for i in range(n_tr):
        power.append([f"T{i:04d}", "transformer", "", *_lonlat(tx[i], ty[i]), "", "", ""])
    for i in range(n_tr):
        up = f"T{parent[i]:04d}" if parent[i] >= 0 else f"PS{src_of[i]}"
        power.append([f"L{i:04d}", "line", "", "", "", "", "", f"{up};T{i:04d}"])

    # --- telecom: cores, fibre nodes, antennas with batteries, backhaul -----------------
    rx, ry = town_hall[ROUEN]
    cores = [(rx + 800, ry - 600), (rx - 2500, ry - 4000)]
    n_fn = max(2, total // PEOPLE_PER_FIBRE_NODE)
    fx, fy = scatter(n_fn)
    n_ant = max(4, total // PEOPLE_PER_ANTENNA)
    ax, ay = scatter(n_ant)
    battery = rng.integers(1, 5, n_ant)  # 1 to 4 hours
    fn_of = cKDTree(np.c_[fx, fy]).query(np.c_[ax, ay])[1]
    core_of = cKDTree(np.array(cores)).query(np.c_[fx, fy])[1]
    telecom: list[list[Any]] = [["id", "kind", "name", "lon", "lat", "requires", "connects",
                                 "operator"]]
    for k, (x, y) in enumerate(cores):
        telecom.append([f"CORE{k}", "core", f"Cœur de réseau {k}", *_lonlat(x, y),
                        nearest_tr(x, y), "", "opérateur"])
    for k in range(n_fn):
        telecom.append([f"NRO{k:02d}", "fibre_node", "", *_lonlat(fx[k], fy[k]),
                        f"{nearest_tr(fx[k], fy[k])}@4h", "", "opérateur"])
    for k in range(n_ant):
        telecom.append([f"ANT{k:03d}", "antenna", "", *_lonlat(ax[k], ay[k]),
                        f"{nearest_tr(ax[k], ay[k])}|GE-ANT{k:03d}@{battery[k]}h", "",
                        "opérateur"])
    for k in range(n_ant):
        telecom.append([f"BH{k:03d}", "backhaul", "", "", "", "", f"ANT{k:03d};NRO{fn_of[k]:02d}",
                        "opérateur"])
    links: list[list[Any]] = [["from", "to", "layer"]]
    links += [[f"NRO{k:02d}", f"CORE{core_of[k]}", "telecom"] for k in range(n_fn)]
    links.append(["CORE0", "CORE1", "telecom"])

    # --- sites, services, sirens, radio ---------------------------------------------------
    hospitals = list(csv.DictReader(io.StringIO(_data("hospitals.csv"))))
    hospitals = [h for h in hospitals if "Maladies Mentales" not in h["facility_type"]]
    sites: list[list[Any]] = [["id", "kind", "name", "lon", "lat", "requires", "range_m"]]

    def site(ident: str, kind: str, name: str, x: float, y: float, req: str,
             rng_m: str = "") -> None:
        sites.append([ident, kind, name, *_lonlat(x, y), req, rng_m])

    pref = (rx + 300, ry + 200)
    site("PREFECTURE", "site", "Préfecture de la Seine-Maritime (COD)", *pref,
         f"{nearest_tr(*pref)}|GE-PREF")
    site("GE-PREF", "generator", "Groupe électrogène de la préfecture", *pref, "")
    metro = (rx - 600, ry - 300)
    site("METROPOLE", "site", "Siège de la Métropole (cellule de crise)", *metro,
         f"{nearest_tr(*metro)}")
    site("DC-METRO", "datacenter", "Salle informatique de la Métropole", *metro,
         f"{nearest_tr(*metro)}|GE-DC")
    site("GE-DC", "generator", "Groupe électrogène du centre de données", *metro, "")
    site("MAIL-METRO", "service", "Messagerie de la Métropole", *metro, "DC-METRO; CORE0|CORE1")
    site("WEB-METRO", "service", "Site web de la Métropole", *metro, "DC-METRO; CORE0|CORE1")
    site("FR-ALERT", "service", "Plateforme nationale FR-Alert", *pref, "")
    cta = (rx + 2500, ry + 1500)
    site("SDIS-CTA", "site", "SDIS 76 — CTA-CODIS", *cta, f"{nearest_tr(*cta)}|GE-SDIS")
    site("GE-SDIS", "generator", "Groupe électrogène du CTA", *cta, "")
    ars = (rx + 100, ry - 200)
    site("ARS", "site", "ARS Normandie (délégation)", *ars, nearest_tr(*ars))
    enedis = (rx + 3000, ry - 2500)
    site("ENEDIS", "site", "Agence de conduite Enedis", *enedis,
         f"{nearest_tr(*enedis)}|GE-ENEDIS")
    site("GE-ENEDIS", "generator", "Groupe électrogène de l'agence de conduite", *enedis, "")
    noc = cores[0]
    site("NOC", "site", "Centre d'exploitation de l'opérateur", *noc, f"{nearest_tr(*noc)}@72h")
    radio = (rx - 200, ry + 900)
    site("RADIO", "site", "Radio locale (studio)", *radio, f"{nearest_tr(*radio)}@24h")
    fm = (rx + 1500, ry + 5000)
    site("FM", "fm_transmitter", "Émetteur FM", *fm, f"{nearest_tr(*fm)}@24h")
    port = TO_M.transform(1.060, 49.443)  # the port of Rouen, where the plume starts
    site("SEVESO", "site", "Site industriel Seveso (port de Rouen)", *port, nearest_tr(*port))
    assoc = (rx + 1200, ry - 900)
    site("ASSOC", "site", "Protection civile et Croix-Rouge (locaux)", *assoc, nearest_tr(*assoc))
    for k, h in enumerate(hospitals):
        x, y = TO_M.transform(float(h["lon"]), float(h["lat"]))
        ident = "CHU" if h["finess"] == "760000158" else f"HOSP{k:02d}"
        gen = f"GE-{ident}"
        site(ident, "site", h["name"].title(), x, y, f"{nearest_tr(x, y)}|{gen}")
        site(gen, "generator", f"Groupe électrogène — {h['name'].title()}", x, y, "")
    for code, (x, y) in sorted(town_hall.items()):
        site(f"MAIRIE-{code}", "site", f"Mairie {_de(_name(communes, code))}", x, y,
             nearest_tr(x, y))
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
    big = sorted(communes, key=lambda f: -f["properties"]["population"])[:RESERVE_COMMUNES]
    reserve_codes = sorted(f["properties"]["insee"] for f in big)
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
    (out / "SOURCES.md").write_text((data / "SOURCES.md").read_text("utf-8"), encoding="utf-8")
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
                hospitals: list[dict[str, str]]) -> None:
    head = "# Built by tousrisques.territory.samples.rouen — see docs/sample-territory.md\n"
    _dump(out / "territory.yaml", {
        "name": "Métropole Rouen Normandie (échantillon)",
        "description": "71 communes with their INSEE populations and real hospitals; "
                       "synthetic infrastructure built by documented rules.",
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

    def ch(ident: str, fr: str, en: str, mode: str, latency: str, **kw: Any) -> dict[str, Any]:
        return {"id": ident, "name": {"fr": fr, "en": en}, "mode": mode, "latency": latency,
                **kw}

    core = "CORE0|CORE1"
    channels = [
        ch("fixe", "Téléphonie fixe (box VoIP)", "Fixed line (VoIP box)", "point_to_point",
           "1m", requires=core, coverage=None),
        ch("mobile", "Téléphonie mobile (voix et SMS)", "Mobile voice and SMS",
           "point_to_point", "1m", requires=core, coverage="antenna"),
        ch("fr-alert", "Diffusion cellulaire FR-Alert", "Cell broadcast (FR-Alert)",
           "broadcast", "10m", requires=f"FR-ALERT; {core}", coverage="antenna",
           needs_site=False, triggered_by=["prefecture"]),
        ch("sirenes", "Sirènes (SAIP)", "Sirens", "broadcast", "5m", coverage="siren",
           needs_site=False, triggered_by=["prefecture", "mayor"]),
        ch("radio-fm", "Radio FM", "FM radio", "broadcast", "15m", coverage="fm_transmitter",
           needs_site=False, triggered_by=["media"]),
        ch("radio-secours", "Réseau radio des secours", "Emergency services radio",
           "point_to_point", "30s", coverage="radio_relay"),
        ch("courriel", "Courriel", "E-mail", "point_to_point", "15m",
           requires=f"MAIL-METRO; {core}"),
        ch("reseaux-sociaux", "Réseaux sociaux", "Social networks", "broadcast", "20m",
           requires=core, coverage="antenna", needs_site=False,
           triggered_by=["prefecture", "crisis_cell", "mayor"]),
        ch("site-web", "Site web de la Métropole", "Métropole website", "broadcast", "30m",
           requires=f"WEB-METRO; {core}", coverage="antenna", needs_site=False,
           triggered_by=["crisis_cell"]),
        ch("satellite", "Téléphone satellite", "Satellite phone", "point_to_point", "2m",
           coverage="satphone", needs_site=False),
        ch("officier-liaison", "Officier de liaison", "Liaison officer", "point_to_point",
           "1h", needs_site=False),
        ch("porte-a-porte", "Porte-à-porte des bénévoles", "Door to door by volunteers",
           "broadcast", "2h", coverage="citizen_relay", needs_site=False,
           triggered_by=["mayor", "citizen_relay"]),
    ]
    for c in channels:
        if c.get("coverage") is None:
            c.pop("coverage", None)
    _dump(out / "channels.yaml", {"channels": channels}, head)

    def actor(ident: str, name: str, role: str, site: str, chans: list[str],
              **kw: Any) -> dict[str, Any]:
        return {"id": ident, "name": name, "role": role, "site": site, "channels": chans, **kw}

    everyday = ["fixe", "mobile", "courriel"]
    actors = [
        actor("COD", "Préfecture — centre opérationnel départemental", "prefecture",
              "PREFECTURE", [*everyday, "radio-secours", "satellite", "officier-liaison",
                             "fr-alert", "sirenes", "reseaux-sociaux"], crisis_cell=True),
        actor("CIC-METRO", "Métropole — cellule de crise", "crisis_cell", "METROPOLE",
              [*everyday, "site-web", "reseaux-sociaux", "officier-liaison"],
              crisis_cell=True, reports_to=["COD"]),
        actor("SDIS", "SDIS 76 — CTA-CODIS", "fire_service", "SDIS-CTA",
              [*everyday, "radio-secours"], reports_to=["COD"]),
        actor("CHU", "CHU de Rouen (Charles-Nicolle)", "hospital", "CHU",
              [*everyday, "radio-secours"], reports_to=["ARS", "COD"]),
        actor("ARS", "Agence régionale de santé", "health_agency", "ARS", everyday,
              reports_to=["COD"]),
        actor("ENEDIS", "Enedis — agence de conduite", "operator", "ENEDIS",
              [*everyday, "officier-liaison"], reports_to=["COD"]),
        actor("OPERATEUR", "Opérateur télécom — centre d'exploitation", "operator", "NOC",
              [*everyday, "officier-liaison"], reports_to=["COD"]),
        actor("RADIO", "Radio locale", "media", "RADIO", [*everyday, "radio-fm"]),
        actor("PROTECTION-CIVILE", "Protection civile et Croix-Rouge", "association", "ASSOC",
              ["mobile", "radio-secours"], reports_to=["CIC-METRO"]),
        actor("INDUSTRIEL", "Exploitant du site Seveso", "industrial", "SEVESO", everyday,
              reports_to=["COD"]),
    ]
    for f in sorted(communes, key=lambda f: f["properties"]["insee"]):
        code = f["properties"]["insee"]
        actors.append(actor(f"MAIRE-{code}", f"Mairie {_de(f['properties']['nom'])} (PCS)",
                            "mayor", f"MAIRIE-{code}",
                            [*everyday, "sirenes", "satellite", "reseaux-sociaux",
                             "porte-a-porte"], reports_to=["COD", "CIC-METRO"]))
    for code in reserves:
        actors.append(actor(f"RESERVE-{code}", f"Réserve communale — {_name(communes, code)}",
                            "citizen_relay", f"MAIRIE-{code}", ["mobile", "porte-a-porte"],
                            reports_to=[f"MAIRE-{code}"]))
    del hospitals
    _dump(out / "actors.yaml", {"actors": actors}, head)


def main() -> None:
    build(sys.argv[1] if len(sys.argv) > 1 else "examples/rouen")


if __name__ == "__main__":
    main()
