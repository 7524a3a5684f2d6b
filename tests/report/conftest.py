"""A small report written by hand: four square zones, a few assets, two charts, a finding of
every kind, a comparison — enough to exercise every section of the renderer."""

from __future__ import annotations

import pytest

from tousrisques._messages import Text
from tousrisques.report._data import (
    ActorChannel,
    ActorRow,
    Chain,
    Chart,
    Choropleth,
    Comparison,
    CriticalAsset,
    Finding,
    Footprint,
    HazardInfo,
    KeyFigure,
    MapAsset,
    MapData,
    MapUnit,
    Method,
    ReachMap,
    ReportData,
    Series,
    Step,
)

TIMES = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
X0, Y0 = 560_000.0, 6_920_000.0  # Lambert-93 metres near Rouen


def _square(i: int, j: int, size: float = 1000.0) -> list[tuple[float, float]]:
    x, y = X0 + i * size, Y0 + j * size
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


def _series(name: str, en: str, fr: str, mean: list[float], spread: float) -> Series:
    return Series(name, Text(en, fr), mean,
                  [max(0.0, v - spread) for v in mean], mean,
                  [min(1.0, v + spread) if spread < 1 else v + spread for v in mean])


def make_data(*, name: str = "Mairie de Darnétal", comparison: bool = True) -> ReportData:
    """The sample report; ``name`` is the name of the first actor and asset (to try hostile
    text)."""
    reach = _series("population_reached:fr-alert", "FR-Alert", "FR-Alert",
                    [0.95, 0.9, 0.8, 0.7, 0.61, 0.65, 0.7, 0.75, 0.8], 0.07)
    reach_any = _series("population_reached:any", "Any channel", "Au moins un canal",
                        [0.99, 0.95, 0.9, 0.8, 0.72, 0.74, 0.8, 0.85, 0.9], 0.05)
    connected = _series("actors_connected", "Actors connected", "Acteurs connectés",
                        [5, 5, 4, 3, 3, 2, 3, 4, 5], 1.0)
    charts = [
        Chart("reach", Text("Population reached", "Population atteinte"), "share",
              [reach, reach_any]),
        Chart("actors", Text("Actors connected", "Acteurs connectés"), "count", [connected],
              total=6),
    ]
    mitigated = _series("population_reached:any", "Mitigated", "Atténué",
                        [0.99, 0.97, 0.95, 0.92, 0.9, 0.9, 0.92, 0.95, 0.97], 0.03)
    findings = [
        Finding("reach", 4.0, 0.61, 0.55, 0.68, subject=Text("FR-Alert", "FR-Alert")),
        Finding("cut_off", 8.0, 12.0, 9.0, 15.0, total=71,
                subject=Text("town halls", "mairies"), target=Text("the COD", "le COD")),
        Finding("worst", 4.5, 0.72, 0.66, 0.79),
        Finding("recovery", 7.0, 0.95),
        Finding("recovery", None, 0.8),
        Finding("governance", 3.0, 2.0, 1.0, 4.0, total=9),
    ]
    figures = [
        KeyFigure("reach_min", Text("Lowest reach, any channel", "Atteinte minimale"),
                  "share", 0.72, 0.66, 0.79, at_h=4.5),
        KeyFigure("cut", Text("Town halls cut off", "Mairies isolées"), "count", 12.4,
                  9.0, 15.0, at_h=8.0),
        KeyFigure("latency", Text("Prefecture's latency", "Latence de la préfecture"),
                  "seconds", 150.0, 60.0, 300.0, at_h=2.0),
        KeyFigure("people", Text("People never reached", "Personnes jamais atteintes"),
                  "count", 12345.0),
    ]
    zones = [[_square(i, j)] for i in range(2) for j in range(2)]
    assets = [
        MapAsset("S1", name, "substation", Text("substation", "poste source"),
                 X0 + 500, Y0 + 500),
        MapAsset("A1", "Antenne Nord", "antenna", Text("antenna", "antenne"), X0 + 1500,
                 Y0 + 1500),
        MapAsset("A2", "Antenne Sud", "antenna", Text("antenna", "antenne"), X0 + 1500,
                 Y0 + 300),
        MapAsset("L1", "Ligne HTA", "line", Text("power line", "ligne électrique"), X0 + 500,
                 Y0 + 500, line=[(X0 + 500, Y0 + 500), (X0 + 1200, Y0 + 900),
                                 (X0 + 1500, Y0 + 1500)]),
        MapAsset("SITE", "Hôtel de ville", "site", Text("site", "site"), X0 + 800, Y0 + 1700),
    ]
    maps = MapData(
        bounds=(X0, Y0, X0 + 2000, Y0 + 2000), zones=zones, zone_ids=["Z1", "Z2", "Z3", "Z4"],
        zone_population=[1000, 2000, 500, 1500], outline=[_square(0, 0, 2000)],
        times_h=[0.0, 4.0, 8.0],
        assets=assets, asset_state=[[0, 0, 0, 0, 2], [1, 0, 1, 1, 2], [0, 0, 1, 0, 0]],
        reach=[ReachMap("fr-alert", Text("FR-Alert", "FR-Alert"), 4.0, [0.1, 0.5, 0.7, 0.3]),
               ReachMap("any", None, 8.0, [0.9, float("nan"), 0.85, 0.4])],
        units=[MapUnit("76001", "Ouest", 3000.0, [_square(0, 0, 1000)], (X0 + 500, Y0 + 1000),
                       [0, 1]),
               MapUnit("76002", "Est", 2000.0, [_square(1, 0, 1000)], (X0 + 1500, Y0 + 1000),
                       [2, 3])],
        choropleths=[Choropleth("without_power", "", Text("people without power",
                                                         "personnes sans électricité"),
                                4.0, [900.0, 0.0], [3000.0, 2000.0]),
                     Choropleth("down", "antenna", Text("antenna", "antenne"), 4.0, [1, 0],
                                [1, 1])],
        footprints=[Footprint("tempete", Text("Storm", "Tempête"), "storm",
                              [_square(-1, -1, 4000)], [_square(0, 0, 1000)],
                              [(X0 - 500, Y0 - 500), (X0 + 2500, Y0 + 2500)])],
        kind_labels={"substation": Text("substation", "poste source"),
                     "antenna": Text("antenna", "antenne"), "site": Text("site", "site"),
                     "line": Text("power line", "ligne électrique")})
    actors = [
        ActorRow("mairie-darnetal", name, "mayor", Text("mayor", "maire"), False,
                 [1, 1, 0.8, 0.5, 0.2, 0.2, 0.5, 0.9, 1],
                 [ActorChannel("sms", Text("SMS", "SMS"), [1.0, 0.3, 0.9]),
                  ActorChannel("radio", Text("Radio", "Radio"), [1.0, 1.0, 1.0])]),
        ActorRow("cod", "COD", "crisis_cell", Text("crisis cell", "cellule de crise"), True,
                 [1] * 9, []),
    ]
    chains = [
        Chain("mairie-darnetal", name, 4.0, "site", [
            Step(0, "SITE", "Hôtel de ville", Text("site", "site"), 3.5, "requirement",
                 because=["S1"]),
            Step(1, "S1", name, Text("substation", "poste source"), 3.0, "backup exhausted",
                 because=["L1"]),
            Step(2, "L1", "Ligne HTA", Text("power line", "ligne électrique"), 1.0, "event",
                 event="hazard:tempete"),
        ]),
        Chain("A1", "Antenne Nord", 4.0, "asset", [
            Step(0, "A1", "Antenne Nord", Text("antenna", "antenne"), 2.0, "disconnected"),
            Step(1, "A2", "Antenne Sud", Text("antenna", "antenne"), 1.5, "event",
                 event="cyber-attack"),
        ]),
    ]
    criticality = [
        CriticalAsset(1, "S1", name, Text("substation", "poste source"), 3000.0, 0.6, 1, 4,
                      commune="Darnétal", channel=Text("FR-Alert", "FR-Alert"),
                      main_lost=2500.0, main_share=0.5, actors_cut_off=1),
        CriticalAsset(2, "A1", "Antenne Nord", Text("antenna", "antenne"), 1500.0, 0.3, 0, 1),
    ]
    comp = Comparison(
        Text("Storm, mitigated", "Tempête atténuée"),
        [Chart("cmp-reach", Text("Reach by any channel", "Atteinte par au moins un canal"),
               "share", [reach_any, mitigated])],
        [(figures[0], KeyFigure("reach_min", figures[0].label, "share", 0.9, 0.85, 0.93,
                                at_h=4.5)),
         (figures[1], KeyFigure("cut", figures[1].label, "count", 3.0, 1.0, 5.0, at_h=8.0))],
    ) if comparison else None
    method = Method(
        hazards=[HazardInfo("tempete", Text("Storm Ciarán", "Tempête Ciarán"), "storm",
                            ["line", "antenna"], 40, 6.5)],
        mitigations=["generator at the town hall"], events=2,
        repairs={"line": (18.0, 0.6)}, runs=200, seed=42, repair_beta=0.6,
        backup_beta=0.3, step_h=1.0, duration_h=8.0, criticality_horizon="permanent")
    return ReportData(
        title=Text("Storm on the metropolis", "Tempête sur la métropole"),
        description=Text("A winter storm.", "Une tempête d'hiver."),
        territory="Métropole Rouen Normandie (démo)", territory_description="71 communes",
        start="2025-01-05T04:00:00+01:00", generated="2025-06-01T10:30:00+02:00",
        version="0.1.0", territory_hash="a" * 32, scenario_hash="b" * 32, runs=200, seed=42,
        representative_run=17, times_h=TIMES, findings=findings, key_figures=figures,
        charts=charts, maps=maps, actors=actors, chains=chains, criticality=criticality,
        comparison=comp, method=method,
        sources=["INSEE, Filosofi 2019 (https://www.insee.fr)", "OpenStreetMap contributors"])


@pytest.fixture
def data() -> ReportData:
    return make_data()


def make_big(*, seed: int = 1) -> ReportData:
    """A report the size of the Rouen sample: 1,400 zones of 40 vertices, 4,000 point assets
    of seven kinds, 400 lines, 90 actors, 97 times, 4 map times."""
    import dataclasses
    import math
    import random

    rnd = random.Random(seed)
    base = make_data()
    zones = []
    for i in range(38):
        for j in range(38):
            cx, cy = X0 + i * 1000 + 500, Y0 + j * 1000 + 500
            ring = [(cx + 500 * math.cos(a * math.pi / 20) * (1 + 0.05 * rnd.random()),
                     cy + 500 * math.sin(a * math.pi / 20)) for a in range(40)]
            zones.append([[*ring, ring[0]]])
    zones = zones[:1400]
    kinds = ["antenna", "transformer", "substation", "site", "fibre_node", "siren", "relay"]
    assets = []
    for k in range(4000):
        kind = rnd.choice(kinds)
        assets.append(MapAsset(f"A{k}", f"asset {k}", kind, Text(kind, kind),
                               X0 + rnd.random() * 38000, Y0 + rnd.random() * 38000))
    for k in range(400):
        x, y = X0 + rnd.random() * 36000, Y0 + rnd.random() * 38000
        line = [(x + i * 200, y + rnd.random() * 300) for i in range(12)]
        assets.append(MapAsset(f"L{k}", f"line {k}", "line", Text("line", "ligne"), x, y,
                               line=line))
    map_times = [0.0, 4.0, 8.0, 24.0]
    times = [i * 0.25 for i in range(97)]
    maps = MapData(
        bounds=(X0, Y0, X0 + 38000, Y0 + 38000), zones=zones,
        zone_ids=[f"Z{i}" for i in range(len(zones))],
        zone_population=[rnd.random() * 1000 for _ in zones],
        outline=[z[0] for z in zones[::50]], times_h=map_times,
        reach=[ReachMap("fr-alert", Text("FR-Alert", "FR-Alert"), 4.0,
                        [rnd.random() for _ in zones])], assets=assets,
        asset_state=[[rnd.choice([0, 0, 0, 1, 2]) for _ in assets] for _ in map_times])
    actors = [ActorRow(f"m{i}", f"Mairie {i}", "mayor", Text("mayor", "maire"), False,
                       [rnd.random() for _ in times],
                       [ActorChannel("sms", Text("SMS", "SMS"), [rnd.random() for _ in map_times])])
              for i in range(90)]
    charts = [dataclasses.replace(c, series=[
        Series(s.name, s.label, *([s.mean[0] + 0.001 * i for i in range(97)],) * 4)
        for s in c.series]) for c in base.charts]
    return dataclasses.replace(base, maps=maps, actors=actors, times_h=times, charts=charts)
