"""The exercise's after-action review (RETEX) in numbers: what the log says happened, beside
what the run did to the channels — no words beyond the events' own (the report draws them).

:func:`review` reads an exercise's log (its events, in order) and the :class:`Exercise` it
was played on, and gives:

* the **timeline**: the injects, messages, log entries, decisions, annotations, relay orders,
  actions done and clock events in scenario-time order; beside them the run's failures and
  repairs of the assets behind the player actors' channels, and the stretches each player
  actor's channels were down;
* the **expected actions** scored: per inject, per expected action, per actor it names, done
  or not, by whom, how long after the inject's due time, on time or late;
* the **information circuits** (:mod:`tousrisques.exercise._circuits`);
* who was **cut off** (no point-to-point channel working) in the played time, for how long,
  and what they did then;

  a channel never available to an actor at any output time of the run (planned equipment a
  mitigation would bring, absent in this run) is not a failure: the actor does not have it,
  and it is left out of the stretches down and of the cut-off test; an asset out from the
  run's first output time that never worked is not "lost";
* each **decision** with what its decider had received by then;
* the observers' **notes**; what the **citizen relays** added (:func:`relay_review`).

The played time runs from the clock's first start to the end (the latest scenario time of the
log); the channels are those of the run's output grid (``Availability``), clipped to it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tousrisques.analysis import explain_actor
from tousrisques.exercise._circuits import Circuits, circuits
from tousrisques.exercise._events import Event
from tousrisques.exercise._exercise import Exercise
from tousrisques.exercise._relay_review import RelayReview, relay_review

__all__ = ["TIMELINE_KINDS", "ActionScore", "AssetChange", "CutOff", "DecisionInfo",
           "Review", "Stretch", "review"]

#: the kinds of events the timeline shows
TIMELINE_KINDS = ("clock.started", "clock.paused", "clock.resumed", "clock.jumped",
                  "clock.speed", "inject.delivered", "inject.not_received", "message.sent",
                  "log.entry", "decision", "annotation.added", "relay.dispatched",
                  "action.done")


@dataclass(frozen=True)
class Stretch:
    """A stretch of scenario time, ``[start_s, end_s)``.

    Attributes
    ----------
    start_s, end_s : float

    Examples
    --------
    >>> Stretch(3600.0, 5400.0).length_s
    1800.0
    """

    start_s: float
    end_s: float

    @property
    def length_s(self) -> float:
        """Its length in seconds."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class AssetChange:
    """An asset behind a player's channel: when the run first lost it, and when it came
    back (None: not in the scenario).

    Attributes
    ----------
    asset : str
    failed_s : float
    repaired_s : float or None

    Examples
    --------
    >>> AssetChange("ANT-NORD", 10800.0, None).repaired_s is None
    True
    """

    asset: str
    failed_s: float
    repaired_s: float | None


@dataclass(frozen=True)
class ActionScore:
    """One expected action of one actor: done or not, by whom, how late.

    Attributes
    ----------
    inject : str
    index : int
        Its place in the inject's ``expected``.
    actor : str
    action : dict
        ``{"en", "fr"}``, the scenario's words.
    due_s, within_s : float
    received : bool
        The inject reached the actor.
    done : Event or None
        The ``action.done`` event.

    Examples
    --------
    >>> s = ActionScore("I1", 0, "COD", {"en": "x", "fr": "x"}, 3600.0, 1800.0, True, None)
    >>> s.delay_s is None, s.on_time
    (True, False)
    """

    inject: str
    index: int
    actor: str
    action: dict[str, str]
    due_s: float
    within_s: float
    received: bool
    done: Event | None

    @property
    def delay_s(self) -> float | None:
        """Seconds from the inject's due time to the action's (None: not done)."""
        return None if self.done is None else self.done.scenario_s - self.due_s

    @property
    def on_time(self) -> bool:
        """Done within ``within_s`` of the inject."""
        return self.delay_s is not None and self.delay_s <= self.within_s

    @property
    def name(self) -> str | None:
        """The participant who ticked it."""
        return None if self.done is None else self.done.payload.get("name")


@dataclass(frozen=True)
class CutOff:
    """A player actor with no working point-to-point channel during ``stretch``, and what
    it did then (its events).

    Attributes
    ----------
    actor : str
    stretch : Stretch
    events : tuple of Event

    Examples
    --------
    >>> CutOff("CIS", Stretch(0.0, 60.0), ()).stretch.length_s
    60.0
    """

    actor: str
    stretch: Stretch
    events: tuple[Event, ...]


@dataclass(frozen=True)
class DecisionInfo:
    """A decision and the information its decider had by then: the messages and injects
    that reached its actor, the annotations its actor could see, the events it names.

    Attributes
    ----------
    decision : Event
    received : tuple of Event
        Messages and injects that had reached its actor by then.
    annotations : tuple of Event
        Annotations its actor could see (all of them for the facilitator's).
    based_on : tuple of Event
        The events it names (``based_on_seqs``).

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> d = Event("decision", datetime(2026, 1, 1, tzinfo=UTC), 0.0, "COD", {}, seq=4)
    >>> DecisionInfo(d, (), (), ()).decision.seq
    4
    """

    decision: Event
    received: tuple[Event, ...]
    annotations: tuple[Event, ...]
    based_on: tuple[Event, ...]


@dataclass(frozen=True)
class Review:
    """An exercise's RETEX in numbers and events (see the module).

    Attributes
    ----------
    start_s, end_s : float
        The played scenario time.
    players : tuple of str
    timeline : tuple of Event
        :data:`TIMELINE_KINDS`, by scenario time then seq.
    messages : dict
        ``message.sent`` events by status (delivered: at once; delayed: after the channel's
        latency, every channel with one; blocked).
    assets : tuple of AssetChange
    down : dict
        Per player actor, per point-to-point channel it has in this run (available at some
        output time), its stretches down in the played time.
    actions : tuple of ActionScore
    circuits : Circuits
    cut_off : tuple of CutOff
    decisions : tuple of DecisionInfo
    notes : tuple of Event
    relays : RelayReview or None
        What the volunteers added (None: not computed).
    latency_s : float or None
        The median latency of the messages not blocked (their channel's, ``latency_s``;
        None: none was sent).

    Examples
    --------
    >>> from tousrisques.exercise import Exercise, review
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> r = review(Exercise.for_run(s, 0), [])
    >>> r.actions, r.done_share, r.messages["blocked"]
    ((), None, 0)
    """

    start_s: float
    end_s: float
    players: tuple[str, ...]
    timeline: tuple[Event, ...]
    messages: dict[str, int]
    assets: tuple[AssetChange, ...]
    down: dict[str, dict[str, tuple[Stretch, ...]]]
    actions: tuple[ActionScore, ...]
    circuits: Circuits
    cut_off: tuple[CutOff, ...]
    decisions: tuple[DecisionInfo, ...]
    notes: tuple[Event, ...]
    relays: RelayReview | None
    latency_s: float | None = None

    @property
    def done_share(self) -> float | None:
        """The share of expected actions done (None: none expected)."""
        n = len(self.actions)
        return sum(a.done is not None for a in self.actions) / n if n else None

    @property
    def on_time_share(self) -> float | None:
        """The share of expected actions done on time (None: none expected)."""
        n = len(self.actions)
        return sum(a.on_time for a in self.actions) / n if n else None


def played(events: Sequence[Event]) -> Stretch:
    """The played scenario time: from the clock's first start (0 when it never started) to
    the latest scenario time of the log.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> played([Event("clock.started", t, 600.0, "facilitator"),
    ...         Event("exercise.ended", t, 7200.0, "facilitator")])
    Stretch(start_s=600.0, end_s=7200.0)
    """
    start = next((e.scenario_s for e in events if e.kind == "clock.started"), 0.0)
    end = max([start, *(e.scenario_s for e in events)])
    return Stretch(start, end)


def stretches(mask: npt.NDArray[np.bool_], times_s: npt.NDArray[np.float64],
              within: Stretch, duration_s: float) -> tuple[Stretch, ...]:
    """The stretches of ``within`` where ``mask`` (one value per output time, holding until
    the next) is True.

    Examples
    --------
    >>> import numpy as np
    >>> stretches(np.array([False, True, True, False]), np.array([0.0, 1, 2, 3]),
    ...           Stretch(1.5, 3.5), 4.0)
    (Stretch(start_s=1.5, end_s=3.0),)
    """
    out: list[Stretch] = []
    ends = [*times_s[1:].tolist(), duration_s]
    for k in np.nonzero(mask)[0].tolist():
        lo, hi = max(float(times_s[k]), within.start_s), min(float(ends[k]), within.end_s)
        if hi <= lo:
            continue
        if out and out[-1].end_s >= lo:
            out[-1] = Stretch(out[-1].start_s, hi)
        else:
            out.append(Stretch(lo, hi))
    return tuple(out)


def _players(events: Sequence[Event]) -> tuple[str, ...]:
    names: list[str] = []
    for e in events:
        if e.kind == "exercise.created":
            names += [str(a) for a in e.payload.get("players", [])]
        elif e.kind == "participant.joined" and e.payload.get("actor"):
            names.append(str(e.payload["actor"]))
    return tuple(dict.fromkeys(names))


def _p2p(exercise: Exercise, actor: str) -> list[str]:
    """The point-to-point channels ``actor`` has in this run: those available to it at
    some output time (a channel never available — planned equipment not installed in this
    run, a satellite phone a mitigation would bring — is not a failure: it does not have
    it)."""
    return [x for x in exercise.held(actor)
            if not exercise.is_broadcast(x) and exercise.has(actor, x)]


def _down(exercise: Exercise, players: Sequence[str], span: Stretch
          ) -> dict[str, dict[str, tuple[Stretch, ...]]]:
    av = exercise.av
    out: dict[str, dict[str, tuple[Stretch, ...]]] = {}
    for actor in players:
        a = exercise.actor_index(actor)
        out[actor] = {ch: stretches(~av.avail[:, a, exercise.channels.index(ch)], av.times_s,
                                    span, exercise.duration_s)
                      for ch in _p2p(exercise, actor)}
    return out


def _assets(exercise: Exercise, down: dict[str, dict[str, tuple[Stretch, ...]]]
            ) -> tuple[AssetChange, ...]:
    """The assets that explain the players' channels down (``explain_actor`` at the first
    output time of each stretch), with their first failure and the repair after it; not
    those out from the run's first output time that never worked (not lost: not there)."""
    c, tl, net = exercise.compiled, exercise.timeline, exercise.plan.network
    rows: set[int] = set()
    seen: set[tuple[int, int]] = set()
    for actor, channels in down.items():
        a = exercise.actor_index(actor)
        for parts in channels.values():
            for part in parts:
                k = tl.index_at(part.start_s)
                if (a, k) not in seen:
                    seen.add((a, k))
                    why = explain_actor(c, tl, net, a, part.start_s)
                    rows.update(x.asset for x in why.site_chain)
                    for w in why.channels:
                        rows.update(w.assets)
                        rows.update(x.asset for chain in w.chains for x in chain)
    ids = c.asset_ids.to_pylist()
    log = tl.log
    first = float(exercise.av.times_s[0])
    out = []
    for row in rows:
        mine = np.nonzero(log.asset == row)[0]
        lost = [i for i in mine.tolist() if not log.working[i]]
        if not lost or (float(log.time_s[lost[0]]) <= first
                        and not any(log.working[i] for i in mine.tolist())):
            continue  # never lost, or never there (planned, not installed in this run)
        failed = float(log.time_s[lost[0]])
        back = [float(log.time_s[i]) for i in mine.tolist()
                if log.working[i] and log.time_s[i] > failed]
        out.append(AssetChange(str(ids[row]), failed, back[0] if back else None))
    return tuple(sorted(out, key=lambda x: (x.failed_s, x.asset)))


def _actions(exercise: Exercise, events: Sequence[Event]) -> tuple[ActionScore, ...]:
    done: dict[tuple[str, int, str], Event] = {}
    received: set[tuple[str, str]] = set()
    for e in events:
        p = e.payload
        if e.kind == "action.done":
            key = (str(p.get("inject")), int(p.get("index", -1)), str(p.get("actor")))
            done.setdefault(key, e)
        elif e.kind == "inject.delivered":
            received.add((str(p.get("inject")), str(p.get("to"))))
    out = []
    for inj in exercise.injects:
        for i, want in enumerate(inj.expected):
            for actor in exercise.addressees([str(want["who"])]):
                out.append(ActionScore(inj.id, i, actor, dict(want["action"]), inj.at_s,
                                       float(want["within_s"]), (inj.id, actor) in received,
                                       done.get((inj.id, i, actor))))
    return tuple(out)


def _acts_of(e: Event, actor: str) -> bool:
    p = e.payload
    return e.author == actor or p.get("actor") == actor or p.get("from") == actor


def _cut_off(exercise: Exercise, players: Sequence[str], span: Stretch,
             events: Sequence[Event]) -> tuple[CutOff, ...]:
    av = exercise.av
    out = []
    for actor in players:
        mine = [exercise.channels.index(x) for x in _p2p(exercise, actor)]
        if not mine:
            continue
        a = exercise.actor_index(actor)
        none: npt.NDArray[np.bool_] = ~np.asarray(av.avail[:, a, mine].any(axis=1), bool)
        for part in stretches(none, av.times_s, span, exercise.duration_s):
            did = tuple(e for e in events if e.kind in TIMELINE_KINDS and _acts_of(e, actor)
                        and part.start_s <= e.scenario_s < part.end_s)
            out.append(CutOff(actor, part, did))
    return tuple(out)


def _reached(e: Event, actor: str) -> float | None:
    """When a message or inject reached ``actor`` (None: it did not)."""
    if e.kind == "inject.delivered" and e.payload.get("to") == actor:
        return e.scenario_s
    if e.kind == "message.sent":
        for r in e.payload.get("recipients") or []:
            if r.get("actor") == actor and r.get("status") != "not_received":
                at = r.get("arrives_s")
                return float(at) if at is not None else e.scenario_s
    return None


def _decisions(events: Sequence[Event]) -> tuple[DecisionInfo, ...]:
    by_seq = {e.seq: e for e in events}
    out = []
    for d in (e for e in events if e.kind == "decision"):
        actor = d.payload.get("actor")
        before = [e for e in events if e.seq < d.seq]
        received: tuple[Event, ...] = ()
        if actor:
            received = tuple(e for e in before if (at := _reached(e, str(actor))) is not None
                             and at <= d.scenario_s)
        notes = tuple(e for e in before if e.kind == "annotation.added" and (
            not actor or e.audience is None or str(actor) in e.audience))
        based = tuple(by_seq[int(s)] for s in d.payload.get("based_on_seqs") or []
                      if int(s) in by_seq)
        out.append(DecisionInfo(d, received, notes, based))
    return tuple(out)


def review(exercise: Exercise, events: Sequence[Event]) -> Review:
    """The RETEX of an exercise played on ``exercise``, from its log ``events``.

    Parameters
    ----------
    exercise : Exercise
        The run it was played on (``Exercise.for_run`` with the run its first event
        records).
    events : sequence of Event
        The whole log, in order.

    Returns
    -------
    Review

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> from tousrisques.exercise import Exercise, MemoryStore, Session, review
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> t0 = datetime(2025, 1, 1, 9, tzinfo=UTC)
    >>> store = MemoryStore()
    >>> session = Session.create(store, "x1", Exercise.for_run(s, 0), now=t0, speed=3600)
    >>> _ = session.start(t0)
    >>> _ = session.send(t0 + timedelta(seconds=1), "MAIRIE-PCS", "mobile", ["CIS"], "Go")
    >>> _ = session.end(t0 + timedelta(seconds=10))
    >>> r = review(session.exercise, store.read("x1"))
    >>> r.end_s, r.messages, r.latency_s
    (36000.0, {'delivered': 0, 'delayed': 1, 'blocked': 0}, 60.0)
    >>> [(x.sender, x.recipient, x.channel, x.count) for x in r.circuits.used]
    [('MAIRIE-PCS', 'CIS', 'mobile', 1)]
    """
    events = sorted(events, key=lambda e: e.seq)
    span = played(events)
    players = _players(events)
    down = _down(exercise, players, span)
    counts = Counter(str(e.payload.get("status")) for e in events if e.kind == "message.sent")
    lat = [float(e.payload.get("latency_s") or 0.0) for e in events
           if e.kind == "message.sent" and e.payload.get("status") != "blocked"]
    timeline = tuple(sorted((e for e in events if e.kind in TIMELINE_KINDS),
                            key=lambda e: (e.scenario_s, e.seq)))
    return Review(
        start_s=span.start_s, end_s=span.end_s, players=players, timeline=timeline,
        messages={k: counts.get(k, 0) for k in ("delivered", "delayed", "blocked")},
        assets=_assets(exercise, down), down=down, actions=_actions(exercise, events),
        circuits=circuits(exercise, events, players),
        cut_off=_cut_off(exercise, players, span, events),
        decisions=_decisions(events),
        notes=tuple(e for e in events if e.kind == "note.added"),
        relays=relay_review(exercise, events, span.start_s, span.end_s),
        latency_s=float(statistics.median(lat)) if lat else None)
