"""Indicators on the example territory during a storm, checked by hand against the files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import load_territory
from tousrisques.engine import Event, Network, run_timeline
from tousrisques.indicators import Indicators, compute_indicators

H = 3600.0


@pytest.fixture(scope="module")
def storm():
    c = load_territory(EXAMPLE).compile()
    ids = c.asset_ids.to_pylist()
    ps = ids.index("PS-ELBEUF")
    tl = run_timeline(Network.from_compiled(c),
                      [Event(1 * H, (ps,), "fail", "storm"),
                       Event(10 * H, (ps,), "restore", "repair")],
                      duration_s=12 * H, step_s=H,
                      owners={"zones": c.zone_requires, "channels": c.channel_requires})
    return c, compute_indicators(c, tl)


def test_names_follow_the_contract(storm) -> None:
    _, ind = storm
    for name in ("population_reached:fr-alert", "population_reached:sirene",
                 "population_reached:any", "assets_working:antenna", "assets_working:power",
                 "actors_connected", "actor_latency:CIS", "governance_links_broken",
                 "services_up"):
        assert name in ind.names
    assert "population_reached:mobile" not in ind.names  # not a broadcast channel


def test_cell_broadcast_follows_the_antennas_batteries(storm) -> None:
    _, ind = storm
    pop = ind.count("population_reached:fr-alert")
    # ANT-NORD and ANT-SUD cover the centre, the plateau and the riverside (2100 + 1400 +
    # 1750 people); the hamlet (320) is beyond their reach
    assert pop[0] == 5250
    assert ind.value("population_reached:fr-alert")[0] == pytest.approx(5250 / 5570)
    # ANT-NORD runs out at 3 h (2 h battery); only ANT-SUD is left: its 3 km reach the same
    # quarters; at 5 h it runs out too (T-SUD@4h); back after the repair at 10 h
    assert pop[3] == 5250
    assert pop[5] == 0 and pop[9] == 0
    assert pop[10] == 5250


def test_sirens_hold_six_hours(storm) -> None:
    _, ind = storm
    siren = ind.count("population_reached:sirene")
    # the siren channel has needs_site: false, so the zones' own power cut does not matter;
    # the hamlet lies beyond the siren's 1500 m
    assert siren[0] > 0
    assert siren[6] == siren[0] and siren[7] == 0  # SIR-CENTRE@6h, from 1 h: down at 7 h
    any_ = ind.count("population_reached:any")
    assert (any_ >= np.maximum(siren, ind.count("population_reached:fr-alert"))).all()


def test_assets_and_services(storm) -> None:
    _, ind = storm
    assert ind.value("assets_working:antenna").tolist()[:6] == [1, 1, 1, 0.5, 0.5, 0]
    assert ind.count("assets_working:transformer")[1] == 0
    assert ind.count("services_up").tolist()[4:6] == [2, 1]  # the mail server at 5 h
    assert ind.value("assets_working:power")[1] == pytest.approx(1 / 6)  # the generator


def test_actors_and_governance(storm) -> None:
    _, ind = storm
    assert ind.value("actor_latency:MAIRIE-PCS")[1] == 0  # a crisis cell on its generator
    assert ind.value("actor_latency:CIS")[0] == 30  # radio-secours, 30 s
    assert math.isinf(ind.value("actor_latency:CIS")[1])  # its station lost power
    assert ind.value("actor_latency:RESERVE")[0] == 60  # mobile at the town hall
    assert math.isinf(ind.value("actor_latency:RESERVE")[5])  # the antennas are out
    assert ind.count("actors_connected")[0] == 5
    # CIS, EHPAD-DIR and RESERVE report to the town hall: all three links cut at 5 h
    assert ind.count("governance_links_broken")[0] == 0
    assert ind.count("governance_links_broken")[5] == 3
    assert ind.value("governance_links_broken")[5] == 1.0


def test_table_round_trip(storm) -> None:
    _, ind = storm
    back = Indicators.from_table(ind.to_table())
    assert back.names == ind.names
    np.testing.assert_array_equal(back.values, ind.values)
    np.testing.assert_array_equal(back.times_s, ind.times_s)
