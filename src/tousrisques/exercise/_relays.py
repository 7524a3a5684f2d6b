"""Citizen relays in play: the share of each zone the volunteers the players sent have
informed by a scenario time.

An order (a ``relay.dispatched`` event that was not blocked) sends a relay's volunteers to
some zones from ``starts_s`` (when the order reached the relay, plus its muster time). They
work at the model's pace (``indicators/_relays.py``): volunteer-hours since the relay's first
start (its shifts run from then) × households an hour × ``PEOPLE_PER_HOUSEHOLD``. The people
informed during an order are spread over its zones in proportion to their population (every
zone the same share); a later order to the same relay re-assigns it from its own
``starts_s``; shares of several orders and relays add up, at most a zone's whole population,
and never fall. The model's own automatic call of the relays is not used: volunteers inform
people only when the players send them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tousrisques.indicators._relays import volunteer_hours
from tousrisques.territory._relays import PEOPLE_PER_HOUSEHOLD

if TYPE_CHECKING:
    from tousrisques.exercise._exercise import Exercise

__all__ = ["relay_actors", "relay_shares"]

FloatArray = npt.NDArray[np.float64]


def relay_actors(exercise: Exercise) -> tuple[str, ...]:
    """The actors with volunteers (citizen relays a player may send to zones).

    Parameters
    ----------
    exercise : Exercise

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> relay_actors(Exercise.for_run(s, 0))  # its reserve has no volunteers declared
    ()
    """
    c = exercise.compiled
    if c.actor_relay.shape != (len(exercise.actors), 5):
        return ()
    return tuple(a for a, v in zip(exercise.actors, c.actor_relay[:, 0].tolist(), strict=True)
                 if v > 0)


def _people(params: FloatArray, elapsed_s: float) -> float:
    volunteers, pace, shift_s, shifts, _ = params.tolist()
    hours = volunteer_hours(np.array([elapsed_s]), np.array([volunteers]),
                            np.array([shift_s]), np.array([shifts]))
    return float(hours[0]) * float(pace) * PEOPLE_PER_HOUSEHOLD


def relay_shares(exercise: Exercise, dispatches: Sequence[Mapping[str, Any]],
                 scenario_s: float) -> FloatArray:
    """Per zone (in the order of ``exercise.zone_ids``), the share of its people informed by
    the volunteers sent by ``dispatches`` by ``scenario_s``.

    Parameters
    ----------
    exercise : Exercise
    dispatches : sequence of dict
        The payloads of the ``relay.dispatched`` events, in the log's order (``relay``,
        ``zones``, ``status``, ``starts_s``); blocked ones count for nothing.
    scenario_s : float

    Returns
    -------
    ndarray
        From 0 to 1.

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> relay_shares(Exercise.for_run(s, 0), [], 3600.0).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    c = exercise.compiled
    pop = np.asarray(c.population, float)
    share = np.zeros(len(pop))
    index = {z: i for i, z in enumerate(exercise.zone_ids)}
    orders: dict[str, list[tuple[float, list[int]]]] = {}
    for d in dispatches:
        if d.get("status") == "blocked" or d.get("starts_s") is None:
            continue
        zones = [index[z] for z in d.get("zones", ()) if z in index]
        orders.setdefault(str(d["relay"]), []).append((float(d["starts_s"]), zones))
    for relay, mine in orders.items():
        params = c.actor_relay[exercise.actor_index(relay)]
        first = mine[0][0]
        begin = first
        for i, (starts, zones) in enumerate(mine):
            begin = max(begin, starts)  # an order never takes back time already worked
            end = mine[i + 1][0] if i + 1 < len(mine) else np.inf
            until = min(scenario_s, max(end, begin))
            if until <= begin or not zones:
                continue
            people = _people(params, until - first) - _people(params, begin - first)
            total = float(pop[zones].sum())
            if total > 0:
                share[zones] += people / total
    out: FloatArray = np.minimum(share, 1.0)
    return out
