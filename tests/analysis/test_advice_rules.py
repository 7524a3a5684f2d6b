"""The rules of the advice that propose a measure for one asset or one actor (feed,
terminal, fallback, volunteers, restoration): each proposes its measure when the base runs
call for it and not otherwise, its variant changes the engine's result, its sentence says
why in both languages, and a bad catalogue entry of it is refused with its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.scenario.test_measures import DEAF, RESTORE, door_town, write
from tousrisques import ValidationError
from tousrisques.analysis import (
    Advice,
    Candidate,
    Evaluator,
    advise,
    candidates,
    explain_measure,
    gain,
    load_catalogue,
    measure_sections,
    plan_document,
)
from tousrisques.analysis._advice_search import Gain
from tousrisques.engine import replay
from tousrisques.indicators import compute_indicators
from tousrisques.scenario import load_scenario, scenario_plan, with_measures

RUNS = 3
# the sirens silent too: nobody is warned by a network
SILENT = DEAF.replace("MAIL-PV]", "MAIL-PV, SIR-CENTRE]")
# the town hall's generator fails with the storm: its site waits for the crew, which goes
# to the most vulnerable people first (the south quarter's care home)
DARK = RESTORE.replace("priorities: [crisis_cells]", "priorities: [vulnerable]") + \
    "events:\n  - {at: 0s, assets: [GE-MAIRIE], duration: 30h, cause: panne}\n"


def mean_of(path: Path, c: Candidate | None, name: str) -> float:
    """An indicator of run 0 with ``c`` (or without), mean over the output times."""
    s = load_scenario(path)
    if c is not None:
        s = with_measures(s, **c.sections())  # type: ignore[arg-type]
    ind = compute_indicators(s.compiled, replay(scenario_plan(s), 0))
    return float(ind.value(name).mean())


def connected(path: Path, c: Candidate | None) -> float:
    return mean_of(path, c, "actors_connected")


def unreached(path: Path, c: Candidate | None) -> float:
    return mean_of(path, c, "vulnerable_unreached:any")


def found(path: Path, rule: str) -> list[Candidate]:
    s = load_scenario(path)
    return [c for c in candidates(s, scenario_plan(s), load_catalogue(), range(RUNS))
            if c.rule == rule]


def alone(path: Path, c: Candidate) -> float:
    """The gain of ``c`` alone on the mix objective (common random numbers)."""
    s = load_scenario(path)
    # reuse=False: the reuse by state digest does not see terminals, fallbacks and
    # volunteers yet (they change the indicators, not the states; see advice-notes)
    ev = Evaluator(s, [c], "fr-alert", reuse=False)
    try:
        base, with_it = ev.parts([(), (0,)], range(RUNS))
    finally:
        ev.close()
    return gain(0, with_it, base, (1, 1, 1)).mean


def sentence(c: Candidate, lang: str) -> str:
    g = Gain(0, 0.03, 0.0, 0.1, 0.85, 0.88, RUNS)
    return explain_measure(c, g, objective="actors", channel={"en": "FR-Alert"},
                           kind_label={"en": c.kind}, runs=RUNS, start=None)[lang]


def test_feed(tmp_path: Path) -> None:
    cut = "events:\n  - {at: 1h, assets: [L-SUD], duration: 20h, cause: ligne}\n"
    got = {c.assets[0]: c for c in found(write(tmp_path, cut), "feed")}
    # the south quarter's single feed (T-SUD) fails; the north transformer still works
    assert {"ANT-SUD", "CIS-PV", "EHPAD"} <= set(got)
    c = got["CIS-PV"]
    [spec] = c.sections()["feeds"]
    assert (spec.beside, spec.add) == ("T-SUD", "T-NORD")
    price = load_catalogue().feed_of("transformer")
    assert price is not None
    assert c.cost == pytest.approx(price.fixed + price.per_km * c.facts["distance_m"] / 1000)
    assert c.lost_runs == RUNS
    assert alone(write(tmp_path, cut), c) > 0  # the fire station keeps its radio
    assert "Poste HTA/BT nord" in sentence(c, "en") and "seconde alimentation" in \
        sentence(c, "fr")
    # both quarters cut: no transformer works when theirs fails, so no second feed
    both = cut.replace("[L-SUD]", "[L-SUD, L-NORD]")
    assert found(write(tmp_path, both, name="both.yaml"), "feed") == []


def test_terminal(tmp_path: Path) -> None:
    deaf = write(tmp_path, DEAF)
    got = {c.key: c for c in found(deaf, "terminal")}
    # the care home and the reserve reach no crisis cell; the radio of the prefecture's
    # operations centre needs no network of the town
    assert set(got) == {"terminal:EHPAD-DIR:radio-secours", "terminal:RESERVE:radio-secours"}
    c = got["terminal:EHPAD-DIR:radio-secours"]
    assert c.facts["target"]["en"] == "Prefecture operations centre"
    assert alone(deaf, c) > 0
    fr = sentence(c, "fr")
    assert fr.startswith("Réseau radio des secours pour Direction de l") and \
        "ne joint plus aucune cellule de crise" in fr
    assert found(write(tmp_path, "", name="calm.yaml"), "terminal") == []
    # the care home's site down too: a terminal at the site would not help it
    site = DEAF.replace("MAIL-PV]", "MAIL-PV, EHPAD]")
    assert [c.key for c in found(write(tmp_path, site, name="site.yaml"), "terminal")] == [
        "terminal:RESERVE:radio-secours"]


def test_fallback(tmp_path: Path) -> None:
    fire = write(tmp_path, "events:\n  - {at: 1h, assets: [MAIRIE], duration: 20h, "
                 "cause: incendie}\n")
    got = {c.key: c for c in found(fire, "fallback")}
    # the two crisis cells sitting at the town hall, each to the nearest working site of
    # another actor (the care home is nearer than the fire station)
    assert set(got) == {"fallback:MAIRIE-PCS", "fallback:PREF-COD"}
    c = got["fallback:MAIRIE-PCS"]
    assert c.assets == ("EHPAD",)
    # the actors reach the town hall's cell again once it has moved (2 h later); the
    # objective at its worst does not see it (its worst is before the move)
    assert connected(fire, c) > connected(fire, None)
    assert "site de repli" in sentence(c, "fr") and "EHPAD des Tilleuls" in sentence(c, "en")
    assert found(write(tmp_path, "", name="calm.yaml"), "fallback") == []


def test_volunteers(tmp_path: Path) -> None:
    town = door_town(tmp_path, 2)
    deaf = write(tmp_path, SILENT, territory=town)
    [c] = found(deaf, "volunteers")
    price = load_catalogue().volunteers
    assert price is not None
    assert c.key == "volunteers:RESERVE" and c.count == price.count
    assert c.cost == price.count * price.cost
    # vulnerable people reached sooner (the objective at its worst does not see it: its
    # worst is the first hour, before anybody walks)
    assert unreached(deaf, c) < unreached(deaf, None)
    assert "bénévoles" in sentence(c, "fr")
    # Petite-Ville as shipped has no door-to-door channel
    assert found(write(tmp_path, DEAF, name="plain.yaml"), "volunteers") == []


def test_restoration(tmp_path: Path) -> None:
    storm = write(tmp_path, DARK)
    got = {c.key: c for c in found(storm, "restoration")}
    assert "restoration:MAIRIE" in got
    c = got["restoration:MAIRIE"]
    assert "rétablir en premier" in sentence(c, "fr")
    assert connected(storm, c) > connected(storm, None)
    # the same storm without crews: nothing to put first
    no_crews = DARK.replace("crews:\n  - {name: équipe, kinds: [line], count: 1}\n", "")
    assert found(write(tmp_path, no_crews, name="free.yaml"), "restoration") == []


def test_restoration_of_the_care_home_is_an_engine_change(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, RESTORE))
    from tousrisques.scenario import RestorationSpec

    v = with_measures(s, restoration=[RestorationSpec(name="x", assets=["EHPAD"])])
    row = s.compiled.asset_ids.to_pylist().index("T-SUD")
    assert not replay(scenario_plan(s), 0).state_at(9 * 3600)[row]
    assert replay(scenario_plan(v), 0).state_at(9 * 3600)[row]


def test_the_advised_plan_file_runs(tmp_path: Path) -> None:
    deaf = write(tmp_path, DEAF)
    s = load_scenario(deaf)
    a = advise(s, runs=RUNS, screen=RUNS, objective="actors", reuse=False)  # see alone()
    assert "terminal:EHPAD-DIR:radio-secours" in [m.key for m in a.plan]
    folder = tmp_path / "advice"
    folder.mkdir()
    (folder / "plan.yaml").write_text(plan_document(s, a, folder), "utf-8")
    plan = load_scenario(folder / "plan.yaml")
    assert ["EHPAD-DIR"] in [t.actors for t in plan.spec.terminals]
    # the plan as a file gives what the advice measured
    sections = measure_sections([c for c in candidates(s, scenario_plan(s), load_catalogue(),
                                                       range(RUNS))
                                 if c.key in {m.key for m in a.plan}])
    v = with_measures(s, **sections)  # type: ignore[arg-type]
    for r in range(RUNS):
        assert (replay(scenario_plan(plan), r).snapshots
                == replay(scenario_plan(v), r).snapshots).all()
    assert Advice.from_dict(a.to_dict()).plan[0].entries == a.plan[0].entries


BAD = {
    "feed": ("feed:\n  transformer: {fixed: 1, source: x}\n", "feed.transformer.per_km", 2),
    "terminal": ("terminal:\n  radio-secour: {cost: 1, source: x}\n", "terminal.radio-secour",
                 2),
    "fallback": ("fallback: {cost: 1, source: x, delay: 2}\n", "fallback.delay", 1),
    "volunteers": ("volunteers: {count: 0, cost: 1, source: x}\n", "volunteers.count", 1),
    "restoration": ("restoration: {cost: -1, source: x}\n", "restoration.cost", 1),
}


@pytest.mark.parametrize("rule", sorted(BAD))
def test_a_bad_catalogue_entry_is_refused(tmp_path: Path, rule: str) -> None:
    text, field, line = BAD[rule]
    path = tmp_path / "advice.yaml"
    path.write_text(text, encoding="utf-8")
    s = load_scenario(EXAMPLE / "scenarios" / "tempete.yaml")
    with pytest.raises(ValidationError) as got:
        load_catalogue(path, territory=s.territory)
    [problem] = got.value.problems
    assert problem.field == field and problem.line == line
    assert problem.render("fr").startswith(f"advice.yaml:{line}")
