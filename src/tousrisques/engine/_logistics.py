"""The logistics of a crisis: repair crews and their priorities, refuelling rounds, mobile
generators and the switching that re-supplies a feeder from its neighbour.

Crews are scheduled before a run (damage and repair times are drawn first): each pool of
crews takes, whenever one of its crews is free, the damaged asset of highest priority that
is waiting (:func:`schedule_repairs`). What depends on the cascade — a generator sent to a
site that has lost its power, a tank refilled while the site runs on it, a normally-open
switch closed when one side of it loses its feed — is decided during the run, by the
timeline (``engine/_supply.py``).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Crews:
    """Repair crews in pools: asset ``i`` waits for a crew of pool ``pool[i]`` (-1: it is
    repaired without waiting, as many at once as needed).

    Attributes
    ----------
    pool : ndarray of int
        The pool of each asset, -1 for none.
    count : ndarray of int
        Crews in each pool.
    start_s : ndarray of float
        When each pool's crews start work (after the wind has dropped).
    names : tuple of str
        Each pool's name.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.engine import Crews
    >>> crews = Crews(np.array([0, 0, -1]), np.array([1]), np.array([0.0]), ("Enedis",))
    >>> crews.names, int(crews.count[0])
    (('Enedis',), 1)
    """

    pool: IntArray
    count: IntArray
    start_s: FloatArray
    names: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Supply:
    """What the timeline decides as the run goes: refuelling, mobile generators, switching.

    Attributes
    ----------
    refuel_every_s : ndarray of float
        Per requirement group: a refuelling round every so often while the group runs on
        its backup (a generator's tank); ``inf``: never refuelled.
    refuel_needs : scipy.sparse.csr_matrix or None
        Groups × assets: a round gets through when one of its row's assets works (a fuel
        depot, a road); an empty row needs nothing.
    generator_hosts : ndarray of int
        The requirement groups a mobile generator can supply, in order of priority.
    generators : int
        Mobile generators in the pool.
    delivery_s, generator_fuel_s, generator_every_s : float
        Time to bring one to a site; its autonomy on a full tank; its refuelling round
        (``inf``: none).
    generator_needs : ndarray of int
        Assets one of which must work for a generator's refuelling round (empty: none).
    switches, switch_ends : ndarray of int
        Normally-open switches (asset rows, absent at the start) and the two assets each
        joins.
    switching_s : float
        A switch closes this long after one of its ends stops working while the other
        works (``inf``: only events close it).

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.engine import Supply
    >>> s = Supply.none(n_groups=3)
    >>> s.generators, bool(np.isinf(s.refuel_every_s).all())
    (0, True)
    """

    refuel_every_s: FloatArray
    refuel_needs: sp.csr_matrix | None = None
    generator_hosts: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    generators: int = 0
    delivery_s: float = 0.0
    generator_fuel_s: float = np.inf
    generator_every_s: float = np.inf
    generator_needs: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    switches: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    switch_ends: IntArray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    switching_s: float = np.inf

    @classmethod
    def none(cls, n_groups: int) -> Supply:
        """Nothing refuelled, no generator, no switching."""
        return cls(np.full(n_groups, np.inf))


def schedule_repairs(ready_s: FloatArray, duration_s: FloatArray, pool: IntArray,
                     crews: Crews, rank: IntArray) -> FloatArray:
    """When each repair ends, with a limited number of crews per pool.

    Jobs without a pool (-1) end at ``ready + duration``. In a pool, whenever a crew is
    free (from the pool's ``start_s``) it takes, among the jobs that are ready, the one of
    lowest ``rank`` (highest priority; ties: the earlier job), and works on it for its
    duration. With one crew, repairs are strictly one after another, in priority order
    among those waiting.

    Parameters
    ----------
    ready_s, duration_s : ndarray
        When each job can start (its damage) and how long it takes.
    pool : ndarray of int
        The pool of each job, -1 for none.
    crews : Crews
        Crews per pool.
    rank : ndarray of int
        Priority of each job (0 first).

    Returns
    -------
    ndarray
        When each job ends.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.engine import Crews, schedule_repairs
    >>> crews = Crews(np.zeros(3, np.int64), np.array([1]), np.array([0.0]))
    >>> schedule_repairs(np.zeros(3), np.array([2.0, 3.0, 1.0]), np.zeros(3, np.int64),
    ...                  crews, np.array([2, 0, 1])).tolist()
    [6.0, 3.0, 4.0]
    """
    ready_s = np.asarray(ready_s, dtype=np.float64)
    duration_s = np.asarray(duration_s, dtype=np.float64)
    end = ready_s + duration_s
    for p in np.unique(pool[pool >= 0]).tolist():
        jobs = np.nonzero(pool == p)[0]
        n_crews = int(crews.count[p])
        if n_crews >= len(jobs) and crews.start_s[p] <= ready_s[jobs].min():
            continue  # enough crews for every job at once: nobody waits
        end[jobs] = _list_schedule(ready_s[jobs], duration_s[jobs], rank[jobs], n_crews,
                                   float(crews.start_s[p]))
    return end


def _list_schedule(ready: FloatArray, duration: FloatArray, rank: IntArray, n_crews: int,
                   start: float) -> FloatArray:
    order = np.lexsort((rank, ready))
    free = [start] * max(n_crews, 0)
    heapq.heapify(free)
    end = np.full(len(ready), np.inf)
    waiting: list[tuple[int, int]] = []
    i = 0
    n = len(order)
    ready_l, dur_l, rank_l, order_l = ready.tolist(), duration.tolist(), rank.tolist(), \
        order.tolist()
    now = start  # never back in time: a crew free earlier waits for the jobs of now
    while free and (i < n or waiting):
        t = max(heapq.heappop(free), now)
        if not waiting and i < n:
            t = max(t, ready_l[order_l[i]])
        while i < n and ready_l[order_l[i]] <= t:
            j = order_l[i]
            heapq.heappush(waiting, (rank_l[j], j))
            i += 1
        _, j = heapq.heappop(waiting)
        end[j] = t + dur_l[j]
        heapq.heappush(free, end[j])
        now = t
    return end
