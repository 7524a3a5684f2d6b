"""The evaluation of measures by Monte Carlo with common random numbers.

A set of measures is the scenario with their mitigations and backups
(``tousrisques.scenario.with_measures``); its run ``i`` meets the same damage, repair times
and backup spreads as run ``i`` of the base (the draws depend on the seed and the run
number only), so the difference between the two is the measure's effect alone and is precise
with few runs. Two runs whose states are the same at every output time (a measure at assets
that never lost their power in that run) have the same indicators: each run's states are
hashed after its replay (cheap), and the indicators (dear) are computed once per distinct
state; the runs of every set share that memory.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques.analysis._advice_candidates import Candidate
from tousrisques.engine import Plan, Timeline, replay
from tousrisques.indicators import compute_indicators
from tousrisques.scenario import Scenario, scenario_plan, with_measures

FloatArray = npt.NDArray[np.float64]
#: the three parts of every objective, each at its worst over the run (a share, 0 to 1)
PARTS = ("alert", "vulnerable", "actors")
Chosen = tuple[int, ...]  # indices of candidates, sorted


def run_parts(values: FloatArray, names: Sequence[str], channel: str) -> FloatArray:
    """The parts of the objective of one run: the share of the population the main alert
    channel reaches at its worst, of the vulnerable people some channel reaches at its
    worst, and of the actors connected at its worst.

    Parameters
    ----------
    values : ndarray
        ``(indicators, times)``, as ``Indicators.values``.
    names : sequence of str
        The indicators' names.
    channel : str
        The main alert channel.

    Returns
    -------
    ndarray
        Three shares, in the order of :data:`PARTS`.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import run_parts
    >>> names = ["population_reached:fr-alert", "vulnerable_unreached:any", "actors_connected"]
    >>> values = np.array([[1.0, 0.4, 0.9], [0.0, 0.2, 0.1], [1.0, 1.0, 0.5]])
    >>> run_parts(values, names, "fr-alert").tolist()
    [0.4, 0.8, 0.5]
    """
    def worst(name: str, *, unreached: bool = False) -> float:
        if name not in names:
            return math.nan
        row = values[list(names).index(name)]
        return float(1.0 - row.max()) if unreached else float(row.min())

    return np.array([worst(f"population_reached:{channel}"),
                     worst("vulnerable_unreached:any", unreached=True),
                     worst("actors_connected")])


def state_digest(tl: Timeline) -> bytes:
    """A hash of everything the indicators read of a run: the states at every output time
    and which zones and channels have their requirements.

    Parameters
    ----------
    tl : Timeline

    Returns
    -------
    bytes

    Examples
    --------
    >>> from tousrisques.analysis import state_digest
    >>> from tousrisques.engine import replay
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> plan = scenario_plan(load_scenario(
    ...     "src/tousrisques/templates/petite-ville/scenarios/tempete.yaml"))
    >>> state_digest(replay(plan, 1, causes=False)) == state_digest(replay(plan, 1))
    True
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(np.ascontiguousarray(tl.snapshots).tobytes())
    for key in sorted(tl.owners_ok):
        h.update(np.packbits(tl.owners_ok[key]).tobytes())
    if tl.presence is not None:
        h.update(np.ascontiguousarray(tl.presence).tobytes())
    return h.digest()


class _Worker:
    """What a process holds: the base scenario, the candidates, the plans built so far and
    the indicators of every distinct state it met."""

    def __init__(self, scenario: Scenario, found: Sequence[Candidate], channel: str,
                 seed: int | None) -> None:
        self.scenario, self.found, self.channel, self.seed = scenario, found, channel, seed
        self.plans: dict[Chosen, Plan] = {}
        self.memo: dict[bytes, FloatArray] = {}

    def plan(self, chosen: Chosen) -> Plan:
        if chosen not in self.plans:
            picked = [self.found[i] for i in chosen]
            variant = with_measures(self.scenario,
                                    mitigations=[m for c in picked for m in c.mitigations()],
                                    backups=[b for c in picked for b in c.backups()])
            self.plans[chosen] = scenario_plan(variant, seed=self.seed)
        return self.plans[chosen]

    def runs(self, chosen: Chosen, runs: Sequence[int], known: dict[bytes, FloatArray],
             reuse: bool) -> list[tuple[bytes, FloatArray, bool]]:
        plan = self.plan(chosen)
        out = []
        for r in runs:
            tl = replay(plan, r, causes=False)
            digest = state_digest(tl)
            got = (known.get(digest) if digest in known else self.memo.get(digest)) \
                if reuse else None
            if got is None:
                ind = compute_indicators(plan.compiled, tl)
                got = run_parts(ind.values, ind.names, self.channel)
                self.memo[digest] = got
                out.append((digest, got, True))
            else:
                out.append((digest, got, False))
        return out


_WORKER: _Worker | None = None


def _install(scenario: Scenario, found: Sequence[Candidate], channel: str,
             seed: int | None) -> None:
    global _WORKER  # one base scenario per process, sent once
    _WORKER = _Worker(scenario, found, channel, seed)


def _task(chosen: Chosen, runs: Sequence[int], known: dict[bytes, FloatArray],
          reuse: bool) -> list[tuple[bytes, FloatArray, bool]]:
    assert _WORKER is not None
    return _WORKER.runs(chosen, runs, known, reuse)


@dataclass
class Evaluator:
    """The parts of the objective of sets of measures, run by run, with common random
    numbers; every (set, run) is computed once.

    Parameters
    ----------
    scenario : Scenario
    found : sequence of Candidate
    channel : str
        The main alert channel.
    workers : int
        Local processes.
    reuse : bool
        Compute the indicators once per distinct state (False: for every run, the
        reference the benchmark measures against).
    seed : int, optional
        Overrides the scenario's.

    Examples
    --------
    >>> from tousrisques.analysis import Evaluator
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ev = Evaluator(s, [], "fr-alert")
    >>> ev.parts([()], range(3))[0].shape
    (3, 3)
    >>> ev.close()
    """

    scenario: Scenario
    found: Sequence[Candidate]
    channel: str
    workers: int = 1
    reuse: bool = True
    seed: int | None = None
    computed: int = 0  # runs whose indicators were computed
    replayed: int = 0  # runs replayed
    _cache: dict[tuple[Chosen, int], tuple[bytes, FloatArray]] = field(default_factory=dict)
    _pool: Any = None

    def parts(self, sets: Sequence[Chosen], runs: Sequence[int]) -> list[FloatArray]:
        """The parts of each set's runs, ``(runs, 3)`` per set.

        Parameters
        ----------
        sets : sequence of tuple of int
            Each a sorted tuple of candidate indices (``()``: the base).
        runs : sequence of int

        Returns
        -------
        list of ndarray

        Examples
        --------
        >>> from tousrisques.analysis import Evaluator
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ev = Evaluator(s, [], "fr-alert")
        >>> bool((ev.parts([()], [0])[0] <= 1).all())
        True
        """
        todo = [(chosen, [r for r in runs if (chosen, r) not in self._cache])
                for chosen in sets]
        tasks = [(chosen, chunk) for chosen, left in todo if left
                 for chunk in _split(left, self.workers)]
        if tasks:
            self._run(tasks)
        return [np.array([self._cache[(chosen, r)][1] for r in runs]).reshape(-1, len(PARTS))
                for chosen in sets]

    def _known(self, runs: Sequence[int]) -> dict[bytes, FloatArray]:
        want = set(runs)
        return dict(v for (_, r), v in self._cache.items() if r in want) if self.reuse else {}

    def _run(self, tasks: list[tuple[Chosen, list[int]]]) -> None:
        if self.workers <= 1:
            if _WORKER is None or _WORKER.scenario is not self.scenario \
                    or _WORKER.found is not self.found:
                _install(self.scenario, self.found, self.channel, self.seed)
            results = [_task(chosen, chunk, self._known(chunk), self.reuse)
                       for chosen, chunk in tasks]
        else:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, initializer=_install,
                    initargs=(self.scenario, self.found, self.channel, self.seed))
            futures = [self._pool.submit(_task, chosen, chunk, self._known(chunk), self.reuse)
                       for chosen, chunk in tasks]
            results = [f.result() for f in futures]
        for (chosen, chunk), got in zip(tasks, results, strict=True):
            for r, (digest, value, computed) in zip(chunk, got, strict=True):
                self._cache[(chosen, r)] = (digest, value)
                self.computed += int(computed)
                self.replayed += 1

    def close(self) -> None:
        """Stop the worker processes.

        Examples
        --------
        >>> from tousrisques.analysis import Evaluator
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> Evaluator(s, [], "fr-alert").close()
        """
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _split(runs: list[int], workers: int) -> list[list[int]]:
    """Chunks of runs: two per worker, so that the processes stay busy."""
    n = max(1, math.ceil(len(runs) / max(1, 2 * workers)))
    return [runs[i:i + n] for i in range(0, len(runs), n)]
