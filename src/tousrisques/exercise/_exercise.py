"""An exercise's world: a scenario and one run of it, replayed, with what each actor can
use at every scenario time and why not — the part of an exercise that is recomputed, never
stored (the log is the session's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from tousrisques._durations import parse_duration
from tousrisques._i18n import N_, Msg, Text
from tousrisques.analysis import (
    ActorWhy,
    ChannelWhy,
    explain_actor,
    main_channel,
    run_ensemble,
)
from tousrisques.engine import Cause, Plan, Timeline, explain, replay
from tousrisques.exercise._answers import ChannelNow, Delivery, Inject, Sent
from tousrisques.exercise._availability import Availability, availability
from tousrisques.exercise._errors import ExerciseError
from tousrisques.exercise._geometry import Bounds
from tousrisques.exercise._reach import (
    in_touch,
    main_alert,
    network_any,
    territory_bounds,
    touch_reason,
    zone_shares,
)
from tousrisques.exercise._run import choose_run
from tousrisques.exercise._why import Words, broadcast_why, clock_text
from tousrisques.indicators import compute_indicators
from tousrisques.scenario import MAX_RUNS, Scenario, scenario_plan
from tousrisques.territory._config import ROLES

_CUT_OFF = N_("none of your channels works: {reason}")


class Exercise:
    """A scenario and one run of it, ready to be played: the channels of every actor at
    every scenario time, why each is down, the injects and what becomes of a message.

    Build it with :meth:`create` (a run number, or a percentile of reach) or
    :meth:`for_run` (again, from the run an exercise's log records).

    Parameters
    ----------
    scenario : Scenario
    run : int
    plan : Plan, optional
        ``scenario_plan(scenario)``, when already built.
    percentile : float, optional
        The percentile the run was chosen for.

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> ex = Exercise.for_run(s, 0)
    >>> ex.run, "MAIRIE-PCS" in ex.actors, ex.duration_s
    (0, True, 172800.0)
    """

    def __init__(self, scenario: Scenario, run: int, *, plan: Plan | None = None,
                 percentile: float | None = None) -> None:
        self.scenario = scenario
        self.run = int(run)
        self.percentile = percentile
        self.plan = plan if plan is not None else scenario_plan(scenario)
        c = self.compiled = scenario.compiled
        self.timeline: Timeline = replay(self.plan, self.run)
        ind = compute_indicators(c, self.timeline)
        self.av: Availability = availability(c, self.timeline, ind)
        # zone_reached[k, j, z]: the share of zone z a broadcast j reaches (the last row: any)
        self.zone_reached = ind.zone_reached if ind.zone_reached is not None else np.zeros(
            (len(self.timeline.times_s), int(c.channel_broadcast.sum()) + 1,
             len(c.population)))
        self.actors: tuple[str, ...] = tuple(str(a) for a in c.actor_ids.tolist())
        self.channels: tuple[str, ...] = tuple(str(x) for x in c.channel_ids.tolist())
        self._actor = {a: i for i, a in enumerate(self.actors)}
        self._channel = {x: i for i, x in enumerate(self.channels)}
        self._specs = {a.id: a for a in scenario.territory.actors}
        self.duration_s = float(scenario.duration_s)
        self.start: datetime | None = scenario.start
        self.timezone = scenario.territory.timezone
        hazards = {h.id: Text(h.name.en, h.name.fr) for h in scenario.spec.hazards if h.name}
        self.words = Words(scenario.territory, c, self.start, hazards)
        self._whys: dict[tuple[int, int], ActorWhy] = {}
        self._reasons: dict[tuple[int, int, int], Text] = {}
        self.injects: tuple[Inject, ...] = tuple(self._inject(i, x) for i, x in
                                                 enumerate(scenario.spec.injects))
        self._at = [x.at_s for x in self.injects]

    @classmethod
    def for_run(cls, scenario: Scenario, run: int, *, percentile: float | None = None
                ) -> Exercise:
        """The exercise on run ``run`` of ``scenario`` (deterministic: the same run as in
        the scenario's Monte Carlo).

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> Exercise.for_run(s, 2).run
        2
        """
        if isinstance(run, bool) or not isinstance(run, int | np.integer) \
                or not 0 <= run < MAX_RUNS:
            raise ExerciseError("exercise.run", run=run, last=MAX_RUNS - 1)
        return cls(scenario, int(run), percentile=percentile)

    @classmethod
    def create(cls, scenario: Scenario, *, run: int | None = None,
               percentile: float | None = None, runs: int | None = None,
               workers: int = 1, channel: str | None = None) -> Exercise:
        """An exercise on a given run, or on the Monte Carlo run closest to ``percentile``
        of the worst reach by the main alert channel (``channel`` to choose another).

        Parameters
        ----------
        scenario : Scenario
        run : int, optional
        percentile : float, optional
            From 0 to 100 (10: a bad day).
        runs : int, optional
            Monte Carlo runs to choose from (default: the scenario's ``monte_carlo.runs``).
        workers : int
            Processes for the Monte Carlo.
        channel : str, optional
            The broadcast whose reach ranks the runs (default:
            ``analysis.main_channel(scenario)``, FR-Alert on the Rouen sample).

        Returns
        -------
        Exercise

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ex = Exercise.create(s, percentile=10, runs=4)
        >>> 0 <= ex.run < 4, ex.percentile
        (True, 10.0)
        """
        if (run is None) == (percentile is None):
            raise ExerciseError("exercise.run_or_percentile")
        if run is not None:
            return cls.for_run(scenario, run)
        assert percentile is not None
        if isinstance(percentile, bool) or not isinstance(percentile, int | float) \
                or not 0 <= percentile <= 100:
            raise ExerciseError("exercise.percentile", value=percentile)
        plan = scenario_plan(scenario)
        ens = run_ensemble(plan, runs=runs or scenario.spec.monte_carlo.runs,
                           workers=workers)
        chosen = choose_run(ens, float(percentile), channel or main_channel(scenario))
        return cls(scenario, chosen, plan=plan, percentile=float(percentile))

    # --- who and what -----------------------------------------------------------------
    def actor_index(self, actor: str) -> int:
        """The row of ``actor`` (``ExerciseError`` when unknown)."""
        if actor not in self._actor:
            raise ExerciseError("actor.unknown", ref=actor)
        return self._actor[actor]

    def actor_name(self, actor: str) -> Text:
        """The actor's name in both languages."""
        spec = self._specs[self.actors[self.actor_index(actor)]]
        return Text(spec.name.en, spec.name.fr)

    def role_of(self, actor: str) -> str:
        """The actor's role (``mayor``, ``prefecture``…)."""
        return str(self._specs[self.actors[self.actor_index(actor)]].role)

    def held(self, actor: str) -> tuple[str, ...]:
        """The channels the actor holds."""
        return tuple(self._specs[self.actors[self.actor_index(actor)]].channels)

    def channel_name(self, channel: str) -> Text:
        """The channel's name in both languages (its id when it is not the territory's or
        has no name)."""
        spec = next((c for c in self.scenario.territory.channels if c.id == channel), None)
        if spec is None:
            return Text(channel, channel)
        return Text(spec.name.en, spec.name.fr)

    def is_broadcast(self, channel: str) -> bool:
        """Whether ``channel`` goes to the population."""
        return bool(self.compiled.channel_broadcast[self._channel[channel]])

    def latency_s(self, channel: str) -> float:
        """The channel's typical latency in seconds."""
        return float(self.compiled.channel_latency_s[self._channel[channel]])

    def addressees(self, to: Sequence[str]) -> tuple[str, ...]:
        """The actors ``to`` names (ids or roles), roles expanded, each once."""
        for who in to:
            if who not in self._actor and who not in ROLES:
                raise ExerciseError("actor.unknown", ref=who)
        wanted = set(to)
        return tuple(a.id for a in self.scenario.territory.actors
                     if a.id in wanted or a.role in wanted)

    def players(self) -> tuple[str, ...]:
        """The actors the scenario's injects or their expected actions name by id (the roles
        an exercise is written for); when they name roles only, every actor they address.

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> Exercise.for_run(s, 0).players()  # its one inject goes to the role "mayor"
        ('MAIRIE-PCS',)
        """
        names: list[str] = []
        for inj in self.scenario.spec.injects:
            names += [*inj.to, *(e.who for e in inj.expected)]
        named = [n for n in names if n in self._actor]
        return self.addressees(named or names)

    def clock_text(self, scenario_s: float, lang: str) -> str:
        """A scenario time on the territory's clock (``04:10``)."""
        return clock_text(self.start, scenario_s, lang)

    def _inject(self, i: int, spec: Any) -> Inject:
        expected = tuple({"who": e.who, "action": {"en": e.action.en, "fr": e.action.fr},
                          "within_s": parse_duration(e.within)} for e in spec.expected)
        return Inject(f"I{i + 1}", parse_duration(spec.at), self.addressees(spec.to),
                      Text(spec.message.en, spec.message.fr), spec.channel, expected)

    # --- zones, reach and the crisis cell (exercise/_reach.py) ----------------------------
    @cached_property
    def zone_ids(self) -> tuple[str, ...]:
        """The territory's zone ids, in the order of every per-zone array."""
        return tuple(str(z) for z in self.compiled.zone_ids.to_pylist())

    @cached_property
    def bounds(self) -> Bounds | None:
        """Where a participant may draw: the territory's bounds widened by 10 km."""
        return territory_bounds(self)

    @cached_property
    def main_channel(self) -> str | None:
        """The scenario's main alert channel (``analysis.main_channel``)."""
        return main_alert(self)

    def zone_shares(self, scenario_s: float, channel: str) -> npt.NDArray[np.float64]:
        """Per zone, the share the broadcast ``channel`` reaches in this run at
        ``scenario_s``.

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> Exercise.for_run(s, 0).zone_shares(0, "fr-alert").tolist()
        [1.0, 1.0, 1.0, 0.0]
        """
        return zone_shares(self, scenario_s, channel)

    def network_any(self, scenario_s: float) -> npt.NDArray[np.float64]:
        """Per zone, the largest share of the broadcasts that are not door to door."""
        return network_any(self, scenario_s)

    def in_touch(self, actor: str, scenario_s: float) -> bool:
        """Whether ``actor`` still has a channel to a crisis cell at ``scenario_s`` (a crisis
        cell whose site works is in touch)."""
        return in_touch(self, actor, scenario_s)

    def touch_reason(self, actor: str, scenario_s: float) -> Text | None:
        """Why ``actor`` has no channel to a crisis cell (None when it has one)."""
        return touch_reason(self, actor, scenario_s)

    # --- channels now -----------------------------------------------------------------
    def _k(self, scenario_s: float) -> int:
        return self.timeline.index_at(scenario_s)

    def available(self, actor: str, channel: str, scenario_s: float) -> bool:
        """Whether ``actor`` can use ``channel`` at ``scenario_s`` (a lookup)."""
        a, ch = self.actor_index(actor), self._channel[channel]
        return bool(self.av.avail[self._k(scenario_s), a, ch])

    def has(self, actor: str, channel: str) -> bool:
        """Whether ``actor`` has ``channel`` in this run: available at some output time (a
        channel never available — planned equipment a mitigation would bring — is one the
        actor does not have, not one it lost)."""
        a, ch = self.actor_index(actor), self._channel[channel]
        return bool(self.av.avail[:, a, ch].any())

    @cached_property
    def present(self) -> npt.NDArray[np.bool_]:
        """Per asset, whether it works at some output time of the run (one that never does
        is not there: planned equipment a mitigation would bring)."""
        ever = np.zeros(len(self.timeline.working_at(0)), bool)
        for k in range(len(self.timeline.times_s)):
            ever |= self.timeline.working_at(k)
        return ever

    def reach(self, channel: str, scenario_s: float) -> tuple[float, int]:
        """A broadcast's share of the population reached at ``scenario_s``, and people."""
        k, ch = self._k(scenario_s), self._channel[channel]
        return float(self.av.reach[k, ch]), round(float(self.av.people[k, ch]))

    def reason(self, actor: str, channel: str, scenario_s: float) -> Text | None:
        """Why ``channel`` is down for ``actor`` at ``scenario_s`` (None: it works)."""
        a, ch, k = self.actor_index(actor), self._channel[channel], self._k(scenario_s)
        if self.av.avail[k, a, ch]:
            return None
        key = (a, ch, int(self.av.first[k, a, ch]))  # one reason per interval down
        if key not in self._reasons:
            self._reasons[key] = self._why(a, ch, key[2])
        return self._reasons[key]

    def _why(self, a: int, ch: int, k: int) -> Text:
        c, tl, net = self.compiled, self.timeline, self.plan.network
        at = float(tl.times_s[k])
        name = self.channels[ch]
        why: ChannelWhy | None
        chain: tuple[Cause, ...] = ()
        if c.channel_broadcast[ch]:
            held = bool(c.actor_channels[a, ch])
            may = held and (not c.channel_trigger_declared[ch]
                            or a in c.channel_triggers[ch].indices)
            why, chain = broadcast_why(c, tl, net, a, ch, k, bool(self.av.site_ok[k, a]), may)
        else:
            if (a, k) not in self._whys:
                self._whys[(a, k)] = explain_actor(c, tl, net, a, at)
            found = [w for w in self._whys[(a, k)].channels if w.channel == name]
            why = found[0] if found else ChannelWhy(name, "requires")
            if why.status == "site":
                chain = self._whys[(a, k)].site_chain
            elif why.chains:
                chain = why.chains[0]
            elif why.assets:
                chain = tuple(explain(tl, net, why.assets[0], at))
        return self.words.reason(name, why, chain, at)

    def channels_now(self, actor: str, scenario_s: float) -> tuple[ChannelNow, ...]:
        """Every channel ``actor`` holds at ``scenario_s``: available or not, since when,
        until when in this run, and why not.

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> now = Exercise.for_run(s, 0).channels_now("MAIRIE-PCS", 0)
        >>> all(x.available for x in now), now[0].reason is None
        (True, True)
        """
        a, k = self.actor_index(actor), self._k(scenario_s)
        times = self.av.times_s
        out = []
        for name in self.held(actor):
            ch = self._channel[name]
            last = int(self.av.last[k, a, ch])
            out.append(ChannelNow(
                name, self.words.channel(name), self.is_broadcast(name),
                bool(self.av.avail[k, a, ch]), float(times[self.av.first[k, a, ch]]),
                float(times[last + 1]) if last + 1 < len(times) else None,
                self.reason(actor, name, scenario_s), self.latency_s(name)))
        return tuple(out)

    # --- injects and messages ---------------------------------------------------------
    def injects_due(self, after_s: float, until_s: float) -> tuple[Inject, ...]:
        """The scenario's injects due in ``(after_s, until_s]`` (``after_s < 0``: from the
        start, those at 0 included), in time order."""
        order = sorted(range(len(self.injects)), key=lambda i: (self._at[i], i))
        return tuple(self.injects[i] for i in order if after_s < self._at[i] <= until_s)

    def _receives(self, actor: str, channel: str | None, scenario_s: float
                  ) -> tuple[str | None, Text | None]:
        """The channel an inject reaches ``actor`` by, or why none does."""
        if channel is not None:
            if channel in self.held(actor) and self.available(actor, channel, scenario_s):
                return channel, None
            if channel not in self.held(actor):
                return None, self.words.reason(channel, None, (), scenario_s)
            return None, self.reason(actor, channel, scenario_s)
        mine = sorted((x for x in self.held(actor) if not self.is_broadcast(x)),
                      key=lambda x: (self.latency_s(x), x))
        for x in mine:
            if self.available(actor, x, scenario_s):
                return x, None
        if not mine:
            return None, None
        first = self.reason(actor, mine[0], scenario_s)
        assert first is not None
        return None, Text(*(Msg(_CUT_OFF, reason=first).render(lang) for lang in ("en", "fr")))

    def deliver(self, inject: Inject, scenario_s: float) -> tuple[Delivery, ...]:
        """What becomes of ``inject`` at ``scenario_s`` for each addressee: delivered by
        its channel (or the quickest the addressee still has), or not received, and why.

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ex = Exercise.for_run(s, 0)
        >>> [d.status for d in ex.deliver(ex.injects[0], 0.0)]
        ['delivered']
        """
        out = []
        for actor in inject.to:
            channel, why = self._receives(actor, inject.channel, scenario_s)
            out.append(Delivery(actor, "delivered", channel, scenario_s) if channel else
                       Delivery(actor, "not_received", None, None, why))
        return tuple(out)

    def send(self, sender: str, channel: str, to: Sequence[str], scenario_s: float) -> Sent:
        """What becomes of a message ``sender`` sends over ``channel`` to ``to`` (actors or
        roles; none for a broadcast) at ``scenario_s``.

        Blocked, with the reason, when the channel is down at the sender or at every
        addressee; otherwise delivered (``delayed`` when the channel has a latency) to the
        addressees who have it, not received by the others. A broadcast says the share of
        the population it reaches then.

        Examples
        --------
        >>> from tousrisques.exercise import Exercise
        >>> from tousrisques.scenario import load_scenario
        >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
        >>> ex = Exercise.for_run(s, 0)
        >>> ex.send("MAIRIE-PCS", "mobile", ["CIS"], 0.0).status
        'delayed'
        """
        held = self.held(sender)
        if channel not in held:
            raise ExerciseError("channel.unknown", actor=sender, channel=channel,
                                allowed=", ".join(held))
        latency = self.latency_s(channel)
        status = "delayed" if latency > 0 else "delivered"
        if self.is_broadcast(channel):
            if to:
                raise ExerciseError("channel.broadcast", channel=channel)
            if not self.available(sender, channel, scenario_s):
                return Sent("blocked", self.reason(sender, channel, scenario_s), latency)
            share, people = self.reach(channel, scenario_s)
            return Sent(status, None, latency, (), {"share": share, "people": people})
        targets = tuple(a for a in self.addressees(to) if a != sender)
        if not targets:
            raise ExerciseError("channel.point_to_point", channel=channel)
        if not self.available(sender, channel, scenario_s):
            return Sent("blocked", self.reason(sender, channel, scenario_s), latency,
                        alternatives=self._alternatives(sender, targets, scenario_s))
        out = []
        for actor in targets:
            if channel in self.held(actor) and self.available(actor, channel, scenario_s):
                out.append(Delivery(actor, status, channel, scenario_s + latency))
            else:
                why = self.reason(actor, channel, scenario_s) \
                    if channel in self.held(actor) \
                    else self.words.reason(channel, None, (), scenario_s)
                out.append(Delivery(actor, "not_received", None, None, why))
        if all(d.status == "not_received" for d in out):
            return Sent("blocked", out[0].reason, latency, tuple(out),
                        alternatives=self._alternatives(sender, targets, scenario_s))
        return Sent(status, None, latency, tuple(out))

    def _alternatives(self, sender: str, targets: Sequence[str], scenario_s: float
                      ) -> tuple[str, ...]:
        return tuple(x for x in self.held(sender) if not self.is_broadcast(x)
                     and self.available(sender, x, scenario_s)
                     and any(x in self.held(t) and self.available(t, x, scenario_s)
                             for t in targets))
