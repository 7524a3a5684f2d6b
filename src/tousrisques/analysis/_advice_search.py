"""The search for the plan: a greedy choice, by gain per unit of cost, within the budget.

1. **Screening**: every candidate alone, against the base, on the first ``screen`` runs.
2. **Short list**: the ``shortlist`` candidates of best gain per cost (a gain above zero).
3. **Greedy rounds** on the screening runs: each round adds to the plan the candidate of the
   short list whose marginal gain (the plan with it, minus the plan without it, run by run)
   per unit of cost is best among those that still fit the budget; it stops when none gains.
   Once an option of a family is taken (the autonomy options of a kind), the family's other
   options leave the list (they would replace it, not add to it).
4. **Confirmation** on all the runs: the plan's measures in the order taken, each one's
   marginal gain (the plan up to it, minus the plan before it) with its P10–P90.

The gains of one round are measured against the plan of that round, so a measure that only
helps once another is there (generators at antennas once their fibre nodes hold) is found
when the other has been taken. That is why every round measures every candidate left, and
not only the one whose last gain was best (a lazy greedy, exact only when gains shrink as
the plan grows): here they can grow. Common random numbers make a difference precise on few
runs, so the rounds run on the screening runs and only the plan is measured on all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.analysis._advice_candidates import Candidate
from tousrisques.analysis._advice_eval import PARTS, Chosen, Evaluator

FloatArray = npt.NDArray[np.float64]
#: the objectives and the weight of each part (alert, vulnerable, actors)
OBJECTIVES: dict[str, tuple[float, float, float]] = {
    "alert": (1.0, 0.0, 0.0),
    "vulnerable": (0.0, 1.0, 0.0),
    "actors": (0.0, 0.0, 1.0),
    "mix": (1 / 3, 1 / 3, 1 / 3),
}
EPSILON = 1e-9  # a gain below this is no gain


@dataclass(frozen=True)
class Gain:
    """The effect of a candidate: the paired difference of the objective, run by run.

    Parameters
    ----------
    index : int
        The candidate's index.
    mean, p10, p90 : float
        Of the difference of the objective over the runs.
    before, after : float
        The objective (mean over the runs) without and with it.
    runs : int

    Examples
    --------
    >>> from tousrisques.analysis import Gain
    >>> Gain(0, 0.1, 0.0, 0.3, 0.5, 0.6, 60).mean
    0.1
    """

    index: int
    mean: float
    p10: float
    p90: float
    before: float
    after: float
    runs: int


def objective(parts: FloatArray, weights: Sequence[float]) -> FloatArray:
    """The objective of each run: the weighted mean of its parts (a part that does not
    exist, NaN, counts for nothing and its weight is shared among the others).

    Parameters
    ----------
    parts : ndarray
        ``(runs, 3)``.
    weights : sequence of float
        One per part of ``PARTS``.

    Returns
    -------
    ndarray
        One per run.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import objective
    >>> objective(np.array([[0.2, np.nan, 0.6]]), (1, 1, 1)).round(2).tolist()
    [0.4]
    """
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), parts.shape)
    w = np.where(np.isnan(parts), 0.0, w)
    total = w.sum(axis=1)
    return np.asarray(np.where(total > 0, (np.nan_to_num(parts) * w).sum(axis=1)
                               / np.where(total > 0, total, 1.0), 0.0), dtype=np.float64)


def gain(index: int, with_it: FloatArray, without: FloatArray, weights: Sequence[float]
         ) -> Gain:
    """The paired gain of a candidate: its runs with it minus the same runs without.

    Parameters
    ----------
    index : int
    with_it, without : ndarray
        ``(runs, 3)`` parts.
    weights : sequence of float

    Returns
    -------
    Gain

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import gain
    >>> g = gain(0, np.array([[0.5, 1, 1], [0.7, 1, 1]]), np.array([[0.4, 1, 1]] * 2),
    ...          (1, 0, 0))
    >>> round(g.mean, 2), round(g.after, 2)
    (0.2, 0.6)
    """
    a, b = objective(with_it, weights), objective(without, weights)
    d = a - b
    return Gain(index, float(d.mean()),
                float(np.percentile(d, 10, method="inverted_cdf")),
                float(np.percentile(d, 90, method="inverted_cdf")),
                float(b.mean()), float(a.mean()), len(d))


def _ratio(g: Gain, c: Candidate) -> float:
    return g.mean / c.cost if c.cost > 0 else (np.inf if g.mean > EPSILON else 0.0)


@dataclass(frozen=True)
class Search:
    """What the search found.

    Parameters
    ----------
    screening : list of Gain
        Every candidate alone against the base, on the screening runs.
    alone : list of Gain
        The short list, each alone against the base (on the screening runs).
    steps : list of Gain
        The plan, in the order taken: each its marginal gain when it was added, on all the
        runs.

    Examples
    --------
    >>> from tousrisques.analysis import Search
    >>> Search([], [], []).chosen
    ()
    """

    screening: list[Gain]
    alone: list[Gain]
    steps: list[Gain]

    @property
    def chosen(self) -> Chosen:
        return tuple(sorted(g.index for g in self.steps))


def family(c: Candidate) -> str:
    """The family of a candidate: candidates of one family replace each other in a plan
    (the autonomy options of one kind).

    Parameters
    ----------
    c : Candidate

    Returns
    -------
    str

    Examples
    --------
    >>> from tousrisques.analysis import Candidate, family
    >>> family(Candidate("autonomy:antenna:24h", "autonomy", "antenna", ["A"], 1, 86400.0,
    ...                  10.0, 10.0, "x"))
    'autonomy:antenna'
    """
    got = getattr(c, "family", None)  # the candidates' own, where they say it
    return got if isinstance(got, str) else f"{c.rule}:{c.kind}"


def greedy(ev: Evaluator, found: Sequence[Candidate], *, weights: Sequence[float],
           runs: int, screen: int, shortlist: int, budget: float | None) -> Search:
    """The plan that buys the most of the objective within ``budget`` (see the module).

    Parameters
    ----------
    ev : Evaluator
    found : sequence of Candidate
    weights : sequence of float
        One per part of ``PARTS``.
    runs, screen : int
        Runs of the confirmation, and of the screening and the rounds (at most ``runs``).
    shortlist : int
        Candidates kept after the screening.
    budget : float, optional
        The most the plan may cost (none: no limit).

    Returns
    -------
    Search

    Examples
    --------
    >>> from tousrisques.analysis import Evaluator, greedy
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> greedy(Evaluator(s, [], "fr-alert"), [], weights=(1, 0, 0), runs=4, screen=2,
    ...        shortlist=3, budget=None).steps
    []
    """
    assert len(weights) == len(PARTS)
    head = range(min(screen, runs))
    base = ev.parts([()], head)[0]
    singles = ev.parts([(i,) for i in range(len(found))], head)
    screening = [gain(i, p, base, weights) for i, p in enumerate(singles)]
    fits = [g for g in screening if budget is None or found[g.index].cost <= budget]
    keep = sorted((g for g in fits if g.mean > EPSILON),
                  key=lambda g: (-_ratio(g, found[g.index]), found[g.index].cost))[:shortlist]
    order = _rounds(ev, found, [g.index for g in keep], base, head, weights, budget)
    # the plan confirmed on all the runs: each measure's marginal gain in the order taken
    prefixes = [tuple(sorted(order[:k])) for k in range(len(order) + 1)]
    every = ev.parts(prefixes, range(runs))
    steps = [gain(i, every[k + 1], every[k], weights) for k, i in enumerate(order)]
    return Search(screening, keep, steps)


def _rounds(ev: Evaluator, found: Sequence[Candidate], short: list[int], base: FloatArray,
            head: Sequence[int], weights: Sequence[float], budget: float | None
            ) -> list[int]:
    """The greedy rounds on the runs ``head``: the candidates taken, in order."""
    chosen: Chosen = ()
    now = base
    spent = 0.0
    order: list[int] = []
    left = list(short)
    while left:
        room = None if budget is None else budget - spent
        able = [i for i in left if room is None or found[i].cost <= room + 1e-9]
        if not able:
            break
        sets = [tuple(sorted((*chosen, i))) for i in able]
        gains = [gain(i, p, now, weights)
                 for i, p in zip(able, ev.parts(sets, head), strict=True)]
        best = max(gains, key=lambda g: (_ratio(g, found[g.index]), -found[g.index].cost))
        if best.mean <= EPSILON:
            break
        order.append(best.index)
        chosen = tuple(sorted((*chosen, best.index)))
        now = ev.parts([chosen], head)[0]
        spent += found[best.index].cost
        # one option per family: a longer autonomy does not add to a shorter one
        taken = family(found[best.index])
        left = [i for i in left if family(found[i]) != taken]
    return order
