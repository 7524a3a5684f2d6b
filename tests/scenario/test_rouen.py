"""The Rouen sample territory and its scenario library."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, SHARED
from tests.runs import run_scenario
from tousrisques import load_territory
from tousrisques.scenario import load_scenario
from tousrisques.territory.samples.rouen import build

ROUEN = ROOT / "examples" / "rouen"
LIBRARY = sorted((ROUEN / "scenarios").glob("*.yaml"))


def test_the_committed_sample_is_the_builders_output(tmp_path: Path) -> None:
    build(tmp_path / "rouen")
    ours = sorted(p.relative_to(tmp_path / "rouen") for p in (tmp_path / "rouen").rglob("*")
                  if p.is_file())
    committed = sorted(p.relative_to(ROUEN) for p in ROUEN.rglob("*")
                       if p.is_file() and ".tousrisques" not in p.parts)
    assert ours == committed
    for rel in ours:
        assert (tmp_path / "rouen" / rel).read_bytes() == (ROUEN / rel).read_bytes(), rel


def test_summary_and_insee_population() -> None:
    s = load_territory(ROUEN).summary()
    assert s.by_kind["site"] >= 71 + 10  # the 71 town halls, the préfecture, hospitals...
    assert s.actors == 20 + 71 + 12  # the COD and its cells, services, operators, associations
    assert s.crisis_cells == 2
    assert s.channels == 12
    # about one antenna per 1,000 inhabitants, one transformer per 400
    assert s.by_kind["antenna"] == 503_000 // 1000
    assert s.by_kind["transformer"] == 503_000 // 400
    assert s.coverage["antenna"]["population_share"] > 0.95


@pytest.mark.skipif(not (SHARED / "france_geo").exists(), reason="shared data not present")
def test_population_is_the_insee_one() -> None:
    geo = SHARED / "france_geo"
    epci = json.loads((geo / "decoupage-administratif-6.0.0_epci-76.json").read_text("utf-8"))
    metro = next(e for e in epci if e["code"] == "200023414")
    communes = json.loads((geo / "decoupage-administratif-6.0.0_communes-76.json")
                          .read_text("utf-8"))
    pops = {c["code"]: c.get("population", 0) for c in communes
            if c["type"] == "commune-actuelle"}
    expected = sum(pops[m["code"]] for m in metro["membres"])
    t = load_territory(ROUEN)
    assert t.zones.population.sum() == expected
    assert abs(expected - metro["populationMunicipale"]) / metro["populationMunicipale"] < 0.01
    # and commune by commune
    insee = np.array(t.zones.attrs["insee"].tolist())
    for code in ("76540", "76681", "76498"):
        assert t.zones.population[insee == code].sum() == pops[code]


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_every_library_scenario_validates_and_runs(path: Path) -> None:
    s = load_scenario(path)
    e = run_scenario(s, runs=4)
    assert e.values.shape[0] == 4
    assert np.isfinite(e.stat("population_reached:any", "mean")).all()


@pytest.fixture(scope="module")
def storms():
    base = run_scenario(ROUEN / "scenarios" / "tempete.yaml", runs=12, workers=2)
    mitigated = run_scenario(ROUEN / "scenarios" / "tempete-attenuee.yaml", runs=12,
                             workers=2)
    return base, mitigated


@pytest.mark.slow
def test_storm_mobile_reach_falls_with_the_batteries_and_recovers(storms) -> None:
    base, _ = storms
    reach = base.stat("population_reached:fr-alert", "mean")
    antennas = base.stat("assets_working:antenna", "mean")
    low = int(np.argmin(reach))
    assert 2 < low < 40  # during or after the storm (2 h to 8 h), as batteries run out
    # a storm of Ciarán's strength (docs/calibration.md) dents mobile reach, it does not
    # empty it: the core's antennas are on underground feeders
    assert reach[low] < reach[0]
    assert reach[-1] > reach[low]  # repairs bring it back
    assert antennas[low] < antennas[0] and antennas[-1] > antennas[low]
    # batteries: antennas that lost their power stop after 1 to 4 hours, not at once
    assert antennas[3] > antennas[8]


@pytest.mark.slow
def test_mitigated_storm_keeps_more_people_reachable_and_town_halls_connected(storms
                                                                             ) -> None:
    base, mitigated = storms
    for name in ("population_reached:any", "population_reached:fr-alert",
                 "actors_connected"):
        b, m = base.stat(name, "mean"), mitigated.stat(name, "mean")
        assert (m >= b - 1e-12).all(), name
        assert m.sum() >= b.sum(), name
    mayors = [n for n in base.names if n.startswith("actor_latency:CCC-")]
    assert len(mayors) == 71

    def connected_mayors(e):
        rows = [e.names.index(n) for n in mayors]
        return np.isfinite(e.values[:, rows, :]).sum(axis=1).mean(axis=0)

    b, m = connected_mayors(base), connected_mayors(mitigated)
    assert (m >= b).all() and m[6] > b[6]


def test_plume_reaches_downwind_communes_not_upwind() -> None:
    s = load_scenario(ROUEN / "scenarios" / "incendie-industriel.yaml")
    insee = np.array(s.territory.zones.attrs["insee"].tolist())
    ex = s.zone_exposure["panache"]

    def reached(code: str) -> bool:
        return bool(ex[insee == code].max() > 0)

    # wind from the south-west: the smoke goes north-east over Rouen
    for code in ("76540", "76451", "76108", "76377"):  # Rouen, Mont-Saint-Aignan,
        assert reached(code), code                     # Bois-Guillaume, Isneauville
    for code in ("76319", "76497", "76457", "76131"):  # Grand-Couronne, Petit-Couronne,
        assert not reached(code), code                 # Moulineaux, La Bouille


def test_flood_spares_what_lies_far_from_the_seine() -> None:
    s = load_scenario(ROUEN / "scenarios" / "crue-seine.yaml")
    exposure = s.exposure["crue"]
    prob = s.hazards[0].probability
    assert (prob[exposure == 0] == 0).all()  # outside the footprint: never damaged
    assert (exposure > 0).sum() > 10 and (exposure == 0).sum() > len(exposure) // 2


def test_load_shedding_rotates_and_ransomware_silences_the_services() -> None:
    winter = run_scenario(ROUEN / "scenarios" / "delestage-hivernal.yaml")
    transformers = winter.stat("assets_working:transformer", "mean")
    # from 8:00 (2 h after the start), one tranche of MV feeders after another for 2 h, until
    # 18:00: never all at once, and back to full in the evening
    assert transformers[1] == 1.0 and transformers[2] < 1.0
    assert (transformers[2:12] > 0.5).all() and transformers[13] == 1.0
    assert transformers[26] < 1.0  # the next day again
    # priority customers are spared: even the day hospitals, which have no generator
    assert (winter.stat("assets_working:hospital", "mean") == 1.0).all()
    ransom = run_scenario(ROUEN / "scenarios" / "rancongiciel.yaml")
    services = ransom.stat("services_up", "mean", counts=True)
    # mail and website (and their server room) down from 8 h for 72 h; FR-Alert stays
    assert services[7] == 3 and services[8] == 1 and services[79] == 1 and services[80] == 3
