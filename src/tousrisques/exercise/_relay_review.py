"""What the citizen relays added in an exercise: the zones and people the volunteers the
players sent had informed by the end, and the reach by any channel with and without them at
the moment the main alert channel was at its worst in the played time.

The worst moment is the output time of the run, within the played time (its start
included), at which the main alert channel reaches the smallest share of the population (the
last on a tie: when the channel stays at its worst, the latest moment of that stretch in the
played time, by which the players have had the most time to inform people otherwise). "Any
channel" is, per zone, the share informed by the
broadcasts the players sent by then (``_reach.broadcast_shares``: what each reached when
sent, from its arrival) and the volunteers' (``relay_shares``), combined as independent
(``_reach.either``: the volunteers knock on every door, whoever got the alert), weighted by
population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tousrisques.exercise._events import Event
from tousrisques.exercise._exercise import Exercise
from tousrisques.exercise._reach import broadcast_shares, either, sent_broadcasts
from tousrisques.exercise._relays import relay_actors, relay_shares

__all__ = ["RelayReview", "relay_review"]


@dataclass(frozen=True)
class RelayReview:
    """What the volunteers added (see the module).

    Attributes
    ----------
    relays : tuple of str
        The actors with volunteers.
    dispatches : tuple of Event
        The ``relay.dispatched`` events (blocked ones included).
    zones : tuple of (str, float, float)
        Zone id, share and people informed by the volunteers by the end (those above 0).
    people : float
        All the people they informed by the end.
    channel : str or None
        The main alert channel (None: the scenario has no network broadcast).
    worst_s : float
        When it was at its worst in the played time.
    main, broadcasts, relays_alone, any, main_with : float
        Shares of the population then: by the main channel, by the broadcasts sent, by
        the volunteers alone, by any channel with them, by the main channel or the
        volunteers.

    Examples
    --------
    >>> r = RelayReview((), (), (), 0.0, "fr-alert", 0.0, 0.5, 0.6, 0.1, 0.6, 0.55)
    >>> r.added, round(r.added_to_main, 2)
    (0.0, 0.05)
    """

    relays: tuple[str, ...]
    dispatches: tuple[Event, ...]
    zones: tuple[tuple[str, float, float], ...]
    people: float
    channel: str | None
    worst_s: float
    main: float
    broadcasts: float
    relays_alone: float
    any: float
    main_with: float

    @property
    def added(self) -> float:
        """What the volunteers added to the reach by any channel at the worst moment."""
        return self.any - self.broadcasts

    @property
    def added_to_main(self) -> float:
        """What the volunteers added to the main channel's reach at the worst moment."""
        return self.main_with - self.main


def relay_review(exercise: Exercise, events: Sequence[Event], start_s: float, end_s: float
                 ) -> RelayReview:
    """What the citizen relays added in the exercise whose log is ``events``, played from
    ``start_s`` to ``end_s``.

    Parameters
    ----------
    exercise : Exercise
    events : sequence of Event
    start_s, end_s : float

    Returns
    -------
    RelayReview

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> r = relay_review(Exercise.for_run(s, 0), [], 0.0, 12 * 3600.0)
    >>> r.channel, r.people, r.added
    ('fr-alert', 0.0, 0.0)
    """
    pop = np.asarray(exercise.compiled.population, float)
    total = float(pop.sum()) or 1.0
    dispatches = tuple(e for e in events if e.kind == "relay.dispatched")
    orders = [e.payload for e in dispatches]
    channel = exercise.main_channel
    times = exercise.av.times_s
    moments = [start_s, *(float(t) for t in times if start_s < t <= end_s)]
    worst = start_s
    if channel is not None:
        reach = [exercise.reach(channel, t)[0] for t in moments]
        worst = moments[len(reach) - 1 - int(np.argmin(reach[::-1]))]  # last on a tie
    net = broadcast_shares(exercise, sent_broadcasts(events), worst)
    vol = relay_shares(exercise, orders, worst)
    main = exercise.zone_shares(worst, channel) if channel is not None else np.zeros(len(pop))
    last = relay_shares(exercise, orders, end_s)
    zones = tuple((z, float(s), float(s * p)) for z, s, p
                  in zip(exercise.zone_ids, last.tolist(), pop.tolist(), strict=True) if s > 0)
    return RelayReview(
        relays_alone=float(vol @ pop) / total, any=float(either(net, vol) @ pop) / total,
        broadcasts=float(net @ pop) / total, main=float(main @ pop) / total,
        main_with=float(either(main, vol) @ pop) / total,
        relays=relay_actors(exercise), dispatches=dispatches, zones=zones,
        people=float(last @ pop), channel=channel, worst_s=worst)
