"""What the base runs of a scenario say, read once for every rule of the advice: which
requirement groups made their asset stop and when (the ``requirement`` and ``backup
exhausted`` causes of the log), which assets worked at each output time, which actors had no
point-to-point channel, which could reach a crisis cell, which channels each actor had, and
the share of each zone's people no
network channel reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.engine import Plan, replay
from tousrisques.engine._log import CAUSE_BACKUP, CAUSE_REQUIREMENT
from tousrisques.indicators import compute_indicators, network_channels
from tousrisques.scenario import power_groups

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class BaseFacts:
    """The base runs, as the rules read them (``runs`` rows each).

    Attributes
    ----------
    times_s : ndarray
        The output times.
    group_lost_s : ndarray
        ``(runs, groups)``: when a requirement group of an asset first made it stop in
        the run (inf: never).
    power_lost : ndarray of bool
        ``(runs, assets)``: the asset lost its power supply (a power group).
    power_first_s : ndarray
        Per asset, its first loss of power over the runs (inf: never).
    working : ndarray of bool
        ``(runs, times, assets)``.
    channels : ndarray of bool
        ``(runs, times, actors, channels)``: available to the actor.
    connected : ndarray of bool
        ``(runs, times, actors)``: the actor reaches a crisis cell (a finite latency).
    unreached : ndarray
        ``(runs, times, zones)``: the share of the zone's people no broadcast channel that
        needs a network reaches.

    Examples
    --------
    >>> from tousrisques.analysis import base_facts
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> f = base_facts(scenario_plan(s), range(3))
    >>> f.working.shape[0], f.channels.shape[2:], f.runs
    (3, (5, 6), 3)
    """

    times_s: FloatArray
    group_lost_s: FloatArray
    power_lost: BoolArray
    power_first_s: FloatArray
    working: BoolArray
    channels: BoolArray
    unreached: FloatArray
    connected: BoolArray

    @property
    def runs(self) -> int:
        """How many base runs were read."""
        return len(self.group_lost_s)

    def cut_off(self, point_to_point: BoolArray) -> BoolArray:
        """``(runs, times, actors)``: the actor has no point-to-point channel.

        Parameters
        ----------
        point_to_point : ndarray of bool
            Per channel.

        Returns
        -------
        ndarray of bool

        Examples
        --------
        >>> from tousrisques.analysis import base_facts
        >>> from tousrisques.scenario import load_scenario, scenario_plan
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> f = base_facts(scenario_plan(s), range(2))
        >>> f.cut_off(~s.compiled.channel_broadcast).shape[2]
        5
        """
        out: BoolArray = np.logical_not(self.channels[..., point_to_point].any(axis=-1))
        return out

    def at(self, when_s: float) -> int:
        """The first output time at or after ``when_s`` (the state after a change).

        Parameters
        ----------
        when_s : float

        Returns
        -------
        int

        Examples
        --------
        >>> from tousrisques.analysis import base_facts
        >>> from tousrisques.scenario import load_scenario, scenario_plan
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> base_facts(scenario_plan(s), range(1)).at(5000.0)
        2
        """
        k = int(np.searchsorted(self.times_s, when_s - 1e-9))
        return min(k, len(self.times_s) - 1)


def base_facts(plan: Plan, runs: Sequence[int]) -> BaseFacts:
    """Replay the base runs with their causes and compute their indicators once.

    Parameters
    ----------
    plan : Plan
    runs : sequence of int

    Returns
    -------
    BaseFacts

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques.analysis import base_facts
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> f = base_facts(scenario_plan(s), range(4))
    >>> bool(np.isinf(f.power_first_s[~f.power_lost.any(0)]).all())
    True
    """
    c = plan.compiled
    power = power_groups(c)
    network = np.nonzero(network_channels(c))[0]
    n_groups = c.requires.n_groups
    group_lost = np.full((len(runs), n_groups), np.inf)
    power_lost = np.zeros((len(runs), c.n_assets), bool)
    first = np.full(c.n_assets, np.inf)
    working: list[BoolArray] = []
    channels: list[BoolArray] = []
    unreached: list[FloatArray] = []
    connected: list[BoolArray] = []
    times = np.zeros(0)
    for i, r in enumerate(runs):
        tl = replay(plan, r)
        log = tl.log
        lost = ~log.working & np.isin(log.cause, (CAUSE_BACKUP, CAUSE_REQUIREMENT))
        groups = log.ref[lost].astype(np.int64)
        np.minimum.at(group_lost[i], groups, log.time_s[lost])
        on_power = power[groups]
        rows = log.asset[lost][on_power]
        power_lost[i, rows] = True
        np.minimum.at(first, rows, log.time_s[lost][on_power])
        times = tl.times_s
        working.append(np.unpackbits(tl.snapshots, axis=1, count=c.n_assets).astype(bool))
        ind = compute_indicators(c, tl)
        n_a, n_c = len(c.actor_ids), len(c.channel_ids)
        channels.append(ind.actor_channels if ind.actor_channels is not None
                        else np.zeros((len(times), n_a, n_c), bool))
        zr = ind.zone_reached
        reached = zr[:, network, :].max(axis=1) if zr is not None and len(network) \
            else np.zeros((len(times), len(c.population)))
        unreached.append(1.0 - reached)
        latency = np.array([ind.value(f"actor_latency:{a}") for a in c.actor_ids.tolist()])
        connected.append(np.isfinite(latency.T.reshape(len(times), n_a)))
    return BaseFacts(np.asarray(times, np.float64), group_lost, power_lost, first,
                     np.array(working), np.array(channels), np.array(unreached),
                     np.array(connected))
