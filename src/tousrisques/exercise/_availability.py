"""Which channels each actor has over a run, precomputed once as intervals on the output
grid, so that "what works now" is a lookup and not a computation of the state.

A point-to-point channel is available to an actor as the indicators say (its requirements,
its site or fallback site, coverage there: ``Indicators.actor_channels``). A broadcast can be
sent by an actor that holds it, may trigger it, has its site (or fallback site) working, and
whose requirements are met; it then reaches the share of the population the indicators give
(``population_reached:<channel>``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.engine import Timeline
from tousrisques.indicators import Indicators
from tousrisques.indicators._fallback import Moves
from tousrisques.territory import CompiledTerritory

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Availability:
    """``avail[k, a, c]``: channel ``c`` usable by actor ``a`` at output time ``k``; with
    ``first[k, a, c]`` and ``last[k, a, c]``, the first and last output times of the run of
    equal values that holds ``k``; ``reach[k, c]`` and ``people[k, c]`` the share and number
    of people a broadcast reaches (0 for point-to-point channels).

    Attributes
    ----------
    times_s : ndarray
    avail, first, last : ndarray
        ``(times, actors, channels)``.
    reach, people : ndarray
        ``(times, channels)``.
    site_ok : ndarray
        ``(times, actors)``: the actor works from its site or fallback site.

    Examples
    --------
    >>> from tousrisques.engine import replay
    >>> from tousrisques.indicators import compute_indicators
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> from tousrisques.exercise._availability import availability
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> tl = replay(scenario_plan(s), 0)
    >>> av = availability(s.compiled, tl, compute_indicators(s.compiled, tl))
    >>> av.avail.shape == (len(tl.times_s), len(s.compiled.actor_ids),
    ...                    len(s.compiled.channel_ids))
    True
    """

    times_s: npt.NDArray[np.float64]
    avail: BoolArray
    first: IntArray
    last: IntArray
    reach: npt.NDArray[np.float64]
    people: npt.NDArray[np.float64]
    site_ok: BoolArray


def _runs(values: BoolArray) -> tuple[IntArray, IntArray]:
    """For each time, the first and last index of its run of equal values (along axis 0)."""
    n = values.shape[0]
    first = np.zeros(values.shape, np.int64)
    last = np.full(values.shape, n - 1, np.int64)
    for k in range(1, n):
        first[k] = np.where(values[k] == values[k - 1], first[k - 1], k)
    for k in range(n - 2, -1, -1):
        last[k] = np.where(values[k] == values[k + 1], last[k + 1], k)
    return first, last


def availability(c: CompiledTerritory, tl: Timeline, ind: Indicators) -> Availability:
    """The channels of every actor at every output time of a run, and the broadcasts' reach.

    Parameters
    ----------
    c : CompiledTerritory
    tl : Timeline
        The run (``replay``).
    ind : Indicators
        Its indicators (``compute_indicators(c, tl)``).

    Returns
    -------
    Availability

    Examples
    --------
    >>> from tousrisques.engine import replay
    >>> from tousrisques.indicators import compute_indicators
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> from tousrisques.exercise._availability import availability
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> tl = replay(scenario_plan(s), 0)
    >>> av = availability(s.compiled, tl, compute_indicators(s.compiled, tl))
    >>> bool(av.avail[0].any()), float(av.reach[0].max()) > 0
    (True, True)
    """
    n_t, n_a, n_c = len(tl.times_s), len(c.actor_ids), len(c.channel_ids)
    held: BoolArray = c.actor_channels.toarray().astype(bool)
    if ind.actor_channels is None:
        raise ValueError("indicators without their actor_channels (computed, not read back)")
    avail = ind.actor_channels.copy()
    site_ok = np.zeros((n_t, n_a), bool)
    moves = Moves(c)
    for k in range(n_t):
        working = tl.working_at(k)
        moved = moves.step(float(tl.times_s[k]), working)
        ok = np.where(c.actor_site >= 0, working[c.actor_site.clip(0)], True)
        site_ok[k] = ok if moved is None else ok | moved
    reach = np.zeros((n_t, n_c))
    people = np.zeros((n_t, n_c))
    channels_ok = tl.owners_ok["channels"]
    for ch in np.nonzero(c.channel_broadcast)[0].tolist():
        may = held[:, ch].copy()
        if c.channel_trigger_declared[ch]:
            allowed = np.zeros(n_a, bool)
            allowed[c.channel_triggers[ch].indices] = True
            may &= allowed
        avail[:, :, ch] = may[None, :] & site_ok & channels_ok[:, ch][:, None]
        name = f"population_reached:{c.channel_ids[ch]}"
        if name in ind.names:
            i = ind.names.index(name)
            reach[:, ch] = ind.values[i]
            people[:, ch] = np.nan_to_num(ind.counts[i])
    first, last = _runs(avail)
    return Availability(np.asarray(tl.times_s, float), avail, first, last, reach, people,
                        site_ok)
