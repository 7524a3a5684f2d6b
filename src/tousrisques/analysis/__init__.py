"""What the interfaces draw on besides the indicators: the Monte Carlo of a plan
(``run_ensemble``), the criticality of assets, why an actor was cut off, and a study (a
scenario's Monte Carlo, its representative run, the criticality, another scenario beside it),
and advice: the measures that buy the most of an objective within a budget (``advise``).

The one way to run: ``plan = tousrisques.scenario.scenario_plan(scenario)``, then
``run_ensemble(plan, runs=n)`` for the Monte Carlo or ``tousrisques.engine.replay(plan, i)``
for run ``i`` whole.
"""

from tousrisques.analysis._advice import Advice, Measure, advise, main_channel
from tousrisques.analysis._advice_candidates import (
    Candidate,
    candidates,
    measure_sections,
    power_losses,
)
from tousrisques.analysis._advice_catalogue import Catalogue, load_catalogue
from tousrisques.analysis._advice_eval import (
    PARTS,
    Evaluator,
    objective_indicators,
    run_parts,
    state_digest,
)
from tousrisques.analysis._advice_explain import explain_measure, objective_text
from tousrisques.analysis._advice_facts import BaseFacts, base_facts
from tousrisques.analysis._advice_plan import plan_document
from tousrisques.analysis._advice_rules import rule_candidates
from tousrisques.analysis._advice_search import (
    OBJECTIVES,
    Gain,
    Search,
    family,
    gain,
    greedy,
    objective,
)
from tousrisques.analysis._criticality import RANKINGS, Criticality, criticality, ranking_order
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
    "OBJECTIVES",
    "PARTS",
    "RANKINGS",
    "STATS",
    "ActorWhy",
    "Advice",
    "BaseFacts",
    "Candidate",
    "Catalogue",
    "ChannelWhy",
    "Criticality",
    "Ensemble",
    "Evaluator",
    "Gain",
    "Measure",
    "Search",
    "Study",
    "advise",
    "base_facts",
    "candidates",
    "complete_study",
    "criticality",
    "dask_client",
    "explain_actor",
    "explain_measure",
    "family",
    "gain",
    "greedy",
    "load_catalogue",
    "main_channel",
    "make_study",
    "measure_sections",
    "never_working",
    "objective",
    "objective_indicators",
    "objective_text",
    "plan_document",
    "power_losses",
    "present_after_mitigations",
    "ranking_order",
    "readable_chain",
    "rule_candidates",
    "run_ensemble",
    "run_parts",
    "state_digest",
    "state_geojson",
]
