"""The calibrated storm against storm Ciarán's published restoration (docs/calibration.md):
from the Monte Carlo results of the scenario, not from fixed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import ROOT
from tousrisques.analysis import run_ensemble
from tousrisques.analysis.calibration import FIRST_REPORT_H, ciaran, restoration
from tousrisques.scenario import load_scenario, scenario_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ensemble():
    s = load_scenario(ROOT / "examples" / "rouen" / "scenarios" / "tempete-ciaran.yaml")
    return s, run_ensemble(scenario_plan(s), runs=s.spec.monte_carlo.runs, workers=2)


def test_median_restoration_within_ten_points_of_enedis(ensemble):
    _, ens = ensemble
    ref = ciaran()
    got = np.median(restoration(ens, ref.hours), axis=0)
    assert np.all(np.abs(got - ref.restored) <= 0.10), list(zip(ref.hours, got, ref.restored,
                                                                strict=True))


def test_the_storm_cuts_a_minority_not_the_whole_grid(ensemble):
    # the dense core is underground: far from the 96 % of the old sample
    _, ens = ensemble
    k = ens.names.index("population_without_power")
    worst = np.median(ens.values[:, k, :].max(axis=1))
    assert 0.05 < worst < 0.40
    at = int(np.searchsorted(ens.times_s / 3600, FIRST_REPORT_H))
    assert np.median(ens.counts[:, k, at]) > 0  # people still cut when the report starts


def test_no_underground_line_is_damaged(ensemble):
    s, _ = ensemble
    from tousrisques.engine import plan_events
    plan = scenario_plan(s)
    under = s.territory.assets.construction == 1
    assert under.sum() > 100
    for run in range(5):
        events, _ = plan_events(plan, run)
        hit = [a for e in events if e.action == "fail" for a in e.assets]
        assert hit and not under[hit].any()
