"""People without power, vulnerable people unreached, sensitive sites down, reach by the
channels that need a network, coordination links: on a small territory written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.runs import simulate
from tousrisques import ValidationError, load_territory
from tousrisques.engine import outage
from tousrisques.indicators import network_channels, without_power

H = 3600.0


def _point(ident: str, lon: float, lat: float, **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": {"id": ident, **props},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _collection(*features: dict[str, object]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


# Four transformers on one substation; an antenna near Z1–Z3; a citizen relay near Z4, 10 km
# away, beyond the antenna's 3 km
POWER = _collection(
    _point("S1", 1.0, 49.29, kind="substation", source=True),
    *(_point(f"T{i}", 1.0 + i / 1000, 49.295, kind="transformer") for i in range(1, 5)),
)
LINKS = "from,to,layer\n" + "".join(f"S1,T{i},power\n" for i in range(1, 5)) \
    + "A1,CORE,telecom\n"
OTHERS = """\
id,kind,lon,lat,requires
CORE,core,1.006,49.302,
A1,antenna,1.005,49.301,
R1,citizen_relay,1.15,49.301,
SITE,site,1.006,49.301,
HOP,hospital,1.004,49.301,T1
EHPAD1,nursing_home,1.003,49.301,T2
EHPAD2,nursing_home,1.002,49.301,T3
"""
ZONES = _collection(
    _point("Z1", 1.000, 49.300, population=1000, vulnerable=100,
           supply=["T1", "T2", "T3", "T4"]),
    _point("Z3", 1.010, 49.300, population=600, vulnerable=60, requires="T3"),
    _point("Z4", 1.150, 49.300, population=200, vulnerable=20, requires="CORE"),
)
# a JSON list in a text column, as QGIS exports a list
ZONES_CSV = 'id,lon,lat,population,vulnerable,supply\nZ2,1.005,49.300,400,40,"[""T1"", ""T2""]"\n'
CHANNELS = """\
channels:
  - {id: mobile, name: Mobile, mode: point_to_point, requires: CORE, coverage: antenna}
  - {id: radio, name: Radio, mode: point_to_point}
  - {id: fr-alert, name: FR-Alert, mode: broadcast, requires: CORE, coverage: antenna,
     needs_site: false}
  - {id: porte-a-porte, name: Porte-à-porte, mode: broadcast, coverage: citizen_relay,
     needs_site: false, triggered_by: [mayor]}
"""
ACTORS = """\
actors:
  - {id: COD, name: COD, role: prefecture, site: SITE, channels: [mobile, radio, fr-alert],
     crisis_cell: true}
  - {id: MAIRIE, name: Mairie, role: mayor, site: SITE, channels: [mobile, radio,
     porte-a-porte], reports_to: [COD]}
  - {id: METRO, name: Métropole, role: crisis_cell, site: SITE, channels: [mobile],
     coordinates_with: [MAIRIE]}
  - {id: CHU, name: CHU, role: hospital, site: HOP, channels: [radio]}
"""
TERRITORY = """\
name: People
assets: [power.geojson, others.csv]
links: [links.csv]
zones: [zones.geojson, zones.csv]
channels: channels.yaml
actors: actors.yaml
"""


def write(folder: Path, **replace: str) -> Path:
    files = {"territory.yaml": TERRITORY, "power.geojson": POWER, "others.csv": OTHERS,
             "links.csv": LINKS, "zones.geojson": ZONES, "zones.csv": ZONES_CSV,
             "channels.yaml": CHANNELS, "actors.yaml": ACTORS, **replace}
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory):
    t = load_territory(write(tmp_path_factory.mktemp("people")))
    c = t.compile()
    ids = c.asset_ids.to_pylist()
    # T1 and T2 down from 1 h to 3 h; T3 from 2 h to 3 h; the antenna from 4 h to 5 h
    events = [*outage([ids.index("T1"), ids.index("T2")], 1 * H, 2 * H, "fault"),
              *outage([ids.index("T3")], 2 * H, 1 * H, "fault"),
              *outage([ids.index("A1")], 4 * H, 1 * H, "fault")]
    run, _ = simulate(c, events, duration_s=6 * H, step_s=H)
    return t, c, run.indicators


def test_supply_is_compiled_evenly(people) -> None:
    t, c, _ = people
    assert [w for w in t.warnings if w.field == "supply"] == []
    zones = c.zone_ids.to_pylist()
    ids = c.asset_ids.to_pylist()
    supply = c.zone_supply.toarray()
    z1, z2 = zones.index("Z1"), zones.index("Z2")
    assert supply[z1, [ids.index(f"T{i}") for i in range(1, 5)]].tolist() == [0.25] * 4
    assert supply[z2, [ids.index("T1"), ids.index("T2")]].tolist() == [0.5, 0.5]
    assert supply.sum(axis=1).tolist() == [1.0, 0.0, 0.0, 1.0]  # Z1, Z3, Z4, then Z2 (CSV)


def test_two_of_four_transformers_down_leave_half_the_people_without_power(people) -> None:
    _, c, ind = people
    count = ind.count("population_without_power")
    # 1 h: Z1 loses T1 and T2 out of four (500 people), Z2 both of its two (400); Z3 hangs
    # on T3 through its requirement (all or nothing), Z4 on no power asset at all
    assert count.tolist() == [0, 900, 750 + 400 + 600, 0, 0, 0, 0]
    # 2 h: T3 down too: three quarters of Z1 (750), Z2 (400), the whole of Z3 (600); the
    # same by hand
    ups = np.ones(len(c.asset_ids), bool)
    ids = c.asset_ids.to_pylist()
    ups[[ids.index("T1"), ids.index("T2"), ids.index("T3")]] = False
    assert without_power(c, ups) @ c.population == 750 + 400 + 600
    assert ind.value("population_without_power")[1] == pytest.approx(900 / 2200)


def test_vulnerable_people_unreached(people) -> None:
    _, _, ind = people
    # FR-Alert reaches Z1–Z3 through A1 (no need of the homes' power); Z4 lies beyond
    fr = ind.count("vulnerable_unreached:fr-alert")
    assert fr.tolist() == [20, 20, 20, 20, 220, 20, 20]
    assert ind.value("vulnerable_unreached:fr-alert")[4] == pytest.approx(1.0)
    assert ind.value("vulnerable_unreached:fr-alert")[0] == pytest.approx(20 / 220)
    anyone = ind.count("vulnerable_unreached:any")
    # no channel leaves more vulnerable people out than FR-Alert alone
    assert (anyone <= fr).all()
    assert "vulnerable_unreached:porte-a-porte" in ind.names
    assert "vulnerable_unreached:mobile" not in ind.names  # not a broadcast channel


def test_sensitive_sites_down(people) -> None:
    _, _, ind = people
    assert ind.count("sites_down:hospital").tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert ind.count("sites_down:nursing_home").tolist() == [0, 1, 2, 0, 0, 0, 0]
    assert ind.value("sites_down:nursing_home")[1] == pytest.approx(0.5)
    assert "sites_down:school" not in ind.names  # sensitive, but the territory has none
    assert "sites_down:site" not in ind.names  # not sensitive


def test_a_sensitive_site_is_a_site_like_any_other(people) -> None:
    _, _, ind = people
    # the hospital's actor sits in HOP (kind hospital): the radio needs its site, down with T1
    assert np.isfinite(ind.value("actor_latency:CHU")).tolist() == [True, False, False, True,
                                                                    True, True, True]


def test_network_reach_leaves_door_to_door_out(people) -> None:
    _, c, ind = people
    assert network_channels(c).tolist() == [True, False]  # fr-alert, porte-a-porte
    network = ind.count("population_reached:network")
    # the network reaches what FR-Alert reaches; Z4's door to door does not count
    assert network.tolist() == ind.count("population_reached:fr-alert").tolist()
    assert network[0] == 2000 and network[4] == 0
    assert (ind.count("population_reached:any") >= network).all()


def test_coordination_links_broken_counted_apart(people) -> None:
    _, c, ind = people
    assert c.coordinates_with.shape == (1, 2) and len(c.reports_to) == 1
    # the antenna down: the Métropole (mobile only) is cut from the mayor, who still talks
    # to the prefecture by radio: a coordination link broken, not a command link
    assert ind.count("coordination_links_broken").tolist() == [0, 0, 0, 0, 1, 0, 0]
    assert ind.value("coordination_links_broken")[4] == 1.0
    assert ind.count("governance_links_broken").tolist() == [0] * 7


def test_compiled_round_trip(people, tmp_path: Path) -> None:
    from tousrisques import CompiledTerritory

    _, c, _ = people
    c.save(tmp_path / "c.npz")
    back = CompiledTerritory.load(tmp_path / "c.npz")
    assert (back.zone_supply != c.zone_supply).nnz == 0
    assert back.coordinates_with.tolist() == c.coordinates_with.tolist()
    assert back.kind_sensitive.tolist() == c.kind_sensitive.tolist()
    assert back.kind_carried_by_people.tolist() == c.kind_carried_by_people.tolist()


def test_a_territory_may_make_its_own_kinds_sensitive(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", **{
        "territory.yaml": TERRITORY + "kinds:\n  creche: {sensitive: true}\n"
                                      "  relais_radio: {range_m: 2000, carried_by_people: true}\n",
        "others.csv": OTHERS + "CRECHE,creche,1.001,49.301,T4\n"})
    t = load_territory(folder)
    c = t.compile()
    assert c.kind_sensitive[c.kind_names.index("creche")]
    assert c.kind_carried_by_people[c.kind_names.index("relais_radio")]
    ids = c.asset_ids.to_pylist()
    run, _ = simulate(c, outage([ids.index("T4")], H, H, "fault"), duration_s=2 * H, step_s=H)
    assert run.indicators.count("sites_down:creche").tolist() == [0, 1, 0]


def problems(folder: Path) -> list[tuple[str, str, str | None, str]]:
    with pytest.raises(ValidationError) as err:
        load_territory(folder)
    return [(p.code, p.file, p.field, p.render()) for p in err.value.problems]


def test_bad_supplies_are_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", **{
        "zones.csv": "id,lon,lat,population,supply\nZ2,1.005,49.300,400,T1|T9\n",
        "zones.geojson": _collection(
            _point("Z1", 1.0, 49.3, population=10, supply=["T1", 3]),
            _point("Z3", 1.0, 49.3, population=10, supply="TT1"))})
    got = problems(folder)
    codes = [(code, file, fld) for code, file, fld, _ in got]
    assert ("zone.supply_type", "zones.geojson", "supply") in codes
    assert ("ref.asset", "zones.geojson", "supply") in codes
    assert ("ref.asset", "zones.csv", "supply") in codes
    text = " ".join(msg for *_, msg in got)
    assert "'T9'" in text and "'TT1'" in text and "T1" in text  # did you mean T1?


def test_a_supply_that_is_not_power_is_a_warning(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", **{
        "zones.csv": "id,lon,lat,population,supply\nZ2,1.005,49.300,400,T1|SITE\n"})
    t = load_territory(folder)
    [w] = [w for w in t.warnings if w.field == "supply"]
    assert (w.code, w.file, w.field, w.ident) == ("zone.supply_layer", "zones.csv", "supply",
                                                  "Z2")


def test_coordinates_with_is_checked_like_reports_to(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", **{"actors.yaml": ACTORS.replace(
        "coordinates_with: [MAIRIE]", "coordinates_with: [MAIRE, METRO]")})
    got = problems(folder)
    codes = [(code, fld) for code, _, fld, _ in got]
    assert codes == [("ref.actor", "coordinates_with"), ("ref.self", "coordinates_with")]
    assert "MAIRIE" in got[0][3]


def test_channel_ids_of_indicator_words_are_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "t", **{"channels.yaml": CHANNELS.replace(
        "id: porte-a-porte", "id: network")})
    got = problems(folder)
    assert ("channel.reserved", "channels.yaml", "id") in [p[:3] for p in got]
