"""The 71 communes of Métropole Rouen Normandie as zones, with their INSEE populations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from tests.conftest import SHARED
from tousrisques import InputError, load_territory
from tousrisques.territory.communes import zones_from_boundaries

GEO = SHARED / "france_geo"
METROPOLE = "200023414"

pytestmark = pytest.mark.skipif(not GEO.exists(), reason="shared test data not present")


def _inputs() -> tuple[dict, dict[str, int], list[str], int]:
    boundaries = json.loads((GEO / "communes-76-seine-maritime.geojson").read_text("utf-8"))
    communes = json.loads((GEO / "decoupage-administratif-6.0.0_communes-76.json")
                          .read_text("utf-8"))
    populations = {c["code"]: c["population"] for c in communes
                   if c["type"] == "commune-actuelle" and "population" in c}
    epci = json.loads((GEO / "decoupage-administratif-6.0.0_epci-76.json").read_text("utf-8"))
    metro = next(e for e in epci if e["code"] == METROPOLE)
    codes = [m["code"] for m in metro["membres"]]
    return boundaries, populations, codes, metro["populationMunicipale"]


def _write(folder: Path, zones: dict) -> Path:
    folder.mkdir()
    (folder / "zones.geojson").write_text(json.dumps(zones), encoding="utf-8")
    # the CHU Charles-Nicolle, Rouen (FINESS coordinates), as the only asset
    (folder / "sites.csv").write_text("id,kind,name,lon,lat\nCHU,site,CHU Charles-Nicolle,"
                                      "1.10716,49.44095\n", encoding="utf-8")
    (folder / "territory.yaml").write_text(
        "name: Métropole Rouen Normandie\nassets: [sites.csv]\nzones: zones.geojson\n",
        encoding="utf-8")
    return folder


def test_71_communes_load_as_zones_with_insee_populations(tmp_path: Path) -> None:
    boundaries, populations, codes, epci_total = _inputs()
    assert len(codes) == 71
    zones = zones_from_boundaries(boundaries, populations, codes=codes)
    t = load_territory(_write(tmp_path / "rouen", zones))
    assert len(t.zones) == 71
    expected = sum(populations[c] for c in codes)
    assert t.zones.population.sum() == expected
    # the commune populations and the EPCI's total are of different vintages: within 1 %
    assert abs(expected - epci_total) / epci_total < 0.01
    rouen = t.zones.ids.to_pylist().index("76540")
    assert t.zones.population[rouen] == populations["76540"]
    # every zone's representative point lies inside its commune
    inside = shapely.contains_xy(t.zones.geometry, t.zones.lon, t.zones.lat)
    assert inside.all()
    # the CHU falls in Rouen, and in no other commune
    chu = shapely.points(1.10716, 49.44095)
    holders = np.nonzero(shapely.contains(t.zones.geometry, chu))[0]
    assert [t.zones.ids[int(i)].as_py() for i in holders] == ["76540"]


def test_join_is_on_code_and_names_every_missing_code() -> None:
    boundaries, populations, _codes, _ = _inputs()
    with pytest.raises(InputError) as exc:
        zones_from_boundaries(boundaries, populations, codes=["76540", "99999", "76191"])
    # 99999 exists nowhere; 76191 has a 2018 boundary but merged since, so no population
    assert "no boundary for code(s) 99999" in str(exc.value)
    assert "no population for code(s) 99999, 76191" in str(exc.value)
