"""Citizen relays that behave like people: called first, then door to door at a pace, over
shifts, on a small territory written by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.runs import ensemble, simulate
from tousrisques import CompiledTerritory, ValidationError, load_territory
from tousrisques.engine import outage
from tousrisques.indicators._relays import volunteer_hours
from tousrisques.territory._relays import PEOPLE_PER_HOUSEHOLD

H = 3600.0

# A prefecture, a town hall where the reserve musters (MAIRIE), the mayor's own hall (HALL2),
# one antenna reaching the three, one citizen-relay asset at the town hall (1.5 km), two zones
# it walks (Z1, Z2: 8,000 people), one far away (Z3) and a siren that covers Z2 only.
ASSETS = """\
id,kind,lon,lat,requires,source
S1,substation,1.000,49.290,,true
T1,transformer,1.001,49.290,,
CORE,core,1.000,49.300,,true
A1,antenna,1.015,49.300,,
PREF,site,1.000,49.300,,
MAIRIE,site,1.020,49.300,T1,
HALL2,site,1.030,49.300,,
R1,citizen_relay,1.020,49.300,,
SIR,siren,1.045,49.300,,
"""
LINKS = "from,to,layer\nS1,T1,power\nA1,CORE,telecom\n"
ZONES = """\
id,lon,lat,population
Z1,1.020,49.301,5000
Z2,1.030,49.300,3000
Z3,1.100,49.300,1000
"""
CHANNELS = """\
channels:
  - {id: mobile, name: Mobile, mode: point_to_point, requires: CORE, coverage: antenna}
  - {id: sirene, name: Sirène, mode: broadcast, coverage: siren, needs_site: false}
  - {id: porte-a-porte, name: Porte-à-porte, mode: broadcast, coverage: citizen_relay,
     needs_site: false, triggered_by: [mayor, citizen_relay]}
"""
ACTORS = """\
actors:
  - {{id: COD, name: COD, role: prefecture, site: PREF, channels: [mobile], crisis_cell: true}}
  - {{id: MAIRE, name: Maire, role: mayor, site: {mayor_site}, channels: [mobile, sirene],
     reports_to: [COD]}}
  - {{id: RESERVE, name: Réserve communale, role: citizen_relay, site: MAIRIE,
     channels: [mobile, porte-a-porte], reports_to: [MAIRE], {relay}}}
"""
TERRITORY = """\
name: Relais
assets: [assets.csv]
links: [links.csv]
zones: [zones.csv]
channels: channels.yaml
actors: actors.yaml
"""
PACE = 10 * 12 * PEOPLE_PER_HOUSEHOLD  # people informed per hour by 10 volunteers: 252


def territory(folder: Path, relay: str = "volunteers: 10", mayor_site: str = "HALL2",
              ) -> CompiledTerritory:
    files = {"territory.yaml": TERRITORY, "assets.csv": ASSETS, "links.csv": LINKS,
             "zones.csv": ZONES, "channels.yaml": CHANNELS,
             "actors.yaml": ACTORS.format(relay=relay, mayor_site=mayor_site)}
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    t = load_territory(folder)
    assert [w.code for w in t.warnings] == []
    return t.compile()


def door(c: CompiledTerritory, *events: str, hours: int = 12, until: float = 3 * H
         ) -> np.ndarray:
    """People reached door to door at each hour, with the named assets down from 0 to
    ``until``."""
    ids = c.asset_ids.to_pylist()
    evs = outage([ids.index(e) for e in events], 0.0, until, "fault") if events else []
    run, _ = simulate(c, evs, duration_s=hours * H, step_s=H)
    count: np.ndarray = run.indicators.count("population_reached:porte-a-porte")
    return count


def test_reach_grows_linearly_after_the_muster_then_rests_after_the_shift(tmp_path: Path
                                                                          ) -> None:
    c = territory(tmp_path)
    got = door(c)
    # called at 0 (the mobile reaches them), one hour to muster, 8 h of work, then rest
    expected = [0, 0, *(PACE * h for h in range(1, 9)), 8 * PACE, 8 * PACE, 8 * PACE]
    assert got == pytest.approx(expected)
    assert np.diff(got[1:10]) == pytest.approx([PACE] * 8)  # linear while they work


def test_reach_is_zero_before_the_call(tmp_path: Path) -> None:
    c = territory(tmp_path)
    # no mobile network until 3 h: the reserve is told then, starts at 4 h
    got = door(c, "CORE")
    assert got[:5].tolist() == [0.0] * 5
    assert got[5:8] == pytest.approx([PACE, 2 * PACE, 3 * PACE])


def test_never_called_when_no_channel_reaches_them_and_their_site_is_down(tmp_path: Path
                                                                          ) -> None:
    # the mayor sits at the reserve's town hall: called in person while the hall works
    c = territory(tmp_path / "same", mayor_site="MAIRIE")
    in_person = door(c, "CORE", until=12 * H)
    assert in_person[2] == pytest.approx(PACE)
    # the hall without power too: nobody tells them
    assert door(c, "CORE", "T1", until=12 * H).tolist() == [0.0] * 13


def test_capped_by_the_people_of_the_zones_it_covers(tmp_path: Path) -> None:
    c = territory(tmp_path, relay="volunteers: 100, households_per_hour: 120")
    got = door(c, hours=4)
    assert got.tolist() == [0.0, 0.0, 8000.0, 8000.0, 8000.0]  # Z1 + Z2, never Z3


def test_doubling_volunteers_doubles_the_early_reach(tmp_path: Path) -> None:
    ten = door(territory(tmp_path / "ten"), hours=5)
    twenty = door(territory(tmp_path / "twenty", relay="volunteers: 20"), hours=5)
    assert twenty[2:] == pytest.approx(2 * ten[2:])
    assert ten[2] > 0


def test_shifts_and_muster_change_the_curve(tmp_path: Path) -> None:
    c = territory(tmp_path, relay="volunteers: 12, muster: 2h, shift: 8h, shifts_per_day: 3")
    got = door(c, hours=30)
    per_hour = 4 * 12 * PEOPLE_PER_HOUSEHOLD  # a third of them on duty at a time
    assert got[:3].tolist() == [0.0, 0.0, 0.0]
    assert got[3:27] == pytest.approx([per_hour * h for h in range(1, 25)])
    assert got[27:] == pytest.approx([min(8000.0, per_hour * h) for h in range(25, 29)])


def test_any_takes_the_larger_share_per_zone(tmp_path: Path) -> None:
    c = territory(tmp_path)
    run, _ = simulate(c, [], duration_s=4 * H, step_s=H)
    ind = run.indicators
    assert ind.count("population_reached:sirene").tolist() == [3000.0] * 5  # Z2
    # Z1 gets 5/8 of what the volunteers do, Z2 counts whole once (the siren)
    door_count = ind.count("population_reached:porte-a-porte")
    assert ind.count("population_reached:any") == pytest.approx(3000 + door_count * 5 / 8)
    assert ind.zone_reached is not None
    z = c.zone_ids.to_pylist().index("Z1")
    assert ind.zone_reached[3, 1, z] == pytest.approx(2 * PACE / 8000)


def test_monte_carlo_zones_add_up_to_the_counts(tmp_path: Path) -> None:
    c = territory(tmp_path)
    ens = ensemble(c, hazards=[], runs=3, seed=1, duration_s=6 * H, step_s=H)
    assert ens.zone_reached is not None
    j = ens.broadcast_ids.index("porte-a-porte")
    by_zones = ens.zone_reached[:, j, :] @ c.population
    by_runs = ens.counts[:, ens.names.index("population_reached:porte-a-porte"), :].mean(0)
    assert by_zones == pytest.approx(by_runs)
    assert 0 < by_zones[3] < 8000


def test_compiled_round_trip(tmp_path: Path) -> None:
    c = territory(tmp_path / "t", relay="volunteers: 10, muster: 30m")
    c.save(tmp_path / "c.npz")
    back = CompiledTerritory.load(tmp_path / "c.npz")
    assert back.actor_relay.tolist() == c.actor_relay.tolist()
    assert back.relay_assets.tolist() == c.relay_assets.tolist()
    row = c.actor_ids.tolist().index("RESERVE")
    assert c.actor_relay[row].tolist() == [10, 12, 8 * H, 1, 0.5 * H]
    ids = c.asset_ids.to_pylist()
    assert c.relay_assets.tolist() == [[ids.index("R1"), row]]


def test_volunteer_hours_over_days() -> None:
    one = np.ones(3)
    got = volunteer_hours(np.array([24, 30, 48]) * H, 5 * one, 8 * H * one, one)
    assert got.tolist() == [40.0, 70.0, 80.0]


@pytest.mark.parametrize(("relay", "field", "code"), [
    ("volunteers: 0", "volunteers", "field.invalid"),
    ("volunteers: ten", "volunteers", "field.invalid"),
    ("volunteers: 2.5", "volunteers", "field.invalid"),
    ("volunteers: 10, households_per_hour: -3", "households_per_hour", "field.invalid"),
    ("volunteers: 10, shift: 30h", "shift", "field.invalid"),
    ("volunteers: 10, muster: 2", "muster", "field.invalid"),
    ("volunteers: 10, shifts_per_day: 0", "shifts_per_day", "field.invalid"),
    ("muster: 1h", "muster", "relay.no_volunteers"),
    ("volunteers: 10, shift: 10h, shifts_per_day: 3", "shifts_per_day", "relay.day"),
])
def test_bad_relay_fields_are_refused_with_the_field(tmp_path: Path, relay: str, field: str,
                                                     code: str) -> None:
    with pytest.raises(ValidationError) as err:
        territory(tmp_path, relay=relay)
    problems = [p for p in err.value.problems if p.severity == "error"]
    assert [(p.code, p.field, p.file) for p in problems] == [(code, field, "actors.yaml")]
    assert problems[0].line == 6
    assert "Traceback" not in str(err.value)


def test_bad_relay_fields_say_what_is_right_in_french(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        territory(tmp_path, relay="volunteers: 10, shift: 30h")
    text = err.value.problems[0].render("fr")
    assert "30h" in text and "1d" in text


def test_warnings_where_volunteers_and_door_to_door_miss_each_other(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    territory(folder)
    actors = (folder / "actors.yaml").read_text(encoding="utf-8")
    (folder / "actors.yaml").write_text(actors.replace(", volunteers: 10", ""),
                                        encoding="utf-8")
    t = load_territory(folder)
    assert [(w.code, w.ident) for w in t.warnings] == [("relay.instant", "porte-a-porte")]
    # the old instantaneous reach stays for that channel: Z1 and Z2 at once
    run, _ = simulate(t.compile(), [], duration_s=H, step_s=H)
    assert run.indicators.count("population_reached:porte-a-porte").tolist() == [8000.0] * 2
    (folder / "actors.yaml").write_text(
        actors.replace("channels: [mobile, porte-a-porte]", "channels: [mobile]"),
        encoding="utf-8")
    t = load_territory(folder)
    assert [(w.code, w.ident) for w in t.warnings] == [("relay.no_channel", "RESERVE")]
