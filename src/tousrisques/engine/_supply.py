"""Tanks, refuelling rounds, mobile generators and switching, as a run goes.

Each requirement group with a backup has a tank: when the group stops being met at ``t0``,
its owner keeps working until the tank's deadline, ``t0 + backup``; met again, the tank is
full again. A refuelling round every ``refuel_every_s`` while the group runs on it fills it
again, when the round gets through (one of the assets it needs works). A mobile generator
sent to a group that has lost its feed arrives ``delivery_s`` later and gives it a tank of
``generator_fuel_s``; it goes back to the pool when the group's own feed returns. A
normally-open switch closes ``switching_s`` after one of its two ends stops working while
the other works. Without a :class:`Supply`, this is the plain backup rule of DESIGN §3.
"""

from __future__ import annotations

import numpy as np

from tousrisques.engine._logistics import Supply
from tousrisques.engine._network import BoolArray, IntArray, Network


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
            self.round[still] = t + s.generator_every_s
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
            self.round[due] = t + np.where(gen, s.generator_every_s,
                                           s.refuel_every_s[due])

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
        self.round[fresh] = t + s.refuel_every_s[fresh]
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


