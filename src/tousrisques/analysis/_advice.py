"""Advice: what to change so that the means of alerting and deciding hold — candidate
measures by documented rules, evaluated by Monte Carlo with common random numbers, and the
plan that buys the most of an objective within a budget (docs/advice.md).

``advise(scenario, budget=…, objective=…)`` returns an :class:`Advice`: the plan's measures
in the order taken, each with its marginal gain, the P10–P90 of that gain over the runs, its
cost and a sentence that explains it; the candidates the screening saw; and the scenario
entries of the plan (``plan_document`` writes the scenario file of the plan).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tousrisques._exceptions import InputError
from tousrisques.analysis._advice_candidates import Candidate, candidates
from tousrisques.analysis._advice_catalogue import Catalogue, load_catalogue
from tousrisques.analysis._advice_eval import PARTS, Evaluator
from tousrisques.analysis._advice_explain import explain_measure
from tousrisques.analysis._advice_search import OBJECTIVES, Gain, greedy
from tousrisques.engine import replay
from tousrisques.indicators import compute_indicators, network_channels
from tousrisques.scenario import Scenario, scenario_plan


@dataclass(frozen=True)
class Measure:
    """One measure of the advice, with its effect.

    Parameters
    ----------
    key, rule, kind : str
        As :class:`Candidate`.
    assets : list of str
        Asset ids or one pattern.
    count : int
    autonomy_h : float
        The autonomy brought (0: a planned asset brought).
    cost, unit_cost : float
    source : str
    gain, gain_p10, gain_p90 : float
        Its gain: marginal for a measure of the plan (when it was added, on all the runs),
        alone for the others (on the screening runs).
    before, after : float
        The objective without and with it (mean over the runs).
    alone : float
        Its gain alone against the base, on the screening runs.
    in_plan : int
        Its rank in the plan (1 first; 0: not in it).
    explanation : dict
        One sentence per language.
    entries : dict
        Its scenario entries by section, as ``plan.yaml`` writes them
        (:meth:`Candidate.entries`).

    Examples
    --------
    >>> from tousrisques.analysis import Measure
    >>> Measure("planned:satphone", "planned", "satphone", ["SAT-*"], 72, 0.0, 108000.0,
    ...         1500.0, "assumption", 0.1, 0.0, 0.2, 0.8, 0.9, 0.1, 1, {}).in_plan
    1
    """

    key: str
    rule: str
    kind: str
    assets: list[str]
    count: int
    autonomy_h: float
    cost: float
    unit_cost: float
    source: str
    gain: float
    gain_p10: float
    gain_p90: float
    before: float
    after: float
    alone: float
    in_plan: int
    explanation: dict[str, str] = field(default_factory=dict)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    """What ``advise`` found (``to_dict`` is the content of ``advice.json``).

    Parameters
    ----------
    scenario : dict
        Its name per language and its file's name.
    objective : str
    weights : list of float
        Of the parts ``alert``, ``vulnerable``, ``actors``.
    channel : str
        The main alert channel.
    channel_name : dict
    runs, screen : int
    budget : float, optional
    currency : str
    base, planned : dict
        Each part and the objective (means over the runs), without and with the plan.
    measures : list of Measure
        The plan's measures in order, then the other candidates by gain alone.
    stats : dict
        How much was computed (candidates, runs replayed, runs whose indicators were
        computed, states whose snapshot was computed) and how long it took (``seconds`` in
        all, ``candidates_s`` to find the candidates from the base runs).

    Examples
    --------
    >>> from tousrisques.analysis import Advice
    >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 20, 10, None, "EUR", {}, {}, [],
    ...            {})
    >>> a.plan, a.cost
    ([], 0.0)
    """

    scenario: dict[str, str]
    objective: str
    weights: list[float]
    channel: str
    channel_name: dict[str, str]
    runs: int
    screen: int
    budget: float | None
    currency: str
    base: dict[str, float]
    planned: dict[str, float]
    measures: list[Measure]
    stats: dict[str, float]

    @property
    def plan(self) -> list[Measure]:
        """The plan's measures, in the order taken."""
        return sorted((m for m in self.measures if m.in_plan), key=lambda m: m.in_plan)

    @property
    def cost(self) -> float:
        """The plan's cost."""
        return float(sum(m.cost for m in self.plan))

    def to_dict(self) -> dict[str, Any]:
        """Everything, as plain JSON values.

        Returns
        -------
        dict

        Examples
        --------
        >>> from tousrisques.analysis import Advice
        >>> Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 20, 10, None, "EUR", {}, {}, [],
        ...        {}).to_dict()["cost"]
        0.0
        """
        return {**asdict(self), "cost": self.cost}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Advice:
        """An advice read back from :meth:`to_dict`.

        Parameters
        ----------
        data : dict

        Returns
        -------
        Advice

        Examples
        --------
        >>> from tousrisques.analysis import Advice
        >>> a = Advice({}, "alert", [1, 0, 0], "fr-alert", {}, 20, 10, None, "EUR", {}, {},
        ...            [], {})
        >>> Advice.from_dict(a.to_dict()) == a
        True
        """
        fields = {k: v for k, v in data.items() if k != "cost"}
        fields["measures"] = [Measure(**m) for m in data.get("measures", [])]
        return cls(**fields)


def main_channel(s: Scenario) -> str:
    """The main alert channel: of the broadcast channels that need a network, the one that
    reaches the most people before anything happens, to the percent (the first in the file
    on ties).

    Parameters
    ----------
    s : Scenario

    Returns
    -------
    str
        A channel id.

    Examples
    --------
    >>> from tousrisques.analysis import main_channel
    >>> from tousrisques.scenario import load_scenario
    >>> main_channel(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"))
    'fr-alert'
    """
    c = s.compiled
    broadcast = [str(x) for x in c.channel_ids[c.channel_broadcast].tolist()]
    usable = [ch for ch, net in zip(broadcast, network_channels(c), strict=True) if net]
    if not usable:
        raise InputError("advice.no_channel")
    plan = scenario_plan(s)
    ind = compute_indicators(c, replay(plan, 0, causes=False))
    # to the percent, as the report's key figures choose it (results.main_channel)
    reach = [round(float(ind.value(f"population_reached:{ch}")[0]), 2) for ch in usable]
    return usable[int(np.argmax(reach))]


def advise(s: Scenario, *, budget: float | None = None, objective: str = "alert",
           weights: Sequence[float] | None = None, channel: str | None = None,
           runs: int = 60, screen: int = 20, shortlist: int = 6, workers: int = 1,
           catalogue: Catalogue | None = None, seed: int | None = None,
           reuse: bool = True) -> Advice:
    """The measures that buy the most of ``objective`` within ``budget``.

    Parameters
    ----------
    s : Scenario
        The base case.
    budget : float, optional
        The most the plan may cost (the catalogue's currency); none: no limit.
    objective : str
        ``alert`` (the population the main alert channel reaches at its worst),
        ``vulnerable`` (vulnerable people reached at the worst), ``actors`` (actors
        connected at the worst) or ``mix`` (``weights``, default equal).
    weights : sequence of float, optional
        For ``mix``: of alert, vulnerable, actors.
    channel : str, optional
        The main alert channel (default: :func:`main_channel`).
    runs, screen, shortlist : int
        Runs of the confirmation of the plan, runs of the screening and of the greedy
        rounds, candidates kept after the screening.
    workers : int
        Local processes.
    catalogue : Catalogue, optional
        Costs (default: the package's ``advice.yaml``).
    seed : int, optional
        Overrides the scenario's.
    reuse : bool
        Compute only the objective's indicators, once per distinct run and state (False:
        every indicator of every run, the reference).

    Returns
    -------
    Advice

    Examples
    --------
    >>> from tousrisques.analysis import advise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> a = advise(s, runs=6, screen=3, objective="actors")
    >>> a.cost <= sum(m.cost for m in a.measures), a.channel
    (True, 'fr-alert')
    """
    if objective not in OBJECTIVES:
        raise InputError("advice.objective", objective=objective,
                         allowed=", ".join(OBJECTIVES))
    w = list(weights) if weights is not None and objective == "mix" \
        else list(OBJECTIVES[objective])
    catalogue = catalogue or load_catalogue()
    c = s.compiled
    known = [str(x) for x in c.channel_ids.tolist()]
    channel = channel or main_channel(s)
    if channel not in known:
        raise InputError("advice.channel", channel=channel, allowed=", ".join(known))
    t0 = time.perf_counter()
    plan = scenario_plan(s, seed=seed)
    found = candidates(s, plan, catalogue, range(runs))
    t1 = time.perf_counter()
    ev = Evaluator(s, found, channel, workers=workers, reuse=reuse, seed=seed)
    try:
        search = greedy(ev, found, weights=w, runs=runs, screen=screen,
                        shortlist=shortlist, budget=budget)
        base_parts = ev.parts([()], range(runs))[0]
        plan_parts = ev.parts([search.chosen], range(runs))[0]
    finally:
        ev.close()
    ch = c.channel_ids.tolist().index(channel)
    names = s.territory.channels[ch].name
    channel_name = {"en": names.en or channel, "fr": names.fr or channel}
    measures = _measures(s, found, search.steps, search.alone, search.screening, objective,
                         channel_name, runs)
    return Advice(
        {"en": s.spec.name.en, "fr": s.spec.name.fr, "file": s.path.name},
        objective, w, channel, channel_name, runs, min(screen, runs), budget,
        catalogue.currency, _summary(base_parts, w), _summary(plan_parts, w), measures,
        {"candidates": len(found), "replayed": ev.replayed, "computed": ev.computed,
         "states": ev.states, "candidates_s": round(t1 - t0, 3),
         "seconds": round(time.perf_counter() - t0, 3)})


def _summary(parts: np.ndarray, w: Sequence[float]) -> dict[str, float]:
    from tousrisques.analysis._advice_search import objective as score

    out = {name: float(np.nanmean(parts[:, k])) if not np.isnan(parts[:, k]).all()
           else float("nan") for k, name in enumerate(PARTS)}
    out["objective"] = float(score(parts, w).mean())
    return out


def _measures(s: Scenario, found: list[Candidate], steps: list[Gain], alone: list[Gain],
              screening: list[Gain], objective: str, channel: dict[str, str], runs: int
              ) -> list[Measure]:
    first = {g.index: g for g in screening}
    first.update({g.index: g for g in alone})
    rank = {g.index: k + 1 for k, g in enumerate(steps)}
    shown = {g.index: g for g in steps}
    order = [g.index for g in steps] + sorted(
        (i for i in range(len(found)) if i not in rank), key=lambda i: -first[i].mean)
    out = []
    for i in order:
        c = found[i]
        g = shown.get(i, first[i])
        spec = s.territory.kinds.get(c.kind)
        label = {lang: (spec.label(lang) if spec else "") or c.kind for lang in ("en", "fr")}
        out.append(Measure(
            c.key, c.rule, c.kind, list(c.assets), c.count, c.autonomy_s / 3600, c.cost,
            c.unit_cost, c.source, g.mean, g.p10, g.p90, g.before, g.after, first[i].mean,
            rank.get(i, 0),
            explain_measure(c, g, objective=objective, channel=channel, kind_label=label,
                            runs=runs, start=s.start), c.entries(c.key)))
    return out
