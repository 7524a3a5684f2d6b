"""The worst tail of a Monte Carlo: the tenth of the runs where the main alert channel falls
lowest, what collapsed in them, when and why, and the worst run's figures.

The median and its P10–P90 band say what most runs do; a préfecture also needs to know what
the worst runs do. Runs are ranked by their own lowest reach of the main alert channel (of
the network channels when there is no broadcast, of the actors connected when there is no
reach at all), ties by run number. A kind of asset *collapses* in a run when its share
working falls below half its start and at least 20 points below what the median run reaches
at its lowest; the words of *why* come from replaying the worst run where it collapses
(``tousrisques.engine.replay``) and counting the causes of its assets going down.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from tousrisques._i18n import N_, Msg, Text, Words
from tousrisques.analysis import Ensemble
from tousrisques.engine import CAUSES, replay
from tousrisques.results._figures import NETWORK, channel_labels, main_channel
from tousrisques.scenario import Scenario, scenario_plan

#: the share of runs the tail holds (at least one run)
TAIL = 0.1
#: a collapse: below this share of its start, and this many points below the median run
COLLAPSE_SHARE, COLLAPSE_GAP = 0.5, 0.2
#: the words of the causes of going down (``tousrisques.engine.CAUSES``)
CAUSE_WORDS: dict[str, Msg] = {
    "event": Msg(N_("damaged by the hazard or an event")),
    "requirement": Msg(N_("a supply they need failed and they have no backup")),
    "backup exhausted": Msg(N_("their backup (battery, generator, fuel) ran out")),
    "disconnected": Msg(N_("cut off from every source of their network")),
}


@dataclass(frozen=True)
class Collapse:
    """A kind of asset that collapses in some runs.

    Attributes
    ----------
    kind : str
    label : Words
        The kind's name.
    runs : int
        In how many runs of the Monte Carlo it collapses.
    lowest : float
        Its lowest share working, the median over those runs.
    from_h, to_h : float
        The earliest time it falls below half its start and the latest time it is still
        there, over those runs (hours from the start).
    back : bool
        Whether it is back above half its start by the end in every one of those runs.
    why : str
        The most frequent cause (``tousrisques.engine.CAUSES``) of its assets going down in
        the worst of those runs, replayed.

    Examples
    --------
    >>> from tousrisques._i18n import Text
    >>> from tousrisques.results import Collapse
    >>> c = Collapse("core", Text("core", "cœur"), 4, 0.0, 52.0, 72.0, False,
    ...              "backup exhausted")
    >>> c.runs, c.back
    (4, False)
    """

    kind: str
    label: Words
    runs: int
    lowest: float
    from_h: float
    to_h: float
    back: bool
    why: str


@dataclass(frozen=True)
class TailFigure:
    """A key indicator in the worst run, beside the median run.

    Attributes
    ----------
    name : str
        The indicator.
    label : Words
    value : float
        Its worst value in the worst run (a share).
    at_h : float or None
        When (hours from the start); None when it never moves in that run.
    typical : float
        The median over the runs at the same moment.
    highest : bool
        The worst is the highest value (people without power).

    Examples
    --------
    >>> from tousrisques.results import TailFigure
    >>> TailFigure("actors_connected", "actors", 0.5, 9.0, 0.9).highest
    False
    """

    name: str
    label: Words
    value: float
    at_h: float | None
    typical: float
    highest: bool = False


@dataclass(frozen=True)
class Tail:
    """The worst tenth of the runs.

    Attributes
    ----------
    indicator : str
        What the runs are ranked by (its lowest value in each run).
    label : Words
        Its words.
    total : int
        Runs in the Monte Carlo.
    runs : list of int
        The tail's runs (numbered from 0), worst first.
    lowest : list of float
        The indicator's lowest value in each of them.
    lowest_h : list of float
        When each of them reaches it (hours from the start; the first such time).
    typical : float
        The indicator's lowest value in the median run (the median over the runs of the
        lowest value of each).
    start : float
        Its median at the start: a tail whose worst run stays within :data:`HOLD` of it
        holds.
    collapses : list of Collapse
        The kinds of assets that collapse in some runs, the most runs first.
    figures : list of TailFigure
        The key indicators in the worst run.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=10)
    >>> from tousrisques.results import worst_tail
    >>> tail = worst_tail(s, ens)
    >>> tail.total, len(tail.runs)
    (10, 1)
    """

    indicator: str
    label: Words
    total: int
    runs: list[int]
    lowest: list[float]
    lowest_h: list[float]
    typical: float
    start: float
    collapses: list[Collapse]
    figures: list[TailFigure]


def _ranked_by(s: Scenario, ens: Ensemble) -> tuple[str, Words]:
    main = main_channel(s, ens)
    if main is not None:
        label = channel_labels(s).get(main, Text(main, main))
        return f"population_reached:{main}", Msg(N_("reach of “{channel}”"), channel=label)
    if NETWORK in ens.names:
        return NETWORK, Msg(N_("reach of the network channels"))
    return "actors_connected", Msg(N_("actors able to reach a crisis cell"))


def _kinds(s: Scenario, ens: Ensemble) -> list[str]:
    layers = set(s.territory.layer_names)
    return [n.split(":", 1)[1] for n in ens.names if n.startswith("assets_working:")
            and n.split(":", 1)[1] in s.territory.kinds and n.split(":", 1)[1] not in layers]


def _collapses(s: Scenario, ens: Ensemble, order: list[int], seed: int | None
               ) -> list[Collapse]:
    hours = ens.times_s / 3600
    found: list[tuple[str, list[int], np.ndarray]] = []
    for kind in _kinds(s, ens):
        v = ens.values[:, ens.names.index(f"assets_working:{kind}"), :]  # (runs, times)
        start = np.percentile(v[:, 0], 50, method="inverted_cdf")
        if start <= 0:  # not there at the start (a mitigation not yet delivered)
            continue
        lows = v.min(axis=1)
        typical = np.percentile(lows, 50, method="inverted_cdf")
        hit = (lows < COLLAPSE_SHARE * start) & (lows < typical - COLLAPSE_GAP)
        if hit.any():
            found.append((kind, [r for r in order if hit[r]], v < COLLAPSE_SHARE * start))
    out: list[Collapse] = []
    plan = scenario_plan(s, seed=seed) if found else None
    timelines: dict[int, object] = {}
    for kind, runs, below in found:
        spans = [np.nonzero(below[r])[0] for r in runs]
        worst = runs[0]
        if plan is not None and worst not in timelines:
            timelines[worst] = replay(plan, worst)
        tl = timelines.get(worst)
        why = ""
        if tl is not None:
            log = tl.log  # type: ignore[attr-defined]
            code = s.territory.kind_names.index(kind)
            mine = (s.territory.assets.kind[log.asset] == code) & ~log.working
            counts = Counter(CAUSES[int(c)] for c in log.cause[mine])
            why = counts.most_common(1)[0][0] if counts else ""
        v = ens.values[:, ens.names.index(f"assets_working:{kind}"), :]
        out.append(Collapse(
            kind, Text(s.territory.kinds[kind].label("en"), s.territory.kinds[kind].label("fr")),
            len(runs), float(np.percentile(v[runs].min(axis=1), 50, method="inverted_cdf")),
            float(min(hours[sp[0]] for sp in spans)), float(max(hours[sp[-1]] for sp in spans)),
            all(not below[r, -1] for r in runs), why))
    out.sort(key=lambda c: (-c.runs, c.from_h))
    return out


def worst_tail(s: Scenario, ens: Ensemble, *, seed: int | None = None) -> Tail:
    """The worst tenth of the runs of ``ens`` (one run at least): how low they fall and
    when, what collapsed in them and why, and the key indicators in the worst run.

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo.
    seed : int, optional
        The seed it was run with (default: the ensemble's metadata, else the scenario's), to
        replay the runs where something collapses.

    Returns
    -------
    Tail

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=20)
    >>> from tousrisques.results import worst_tail
    >>> tail = worst_tail(s, ens)
    >>> len(tail.runs), tail.lowest[0] <= tail.typical
    (2, True)
    """
    if seed is None and "seed" in ens.metadata:
        seed = int(ens.metadata["seed"])
    hours = ens.times_s / 3600
    name, label = _ranked_by(s, ens)
    v = ens.values[:, ens.names.index(name), :]
    lows = v.min(axis=1)
    order = sorted(range(ens.runs), key=lambda r: (float(lows[r]), r))
    n = max(1, math.ceil(TAIL * ens.runs - 1e-9))
    runs = order[:n]
    figures: list[TailFigure] = []
    worst = runs[0]
    wanted: list[tuple[str, Words, bool]] = [(name, label, False)]
    if NETWORK in ens.names and name != NETWORK:
        wanted.append((NETWORK, Msg(N_("reach of the network channels")), False))
    wanted += [
        ("population_without_power", Msg(N_("people without power")), True),
        ("vulnerable_unreached:any", Msg(N_("vulnerable people reached by no channel")), True),
        ("actors_connected", Msg(N_("actors able to reach a crisis cell")), False),
    ]
    wanted += [(n_, Msg(N_("sensitive establishments down ({kind})"), kind=Text(
        s.territory.kinds[n_.split(":", 1)[1]].label("en"),
        s.territory.kinds[n_.split(":", 1)[1]].label("fr"))), True)
        for n_ in ens.names if n_.startswith("sites_down:")
        and n_.split(":", 1)[1] in s.territory.kinds]
    for ind, words, highest in wanted:
        if ind not in ens.names or (ind == "actors_connected" and not s.territory.actors):
            continue
        w = ens.values[worst, ens.names.index(ind), :]
        k = int(np.argmax(w) if highest else np.argmin(w))
        moved = abs(float(w[k]) - float(w[0])) > 0
        figures.append(TailFigure(ind, words, float(w[k]), float(hours[k]) if moved else None,
                                  float(ens.stat(ind, "p50")[k]), highest))
    return Tail(name, label, ens.runs, runs, [float(lows[r]) for r in runs],
                [float(hours[int(np.argmin(v[r]))]) for r in runs],
                float(np.percentile(lows, 50, method="inverted_cdf")),
                float(np.percentile(v[:, 0], 50, method="inverted_cdf")),
                _collapses(s, ens, order, seed), figures)
