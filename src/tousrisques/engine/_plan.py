"""A plan: everything the runs of a scenario share, and the draws that make run ``i``.

Run ``i`` draws everything from its own generator, seeded by ``(seed, i)``: the same seed gives
the same results whatever the number of workers, processes or Dask workers. Each hazard gives
every asset a probability of damage (the scenario computes it from fragility curves); a
damaged asset is repaired after its kind's repair time, spread by a lognormal of
``repair_beta``, at the next output step; backups may be spread the same way
(``backup_beta``). :func:`replay` runs one of them whole; the Monte Carlo over many runs, which
also computes the indicators, is ``tousrisques.analysis.run_ensemble``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from tousrisques.engine._logistics import Crews, Supply, schedule_repairs
from tousrisques.engine._network import Network
from tousrisques.engine._timeline import Event, Timeline, run_timeline
from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Hazard:
    """Each asset is damaged with ``probability[i]`` at ``time_s`` (one time for all, or one
    per asset); ``cause`` names it.

    A hazard that grows in stages (a rising flood, a storm crossing) gives ``steps``: for
    each asset, the times at which its damage probability rises and the probability from
    then on (``asset``, ``time_s``, ``probability`` arrays, sorted by time). One uniform draw
    ``u`` per asset decides: the asset is damaged at the first step whose probability
    exceeds ``u`` — so its chance of damage is the peak probability, and it falls as soon
    as the hazard is strong enough for it, not only when the peak arrives.

    Parameters
    ----------
    time_s : float or ndarray
        When the damage falls.
    probability : ndarray
        Damage probability per asset.
    cause : str
        Its name ("hazard:storm").
    steps : tuple of arrays, optional
        ``(asset, time_s, probability)`` for a hazard in stages.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Hazard, make_plan, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> p = np.zeros(len(c.asset_ids))
    >>> p[c.asset_ids.to_pylist().index("L-SUD")] = 1.0  # certain
    >>> plan = make_plan(c, hazards=[Hazard(3600, p, "hazard:storm")],
    ...                  duration_s=6 * 3600, step_s=3600, seed=1)
    >>> bool(replay(plan, 0).state_at(2 * 3600)[2])
    False
    """

    time_s: float | FloatArray
    probability: FloatArray
    cause: str
    steps: tuple[npt.NDArray[np.int64], FloatArray, FloatArray] | None = None


@dataclass(frozen=True)
class Draws:
    """What varies between runs besides damage.

    Parameters
    ----------
    repair : bool
        Draw repairs of damaged assets (their kind's repair time).
    repair_beta : float or ndarray
        Lognormal spread of repair times (0: fixed), one for all or one per asset.
    backup_beta : float
        Lognormal spread of backup autonomies (0: fixed).

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Draws, make_plan
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> plan = make_plan(c, duration_s=86400, step_s=3600, draws=Draws(repair_beta=0.5))
    >>> plan.draws.repair_beta
    0.5
    """

    repair: bool = True
    repair_beta: float | FloatArray = 0.0  # one spread for all, or one per asset
    backup_beta: float = 0.0


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs, sent once.

    Attributes
    ----------
    compiled : CompiledTerritory
    network : Network
    hazards, events : tuple
    absent : tuple of int
    duration_s, step_s : float
    seed : int
    draws : Draws
    metadata : mapping
    crews : Crews, optional
        Repair crews per pool (none: every repair starts at once).
    rank : ndarray of int, optional
        Repair priority of each asset, 0 first (none: the order of the rows).
    supply : Supply, optional
        Refuelling rounds, mobile generators and switching, decided as the run goes.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> plan = make_plan(c, events=outage([ps], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> plan.duration_s, len(plan.events)
    (43200, 2)
    """

    compiled: CompiledTerritory
    network: Network
    hazards: tuple[Hazard, ...]
    events: tuple[Event, ...]
    absent: tuple[int, ...]
    duration_s: float
    step_s: float
    seed: int
    draws: Draws
    metadata: Mapping[str, str] = field(default_factory=dict)  # what is being run, in words
    crews: Crews | None = None  # repairs wait for a crew of their pool
    rank: npt.NDArray[np.int64] | None = None  # repair priority of each asset (0 first)
    supply: Supply | None = None  # refuelling, mobile generators, switching


def plan_events(plan: Plan, run: int) -> tuple[list[Event], Network]:
    """The events of run number ``run`` (damage and repairs drawn from its own generator)
    and its network (backups drawn too, when they vary).

    Parameters
    ----------
    plan : Plan
    run : int
        The run's number.

    Returns
    -------
    tuple of (list of Event, Network)

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> plan = make_plan(c, events=outage([ps], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> from tousrisques.engine import plan_events
    >>> events, net = plan_events(plan, 0)
    >>> [(e.time_s, e.action, e.cause) for e in events]
    [(3600, 'fail', 'storm'), (25200, 'restore', 'end of storm')]
    """
    c, net = plan.compiled, plan.network
    rng = np.random.default_rng([plan.seed, run])
    events = list(plan.events)
    # an absent asset cannot be damaged before a mitigation brings it
    arrival = np.full(net.n, -np.inf)
    missing = np.zeros(net.n, bool)
    missing[list(plan.absent)] = True
    arrival[missing] = np.inf
    jobs: list[tuple[npt.NDArray[np.int64], FloatArray, FloatArray, str]] = []
    for e in plan.events:
        if e.action == "restore":
            rows = np.asarray(e.assets, dtype=np.int64)
            rows = rows[missing[rows]]
            arrival[rows] = np.minimum(arrival[rows], e.time_s)
    for h in plan.hazards:
        u = rng.random(net.n)
        if h.steps is not None:
            s_asset, s_time, s_prob = h.steps
            over = np.nonzero(s_prob > u[s_asset])[0]
            first_assets, first = np.unique(s_asset[over], return_index=True)
            at = np.full(net.n, np.inf)
            at[first_assets] = s_time[over][first]
            drawn = np.isfinite(at)
        else:
            drawn = u < h.probability
            at = np.broadcast_to(np.asarray(h.time_s, dtype=np.float64), (net.n,))
        # the draws of a run do not depend on which assets a plan brings (common random
        # numbers between a plan and its variants): one repair factor per asset drawn
        # damaged, present or not, then the absent ones dropped
        candidates = np.nonzero(drawn)[0]
        if len(candidates) == 0:
            continue
        keep = at[candidates] >= arrival[candidates]
        hit = candidates[keep]
        beta = np.broadcast_to(np.asarray(plan.draws.repair_beta, dtype=np.float64),
                               (net.n,))[candidates]
        spread = rng.standard_normal(len(candidates))[keep] \
            if plan.draws.repair and (beta > 0).any() else None
        if len(hit) == 0:
            continue
        when = at[hit]
        for t in np.unique(when):
            events.append(Event(float(t), tuple(hit[when == t].tolist()), "fail", h.cause))
        if plan.draws.repair:
            delay = c.repair_s[hit]
            if spread is not None:
                delay = delay * np.exp(beta[keep] * spread)
            jobs.append((hit, when, delay, h.cause))
    if jobs:
        events += _repairs(plan, jobs)
    if plan.draws.backup_beta > 0 and net.n_groups:
        net = replace(net, backup_s=net.backup_s * rng.lognormal(
            0.0, plan.draws.backup_beta, net.n_groups))
    return events, net


def _repairs(plan: Plan, jobs: list[tuple[npt.NDArray[np.int64], FloatArray, FloatArray, str]]
             ) -> list[Event]:
    """The repair of every damage of a run, at the next output step after it ends: at
    once, or when a crew of its pool has done it (in priority order)."""
    rows = np.concatenate([j[0] for j in jobs])
    ready = np.concatenate([j[1] for j in jobs])
    delay = np.concatenate([j[2] for j in jobs])
    cause = np.concatenate([np.full(len(j[0]), k) for k, j in enumerate(jobs)])
    if plan.crews is not None:
        rank = plan.rank if plan.rank is not None else np.arange(plan.network.n)
        end = schedule_repairs(ready, delay, plan.crews.pool[rows], plan.crews, rank[rows])
    else:
        end = ready + delay
    done = np.ceil(end / plan.step_s) * plan.step_s
    events = []
    for k, (_, _, _, name) in enumerate(jobs):
        mine = cause == k
        for t in np.unique(done[mine]):
            if t <= plan.duration_s:
                events.append(Event(float(t), tuple(rows[mine & (done == t)].tolist()),
                                    "restore", f"repair after {name}"))
    return events


def replay(plan: Plan, run: int, *, causes: bool = True) -> Timeline:
    """Run number ``run`` of the plan, whole: its timeline with the log of every change.

    The same plan and run number give the same draws, hence the same timeline, as the
    run of that number in a Monte Carlo (``tousrisques.analysis.run_ensemble``, which
    needs the states only and asks ``causes=False``: the same states, without the causes).

    Parameters
    ----------
    plan : Plan
        From :func:`make_plan` or ``tousrisques.scenario.scenario_plan``.
    run : int
        The run number, from 0.
    causes : bool
        False: log the changes of state without their causes (faster; ``explain`` needs
        them). The states are the same.

    Returns
    -------
    Timeline
        States at any time (``working_at``) and the log of changes with causes.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, replay
    >>> plan = make_plan(load_compiled("src/tousrisques/templates/petite-ville"),
    ...                  duration_s=6 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> bool((tl.state_at(5 * 3600) == tl.state_at(0)).all())  # nothing happens
    True
    """
    c = plan.compiled
    events, net = plan_events(plan, run)
    return run_timeline(net, events, duration_s=plan.duration_s, step_s=plan.step_s,
                        absent=plan.absent,
                        owners={"zones": c.zone_requires, "channels": c.channel_requires},
                        causes=causes, supply=plan.supply)


def make_plan(c: CompiledTerritory, *, duration_s: float, step_s: float,
              hazards: Sequence[Hazard] = (), events: Sequence[Event] = (),
              absent: Sequence[int] = (), seed: int = 0, draws: Draws | None = None,
              metadata: Mapping[str, str] | None = None, crews: Crews | None = None,
              rank: npt.NDArray[np.int64] | None = None, supply: Supply | None = None
              ) -> Plan:
    """Everything the runs of a scenario share, built once.

    A scenario gives its plan with ``tousrisques.scenario.scenario_plan``; this constructor
    is for events written in code. Then ``replay(plan, i)`` runs number ``i`` whole and
    ``tousrisques.analysis.run_ensemble(plan, runs=n)`` runs the Monte Carlo.

    Parameters
    ----------
    c : CompiledTerritory
        The territory, compiled.
    duration_s, step_s : float
        How long the runs last and the step of their outputs, in seconds.
    hazards : sequence of Hazard
        Damage drawn at random, differently in each run.
    events : sequence of Event
        Timed events, the same in every run.
    absent : sequence of int
        Asset rows absent at the start (brought later by a ``restore`` event).
    seed : int
        Run ``i`` draws from a generator seeded by ``(seed, i)``.
    draws : Draws, optional
        What else varies between runs (repair times, backups).
    metadata : mapping, optional
        What is being run, in words; kept in the results.
    crews : Crews, optional
        Repair crews per pool: repairs wait for a free crew, in priority order.
    rank : ndarray of int, optional
        Repair priority of each asset (0 first; ``service_rank`` computes one).
    supply : Supply, optional
        Refuelling rounds, mobile generators and switching.

    Returns
    -------
    Plan

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Event, make_plan, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> row = c.asset_ids.to_pylist().index("PS-ELBEUF")
    >>> plan = make_plan(c, events=[Event(3600, (row,), "fail", "storm")],
    ...                  duration_s=24 * 3600, step_s=3600)
    >>> bool(replay(plan, 0).state_at(2 * 3600)[row])
    False
    """
    return Plan(c, Network.from_compiled(c), tuple(hazards), tuple(events), tuple(absent),
                duration_s, step_s, seed, draws or Draws(), dict(metadata or {}), crews,
                None if rank is None else np.asarray(rank, dtype=np.int64), supply)
