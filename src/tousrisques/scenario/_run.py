"""The plan of a scenario: what every one of its runs shares (territory, hazards, events,
mitigations, draws), built once; ``tousrisques.engine.replay(plan, i)`` runs number ``i``
whole and ``tousrisques.analysis.run_ensemble(plan, runs=n)`` the Monte Carlo."""

from __future__ import annotations

from tousrisques.engine import Draws, Plan, make_plan
from tousrisques.scenario._loader import Scenario


def _draws(s: Scenario) -> Draws:
    mc = s.spec.monte_carlo
    return Draws(repair_beta=mc.repair_beta if s.repair_beta is None else s.repair_beta,
                 backup_beta=mc.backup_beta)


def scenario_plan(s: Scenario, *, seed: int | None = None) -> Plan:
    """What every run of the scenario shares, built once.

    Parameters
    ----------
    s : Scenario
        From :func:`load_scenario`.
    seed : int, optional
        Overrides the file's ``monte_carlo.seed``.

    Returns
    -------
    Plan
        For ``tousrisques.engine.replay(plan, i)`` (run ``i`` whole) and
        ``tousrisques.analysis.run_ensemble(plan, runs=n)`` (the Monte Carlo).

    Examples
    --------
    >>> from tousrisques.engine import replay
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> plan.seed == s.spec.monte_carlo.seed, plan.metadata["scenario_file"]
    (True, 'tempete.yaml')
    >>> tl = replay(plan, 3)  # run number 3, the same draws as in the Monte Carlo
    >>> bool((tl.state_at(0) == replay(plan, 3).state_at(0)).all())
    True
    """
    mc = s.spec.monte_carlo
    return make_plan(s.compiled, hazards=s.hazards, events=s.events, absent=s.absent,
                     seed=mc.seed if seed is None else seed, duration_s=s.duration_s,
                     step_s=s.step_s, draws=_draws(s), crews=s.crews, rank=s.rank,
                     supply=s.supply,
                     metadata={"scenario": s.spec.name.en, "scenario_file": s.path.name,
                               "scenario_hash": s.content_hash,
                               # the clock of time_s: t = 0, aware ISO 8601 ("" without one)
                               "start": s.start.isoformat() if s.start else "",
                               "timezone": s.territory.timezone})
