"""What the interfaces draw on besides the indicators: the Monte Carlo of a plan
(``run_ensemble``), the criticality of assets, why an actor was cut off, and a study (a
scenario's Monte Carlo, its representative run, the criticality, another scenario beside it).

The one way to run: ``plan = tousrisques.scenario.scenario_plan(scenario)``, then
``run_ensemble(plan, runs=n)`` for the Monte Carlo or ``tousrisques.engine.replay(plan, i)``
for run ``i`` whole.
"""

from tousrisques.analysis._criticality import Criticality, criticality
from tousrisques.analysis._ensemble import STATS, Ensemble
from tousrisques.analysis._health import never_working
from tousrisques.analysis._montecarlo import dask_client, run_ensemble
from tousrisques.analysis._snapshot import state_geojson
from tousrisques.analysis._study import (
    Study,
    complete_study,
    make_study,
    present_after_mitigations,
)
from tousrisques.analysis._why import ActorWhy, ChannelWhy, explain_actor, readable_chain

__all__ = [
    "STATS",
    "ActorWhy",
    "ChannelWhy",
    "Criticality",
    "Ensemble",
    "Study",
    "complete_study",
    "criticality",
    "dask_client",
    "explain_actor",
    "make_study",
    "never_working",
    "present_after_mitigations",
    "readable_chain",
    "run_ensemble",
    "state_geojson",
]
