"""The evaluation of measures by Monte Carlo with common random numbers.

A set of measures is the scenario with their mitigations and backups
(``tousrisques.scenario.with_measures``); its run ``i`` meets the same damage, repair times
and backup spreads as run ``i`` of the base (the draws depend on the seed and the run
number only), so the difference between the two is the measure's effect alone and is precise
with few runs.

What is computed is kept small, in three ways:

* only the three indicators the objective reads (``compute_indicators(only=…)``), not the
  ~150 of a run folder;
* a run whose states are the same at every output time as a run already met (a measure at
  assets that never lost their power in that run) gives that run's parts again: each run's
  states are hashed after its replay (cheap), with the layout of its territory (a terminal,
  a fallback site or volunteers change what the same states give, see
  ``indicators.layout_key``);
* within a run that differs, the snapshot of each state (who is reached, who can talk) is
  taken from a memo of the states already met (``SnapshotMemo``): a measure changes the
  states of a few output times, the others are the base's;
* a run is not even replayed when the set is a set already replayed plus backup autonomy
  at assets that never stopped in that run of it: autonomy only counts once a backup runs
  out, and that stops the asset.

Each process always gets the same runs (run ``i`` goes to process ``i mod workers``), so
the variants of a run find the states of its base in their own process's memo.
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

from tousrisques.analysis._advice_candidates import Candidate, measure_sections
from tousrisques.engine import Plan, Timeline, replay
from tousrisques.indicators import SnapshotMemo, compute_indicators, layout_key
from tousrisques.scenario import Scenario, scenario_plan, with_measures

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
#: the three parts of every objective, each at its worst over the run (a share, 0 to 1)
PARTS = ("alert", "vulnerable", "actors")
Chosen = tuple[int, ...]  # indices of candidates, sorted
Job = tuple[Chosen, list[int]]  # a set of measures and runs of it
#: what a (set, run) took: taken from its set less one autonomy measure, replayed (its
#: parts known from a run with the same states), or replayed and computed
SKIPPED, REPLAYED, COMPUTED = 0, 1, 2
Done = tuple[FloatArray, int]
#: the states whose snapshot a process keeps (about 22 kB each on the Rouen sample: the
#: base's states of its runs and the states its measures change, for 30 runs and 36
#: candidates)
MEMO_STATES = 8192


def objective_indicators(channel: str) -> list[str]:
    """The indicators the parts of the objective read.

    Parameters
    ----------
    channel : str
        The main alert channel.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from tousrisques.analysis import objective_indicators
    >>> objective_indicators("fr-alert")
    ['population_reached:fr-alert', 'vulnerable_unreached:any', 'actors_connected']
    """
    return [f"population_reached:{channel}", "vulnerable_unreached:any", "actors_connected"]


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
    """What a process holds: the base scenario, the candidates, the plans built so far, the
    parts of every distinct run it met and the snapshots of every state it met."""

    def __init__(self, scenario: Scenario, found: Sequence[Candidate], channel: str,
                 seed: int | None) -> None:
        self.scenario, self.found, self.channel, self.seed = scenario, found, channel, seed
        self.plans: dict[Chosen, Plan] = {}
        self.memo: dict[bytes, FloatArray] = {}
        self.snaps = SnapshotMemo(MEMO_STATES)
        self.layouts: dict[tuple[int, ...], int] = {}  # the plans above keep their ids
        self.done: dict[tuple[Chosen, int], FloatArray] = {}  # parts of (set, run)
        self.stopped: dict[tuple[Chosen, int], IntArray] = {}  # assets that ever stopped
        self.gained: dict[tuple[Chosen, Chosen], BoolArray] = {}
        self.names = objective_indicators(channel)

    def plan(self, chosen: Chosen) -> Plan:
        if chosen not in self.plans:
            picked = [self.found[i] for i in chosen]
            variant = with_measures(self.scenario, **_sections(picked))
            self.plans[chosen] = scenario_plan(variant, seed=self.seed)
        return self.plans[chosen]

    def runs(self, jobs: Sequence[Job], reuse: bool) -> tuple[list[list[Done]], int]:
        """Each job's parts run by run, with what it took (:data:`Done`), and the snapshots
        computed."""
        misses = self.snaps.misses
        out = []
        for chosen, runs in jobs:
            plan = self.plan(chosen)
            got: list[Done] = []
            for r in runs:
                if not reuse:  # the reference: every indicator, nothing kept
                    ind = compute_indicators(plan.compiled, replay(plan, r, causes=False))
                    got.append((run_parts(ind.values, ind.names, self.channel), REPLAYED))
                    continue
                same = self._unchanged(chosen, r)
                if same is not None:
                    got.append((same, SKIPPED))
                    continue
                tl = replay(plan, r, causes=False)
                self.stopped[(chosen, r)] = np.unique(tl.log.asset[~tl.log.working])
                # the same states mean the same only in the same layout (a terminal, a
                # fallback site or volunteers change the indicators, not the states)
                layout = self.layouts.setdefault(layout_key(plan.compiled), len(self.layouts))
                digest = layout.to_bytes(4, "little") + state_digest(tl)
                known = self.memo.get(digest)
                if known is None:
                    ind = compute_indicators(plan.compiled, tl, only=self.names,
                                             memo=self.snaps)
                    known = self.memo[digest] = run_parts(ind.values, ind.names,
                                                          self.channel)
                    got.append((known, COMPUTED))
                else:
                    got.append((known, REPLAYED))
                self.done[(chosen, r)] = known
            out.append(got)
        return out, self.snaps.misses - misses

    def _unchanged(self, chosen: Chosen, r: int) -> FloatArray | None:
        """The parts of run ``r`` of ``chosen`` without replaying it, when it is the run of
        ``chosen`` less one autonomy measure whose assets never stopped in that run.

        Autonomy only counts once a power supply is lost and only ends when the backup runs
        out, which stops the asset: an asset that never stopped never ran out, and more
        autonomy at it changes nothing of the run (conservative: an asset stopped for any
        cause, damage included, is replayed)."""
        for j in chosen:
            if not _autonomy_only(self.found[j]):
                continue
            parent = tuple(i for i in chosen if i != j)
            stopped = self.stopped.get((parent, r))
            if stopped is None or (parent, r) not in self.done:
                continue
            if not self._more_autonomy(parent, chosen)[stopped].any():
                self.stopped[(chosen, r)] = stopped
                self.done[(chosen, r)] = self.done[(parent, r)]
                return self.done[(parent, r)]
        return None

    def _more_autonomy(self, parent: Chosen, chosen: Chosen) -> BoolArray:
        """Per asset, whether ``chosen`` gives one of its requirement groups more autonomy
        than ``parent``."""
        key = (parent, chosen)
        if key not in self.gained:
            a = self.plan(parent).compiled.requires
            b = self.plan(chosen).compiled.requires
            more = np.zeros(self.plan(chosen).compiled.n_assets, bool)
            if a.backup_s.shape == b.backup_s.shape:
                more[b.owner[b.backup_s > a.backup_s]] = True
            else:  # another layout of requirements: never taken as unchanged
                more[:] = True
            self.gained[key] = more
        return self.gained[key]


def _autonomy_only(c: Candidate) -> bool:
    """Whether a measure is only backup autonomy (it changes no draw and no layout)."""
    return {k for k, v in _sections([c]).items() if v} == {"backups"}


def _sections(picked: Sequence[Candidate]) -> dict[str, Any]:
    """The scenario entries of measures, by section of the scenario file."""
    return dict(measure_sections(picked))


_WORKER: _Worker | None = None


def _install(scenario: Scenario, found: Sequence[Candidate], channel: str,
             seed: int | None) -> None:
    global _WORKER  # one base scenario per process, sent once
    _WORKER = _Worker(scenario, found, channel, seed)


def _task(jobs: Sequence[Job], reuse: bool) -> tuple[list[list[Done]], int]:
    assert _WORKER is not None
    return _WORKER.runs(jobs, reuse)


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
        Compute only the objective's indicators, once per distinct run and snapshot once per
        distinct state (False: every indicator of every run, the reference the benchmark
        measures against).
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
    states: int = 0  # snapshots computed (distinct states met, per process)
    _cache: dict[tuple[Chosen, int], FloatArray] = field(default_factory=dict)
    _pools: list[Any] = field(default_factory=list)

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
        n = max(1, self.workers)
        # run i always goes to process i mod workers, where the states of its base are
        per: list[list[Job]] = [[] for _ in range(n)]
        for chosen in dict.fromkeys(sets):
            left = [r for r in runs if (chosen, r) not in self._cache]
            for w in range(n):
                mine = [r for r in left if r % n == w]
                if mine:
                    per[w].append((chosen, mine))
        if any(per):
            self._run(per)
        return [np.array([self._cache[(chosen, r)] for r in runs]).reshape(-1, len(PARTS))
                for chosen in sets]

    def _run(self, per: list[list[Job]]) -> None:
        if self.workers <= 1:
            if _WORKER is None or _WORKER.scenario is not self.scenario \
                    or _WORKER.found is not self.found or _WORKER.seed != self.seed \
                    or _WORKER.channel != self.channel:
                _install(self.scenario, self.found, self.channel, self.seed)
            results = [_task(per[0], self.reuse)]
        else:
            if not self._pools:
                self._pools = [ProcessPoolExecutor(
                    1, initializer=_install,
                    initargs=(self.scenario, self.found, self.channel, self.seed))
                    for _ in range(self.workers)]
            futures = [pool.submit(_task, jobs, self.reuse) if jobs else None
                       for pool, jobs in zip(self._pools, per, strict=True)]
            results = [f.result() if f is not None else ([], 0) for f in futures]
        for jobs, (got, states) in zip(per, results, strict=True):
            self.states += states
            for (chosen, runs), values in zip(jobs, got, strict=True):
                for r, (value, done) in zip(runs, values, strict=True):
                    self._cache[(chosen, r)] = value
                    self.computed += int(done == COMPUTED)
                    self.replayed += int(done != SKIPPED)

    def close(self) -> None:
        """Stop the worker processes.

        Examples
        --------
        >>> from tousrisques.analysis import Evaluator
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> Evaluator(s, [], "fr-alert").close()
        """
        for pool in self._pools:
            pool.shutdown()
        self._pools = []
