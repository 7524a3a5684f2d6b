"""The logistics of a scenario (scenario/_logistics.py): repair crews and priorities, a storm
that spares underground cables, normally-open switches, refuelling rounds and mobile
generators — on small territories written in tmp_path, run whole with ``replay``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT, MakeTerritory, copy_example, write_scenario
from tests.runs import replay_run
from tousrisques import ValidationError, load_territory
from tousrisques.engine import Timeline, plan_events, replay
from tousrisques.scenario import Scenario, load_scenario, scenario_plan

H = 3600.0

TELECOM = """\
id,kind,lon,lat,requires,connects
CORE,core,1.02,49.32,,
A1,antenna,1.011,49.311,,
SITE,site,1.012,49.312,,
"""


def feature(ident: str, kind: str, lon: float, lat: float, **props: Any) -> dict[str, Any]:
    """A GeoJSON feature: a line from its point when it ``connects``, else a point."""
    geometry: dict[str, Any] = {"type": "Point", "coordinates": [lon, lat]}
    if "connects" in props:
        geometry = {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.002, lat]]}
    return {"type": "Feature", "properties": {"id": ident, "kind": kind, **props},
            "geometry": geometry}


def collection(features: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=0)


def zones(*rows: tuple[str, int, str]) -> str:
    """Zones as points: ``(id, population, requires)``."""
    return collection([
        {"type": "Feature", "properties": {"id": z, "population": pop, "vulnerable": pop // 10,
                                           "requires": req},
         "geometry": {"type": "Point", "coordinates": [1.0 + 0.001 * k, 49.302]}}
        for k, (z, pop, req) in enumerate(rows)])


def scenario(folder: Path, name: str, text: str) -> Scenario:
    path = folder / name
    path.write_text(f"name: {name}\nterritory: .\nduration: 48h\nstep: 1h\n" + text,
                    encoding="utf-8")
    return load_scenario(path)


def run(s: Scenario, i: int = 0) -> Timeline:
    return replay(scenario_plan(s), i)


def rows(s: Scenario, *ids: str) -> list[int]:
    names = s.compiled.asset_ids.to_pylist()
    return [names.index(i) for i in ids]


def hours_working(s: Scenario, tl: Timeline, ident: str) -> list[int]:
    (r,) = rows(s, ident)
    return [k for k in range(len(tl.times_s)) if tl.working_at(k)[r]]


STORM = """\
hazards:
  - id: storm
    storm: {start_point: [1.0, 49.3], end_point: [1.0, 49.3], start: 1h, end: 1h,
            peak_kmh: 150, radius_m: 50000}
"""


# --- 1. crews: one at a time, in priority order ------------------------------------------

PEOPLE = {"L0": 100, "L1": 4000, "L2": 50, "L3": 900}


def radial(make_territory: MakeTerritory, *, hospital_on: str | None = None) -> Path:
    """A source and four radial lines, each to a transformer that feeds a zone of
    ``PEOPLE``; a hospital's site on one of the transformers if asked."""
    power = [feature("S1", "substation", 1.0, 49.3, source=True)]
    for k in range(4):
        power.append(feature(f"L{k}", "line", 1.0, 49.3, connects=["S1", f"T{k}"]))
        power.append(feature(f"T{k}", "transformer", 1.0 + 0.002 * k, 49.301))
    telecom = TELECOM
    actors = """\
actors:
  - {id: COD, name: Préfecture, role: prefecture, site: SITE, channels: [mobile],
     crisis_cell: true}
"""
    if hospital_on:
        telecom += f"HSITE,site,1.013,49.313,{hospital_on},\n"
        actors += ("  - {id: CHU, name: Hôpital, role: hospital, site: HSITE, "
                   "channels: [mobile], reports_to: [COD]}\n")
    return make_territory({
        "assets/power.geojson": collection(power), "assets/telecom.csv": telecom,
        "zones.geojson": zones(*((f"Z{k}", PEOPLE[f"L{k}"], f"T{k}") for k in range(4))),
        "actors.yaml": actors})


CREWS = STORM + """\
    fragility: {line: {step: {threshold: 0}}}
repairs:
  line: {median: 3h, beta: 0}
monte_carlo: {runs: 4, seed: 1}
"""


def repairs(s: Scenario, tl: Timeline) -> list[tuple[float, str]]:
    names = s.compiled.asset_ids.to_pylist()
    return [(e.time_s / H, names[a]) for e in tl.events if e.cause.startswith("repair")
            for a in e.assets]


def test_one_crew_repairs_the_lines_one_after_another_in_priority_order(
        make_territory: MakeTerritory) -> None:
    folder = radial(make_territory)
    s = scenario(folder, "crews.yaml", CREWS + "crews: [{name: x, kinds: [line], count: 1}]\n")
    lines = rows(s, "L0", "L1", "L2", "L3")
    assert s.rank is not None and s.crews is not None
    by_rank = [f"L{k}" for k in np.argsort(s.rank[lines])]
    assert by_rank == ["L1", "L3", "L0", "L2"]  # the most people first
    for i in range(3):  # every run the same: the damage is certain, repairs fixed
        done = repairs(s, run(s, i))
        assert [a for _, a in done] == by_rank
        times = [t for t, _ in done]
        assert times == [4.0, 7.0, 10.0, 13.0]  # damaged at 1 h, 3 h each, one at a time
    # the people follow: the 4000 of Z1 have power back at 4 h, the 50 of Z2 at 13 h
    r, _ = replay_run(s, 0)
    lost = r.indicators.value("population_without_power")
    assert lost[3] == pytest.approx(1.0) and lost[4] == pytest.approx(1050 / 5050)
    assert lost[12] == pytest.approx(50 / 5050) and lost[13] == 0
    # without crews every line is back at once; with two, two at a time
    s = scenario(folder, "free.yaml", CREWS)
    assert sorted(repairs(s, run(s))) == [(4.0, a) for a in ("L0", "L1", "L2", "L3")]
    s = scenario(folder, "two.yaml", CREWS + "crews: [{name: x, kinds: [line], count: 2}]\n")
    assert sorted(repairs(s, run(s))) == [(4.0, "L1"), (4.0, "L3"), (7.0, "L0"),
                                          (7.0, "L2")]


def test_crews_go_out_from_their_start_and_priorities_put_hospitals_first(
        make_territory: MakeTerritory) -> None:
    folder = radial(make_territory, hospital_on="T2")
    crews = "crews: [{name: Enedis, kinds: [line], count: 1, from: 6h}]\n"
    s = scenario(folder, "h.yaml", CREWS + crews)
    # the hospital's transformer's line first, then by people; from 6 h on
    assert repairs(s, run(s)) == [(9.0, "L2"), (12.0, "L1"), (15.0, "L3"), (18.0, "L0")]
    s = scenario(folder, "c.yaml", CREWS + crews + "priorities: [customers]\n")
    assert [a for _, a in repairs(s, run(s))] == ["L1", "L3", "L0", "L2"]


def test_a_crew_pool_of_named_assets(make_territory: MakeTerritory) -> None:
    folder = radial(make_territory)
    s = scenario(folder, "named.yaml", CREWS +
                 "crews: [{name: a, assets: [L0, L2], count: 1}]\n")
    # L1 and L3 in no pool: back at once; L0 and L2 wait for the one crew
    assert sorted(repairs(s, run(s))) == [(4.0, "L0"), (4.0, "L1"), (4.0, "L3"),
                                          (7.0, "L2")]


# --- 2. underground cables and the wind ----------------------------------------------------

def mixed(make_territory: MakeTerritory) -> Path:
    """Four lines: two underground (in English and in French), two overhead."""
    built = {"L0": "underground", "L1": "souterrain", "L2": "overhead", "L3": "aérien"}
    power = [feature("S1", "substation", 1.0, 49.3, source=True)]
    for k in range(4):
        power.append(feature(f"L{k}", "line", 1.0, 49.3, connects=["S1", f"T{k}"],
                             construction=built[f"L{k}"]))
        power.append(feature(f"T{k}", "transformer", 1.0 + 0.002 * k, 49.301))
    footprint = collection([{"type": "Feature", "properties": {"intensity": 1.0},
                             "geometry": {"type": "Polygon", "coordinates": [[
                                 [0.9, 49.2], [1.1, 49.2], [1.1, 49.4], [0.9, 49.4],
                                 [0.9, 49.2]]]}}])
    return make_territory({
        "assets/power.geojson": collection(power), "assets/telecom.csv": TELECOM,
        "zones.geojson": zones(*((f"Z{k}", 100, f"T{k}") for k in range(4))),
        "flood.geojson": footprint})


def damaged_lines(s: Scenario, runs: int) -> np.ndarray:
    """How many runs damaged each of L0..L3."""
    plan = scenario_plan(s)
    lines = np.array(rows(s, "L0", "L1", "L2", "L3"))
    count = np.zeros(4, int)
    for i in range(runs):
        events, _ = plan_events(plan, i)
        hit = {a for e in events if e.action == "fail" for a in e.assets}
        count += np.isin(lines, list(hit))
    return count


WIND = STORM + "    fragility: {line: {lognormal: {median: 150, beta: 0.3}}}\n"


def test_wind_never_damages_underground_cables(make_territory: MakeTerritory) -> None:
    folder = mixed(make_territory)
    s = scenario(folder, "wind.yaml", WIND)
    under = rows(s, "L0", "L1")
    assert (s.hazards[0].probability[under] == 0).all()
    count = damaged_lines(s, 200)
    assert count[:2].tolist() == [0, 0]  # never, in 200 runs
    assert (count[2:] > 60).all() and (count[2:] < 140).all()  # about half the runs
    # unless the scenario says the hazard reaches them
    s = scenario(folder, "under.yaml", WIND + "    underground: true\n")
    count = damaged_lines(s, 200)
    assert (count > 60).all() and (count < 140).all()


def test_a_flood_reaches_underground_cables_unless_told_otherwise(
        make_territory: MakeTerritory) -> None:
    folder = mixed(make_territory)
    flood = """\
hazards:
  - id: flood
    footprint: flood.geojson
    fragility: {line: {step: {threshold: 0.5}}}
"""
    s = scenario(folder, "flood.yaml", flood)
    assert damaged_lines(s, 3).tolist() == [3, 3, 3, 3]
    s = scenario(folder, "flood-over.yaml", flood + "    underground: false\n")
    assert damaged_lines(s, 3).tolist() == [0, 0, 3, 3]


# --- 3. a normally-open switch re-supplies a feeder ----------------------------------------

def two_feeders(make_territory: MakeTerritory) -> Path:
    """Feeder A: SA -HA- TA1 -LA- TA2; feeder B: SB -HB- TB1 -LB- TB2; SW, open, joins TA2
    and TB2. Zone ZA hangs on TA2, ZB on TB2."""
    power = [feature("SA", "substation", 1.0, 49.3, source=True),
             feature("SB", "substation", 1.02, 49.3, source=True),
             feature("SW", "switch", 1.01, 49.3, connects=["TA2", "TB2"], normally_open=True,
                     construction="underground")]
    for f in "AB":
        lon = 1.0 if f == "A" else 1.02
        power += [feature(f"H{f}", "line", lon, 49.3, connects=[f"S{f}", f"T{f}1"]),
                  feature(f"T{f}1", "transformer", lon, 49.301),
                  feature(f"L{f}", "line", lon, 49.301, connects=[f"T{f}1", f"T{f}2"]),
                  feature(f"T{f}2", "transformer", lon, 49.302)]
    return make_territory({
        "assets/power.geojson": collection(power), "assets/telecom.csv": TELECOM,
        "zones.geojson": zones(("ZA", 1000, "TA2"), ("ZB", 500, "TB2"))})


HEAD_A = "events:\n  - {at: 1h, assets: [HA], duration: 20h, cause: storm}\n"


def test_closing_the_switch_resupplies_the_feeder(make_territory: MakeTerritory) -> None:
    folder = two_feeders(make_territory)
    s = scenario(folder, "switching.yaml", HEAD_A + "switching: 1h\n")
    (sw,) = rows(s, "SW")
    assert sw in s.absent and s.supply is not None
    assert s.supply.switches.tolist() == [sw]
    r, tl = replay_run(s, 0)
    assert not tl.working_at(0)[sw]
    assert hours_working(s, tl, "TA2") == [0, *range(2, 49)]  # an hour after the cut
    assert hours_working(s, tl, "SW") == list(range(2, 49))  # and it stays closed
    assert hours_working(s, tl, "HA") == [0, *range(21, 49)]
    lost = r.indicators.value("population_without_power")
    assert lost[1] == pytest.approx(1000 / 1500) and lost[2] == 0


def test_without_switching_the_feeder_waits_for_its_repair(
        make_territory: MakeTerritory) -> None:
    folder = two_feeders(make_territory)
    s = scenario(folder, "no-switching.yaml", HEAD_A)
    (sw,) = rows(s, "SW")
    assert sw in s.absent  # normally open: not there at the start, switching or not
    tl = run(s)
    assert hours_working(s, tl, "TA2") == [0, *range(21, 49)]
    assert hours_working(s, tl, "SW") == []


def test_a_restore_of_the_switch_closes_it(make_territory: MakeTerritory) -> None:
    folder = two_feeders(make_territory)
    s = scenario(folder, "by-hand.yaml", HEAD_A +
                 "mitigations:\n  - {name: bouclage manuel, at: 5h, assets: [SW]}\n")
    tl = run(s)
    assert hours_working(s, tl, "TA2") == [0, *range(5, 49)]
    assert hours_working(s, tl, "SW") == list(range(5, 49))


# --- 4. fuel: a backup generator's tank and its refuelling rounds ------------------------

def backed_site(make_territory: MakeTerritory) -> Path:
    """``SITE2`` needs ``T1`` with a 6 h backup (``T1@6h``); ``DEPOT``, the fuel depot."""
    power = [feature("S1", "substation", 1.0, 49.3, source=True),
             feature("L1", "line", 1.0, 49.3, connects=["S1", "T1"]),
             feature("T1", "transformer", 1.001, 49.301)]
    telecom = TELECOM + "SITE2,site,1.013,49.313,T1@6h,\nDEPOT,site,1.014,49.314,,\n"
    return make_territory({
        "assets/power.geojson": collection(power), "assets/telecom.csv": telecom,
        "zones.geojson": zones(("Z1", 100, "T1"))})


MAINS = "events:\n  - {at: 1h, assets: [L1], duration: 40h, cause: storm}\n"
DEPOT = "  - {at: 0h, assets: [DEPOT], duration: 48h, cause: flood}\n"


def test_a_generator_without_refuelling_stops_at_its_autonomy(
        make_territory: MakeTerritory) -> None:
    folder = backed_site(make_territory)
    s = scenario(folder, "dry.yaml", MAINS)
    tl = run(s)
    (site,) = rows(s, "SITE2")
    assert tl.state_at(7 * H - 1)[site] and not tl.state_at(7 * H)[site]
    assert hours_working(s, tl, "SITE2") == [*range(7), *range(41, 49)]


def test_refuelling_rounds_keep_it_running_unless_the_depot_is_down(
        make_territory: MakeTerritory) -> None:
    folder = backed_site(make_territory)
    rounds = "refuelling: [{kinds: [site], every: 4h}]\n"
    s = scenario(folder, "rounds.yaml", MAINS + rounds)
    assert hours_working(s, run(s), "SITE2") == list(range(49))
    needs = "refuelling: [{kinds: [site], every: 4h, needs: [DEPOT]}]\n"
    s = scenario(folder, "depot-up.yaml", MAINS + needs)
    assert hours_working(s, run(s), "SITE2") == list(range(49))
    s = scenario(folder, "depot-down.yaml", MAINS + DEPOT + needs)
    tl = run(s)
    (site,) = rows(s, "SITE2")
    assert tl.state_at(7 * H - 1)[site] and not tl.state_at(7 * H)[site]
    assert hours_working(s, tl, "SITE2") == [*range(7), *range(41, 49)]
    # rounds for another kind do not reach it
    s = scenario(folder, "other.yaml", MAINS + "refuelling: [{kinds: [antenna], every: 4h}]\n")
    assert hours_working(s, run(s), "SITE2") == [*range(7), *range(41, 49)]


# --- 5. mobile generators: a pool, a delivery time, priorities -----------------------------

def two_sites(make_territory: MakeTerritory) -> Path:
    """``OSITE`` (first in the file) on ``TO``, and a hospital's site ``HSITE`` on ``TH``;
    neither has a backup."""
    power = [feature("S1", "substation", 1.0, 49.3, source=True),
             feature("LO", "line", 1.0, 49.3, connects=["S1", "TO"]),
             feature("TO", "transformer", 1.001, 49.301),
             feature("LH", "line", 1.0, 49.3, connects=["S1", "TH"]),
             feature("TH", "transformer", 1.003, 49.301)]
    telecom = TELECOM + "OSITE,site,1.013,49.313,TO,\nHSITE,site,1.014,49.314,TH,\n"
    actors = """\
actors:
  - {id: COD, name: Préfecture, role: prefecture, site: SITE, channels: [mobile],
     crisis_cell: true}
  - {id: CHU, name: Hôpital, role: hospital, site: HSITE, channels: [mobile],
     reports_to: [COD]}
"""
    return make_territory({
        "assets/power.geojson": collection(power), "assets/telecom.csv": telecom,
        # more people on TO: the hospital comes first all the same
        "zones.geojson": zones(("ZO", 5000, "TO"), ("ZH", 100, "TH")),
        "actors.yaml": actors})


GENERATORS = "generators: {count: 1, delivery: 2h, fuel: 10h, to: [site]}\n"


def test_the_generator_goes_to_the_hospital_first_and_runs_dry(
        make_territory: MakeTerritory) -> None:
    folder = two_sites(make_territory)
    cut = "events:\n  - {at: 1h, assets: [LO, LH], duration: 40h, cause: storm}\n"
    s = scenario(folder, "gen.yaml", cut + GENERATORS)
    tl = run(s)
    # there at 3 h, 10 h of fuel and no round: it stops at 13 h; the other site waits
    assert hours_working(s, tl, "HSITE") == [0, *range(3, 13), *range(41, 49)]
    assert hours_working(s, tl, "OSITE") == [0, *range(41, 49)]
    # with rounds it keeps going
    s = scenario(folder, "gen-rounds.yaml",
                 cut + GENERATORS.replace("fuel: 10h", "fuel: 10h, every: 8h"))
    assert hours_working(s, run(s), "HSITE") == [0, *range(3, 49)]


def test_the_other_site_waits_until_the_hospital_has_its_mains_back(
        make_territory: MakeTerritory) -> None:
    folder = two_sites(make_territory)
    cut = """events:
  - {at: 1h, assets: [LO], duration: 40h, cause: storm}
  - {at: 1h, assets: [LH], duration: 5h, cause: storm}
"""
    s = scenario(folder, "gen-back.yaml", cut + GENERATORS)
    tl = run(s)
    assert hours_working(s, tl, "HSITE") == [0, *range(3, 49)]
    # the generator leaves the hospital at 6 h, reaches the other site at 8 h, 10 h of fuel
    assert hours_working(s, tl, "OSITE") == [0, *range(8, 18), *range(41, 49)]


# --- 6. validation ------------------------------------------------------------------------

def test_unknown_kinds_and_assets_in_the_logistics_get_one_message_each(
        tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    text = """name: bad
territory: ..
duration: 24h
crews:
  - {name: Enedis, kinds: [lin], count: 2}
refuelling:
  - {kinds: [generator], every: 8h, needs: [CUVE-NORD]}
generators: {count: 2, to: [site], needs: [DEPOT-NOWHERE]}
"""
    with pytest.raises(ValidationError) as exc:
        load_scenario(write_scenario(folder, "bad.yaml", text))
    got = sorted((p.code, p.field, p.line) for p in exc.value.problems)
    assert got == [("kind.unknown", "crews.0.kinds", 5),
                   ("ref.asset", "generators.needs", 8),
                   ("ref.asset", "refuelling.needs", 7)]
    kind = next(p for p in exc.value.problems if p.code == "kind.unknown")
    assert "line" in str(kind)  # did you mean


@pytest.mark.parametrize(("text", "field", "code"), [
    ("crews: [{name: x, count: 1}]\n", "crews.0", "field.invalid"),
    ("crews: [{name: x, kinds: [line], count: 0}]\n", "crews.0.count", "field.invalid"),
    ("refuelling: [{kinds: [site], every: 0h}]\n", "refuelling.0.every", "field.invalid"),
    ("generators: {count: 1, to: []}\n", "generators.to", "field.invalid"),
    ("priorities: [hospitals, schools]\n", "priorities.1", "field.choice"),
    ("switching: soon\n", "switching", "field.invalid"),
])
def test_malformed_logistics(tmp_path: Path, text: str, field: str, code: str) -> None:
    folder = copy_example(tmp_path)
    path = write_scenario(folder, "bad.yaml", "name: bad\nterritory: ..\nduration: 24h\n"
                          + text)
    with pytest.raises(ValidationError) as exc:
        load_scenario(path)
    assert [(p.code, p.field) for p in exc.value.problems] == [(code, field)], \
        [str(p) for p in exc.value.problems]
    assert exc.value.problems[0].line == 4


def test_a_misspelt_construction_names_the_allowed_values(
        make_territory: MakeTerritory) -> None:
    power = [feature("S1", "substation", 1.0, 49.3, source=True),
             feature("L1", "line", 1.0, 49.3, connects=["S1", "T1"],
                     construction="sous-terrain"),
             feature("T1", "transformer", 1.001, 49.301)]
    folder = make_territory({"assets/power.geojson": collection(power)})
    with pytest.raises(ValidationError) as exc:
        load_territory(folder)
    (p,) = exc.value.problems
    assert (p.code, p.field, p.file, p.ident) == ("field.choice", "construction",
                                                  "assets/power.geojson", "L1")
    text = str(p)
    assert "sous-terrain" in text and "overhead, underground" in text
    assert "souterrain" in text.split("overhead, underground")[1]  # did you mean
    # and in CSV too, with its line
    folder = make_territory({"assets/telecom.csv": (
        "id,kind,lon,lat,requires,connects,construction\n"
        "CORE,core,1.02,49.32,,,\nA1,antenna,1.011,49.311,,,\nSITE,site,1.012,49.312,,,\n"
        "C1,backhaul,1.0,49.3,,CORE;A1,enterée\n")})
    with pytest.raises(ValidationError) as exc:
        load_territory(folder)
    (p,) = exc.value.problems
    assert (p.code, p.field, p.file, p.line) == ("field.choice", "construction",
                                                 "assets/telecom.csv", 5)


# --- the docs' example --------------------------------------------------------------------

def test_the_documented_example_validates(tmp_path: Path) -> None:
    """The YAML of docs/scenario-format.md's "Crews, fuel, generators and switching" loads
    on the example town."""
    doc = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    section = doc.split("## Crews, fuel, generators and switching", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    folder = copy_example(tmp_path)
    s = load_scenario(write_scenario(folder, "doc.yaml", block.group(1)))
    assert s.crews is not None and s.supply is not None and s.rank is not None
    assert s.supply.generators > 0 and np.isfinite(s.supply.refuel_every_s).any()
