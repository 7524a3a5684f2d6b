"""Advice: the measure known best by construction ranks first, the budget holds, common
random numbers keep the draws, a bad catalogue says every problem, the ranking is stable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import EXAMPLE
from tousrisques import ValidationError
from tousrisques.analysis import (
    Evaluator,
    advise,
    candidates,
    gain,
    load_catalogue,
    objective,
)
from tousrisques.engine import Draws, Hazard, make_plan, plan_events
from tousrisques.scenario import load_scenario, scenario_plan

# Petite-Ville: one fibre node (NRO-PV) carries every antenna to the core. Its substation
# fails for 40 h; the antennas are given 72 h of batteries in the base case, the fibre node
# keeps its kind's 4 h: FR-Alert falls when the fibre node's batteries run out, so autonomy
# at the fibre node is the measure that buys FR-Alert back, and nothing else can.
FIBRE_STORY = f"""\
name: Coupure du poste source
territory: {EXAMPLE.as_posix()}
duration: 48h
step: 1h
events:
  - {{at: 1h, assets: [PS-ELBEUF], duration: 40h, cause: poste source}}
backups:
  - {{name: batteries des antennes, kinds: [antenna], autonomy: 72h}}
monte_carlo: {{runs: 4, seed: 3}}
"""

CATALOGUE = """\
currency: EUR
autonomy:
  fibre_node:
    - {autonomy: 24h, cost: 20000, source: test}
    - {autonomy: 72h, cost: 50000, source: test}
  default:
    - {autonomy: 72h, cost: 1000, source: "cheap but useless for FR-Alert"}
planned:
  default: {cost: 1000, source: test}
"""


@pytest.fixture
def fibre(tmp_path: Path) -> Path:
    path = tmp_path / "coupure.yaml"
    path.write_text(FIBRE_STORY, encoding="utf-8")
    return path


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "advice.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return path


def test_autonomy_at_the_one_fibre_node_ranks_first(fibre: Path, catalogue: Path) -> None:
    s = load_scenario(fibre)
    cat = load_catalogue(catalogue, territory=s.territory)
    a = advise(s, runs=4, screen=4, catalogue=cat, objective="alert")
    assert a.plan, "something must buy FR-Alert back"
    first = a.plan[0]
    assert first.kind == "fibre_node" and first.rule == "autonomy"
    assert first.assets == ["NRO-PV"]
    # it brings FR-Alert at its worst back up, and no other measure alone does as much
    assert first.after > first.before + 0.1
    others = [m for m in a.measures if m.kind != "fibre_node"]
    assert others and all(m.alone < first.alone for m in others)
    # the cheaper fibre option holds the 40 h cut? no: 24 h < 40 h, so only 72 h buys the end
    assert first.autonomy_h == 72
    # the sentence names the fibre node, its 4 h batteries, and the figures, in both languages
    assert "4\N{NO-BREAK SPACE}h" in first.explanation["en"]
    assert "FR-Alert" in first.explanation["fr"] and "\N{NARROW NO-BREAK SPACE}%" in \
        first.explanation["fr"]


def test_budget_is_respected(fibre: Path, catalogue: Path) -> None:
    s = load_scenario(fibre)
    cat = load_catalogue(catalogue)
    a = advise(s, runs=4, screen=4, catalogue=cat, budget=60000)
    assert 0 < a.cost <= 60000
    assert [m.key for m in a.plan][:1] == ["autonomy:fibre_node:72h"]
    # 1 short of the only measure that holds the 40 h cut: nothing is bought (24 h at the
    # fibre node fits, but FR-Alert still falls to its worst before the power returns)
    short = advise(s, runs=4, screen=4, catalogue=cat, budget=49999)
    assert short.cost <= 49999
    assert "autonomy:fibre_node:72h" not in [m.key for m in short.plan]
    assert short.planned["alert"] == pytest.approx(short.base["alert"])


def test_the_plan_never_does_worse_than_the_base(fibre: Path, catalogue: Path) -> None:
    s = load_scenario(fibre)
    a = advise(s, runs=4, screen=4, catalogue=load_catalogue(catalogue), objective="mix")
    assert a.planned["objective"] >= a.base["objective"]
    assert all(m.gain > 0 for m in a.plan)


def test_a_planned_asset_does_not_shift_the_draws_of_the_others() -> None:
    """Common random numbers: bringing an asset (here absent, then not) leaves the damage
    and the drawn repair times of every other asset as they were."""
    s = load_scenario(EXAMPLE / "scenarios" / "tempete.yaml")
    c = s.compiled
    p = np.full(c.n_assets, 0.6)
    ids = c.asset_ids.to_pylist()
    hazard = Hazard(3600.0, p, "hazard:storm")
    absent = ids.index("ANT-NORD")  # in the middle of the rows
    kw = {"duration_s": 48 * 3600, "step_s": 3600, "seed": 5,
          "draws": Draws(repair_beta=0.8)}
    with_it = make_plan(c, hazards=[hazard], **kw)
    without = make_plan(c, hazards=[hazard], absent=[absent], **kw)
    for run in range(6):
        a = {(e.action, r, e.time_s) for e in plan_events(with_it, run)[0] for r in e.assets}
        b = {(e.action, r, e.time_s) for e in plan_events(without, run)[0] for r in e.assets}
        assert {x for x in a if x[1] != absent} == b


def test_backups_change_no_draw_and_reuse_the_base_runs() -> None:
    """A measure at assets that never lose their power in a run gives that run's base
    states: its indicators are not computed again, and autonomy at assets that never stopped
    in a run does not even replay it; every part is the one computed from scratch."""
    s = load_scenario(EXAMPLE / "scenarios" / "tempete.yaml")
    found = candidates(s, scenario_plan(s), load_catalogue(), range(8))
    autonomy = [i for i, c in enumerate(found) if c.rule == "autonomy"]
    assert autonomy
    sets = [(), *[(i,) for i in range(len(found))],
            *[tuple(sorted((autonomy[0], i))) for i in range(len(found)) if i != autonomy[0]]]
    ev = Evaluator(s, found, "fr-alert")
    base = ev.parts([()], range(8))[0]
    assert ev.computed == 8
    parts = ev.parts(sets, range(8))
    assert ev.computed < ev.replayed < 8 * len(sets)  # reused, and some runs not replayed
    scratch = Evaluator(s, found, "fr-alert", reuse=False).parts(sets, range(8))
    for chosen, p, q in zip(sets, parts, scratch, strict=True):
        assert np.array_equal(p, q, equal_nan=True), [found[i].key for i in chosen]
    for i, p in enumerate(parts[1:len(found) + 1]):  # a measure never lowers a part here
        assert (objective(p, (1, 1, 1)) >= objective(base, (1, 1, 1)) - 1e-12).all(), found[i]
    ev.close()


CORE_STORY = f"""\
name: Coupure du cœur
territory: {EXAMPLE.as_posix()}
duration: 24h
step: 1h
events:
  - {{at: 1h, assets: [CORE-RN, NRO-PV, MAIL-PV], duration: 20h, cause: panne}}
monte_carlo: {{runs: 3, seed: 3}}
"""


def test_reuse_changes_no_part_even_when_the_states_do_not_move(tmp_path: Path) -> None:
    """A terminal for an actor changes who is connected, not the assets' states: the runs
    and snapshots reused by state must not hand the base's parts back."""
    path = tmp_path / "coeur.yaml"
    path.write_text(CORE_STORY, encoding="utf-8")
    s = load_scenario(path)
    found = candidates(s, scenario_plan(s), load_catalogue(), range(3))
    assert found
    sets = [(), *[(i,) for i in range(len(found))]]
    fast = Evaluator(s, found, "fr-alert").parts(sets, range(3))
    slow = Evaluator(s, found, "fr-alert", reuse=False).parts(sets, range(3))
    for chosen, a, b in zip(sets, fast, slow, strict=True):
        assert np.array_equal(a, b, equal_nan=True), chosen
    # and some measure does connect an actor the cut leaves alone
    assert max(p[:, 2].mean() for p in fast[1:]) > fast[0][:, 2].mean()


def test_gain_is_paired_run_by_run() -> None:
    before = np.array([[0.2, 1, 1], [0.8, 1, 1], [0.5, 1, 1]])
    after = before + np.array([[0.1, 0, 0], [0.1, 0, 0], [0.1, 0, 0]])
    g = gain(0, after, before, (1, 0, 0))
    # the runs vary by 0.6 but the difference does not: its band is a point
    assert g.p10 == pytest.approx(0.1) and g.p90 == pytest.approx(0.1)


def test_a_bad_catalogue_says_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "advice.yaml"
    path.write_text("""\
currency: EUR
autonomy:
  antena:
    - {autonomy: 8h, cost: 100, source: x}
  siren:
    - {autonomy: 8, cost: -5, source: x}
    - {autonomy: 8h, cost: 10}
planned:
  generator: {cost: 1, source: x, colour: red}
""", encoding="utf-8")
    s = load_scenario(EXAMPLE / "scenarios" / "tempete.yaml")
    with pytest.raises(ValidationError) as got:
        load_catalogue(path, territory=s.territory)
    texts = [p.render("en") for p in got.value.problems]
    assert all(t.startswith("advice.yaml:") for t in texts)
    joined = "\n".join(texts)
    for field in ("autonomy.siren.0.autonomy", "autonomy.siren.0.cost",
                  "autonomy.siren.1.source", "planned.generator.colour"):
        assert field in joined, joined
    assert "advice.yaml:6" in joined  # the siren's line
    # a misspelt kind is caught once the schema holds (a second pass: the kinds)
    path.write_text("autonomy:\n  antena:\n    - {autonomy: 8h, cost: 1, source: x}\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as got:
        load_catalogue(path, territory=s.territory)
    [problem] = got.value.problems
    assert "advice.yaml:2" in problem.render("en") and "antenna" in problem.render("en")


@pytest.mark.slow
def test_common_random_numbers_rank_alike_with_20_and_200_runs() -> None:
    """The Rouen storm: the two measures that buy the most alone rank the same with 20 runs
    as with 200 (the issue's check of common random numbers): 72 h of autonomy at the sites
    and the planned satellite phones, about 5 and 4 points of the mixed objective. The
    ranking by gain alone against the base is the ranking by the objective with each
    measure (the base's runs, the same for both, cancel out), so the base is not replayed
    here: about 40 s on 2 idle cores (docs/benchmarks.md)."""
    rouen = Path(__file__).parents[2] / "examples" / "rouen" / "scenarios" / "tempete.yaml"
    s = load_scenario(rouen)
    found = candidates(s, scenario_plan(s), load_catalogue(), range(20))
    picked = [next(c for c in found if c.key == key)
              for key in ("autonomy:site:72h", "planned:satphone")]
    ev = Evaluator(s, picked, "fr-alert", workers=2)
    w = (1, 1, 1)
    try:
        # run i is the same draw whatever the number of runs asked (common random numbers):
        # the first 20 of the 200 are the 20 runs, evaluated once
        site, phones = ev.parts([(0,), (1,)], range(200))
        few = gain(0, site[:20], phones[:20], w).mean  # run by run, on the same draws
        many = gain(0, site, phones, w).mean
        assert np.sign(few) == np.sign(many) != 0, (few, many)
    finally:
        ev.close()
