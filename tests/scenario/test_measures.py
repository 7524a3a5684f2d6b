"""The measures of a scenario (feeds, terminals, fallbacks, volunteers, restoration): each
changes the engine's result as it says, a variant in memory equals the same file, and every
mistake is said with its line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import ValidationError
from tousrisques.engine import replay
from tousrisques.indicators import compute_indicators
from tousrisques.scenario import (
    FeedSpec,
    TerminalSpec,
    load_scenario,
    scenario_plan,
    with_measures,
)

HEAD = """\
name: Mesures
territory: {territory}
duration: 24h
step: 1h
"""
# the town's networks down: the core, the fibre node, the mail server (the town hall keeps
# its site and its power, but no channel)
DEAF = """\
events:
  - {at: 1h, assets: [CORE-RN, NRO-PV, MAIL-PV], duration: 20h, cause: panne}
"""


def write(tmp_path: Path, text: str, territory: Path = EXAMPLE, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD.format(territory=territory.as_posix()) + text, encoding="utf-8")
    return path


def working(path: Path, asset: str, hour: float) -> bool:
    s = load_scenario(path)
    row = s.compiled.asset_ids.to_pylist().index(asset)
    return bool(replay(scenario_plan(s), 0).state_at(hour * 3600)[row])


def channels_of(path: Path, actor: str) -> np.ndarray:
    """Per output time, how many point-to-point channels the actor has."""
    s = load_scenario(path)
    c = s.compiled
    ind = compute_indicators(c, replay(scenario_plan(s), 0))
    assert ind.actor_channels is not None
    a = c.actor_ids.tolist().index(actor)
    return np.asarray(ind.actor_channels[:, a, ~c.channel_broadcast].sum(axis=1))


def test_a_second_feed_keeps_the_antenna_up(tmp_path: Path) -> None:
    cut = "events:\n  - {at: 1h, assets: [T-NORD], duration: 20h, cause: poste}\n" \
          "backups:\n  - {name: sans, assets: [ANT-NORD], autonomy: 1s}\n"
    assert not working(write(tmp_path, cut), "ANT-NORD", 3)
    fed = write(tmp_path, cut + "feeds:\n  - {name: second départ, assets: [ANT-NORD], "
                "beside: T-NORD, add: T-SUD}\n", name="fed.yaml")
    assert working(fed, "ANT-NORD", 3)  # (its fibre node runs dry at 5 h)
    # the same as a variant in memory: what the advice evaluates
    base = load_scenario(write(tmp_path, cut))
    v = with_measures(base, feeds=[FeedSpec(name="x", assets=["ANT-NORD"], beside="T-NORD",
                                            add="T-SUD")])
    row = base.compiled.asset_ids.to_pylist().index("ANT-NORD")
    assert replay(scenario_plan(v), 0).state_at(3 * 3600)[row]


def test_a_terminal_links_a_deaf_town_hall_while_its_site_works(tmp_path: Path) -> None:
    deaf = write(tmp_path, DEAF)
    assert (channels_of(deaf, "MAIRIE-PCS")[2:20] == 0).all()
    given = write(tmp_path, DEAF + "terminals:\n  - {name: radio, actors: [MAIRIE-PCS], "
                  "channel: radio-secours}\n", name="given.yaml")
    assert (channels_of(given, "MAIRIE-PCS")[2:20] == 1).all()
    # it needs the site: with the town hall's building down too, the radio is no help
    site_down = DEAF.replace("MAIL-PV]", "MAIL-PV, MAIRIE]")
    both = write(tmp_path, site_down + "terminals:\n  - {name: radio, actors: [MAIRIE-PCS], "
                 "channel: radio-secours}\n", name="both.yaml")
    assert (channels_of(both, "MAIRIE-PCS")[2:20] == 0).all()
    v = with_measures(load_scenario(deaf), terminals=[
        TerminalSpec(name="r", actors=["MAIRIE-PCS"], channel="radio-secours")])
    ind = compute_indicators(v.compiled, replay(scenario_plan(v), 0))
    plain = compute_indicators(load_scenario(deaf).compiled,
                               replay(scenario_plan(load_scenario(deaf)), 0))
    # the fire station's radio now reaches the town hall it reports to
    broken = "governance_links_broken"
    assert ind.value(broken)[5] < plain.value(broken)[5]


def test_a_fallback_site_gives_the_channels_back_after_the_move(tmp_path: Path) -> None:
    down = "events:\n  - {at: 1h, assets: [MAIRIE], duration: 20h, cause: incendie}\n"
    base = channels_of(write(tmp_path, down), "MAIRIE-PCS")
    moved = channels_of(write(tmp_path, down + "fallbacks:\n  - {name: repli, actor: "
                              "MAIRIE-PCS, site: CIS-PV, delay: 3h}\n", name="m.yaml"),
                        "MAIRIE-PCS")
    assert base[5] < moved[5]  # from 4 h on (1 h + 3 h), at the fire station
    assert base[2] == moved[2]  # not before the move


DOOR = """\
  - id: porte-a-porte
    name: {fr: Porte-à-porte, en: Door to door}
    mode: broadcast
    latency: 2h
    coverage: citizen_relay
    needs_site: false
    triggered_by: [RESERVE]
"""


def door_town(tmp_path: Path, volunteers: int | None) -> Path:
    """Petite-Ville with a door-to-door channel its reserve holds, walked from one relay
    asset at the town hall (``volunteers`` of them, or none)."""
    t = tmp_path / "town"
    shutil.copytree(EXAMPLE, t)
    (t / "channels.yaml").write_text((t / "channels.yaml").read_text("utf-8") + DOOR, "utf-8")
    sites = t / "assets" / "sites.csv"
    sites.write_text(sites.read_text("utf-8")
                     + "RELAIS-PV,citizen_relay,Relais citoyen,1.0100,49.2920,\n", "utf-8")
    actors = t / "actors.yaml"
    text = actors.read_text("utf-8").replace(
        "    site: MAIRIE\n    channels: [mobile]\n",
        "    site: MAIRIE\n    channels: [mobile, porte-a-porte]\n"
        + (f"    volunteers: {volunteers}\n" if volunteers else ""))
    actors.write_text(text, "utf-8")
    return t


def test_volunteers_walk_faster(tmp_path: Path) -> None:
    town = door_town(tmp_path, 2)
    path = write(tmp_path, "", territory=town)
    more = write(tmp_path, "volunteers:\n  - {name: recrues, actor: RESERVE, volunteers: 20}\n",
                 territory=town, name="more.yaml")

    def reach(p: Path) -> np.ndarray:
        s = load_scenario(p)
        ind = compute_indicators(s.compiled, replay(scenario_plan(s), 0))
        return ind.value("population_reached:porte-a-porte")

    slow, fast = reach(path), reach(more)
    assert fast[4] > slow[4] > 0
    assert (fast >= slow - 1e-12).all()


RESTORE = """\
hazards:
  - id: vent
    storm: {start_point: [0.90, 49.20], end_point: [1.15, 49.40], start: 1h, end: 2h,
            peak_kmh: 150, radius_m: 15000}
    fragility:
      line: {step: {threshold: 10}}
repairs:
  line: {median: 6h}
crews:
  - {name: équipe, kinds: [line], count: 1}
priorities: [crisis_cells]
"""


def test_restoration_sends_the_crew_to_the_named_site_first(tmp_path: Path) -> None:
    base = write(tmp_path, RESTORE)
    first = write(tmp_path, RESTORE + "restoration:\n  - {name: EHPAD d'abord, "
                  "assets: [EHPAD]}\n", name="first.yaml")
    # both lines fall; one crew: the town hall's (north) first, unless the care home's is
    # put before it
    assert working(base, "T-NORD", 9) and not working(base, "T-SUD", 9)
    assert working(first, "T-SUD", 9) and not working(first, "T-NORD", 9)


def test_every_mistake_of_the_measures_is_said(tmp_path: Path) -> None:
    path = write(tmp_path, DEAF + """\
feeds:
  - {name: a, assets: [ANT-NORD], beside: T-SUD, add: T-NORDD}
terminals:
  - {name: b, actors: [MAIRIE-PC], channel: radio-secour}
  - {name: c, actors: [MAIRIE-PCS], channel: fr-alert}
fallbacks:
  - {name: d, actor: MAIRIE-PCS, site: MAIL-PV}
volunteers:
  - {name: f, actor: RESERVE, volunteers: 10}
restoration:
  - {name: h, assets: [EHPADD]}
""")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    found = {(p.field, p.line) for p in got.value.problems}
    texts = "\n".join(p.render("en") for p in got.value.problems)
    expected = {("feeds.add", 8), ("feeds.beside", 8), ("terminals.actors", 10),
                ("terminals.channel", 10), ("terminals.channel", 11), ("fallbacks.site", 13),
                ("volunteers.actor", 15), ("restoration.assets", 17), ("restoration", 16)}
    assert expected == found, texts
    assert 'did you mean "T-NORD"' in texts and 'did you mean "MAIRIE-PCS"' in texts
    assert all(t.startswith("s.yaml:") for t in texts.splitlines()), texts


def test_bad_values_of_the_measures_are_said(tmp_path: Path) -> None:
    path = write(tmp_path, """fallbacks:
  - {name: e, actor: MAIRIE-PCS, site: CIS-PV, delay: 3}
volunteers:
  - {name: g, actor: RESERVE, volunteers: 0}
feeds:
  - {name: a, assets: [ANT-NORD], beside: T-NORD}
""")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    found = {(p.field, p.line) for p in got.value.problems}
    assert found == {("fallbacks.0.delay", 6), ("volunteers.0.volunteers", 8),
                     ("feeds.0.add", 10)}, found


def test_a_feed_beside_an_asset_outside_the_groups_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - {name: a, assets: [ANT-NORD], beside: T-SUD, "
                 "add: T-NORD}\n")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    [problem] = got.value.problems
    assert problem.code == "feed.no_group" and problem.line == 6
    assert "T-SUD" in problem.render("en") and "ANT-NORD" in problem.render("fr")


def test_a_restoration_without_crews_is_warned(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "restoration:\n  - {name: a, assets: [MAIRIE]}\n"))
    assert [w.code for w in s.warnings] == ["restoration.no_crews"]
