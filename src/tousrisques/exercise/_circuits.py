"""The information circuits of an exercise: the links the plan foresees between the actors in
play (each actor's ``reports_to``, and every actor to the crisis cells) against the links the
players used (who messaged whom, over which channel, how many times, with what latency).

A planned link is a pair of actors, either way (the COD calls the mayor as much as the mayor
reports to the COD); a used link is one sender, one recipient and one channel: a message of
status delivered or delayed counts once for each addressee it reached, and an order that
reached a citizen relay (``relay.dispatched``, not blocked) once; blocked messages and
broadcasts carry no link. The actors in play are the players, those who sent or were sent a
message, and the relays sent and who sent them (not every addressee of an inject: an inject
to every mayor would draw them all); the plan's links between them only are compared.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tousrisques.exercise._events import Event
from tousrisques.exercise._exercise import Exercise

__all__ = ["Circuits", "Link", "circuits"]

Pair = tuple[str, str]


@dataclass(frozen=True)
class Link:
    """Messages from ``sender`` that reached ``recipient`` over ``channel``.

    Attributes
    ----------
    sender, recipient, channel : str
    count : int
        Messages that reached the recipient.
    median_latency_s : float
        From sending to arrival, the median.
    planned : bool
        The pair is a planned link.
    seqs : tuple of int
        The messages.

    Examples
    --------
    >>> Link("CIS", "MAIRIE-PCS", "mobile", 2, 60.0, True, (5, 9)).pair
    ('CIS', 'MAIRIE-PCS')
    """

    sender: str
    recipient: str
    channel: str
    count: int
    median_latency_s: float
    planned: bool
    seqs: tuple[int, ...] = ()

    @property
    def pair(self) -> Pair:
        """The two actors, sorted."""
        a, b = sorted((self.sender, self.recipient))
        return a, b


@dataclass(frozen=True)
class Circuits:
    """Planned against used links among the actors in play.

    Attributes
    ----------
    actors : tuple of str
        The actors in play, in the territory's order.
    layers : dict
        Actor → layer: 0 the crisis cells, 1 those who report to them, 2 those who report
        to these…; an actor that reports to none of them sits in layer 1 (its planned
        link is to the crisis cells).
    planned : tuple of (str, str)
        Sorted pairs.
    used : tuple of Link
    unused : tuple of (str, str)
        Planned links that carried no message.
    improvised : tuple of (str, str)
        Pairs that carried messages and are not planned.

    Examples
    --------
    >>> Circuits(("A",), {"A": 0}, (), (), (), ()).actors
    ('A',)
    """

    actors: tuple[str, ...]
    layers: dict[str, int]
    planned: tuple[Pair, ...]
    used: tuple[Link, ...]
    unused: tuple[Pair, ...]
    improvised: tuple[Pair, ...]


def _pair(a: str, b: str) -> Pair:
    x, y = sorted((a, b))
    return x, y


def _in_play(exercise: Exercise, events: Sequence[Event], players: Sequence[str]) -> set[str]:
    names = set(players)
    for e in events:
        p = e.payload
        if e.kind == "message.sent":
            names.add(str(p.get("from")))
            names.update(str(r.get("actor")) for r in p.get("recipients") or [])
        elif e.kind == "relay.dispatched":
            names.update((str(p.get("relay")), e.author))
    return names & set(exercise.actors)


def _layers(actors: Sequence[str], cells: set[str], reports: dict[str, tuple[str, ...]]
            ) -> dict[str, int]:
    layer = {a: 0 for a in actors if a in cells}
    depth = 0
    while True:
        nxt = [a for a in actors if a not in layer
               and any(layer.get(b) == depth for b in reports.get(a, ()))]
        if not nxt:
            break
        depth += 1
        layer.update({a: depth for a in nxt})
    return {a: layer.get(a, 1 if layer else 0) for a in actors}


def circuits(exercise: Exercise, events: Sequence[Event], players: Sequence[str]
             ) -> Circuits:
    """The planned and used information circuits of an exercise's log.

    Parameters
    ----------
    exercise : Exercise
    events : sequence of Event
    players : sequence of str
        The player actors.

    Returns
    -------
    Circuits

    Examples
    --------
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> c = circuits(Exercise.for_run(s, 0), [], ["CIS", "MAIRIE-PCS"])
    >>> c.planned, c.layers
    ((('CIS', 'MAIRIE-PCS'),), {'MAIRIE-PCS': 0, 'CIS': 1})
    """
    specs = exercise.scenario.territory.actors
    play = _in_play(exercise, events, players)
    actors = tuple(a.id for a in specs if a.id in play)
    cells = {a.id for a in specs if a.crisis_cell and a.id in play}
    reports = {a.id: tuple(a.reports_to) for a in specs}
    planned: set[Pair] = set()
    for a in actors:
        planned.update(_pair(a, b) for b in reports[a] if b in play and b != a)
        planned.update(_pair(a, c) for c in cells if c != a)
    lat: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    seqs: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for e in events:
        p = e.payload
        if e.kind == "relay.dispatched" and p.get("status") != "blocked" \
                and p.get("arrives_s") is not None:
            key = (e.author, str(p.get("relay")), str(p.get("channel")))
            lat[key].append(float(p["arrives_s"]) - e.scenario_s)
            seqs[key].append(e.seq)
        if e.kind != "message.sent" or e.payload.get("status") == "blocked":
            continue
        sender = str(e.payload.get("from"))
        for r in e.payload.get("recipients") or []:
            if r.get("status") == "not_received":
                continue
            key = (sender, str(r.get("actor")), str(r.get("channel") or e.payload["channel"]))
            at = r.get("arrives_s")
            lat[key].append((float(at) if at is not None else e.scenario_s) - e.scenario_s)
            seqs[key].append(e.seq)
    used = tuple(Link(s, r, ch, len(v), float(statistics.median(v)),
                      _pair(s, r) in planned, tuple(seqs[(s, r, ch)]))
                 for (s, r, ch), v in sorted(lat.items()))
    pairs = {x.pair for x in used}
    return Circuits(actors, _layers(actors, cells, reports), tuple(sorted(planned)), used,
                    tuple(sorted(planned - pairs)), tuple(sorted(pairs - planned)))
