"""The timeline: the state of every asset over a scenario, event by event, with causes.

Events are explicit and timed (the scenario issue turns hazards, outages, repairs and
mitigations into them). Between events nothing changes but backup timers: a requirement group
lost at t0 keeps its asset working until t0 + backup, and its timer starts again from full
when the group is met again. The state is recomputed only at event times and timer expiries.
After more damage, or an expired timer, the fixed point starts from the previous working set
(the new one can only be smaller, when every layer has a source); after a repair, from every
undamaged asset.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tousrisques._exceptions import InputError
from tousrisques.engine._fixedpoint import (
    Reasons,
    fixed_point,
)
from tousrisques.engine._forest import Forest
from tousrisques.engine._log import StateLog, _Recorder
from tousrisques.engine._logistics import Supply
from tousrisques.engine._network import BoolArray, IntArray, Network
from tousrisques.engine._supply import Tanks
from tousrisques.territory import Requirements

Action = Literal["fail", "restore"]


@dataclass(frozen=True)
class Event:
    """At ``time_s`` (seconds from the start), ``assets`` fail or are restored.

    ``cause`` says why, for people: "hazard:storm", "cyber-attack", "repair",
    "mitigation:generator at the town hall".

    Parameters
    ----------
    time_s : float
        Seconds from the start.
    assets : tuple of int
        Asset rows.
    action : {"fail", "restore"}
    cause : str
        Why, in words.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> from tousrisques.engine import Event
    >>> plan = make_plan(c, events=[Event(3600, (ps,), "fail", "flood")],
    ...                  duration_s=6 * 3600, step_s=3600)
    >>> bool(replay(plan, 0).state_at(3600)[ps])
    False
    """

    time_s: float
    assets: tuple[int, ...]
    action: Action
    cause: str


def outage(assets: Sequence[int], start_s: float, duration_s: float, cause: str
           ) -> list[Event]:
    """A targeted outage or cyber-attack: ``assets`` fail at ``start_s`` and come back
    ``duration_s`` later.

    Parameters
    ----------
    assets : sequence of int
        Asset rows.
    start_s, duration_s : float
        When it starts and how long it lasts, in seconds.
    cause : str
        What it is, in words.

    Returns
    -------
    list of Event
        The failure and the restore.

    Examples
    --------
    >>> from tousrisques.engine import outage
    >>> [(e.time_s, e.action) for e in outage([3], 3600, 7200, "ransomware")]
    [(3600, 'fail'), (10800, 'restore')]
    """
    rows = tuple(int(a) for a in assets)
    return [Event(start_s, rows, "fail", cause),
            Event(start_s + duration_s, rows, "restore", f"end of {cause}")]


@dataclass(frozen=True, eq=False)
class Timeline:
    """The result of :func:`run_timeline`: the log of changes and the state on a time grid.

    ``owners_ok[name]`` holds, for each output time, whether each owner of the requirement
    set ``name`` (zones, channels) has all its groups met or on backup.

    Attributes
    ----------
    times_s : ndarray
        The output grid, in seconds from the start.
    log : StateLog
        Every change of state, with its cause.
    events : tuple of Event
        What happened, in order.
    owners_ok : dict
        Per requirement set (``zones``, ``channels``), which owners are met at each output time.

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
    >>> tl.times_s[:3].tolist()
    [0.0, 3600.0, 7200.0]
    >>> bool(tl.working_at(2)[ant]), bool(tl.state_at(4 * 3600)[ant])  # 2 h of battery
    (True, False)
    """

    times_s: npt.NDArray[np.float64]
    snapshots: npt.NDArray[np.uint8]  # packed bits, one row per output time
    n_assets: int
    log: StateLog
    events: tuple[Event, ...]
    computations: int
    owners_ok: dict[str, npt.NDArray[np.bool_]]
    presence: npt.NDArray[np.uint8] | None = None  # packed, per output time, when some
    # assets were absent at the start: which exist (not yet brought = not there)

    def present_at(self, k: int) -> BoolArray:
        """Which assets exist at output time ``times_s[k]``.

        Parameters
        ----------
        k : int
            An index of ``times_s``.

        Returns
        -------
        ndarray of bool
            One per asset.

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
        >>> int(tl.present_at(0).sum()) == len(ids)
        True
        """
        if self.presence is None:
            return np.ones(self.n_assets, bool)
        return np.unpackbits(self.presence[k], count=self.n_assets).astype(bool)

    def index_at(self, time_s: float) -> int:
        """Index of the last output time at or before ``time_s`` (0 before the start).

        Parameters
        ----------
        time_s : float
            Seconds from the start.

        Returns
        -------
        int

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
        >>> tl.index_at(5000), tl.index_at(-1)
        (1, 0)
        """
        return max(int(np.searchsorted(self.times_s, time_s, side="right")) - 1, 0)

    def working_at(self, k: int) -> BoolArray:
        """Which assets work at output time ``times_s[k]``.

        Parameters
        ----------
        k : int
            An index of ``times_s``.

        Returns
        -------
        ndarray of bool
            One per asset.

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
        >>> bool(tl.working_at(0)[ps]), bool(tl.working_at(1)[ps])
        (True, False)
        """
        bits = np.unpackbits(self.snapshots[k], count=self.n_assets)
        return bits.astype(bool)

    def state_at(self, time_s: float) -> BoolArray:
        """Which assets work at any time, from the log (after the changes at that time).

        Parameters
        ----------
        time_s : float
            Seconds from the start; need not be on the output grid.

        Returns
        -------
        ndarray of bool
            One per asset.

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
        >>> bool(tl.state_at(3599)[ps]), bool(tl.state_at(3600)[ps])
        (True, False)
        """
        working = np.ones(self.n_assets, bool)
        done = np.nonzero(self.log.time_s <= time_s)[0][::-1]
        # the last change of each asset up to time_s decides
        assets, last = np.unique(self.log.asset[done], return_index=True)
        working[assets] = self.log.working[done[last]]
        return working

    def last_change(self, asset: int, time_s: float) -> int:
        """Index in the log of the last change of ``asset`` at or before ``time_s`` (-1).

        Parameters
        ----------
        asset : int
            An asset row.
        time_s : float
            Seconds from the start.

        Returns
        -------
        int
            A row of ``log``, or -1 when the asset has not changed by then.

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
        >>> i = tl.last_change(ant, 4 * 3600)
        >>> float(tl.log.time_s[i]), bool(tl.log.working[i])
        (10800.0, False)
        """
        hits = np.nonzero((self.log.asset == asset) & (self.log.time_s <= time_s))[0]
        return int(hits[-1]) if len(hits) else -1


class _Owners:
    """Requirement groups of zones or channels over the assets, with their own timers."""

    def __init__(self, req: Requirements, n_assets: int, n_times: int) -> None:
        self.matrix = req.matrix(n_assets)
        self.owner = req.owner
        self.n = req.n_owners
        self.backup = req.backup_s
        self.lost_since = np.full(req.n_groups, np.inf)
        self.ok = np.ones(self.n, bool)
        self.grid = np.zeros((n_times, self.n), bool)

    def update(self, working: BoolArray, t: float) -> None:
        met = (self.matrix @ working.view(np.int8)) > 0
        self.lost_since[met] = np.inf
        self.lost_since[~met & np.isinf(self.lost_since)] = t
        failing = ~met & ~((self.backup > 0) & (t < self.lost_since + self.backup))
        self.ok = np.bincount(self.owner[failing], minlength=self.n) == 0

    def next_timer(self, t: float) -> float:
        timers = self.lost_since + self.backup
        pending = (self.backup > 0) & (timers > t)
        return float(timers[pending].min()) if pending.any() else np.inf


def run_timeline(net: Network, events: Sequence[Event], *, duration_s: float, step_s: float,
                 absent: Sequence[int] = (),
                 owners: Mapping[str, Requirements] | None = None,
                 incremental: bool = True, causes: bool = True,
                 supply: Supply | None = None) -> Timeline:
    """Simulate ``duration_s`` seconds; report the state every ``step_s`` seconds.

    ``absent`` assets do not exist at the start (a mitigation event restores them); they are
    logged at time 0 with the event cause -1. Everything down at the start is logged at
    time 0 with its cause. ``owners`` are other requirement sets to follow (zones need power
    with a phone's autonomy, channels need their platform): their timers count too.
    ``incremental`` keeps the connectivity of each layer up to date from one event to the
    next instead of recomputing it (see ``Forest``); set it to False to compare.
    ``causes=False`` logs the changes of state without their causes (cause 0, ref -1), for
    callers that need the states only (the Monte Carlo's indicators): the states, the
    snapshots and the times at which the state is computed are the same, and the reasons
    of down assets are not recomputed at each change. ``explain`` needs the causes.
    ``supply`` adds refuelling rounds, mobile generators and the closing of normally-open
    switches (``engine/_supply.py``); the switch closures are added to the events.

    Parameters
    ----------
    net : Network
    events : sequence of Event
    duration_s, step_s : float
        How long, and the output step, in seconds.
    absent : sequence of int
        Asset rows that do not exist at the start.
    owners : mapping, optional
        Other requirement sets to follow, by name.
    incremental : bool
        Keep connectivity up to date incrementally.
    causes : bool
        Log the causes of every change (False: the states only).
    supply : Supply, optional
        Refuelling, mobile generators and switching.

    Returns
    -------
    Timeline

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import Network, fixed_point
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> net = Network.from_compiled(c)
    >>> damaged = np.zeros(net.n, dtype=bool)
    >>> damaged[ids.index("PS-ELBEUF")] = True
    >>> from tousrisques.engine import outage, run_timeline
    >>> tl = run_timeline(net, outage([ids.index("CORE-RN")], 0, 3600, "fault"),
    ...                   duration_s=2 * 3600, step_s=3600)
    >>> tl.working_at(0)[ids.index("CORE-RN")], tl.working_at(1)[ids.index("CORE-RN")]
    (np.False_, np.True_)
    """
    n = net.n
    events = sorted(events, key=lambda e: e.time_s)
    if supply is not None and len(supply.switches):  # open at the start, whatever closes them
        absent = sorted(set(absent) | set(supply.switches.tolist()))
    for e in events:
        if not np.isfinite(e.time_s):
            raise InputError("event.time", event=e.cause)
    # each damage needs its own restore: an asset hit by a storm and a cyber-attack works
    # again when both are over (a count per asset, never below zero); one event damages an
    # asset once however many times it names it
    hits = np.zeros(n, np.int64)
    hits[list(absent)] = 1
    damaged = hits > 0
    present = np.ones(n, bool)
    present[list(absent)] = False
    damage_ref = np.full(n, -1, np.int64)  # the event that began each asset's damage
    restored_by = np.full(n, -1, np.int64)
    tanks = Tanks(net, supply)
    excused = tanks.excused(0.0)
    met = np.ones(net.n_groups, bool)
    times_s = np.arange(0.0, duration_s + step_s / 2, step_s)
    snapshots = np.zeros((len(times_s), (n + 7) // 8), np.uint8)
    presence = np.zeros((len(times_s), (n + 7) // 8), np.uint8) if len(absent) else None
    recorder = _Recorder(n)
    why = Reasons(net) if causes else None
    followed = {name: _Owners(req, n, len(times_s)) for name, req in (owners or {}).items()}
    working = np.ones(n, bool)
    k = 0
    grid = 0
    computations = 0
    t = 0.0
    first = True
    # with a source in every layer, more damage can only shrink the working set, so the
    # fixed point may start from the previous one; the largest-component rule is not
    # monotone (the second component becomes the largest when the first breaks up)
    monotone = all(layer.has_sources for layer in net.layers)
    forests = [Forest(layer, ~damaged[layer.members]) for layer in net.layers] \
        if monotone and incremental else None
    while True:
        # apply the events at t, then compute the state at t
        restored = first
        repaired = np.zeros(n, bool)
        touched: list[IntArray] = []
        signs: list[IntArray] = []
        failing: list[tuple[int, IntArray]] = []
        while k < len(events) and events[k].time_s <= t:
            rows = np.unique(np.asarray(events[k].assets, dtype=np.int64))  # once per asset
            touched.append(rows)
            if events[k].action == "fail":
                signs.append(np.ones(len(rows), np.int64))
                failing.append((k, rows))
            else:
                signs.append(np.full(len(rows), -1, np.int64))
                restored_by[rows] = k
            k += 1
        if touched:
            # every event of an instant counts together, whatever their order in the list
            rows, where = np.unique(np.concatenate(touched), return_inverse=True)
            delta = np.bincount(where, weights=np.concatenate(signs)).astype(np.int64)
            present[rows[delta < 0]] = True  # an absent asset exists once an event brings it
            hits[rows] = np.maximum(hits[rows] + delta, 0)
            now = hits[rows] > 0
            restored |= bool((damaged[rows] & ~now).any())
            repaired[rows] = damaged[rows] & ~now
            began = np.zeros(n, bool)
            began[rows] = now & ~damaged[rows]
            damaged[rows] = now
            if failing:  # a damage that begins names the first event of the instant in it
                named, at = np.unique(np.concatenate([r for _, r in failing]),
                                      return_index=True)
                by = np.concatenate([np.full(len(r), e, np.int64) for e, r in failing])
                fresh = began[named]
                damage_ref[named[fresh]] = by[at[fresh]]
        tanks.before(t, working)
        was_excused, excused = excused, tanks.excused(t)
        # the state is a function of the damage and of the groups on backup: when neither
        # changed (a refuelling round only), it is the same
        if first or touched or not np.array_equal(excused, was_excused):
            # a tank refilled (a round, a generator) may bring back what ran dry: more may
            # work, so the fixed point starts again from every undamaged asset
            whole = restored or not monotone or bool((excused & ~was_excused).any())
            fp = fixed_point(net, damaged, on_backup=excused,
                             start=None if whole else working, connectivity=forests,
                             reasons=False)
            computations += 1
            if why is None:
                recorder.record_states(t, working, fp.working)
            else:
                # from every undamaged asset, the fixed point's reasons are the removal's;
                # from the previous state, only the clusters that changed are replayed
                changed = why.set(damaged, excused, fp) if whole \
                    else why.update(damaged, excused, fp.working)
                recorder.record(t, working, fp.working, why, changed, net, damaged,
                                damage_ref, repaired, restored_by)
            working = fp.working
            met = (net.groups @ working.view(np.int8)) > 0
            for o in followed.values():
                o.update(working, t)
        for when, closed in tanks.after(t, working, met, damaged):
            pos = bisect.bisect_right(events, when, lo=k, key=lambda e: e.time_s)
            events.insert(pos, Event(when, tuple(closed.tolist()), "restore",
                                    "switching: normally-open switch closed"))
        first = False
        # when is the next change: an event, or a backup running out
        next_event = events[k].time_s if k < len(events) else np.inf
        next_timer = tanks.next_time(t)
        next_t = min([next_event, next_timer, *(o.next_timer(t) for o in followed.values())])
        while grid < len(times_s) and times_s[grid] < next_t:
            snapshots[grid] = np.packbits(working)
            if presence is not None:
                presence[grid] = np.packbits(present)
            for o in followed.values():
                o.grid[grid] = o.ok
            grid += 1
        if next_t > duration_s:
            break
        t = next_t
    return Timeline(times_s, snapshots, n, recorder.log(), tuple(events), computations,
                    {name: o.grid for name, o in followed.items()}, presence)
