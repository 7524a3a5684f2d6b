"""Tanks, refuelling rounds, mobile generators and switching, as a run goes.

Each requirement group with a backup has a tank: when the group stops being met at ``t0``,
its owner keeps working until the tank's deadline, ``t0 + backup``; met again, the tank is
full again. Refuelling is a tour on a fixed schedule, as a fuel truck's: it passes at every
multiple of ``refuel_every_s`` from the start and fills the tank of each group of its rule
that is running on it, when the round gets through (one of the assets it needs works). A
mobile generator sent to a group that has lost its feed arrives ``delivery_s`` later and
gives it a tank of ``generator_fuel_s``, refilled by the generators' own tour every
``generator_every_s``; it goes back to the pool when the group's own feed returns.
Tours on one schedule refill many tanks at the same instants, so a run has few distinct
times to compute (docs/benchmarks.md, "Crews and fuel"). A
normally-open switch closes ``switching_s`` after one of its two ends stops working while
the other works. Without a :class:`Supply`, this is the plain backup rule of DESIGN §3.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tousrisques.engine._logistics import Supply
from tousrisques.engine._network import BoolArray, IntArray, Network


def next_tour(t: float, every: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    """The first multiple of ``every`` strictly after ``t`` (infinite when ``every`` is).

    >>> next_tour(0.0, 4.0), next_tour(5.0, 4.0), next_tour(8.0, 4.0)
    (array(4.), array(8.), array(12.))
    >>> next_tour(5.0, np.inf)
    array(inf)
    """
    every = np.asarray(every, np.float64)
    with np.errstate(invalid="ignore"):
        out = (np.floor(t / every + 1e-9) + 1) * every  # t on a tour: the next one
    return np.where(np.isfinite(every), out, np.inf)


class Tanks:
    """The backup deadlines of every requirement group, and the logistics that move them."""

    def __init__(self, net: Network, supply: Supply | None) -> None:
        g = net.n_groups
        self.backup = net.backup_s
        self.owner = net.group_owner
        self.supply = supply or Supply.none(g)
        self.lost = np.full(g, np.inf)  # since when each group is not met
        self.deadline = np.where(self.backup > 0, np.inf, -np.inf)
        self.round = np.full(g, np.inf)  # next refuelling round
        self.arrival = np.full(g, np.inf)  # a generator on its way
        self.has_generator = np.zeros(g, bool)
        self.free = int(self.supply.generators)
        s = self.supply
        self.needs_len = np.diff(s.refuel_needs.indptr) if s.refuel_needs is not None \
            else None
        self.switch_due = np.full(len(s.switches), np.inf)

    def excused(self, t: float) -> BoolArray:
        """The groups whose owner may work without them at ``t`` (tank not empty)."""
        out: BoolArray = t < self.deadline
        return out

    def before(self, t: float, working: BoolArray) -> None:
        """Generators that arrive and refuelling rounds at ``t`` (what works just before
        ``t`` decides whether a round gets through)."""
        s = self.supply
        came = np.nonzero(self.arrival <= t)[0]
        if len(came):
            self.arrival[came] = np.inf
            still = came[np.isfinite(self.lost[came])]
            self.free += len(came) - len(still)
            self.has_generator[still] = True
            self.deadline[still] = np.maximum(self.deadline[still], t + s.generator_fuel_s)
            self.round[still] = next_tour(t, s.generator_every_s)
        due = np.nonzero(self.round <= t)[0]
        if len(due):
            gen = self.has_generator[due]
            ok = np.ones(len(due), bool)
            if s.refuel_needs is not None and self.needs_len is not None:
                hit = np.asarray(s.refuel_needs[due] @ working.view(np.int8)).ravel() > 0
                ok = (self.needs_len[due] == 0) | hit
            if len(s.generator_needs):
                ok[gen] = bool(working[s.generator_needs].any())
            tank = np.where(gen, s.generator_fuel_s, self.backup[due])
            filled = due[ok]
            self.deadline[filled] = np.maximum(self.deadline[filled], t + tank[ok])
            self.round[due] = next_tour(t, np.where(gen, s.generator_every_s,
                                                    s.refuel_every_s[due]))

    def after(self, t: float, working: BoolArray, met: BoolArray, damaged: BoolArray
              ) -> list[tuple[float, IntArray]]:
        """Update the tanks with the state at ``t``; send generators and schedule switch
        closures. Returns the switch closures to add as ``(time, rows)``."""
        s = self.supply
        back = met & np.isfinite(self.lost)
        self.lost[back] = np.inf
        self.deadline[back] = np.where(self.backup[back] > 0, np.inf, -np.inf)
        self.round[back] = np.inf
        if self.has_generator.any():
            done = back & self.has_generator
            self.free += int(done.sum())
            self.has_generator[done] = False
        fresh = ~met & np.isinf(self.lost)
        self.lost[fresh] = t
        self.deadline[fresh] = t + self.backup[fresh]
        self.round[fresh] = next_tour(t, s.refuel_every_s[fresh])
        if self.free > 0 and len(s.generator_hosts):
            h = s.generator_hosts
            want = h[np.isfinite(self.lost[h]) & ~self.has_generator[h]
                     & np.isinf(self.arrival[h]) & ~damaged[self.owner[h]]]
            sent = want[:self.free]
            self.arrival[sent] = t + s.delivery_s
            self.free -= len(sent)
        closures: list[tuple[float, IntArray]] = []
        if len(s.switches) and np.isfinite(s.switching_s):
            a, b = working[s.switch_ends[:, 0]], working[s.switch_ends[:, 1]]
            new = np.nonzero((a != b) & np.isinf(self.switch_due))[0]
            if len(new):
                self.switch_due[new] = t + s.switching_s
                closures.append((t + s.switching_s, s.switches[new]))
        return closures

    def next_time(self, t: float) -> float:
        """When a tank runs dry, a round is due or a generator arrives, after ``t``."""
        times = [self.deadline[(self.deadline > t) & np.isfinite(self.deadline)],
                 self.round[self.round > t], self.arrival[self.arrival > t]]
        nxt = [float(x.min()) for x in times if len(x)]
        return min(nxt) if nxt else np.inf


