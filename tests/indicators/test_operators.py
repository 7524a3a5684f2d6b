"""Mobile operators: a phone reaches a crisis cell through its own operator's cells; cell
broadcast goes out over every operator's working cells; shared sites serve each of theirs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.runs import simulate
from tousrisques import CompiledTerritory, ValidationError, load_territory
from tousrisques.engine import outage
from tousrisques.indicators import snapshot

H = 3600.0

TERRITORY = """\
name: Opérateurs
assets: [assets/telecom.csv, assets/sites.csv]
links: [links.csv]
zones: zones.csv
channels: channels.yaml
actors: actors.yaml
"""
# three antenna sites on the same mast: Orange's own, SFR's own, and one they share
TELECOM = """\
id,kind,lon,lat,operator
CORE,core,1.0900,49.4400,
ANT-A,antenna,1.0900,49.4400,Orange
ANT-B,antenna,1.0900,49.4400,sfr
ANT-AB,antenna,1.0900,49.4400,orange | SFR
"""
SITES = """\
id,kind,lon,lat
PREF,site,1.0905,49.4402
MAIRIE,site,1.0910,49.4405
FR-ALERT,service,,
"""
LINKS = """\
from,to,layer
ANT-A,CORE,telecom
ANT-B,CORE,telecom
ANT-AB,CORE,telecom
"""
ZONES = """\
id,population,lon,lat
Z,1000,1.0908,49.4401
"""
CHANNELS = """\
channels:
  - id: mobile
    name: Mobile
    mode: point_to_point
    latency: 1m
    requires: CORE
    coverage: antenna
    by_operator: true
  - id: fr-alert
    name: FR-Alert
    mode: broadcast
    requires: [FR-ALERT, CORE]
    coverage: antenna
    needs_site: false
    triggered_by: [PREF-COD]
"""
ACTORS = """\
actors:
  - id: PREF-COD
    name: Préfecture
    role: prefecture
    site: PREF
    channels: [mobile, fr-alert]
    crisis_cell: true
    operator: SFR
  - id: MAIRE-A
    name: Maire (Orange)
    role: mayor
    site: MAIRIE
    channels: [mobile]
    operator: ORANGE
  - id: MAIRE-B
    name: Maire (SFR)
    role: mayor
    site: MAIRIE
    channels: [mobile]
    operator: sfr
  - id: MAIRE-X
    name: Maire (any operator)
    role: mayor
    site: MAIRIE
    channels: [mobile]
"""


def write(folder: Path, **changes: str) -> Path:
    files = {"territory.yaml": TERRITORY, "assets/telecom.csv": TELECOM,
             "assets/sites.csv": SITES, "links.csv": LINKS, "zones.csv": ZONES,
             "channels.yaml": CHANNELS, "actors.yaml": ACTORS}
    files.update({k.replace("__", "/").replace("_", "."): v for k, v in changes.items()})
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> CompiledTerritory:
    return load_territory(write(tmp_path_factory.mktemp("ops"))).compile()


def rows(c: CompiledTerritory, *ids: str) -> list[int]:
    every = c.asset_ids.to_pylist()
    return [every.index(i) for i in ids]


def mobile_for(c: CompiledTerritory, down: tuple[str, ...]) -> dict[str, bool]:
    working = np.ones(c.n_assets, bool)
    working[rows(c, *down)] = False
    snap = snapshot(c, working, np.ones(len(c.zone_ids), bool),
                    np.ones(len(c.channel_ids), bool))
    mobile = c.channel_ids.tolist().index("mobile")
    return dict(zip(c.actor_ids.tolist(), snap.avail[:, mobile].tolist(), strict=True))


def test_operators_read_as_sets_with_their_first_spelling(compiled) -> None:
    c = compiled
    assert c.operator_names == ("Orange", "sfr")  # matched in any case, shown as first written
    by_asset = {a: [c.operator_names[k] for k in c.asset_operators[r].indices]
                for a, r in zip(("ANT-A", "ANT-B", "ANT-AB", "CORE"),
                                rows(c, "ANT-A", "ANT-B", "ANT-AB", "CORE"), strict=True)}
    assert by_asset == {"ANT-A": ["Orange"], "ANT-B": ["sfr"], "ANT-AB": ["Orange", "sfr"],
                        "CORE": []}
    assert c.actor_operator.tolist() == [1, 0, 1, -1]
    assert c.channel_by_operator.tolist() == [True, False]


def test_own_operator_down_loses_mobile_while_the_other_still_covers(compiled) -> None:
    got = mobile_for(compiled, ("ANT-A", "ANT-AB"))  # Orange's cells down, SFR's up
    assert got == {"PREF-COD": True, "MAIRE-A": False, "MAIRE-B": True, "MAIRE-X": True}
    got = mobile_for(compiled, ("ANT-B", "ANT-AB"))
    assert got == {"PREF-COD": False, "MAIRE-A": True, "MAIRE-B": False, "MAIRE-X": True}


def test_a_shared_site_serves_both_operators(compiled) -> None:
    got = mobile_for(compiled, ("ANT-A", "ANT-B"))  # only the shared orange|sfr site is up
    assert got == {"PREF-COD": True, "MAIRE-A": True, "MAIRE-B": True, "MAIRE-X": True}
    got = mobile_for(compiled, ("ANT-A", "ANT-B", "ANT-AB"))
    assert not any(got.values())


def test_over_time_the_orange_mayor_is_cut_off_from_the_sfr_prefecture(compiled) -> None:
    c = compiled
    run, _ = simulate(c, outage(rows(c, "ANT-A", "ANT-AB"), 1 * H, 2 * H, "fault"),
                      duration_s=4 * H, step_s=H)
    ind = run.indicators
    lat_a = ind.value("actor_latency:MAIRE-A").tolist()
    assert lat_a[0] == 60 and math.isinf(lat_a[1]) and math.isinf(lat_a[2]) and lat_a[3] == 60
    assert ind.value("actor_latency:MAIRE-B").tolist() == [60.0] * 5
    assert ind.value("actor_latency:MAIRE-X").tolist() == [60.0] * 5


def test_cell_broadcast_goes_out_over_every_operators_cells(compiled) -> None:
    c = compiled
    # Orange's cells down, and the prefecture (on SFR) still triggers FR-Alert: the zone is
    # reached through SFR's antenna, whatever operator its people's phones use
    run, _ = simulate(c, outage(rows(c, "ANT-A", "ANT-AB"), 1 * H, 2 * H, "fault"),
                      duration_s=3 * H, step_s=H)
    assert run.indicators.count("population_reached:fr-alert").tolist() == [1000.0] * 4
    run, _ = simulate(c, outage(rows(c, "ANT-A", "ANT-B", "ANT-AB"), 1 * H, 2 * H, "fault"),
                      duration_s=3 * H, step_s=H)
    assert run.indicators.count("population_reached:fr-alert").tolist() == [1000, 0, 0, 1000]


def test_a_channel_without_by_operator_takes_any_operators_cells(tmp_path: Path) -> None:
    c = load_territory(write(tmp_path, channels_yaml=CHANNELS.replace(
        "    by_operator: true\n", ""))).compile()
    got = mobile_for(c, ("ANT-A", "ANT-AB"))
    assert all(got.values())
    assert c.operator_coverage == {}


def test_operator_fields_survive_the_npz_round_trip(compiled, tmp_path: Path) -> None:
    compiled.save(tmp_path / "c.npz")
    back = CompiledTerritory.load(tmp_path / "c.npz")
    assert back.operator_names == compiled.operator_names
    assert (back.asset_operators != compiled.asset_operators).nnz == 0
    assert back.actor_operator.tolist() == compiled.actor_operator.tolist()
    assert back.channel_by_operator.tolist() == compiled.channel_by_operator.tolist()
    assert set(back.operator_coverage) == {"antenna"}
    assert (back.actor_reach(0) != compiled.actor_reach(0)).nnz == 0
    assert mobile_for(back, ("ANT-A", "ANT-AB"))["MAIRE-A"] is False


def problems_of(folder: Path) -> list[tuple[str, str, int | None, str | None, dict]]:
    with pytest.raises(ValidationError) as info:
        load_territory(folder)
    return [(p.code, p.file, p.line, p.field, p.params) for p in info.value.problems]


def test_an_unknown_operator_on_an_actor_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    got = problems_of(write(tmp_path, actors_yaml=ACTORS.replace("operator: ORANGE",
                                                                 "operator: Oange")))
    [(_, file, line, field, params)] = [g for g in got if g[0] == "ref.operator"]
    assert (file, field, params["ref"], params["suggest"]) == \
        ("actors.yaml", "operator", "Oange", "Orange")
    assert line == ACTORS.splitlines().index("    operator: ORANGE") + 1
    assert params["allowed"] == "Orange, sfr"


def test_by_operator_is_for_point_to_point_channels_with_coverage(tmp_path: Path) -> None:
    text = CHANNELS.replace("    triggered_by: [PREF-COD]\n",
                            "    triggered_by: [PREF-COD]\n    by_operator: true\n")
    text = text.replace("    coverage: antenna\n    by_operator: true\n",
                        "    by_operator: true\n")
    got = problems_of(write(tmp_path, channels_yaml=text))
    codes = {(g[0], g[2]) for g in got}
    lines = text.splitlines()
    assert ("channel.by_operator_coverage", lines.index("    by_operator: true") + 1) in codes
    assert ("channel.by_operator_mode", len(lines)) in codes


def test_an_actor_without_operator_is_warned_when_operators_are_several(tmp_path: Path
                                                                        ) -> None:
    t = load_territory(write(tmp_path))
    [w] = [p for p in t.warnings if p.code == "actor.operator_any"]
    assert (w.ident, w.field, w.params["channel"], w.params["allowed"]) == \
        ("MAIRE-X", "operator", "mobile", "Orange, sfr")
    # one operator only among the antennas: nothing to choose, nothing said
    one = write(tmp_path / "one", assets__telecom_csv=TELECOM.replace("sfr", "Orange")
                .replace("SFR", "Orange"), actors_yaml=ACTORS.replace("SFR", "Orange")
                .replace("sfr", "Orange"))
    assert not [p for p in load_territory(one).warnings if p.code == "actor.operator_any"]


def test_bad_operator_values_on_assets(tmp_path: Path) -> None:
    telecom = TELECOM.replace("ANT-B,antenna,1.0900,49.4400,sfr",
                              'ANT-B,antenna,1.0900,49.4400,"sfr, bouygues"')
    t = load_territory(write(tmp_path, assets__telecom_csv=telecom))
    [w] = [p for p in t.warnings if p.code == "asset.operator_separator"]
    assert (w.file, w.ident, w.params["better"]) == ("assets/telecom.csv", "ANT-B",
                                                     "sfr|bouygues")
    geo = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
           '{"id": "ANT-G", "kind": "antenna", "operator": {"name": "free"}}, "geometry": '
           '{"type": "Point", "coordinates": [1.09, 49.44]}}, {"type": "Feature", '
           '"properties": {"id": "ANT-L", "kind": "antenna", "operator": ["Free", "SFR"]}, '
           '"geometry": {"type": "Point", "coordinates": [1.09, 49.44]}}]}')
    more = TERRITORY.replace("assets/sites.csv]", "assets/sites.csv, assets/more.geojson]")
    folder = write(tmp_path / "geo", territory_yaml=more, assets__more_geojson=geo)
    got = problems_of(folder)
    [(_, file, _, field, params)] = [g for g in got if g[0] == "asset.operator"]
    assert (file, field) == ("assets/more.geojson", "operator")
    assert "free" in params["value"]
    # a list in GeoJSON is a shared site
    fixed = write(tmp_path / "geo", territory_yaml=more, assets__more_geojson=geo.replace(
        '{"name": "free"}', '"free"'))
    c = load_territory(fixed).compile()
    row = rows(c, "ANT-L")[0]
    # ANT-G wrote "free" first: that spelling is kept
    assert [c.operator_names[k] for k in c.asset_operators[row].indices] == ["free", "sfr"]


def test_an_actor_whose_operator_has_no_antenna_is_warned(tmp_path: Path) -> None:
    # the town hall's site belongs to the commune: a name some asset carries, but no antenna
    sites = SITES.replace("id,kind,lon,lat", "id,kind,lon,lat,operator").replace(
        "49.4402\n", "49.4402,\n").replace("49.4405\n", "49.4405,Commune\n").replace(
        "FR-ALERT,service,,\n", "FR-ALERT,service,,,\n")
    actors = ACTORS.replace("operator: ORANGE", "operator: commune")
    t = load_territory(write(tmp_path, assets__sites_csv=sites, actors_yaml=actors))
    [w] = [p for p in t.warnings if p.code == "actor.operator_no_coverage"]
    assert (w.ident, w.line, w.params["kind"], w.params["allowed"]) == \
        ("MAIRE-A", actors.splitlines().index("    operator: commune") + 1, "antenna",
         "Orange, sfr")
    assert mobile_for(t.compile(), ())["MAIRE-A"] is False  # no antenna of its operator
