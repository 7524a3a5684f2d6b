"""An exercise being played: its clock, participants, injects and messages, every action
an event appended to the log through the store. The state is what the log says: a session
is rebuilt from the log (:meth:`Session.load`) and catches up with events another process
appended (:meth:`Session.sync`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tousrisques._i18n import N_, Msg, Text
from tousrisques.exercise._acts import PlayActs
from tousrisques.exercise._answers import ChannelNow, Inject
from tousrisques.exercise._clock import CLOCK_KINDS, ExerciseClock
from tousrisques.exercise._errors import ExerciseError
from tousrisques.exercise._events import PARTICIPANT_ROLES, Event, EventStore
from tousrisques.exercise._exercise import Exercise

#: the categories of the situation log (main courante)
LOG_CATEGORIES = ("situation", "action", "information", "request", "other")
#: the longest text a participant may write (a message, a log entry, a decision)
MAX_TEXT = 10_000
#: the longest name (a display name, who decided)
MAX_NAME = 200


#: what a participant writes, named in the messages that refuse it
_FIELDS = {"text": N_("text of the inject"), "message": N_("message"), "log entry": N_("log entry"),
           "decision": N_("decision"), "name": N_("name")}


def _text(value: object, what: str, most: int = MAX_TEXT) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ExerciseError("text.empty", field=Msg(_FIELDS[what]))
    if len(text) > most:
        raise ExerciseError("text.long", field=Msg(_FIELDS[what]), length=len(text),
                            most=most)
    return text


def _both(value: Text | dict[str, str] | str) -> Text:
    if isinstance(value, Text):
        en, fr = value.en, value.fr
    elif isinstance(value, dict):
        en = str(value.get("en") or value.get("fr") or "")
        fr = str(value.get("fr") or en)
    else:
        en = fr = str(value)
    return Text(_text(en, "text"), _text(fr, "text"))


def _words(t: Text | None) -> dict[str, str] | None:
    return None if t is None else {"en": t.en, "fr": t.fr}


class Session(PlayActs):
    """One exercise, played: acts append events through ``store`` and return them stored.
    The acts of the reflex sheet, the shared map, the observers' notes and the citizen
    relays are :class:`~tousrisques.exercise._acts.PlayActs`'.

    Not thread-safe: the server calls one exercise's session from one place at a time
    (and, with several processes, calls :meth:`sync` first, under its own lock).

    Parameters
    ----------
    store : EventStore
    exercise_id : str
    exercise : Exercise
    events : sequence of Event
        The log so far (``store.read``).

    Examples
    --------
    >>> from datetime import datetime, timedelta, UTC
    >>> from tousrisques.exercise import Exercise, MemoryStore, Session
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> t0 = datetime(2025, 1, 1, 9, tzinfo=UTC)
    >>> store = MemoryStore()
    >>> session = Session.create(store, "x1", Exercise.for_run(s, 0), now=t0, speed=60,
    ...                          scenario_name="petite-ville/tempete")
    >>> _ = session.start(t0)
    >>> e = session.send(t0 + timedelta(seconds=60), "MAIRIE-PCS", "fixe", ["CIS"], "Sirènes ?")
    >>> e.seq, e.scenario_s, e.payload["status"]
    (3, 3600.0, 'delayed')
    >>> Session.load(store, "x1", session.exercise).clock == session.clock
    True
    """

    def __init__(self, store: EventStore, exercise_id: str, exercise: Exercise,
                 events: Sequence[Event] = ()) -> None:
        self.store = store
        self.id = exercise_id
        self.exercise = exercise
        self.clock = ExerciseClock(duration_s=exercise.duration_s)
        self.events: list[Event] = []
        self.participants: list[dict[str, Any]] = []
        self.delivered: set[str] = set()
        self.hand_pushed = 0
        self.ended = False
        self.created: dict[str, Any] = {}
        self._init_play()
        for e in events:
            self._apply(e)

    @property
    def last_seq(self) -> int:
        """The seq of the last event this session knows."""
        return self.events[-1].seq if self.events else 0

    # --- building -----------------------------------------------------------------------
    @classmethod
    def create(cls, store: EventStore, exercise_id: str, exercise: Exercise, *,
               now: datetime, speed: float = 1.0, scenario_name: str = "",
               author: str = "facilitator") -> Session:
        """A new exercise: appends ``exercise.created`` (the clock paused at 0)."""
        clock = ExerciseClock(duration_s=exercise.duration_s).with_speed(now, speed)
        sc = exercise.scenario
        payload = {"scenario": scenario_name, "scenario_hash": sc.content_hash,
                   "run": exercise.run, "percentile": exercise.percentile,
                   "speed": clock.speed, "actors": list(exercise.actors),
                   "players": list(exercise.players()), "duration_s": exercise.duration_s,
                   "start": exercise.start.isoformat() if exercise.start else None,
                   "timezone": exercise.timezone}
        session = cls(store, exercise_id, exercise)
        session._append([Event("exercise.created", now, 0.0, author, payload)])
        return session

    @classmethod
    def load(cls, store: EventStore, exercise_id: str, exercise: Exercise) -> Session:
        """The session the log of ``exercise_id`` leaves; refused when the log has no
        creation or was made on another version of the scenario file."""
        events = store.read(exercise_id)
        if not events or events[0].kind != "exercise.created":
            raise ExerciseError("exercise.not_created", id=exercise_id)
        then = str(events[0].payload.get("scenario_hash", ""))
        if then != exercise.scenario.content_hash:
            raise ExerciseError("exercise.scenario_changed",
                                now=exercise.scenario.content_hash, then=then)
        return cls(store, exercise_id, exercise, events)

    def sync(self) -> list[Event]:
        """Apply the events appended since the last this session knows; return them."""
        new = self.store.read(self.id, after=self.last_seq)
        for e in new:
            self._apply(e)
        return new

    def _apply(self, e: Event) -> None:
        self.events.append(e)
        self._apply_play(e)
        if e.kind == "exercise.created":
            self.created = dict(e.payload)
            self.clock = ExerciseClock(speed=float(e.payload.get("speed", 1.0)),
                                       duration_s=self.exercise.duration_s)
        elif e.kind in CLOCK_KINDS:
            self.clock = self.clock.applied(e.kind, e.real_time, e.payload)
        elif e.kind == "participant.joined":
            self.participants.append(dict(e.payload))
        elif e.kind in ("inject.delivered", "inject.not_received"):
            inject = str(e.payload.get("inject", ""))
            self.delivered.add(inject)
            if inject.startswith("H"):
                self.hand_pushed = max(self.hand_pushed, int(inject[1:] or 0))
        elif e.kind == "exercise.ended":
            self.ended = True

    def _append(self, events: Sequence[Event]) -> list[Event]:
        stored = self.store.append(self.id, events)
        if stored and stored[0].seq != self.last_seq + 1:
            self.sync()  # another process wrote in between: read it all, in order
            return stored
        for e in stored:
            self._apply(e)
        return stored

    def _open(self) -> None:
        if self.ended:
            raise ExerciseError("exercise.ended")

    # --- the clock ------------------------------------------------------------------------
    def scenario_s(self, now: datetime) -> float:
        """The scenario time at real time ``now``."""
        return self.clock.at(now)

    def _clock_event(self, kind: str, now: datetime, clock: ExerciseClock, author: str
                     ) -> list[Event]:
        return self._append([Event(kind, now, clock.anchor_s, author, clock.to_payload())])

    def start(self, now: datetime, *, author: str = "facilitator") -> list[Event]:
        """Start the clock; the injects due at 0 are delivered with it."""
        self._open()
        out = self._clock_event("clock.started", now, self.clock.started(now), author)
        return out + self.advance(now)

    def pause(self, now: datetime, *, author: str = "facilitator") -> list[Event]:
        """Pause the clock (the injects due until then are delivered first)."""
        self._open()
        out = self.advance(now)
        return out + self._clock_event("clock.paused", now, self.clock.paused(now), author)

    def resume(self, now: datetime, *, author: str = "facilitator") -> list[Event]:
        """Run the clock again."""
        self._open()
        return self._clock_event("clock.resumed", now, self.clock.resumed(now), author)

    def set_speed(self, now: datetime, speed: float, *, author: str = "facilitator"
                  ) -> list[Event]:
        """Change the speed (scenario seconds per real second) from ``now``."""
        self._open()
        out = self.advance(now)
        return out + self._clock_event("clock.speed", now, self.clock.with_speed(now, speed),
                                       author)

    def jump(self, now: datetime, scenario_s: float, *, author: str = "facilitator"
             ) -> list[Event]:
        """Set the scenario time (forward: the injects skipped are delivered then; back:
        none is delivered twice)."""
        self._open()
        out = self._clock_event("clock.jumped", now, self.clock.jumped(now, scenario_s),
                                author)
        return out + self.advance(now)

    # --- injects --------------------------------------------------------------------------
    def _inject_events(self, inject: Inject, at_s: float, now: datetime, t: float,
                       author: str) -> list[Event]:
        out = []
        for d in self.exercise.deliver(inject, at_s):
            payload = {**inject.to_json(), "to": d.actor, "channel": d.channel,
                       "due_s": inject.at_s, "reason": _words(d.reason)}
            payload.pop("at_s")
            received = d.status != "not_received"
            out.append(Event("inject.delivered" if received else "inject.not_received",
                             now, t, author, payload, (d.actor,) if received else ()))
        return out

    def advance(self, now: datetime) -> list[Event]:
        """Deliver the scenario's injects due by the scenario time at ``now`` that are not
        delivered yet (each judged at its own time): call it whenever the clock may have
        moved."""
        if self.ended:
            return []
        t = self.clock.at(now)
        events: list[Event] = []
        for inj in self.exercise.injects_due(-1.0, t):
            if inj.id not in self.delivered:
                events += self._inject_events(inj, inj.at_s, now, t, "system")
        return self._append(events) if events else []

    def push_inject(self, now: datetime, to: Sequence[str], text: Text | dict[str, str] | str,
                    *, channel: str | None = None, author: str = "facilitator"
                    ) -> list[Event]:
        """An inject pushed by hand now, to actors or roles (by ``channel``, or any)."""
        self._open()
        targets = self.exercise.addressees(to)
        if not targets:
            raise ExerciseError("actor.none")
        if channel is not None and channel not in self.exercise.channels:
            raise ExerciseError("channel.unknown", actor=", ".join(targets), channel=channel,
                                allowed=", ".join(self.exercise.channels))
        t = self.clock.at(now)
        inject = Inject(f"H{self.hand_pushed + 1}", t, targets, _both(text), channel)
        return self._append(self._inject_events(inject, t, now, t, author))

    def upcoming(self) -> list[Inject]:
        """The scenario's injects not delivered yet."""
        return [i for i in self.exercise.injects if i.id not in self.delivered]

    def not_received(self) -> list[Event]:
        """The injects an addressee did not receive (for the facilitator)."""
        return [e for e in self.events if e.kind == "inject.not_received"]

    # --- participants ---------------------------------------------------------------------
    def join(self, now: datetime, actor: str | None, name: str, *, role: str = "player"
             ) -> Event:
        """A participant joins: a player for ``actor``, an observer or a facilitator."""
        self._open()
        if role not in PARTICIPANT_ROLES:
            raise ExerciseError("participant.role", value=role,
                                allowed=", ".join(PARTICIPANT_ROLES))
        if role == "player":
            self.exercise.actor_index(str(actor))
        else:
            actor = None
        payload = {"participant": len(self.participants) + 1, "actor": actor,
                   "name": _text(name, "name", MAX_NAME), "role": role}
        return self._append([Event("participant.joined", now, self.clock.at(now),
                                   actor or role, payload)])[0]

    def channels_now(self, actor: str, now: datetime) -> tuple[ChannelNow, ...]:
        """The actor's channels at the scenario time of ``now``, and why not."""
        return self.exercise.channels_now(actor, self.clock.at(now))

    # --- what players do ------------------------------------------------------------------
    def send(self, now: datetime, actor: str, channel: str, to: Sequence[str], text: str, *,
             name: str | None = None) -> Event:
        """``actor`` sends ``text`` over ``channel`` to ``to`` (actors or roles; none for a
        broadcast): ``message.sent``, delivered, delayed or blocked, and why."""
        self._open()
        body = _text(text, "message")
        t = self.clock.at(now)
        sent = self.exercise.send(actor, channel, list(to), t)
        payload = {"from": actor, "channel": channel, "to": list(to), "text": body,
                   "name": name, **sent.to_json()}
        if sent.status == "blocked":
            audience: tuple[str, ...] | None = (actor,)
        elif sent.reached is not None:
            audience = None  # a broadcast: everyone hears it
        else:
            audience = (actor, *(d.actor for d in sent.recipients
                                 if d.status != "not_received"))
        return self._append([Event("message.sent", now, t, actor, payload, audience)])[0]

    def log(self, now: datetime, actor: str | None, text: str, category: str, *,
            name: str | None = None, author: str | None = None) -> Event:
        """An entry of the situation log (main courante), seen by every participant."""
        self._open()
        if category not in LOG_CATEGORIES:
            raise ExerciseError("text.category", value=category,
                                allowed=", ".join(LOG_CATEGORIES))
        if actor is not None:
            self.exercise.actor_index(actor)
        payload = {"actor": actor, "name": name, "text": _text(text, "log entry"),
                   "category": category}
        return self._append([Event("log.entry", now, self.clock.at(now),
                                   author or actor or "facilitator", payload)])[0]

    def decide(self, now: datetime, actor: str | None, what: str, decided_by: str,
               based_on: str = "", *, based_on_seqs: Sequence[int] = (),
               name: str | None = None, author: str | None = None) -> Event:
        """A decision: what, who decided, on what information (words and/or the seqs of
        the events it rests on)."""
        self._open()
        if actor is not None:
            self.exercise.actor_index(actor)
        seqs = sorted({int(s) for s in based_on_seqs if 0 < int(s) <= self.last_seq})
        payload = {"actor": actor, "name": name, "what": _text(what, "decision"),
                   "decided_by": _text(decided_by, "name", MAX_NAME),
                   "based_on": str(based_on).strip()[:MAX_TEXT], "based_on_seqs": seqs}
        return self._append([Event("decision", now, self.clock.at(now),
                                   author or actor or "facilitator", payload)])[0]

    def end(self, now: datetime, *, author: str = "facilitator") -> Event:
        """End the exercise: nothing more can happen in it."""
        self._open()
        self.advance(now)
        return self._append([Event("exercise.ended", now, self.clock.at(now), author,
                                   {})])[0]
