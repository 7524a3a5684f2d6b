"""The acts of part 2 of an exercise, mixed into :class:`~tousrisques.exercise.Session`:
a player ticks an expected action of its reflex sheet (``action.done``), anyone in play
draws on the shared map (``annotation.added``), an observer notes what they see
(``note.added``), a player sends citizen relays to zones (``relay.dispatched``); and what
the session reads from them: the reflex sheet, the reach by any channel with the
volunteers.

**Annotations' audience.** An annotation is seen by everyone who still has a channel to the
crisis cell when it is posted (``Exercise.in_touch``): its author, when in touch, shares it
with every actor in touch then; an author cut off keeps it to itself (``shared: false``, and
why). The audience is fixed when posted: an actor who gets a channel back later does not
get the old annotations (the facilitator may post them again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from tousrisques._i18n import N_, Msg, Text
from tousrisques.exercise._clock import ExerciseClock
from tousrisques.exercise._errors import ExerciseError
from tousrisques.exercise._events import Event
from tousrisques.exercise._exercise import Exercise
from tousrisques.exercise._geometry import check_geometry
from tousrisques.exercise._reach import broadcast_shares, either, sent_broadcasts
from tousrisques.exercise._relays import relay_actors, relay_shares

#: what an annotation of the shared map says
ANNOTATION_CATEGORIES = ("road_cut", "shelter_open", "power_restored", "rumour", "other")
#: the longest annotation
MAX_ANNOTATION = 2_000
#: the most zones one order sends relays to
MAX_ZONES = 200
_MAX_TEXT = 10_000
_FIELDS = {"annotation": N_("annotation"), "note": N_("note"), "action": N_("note on the action")}
_CUT_OFF = N_("none of your channels works: {reason}")
_NOT_SHARED = N_("{relay} holds none of your channels from actor to actor")


def _check_text(value: object, what: str, most: int, *, empty: bool = False) -> str:
    text = str(value).strip() if value is not None else ""
    if not text and not empty:
        raise ExerciseError("text.empty", field=Msg(_FIELDS[what]))
    if len(text) > most:
        raise ExerciseError("text.long", field=Msg(_FIELDS[what]), length=len(text), most=most)
    return text


def _words(t: Text | None) -> dict[str, str] | None:
    return None if t is None else {"en": t.en, "fr": t.fr}


class PlayActs:
    """Part 2's acts of a session (mixed into ``Session``, which supplies the log)."""

    exercise: Exercise
    clock: ExerciseClock
    events: list[Event]

    def _append(self, events: Sequence[Event]) -> list[Event]:
        raise NotImplementedError  # pragma: no cover  (Session's)

    def _open(self) -> None:
        raise NotImplementedError  # pragma: no cover  (Session's)

    def _init_play(self) -> None:
        self.done_items: dict[tuple[str, str, int], Event] = {}
        self.received: set[tuple[str, str]] = set()
        self.annotations = 0
        self.dispatches: list[dict[str, Any]] = []

    def _apply_play(self, e: Event) -> None:
        p = e.payload
        if e.kind == "inject.delivered":
            self.received.add((str(p.get("inject")), str(p.get("to"))))
        elif e.kind == "action.done":
            self.done_items[(str(p["actor"]), str(p["inject"]), int(p["index"]))] = e
        elif e.kind == "annotation.added":
            self.annotations += 1
        elif e.kind == "relay.dispatched":
            self.dispatches.append(dict(p))

    # --- the reflex sheet -------------------------------------------------------------
    def _mine(self, actor: str, who: str) -> bool:
        return who in (actor, self.exercise.role_of(actor))

    def reflex(self, actor: str) -> list[dict[str, Any]]:
        """The actor's reflex sheet: the expected actions of the scenario's injects whose
        ``who`` is the actor or its role, each with whether its inject reached the actor
        and whether it is ticked done."""
        self.exercise.actor_index(actor)
        out = []
        for inj in self.exercise.injects:
            for i, want in enumerate(inj.expected):
                if not self._mine(actor, str(want["who"])):
                    continue
                done = self.done_items.get((actor, inj.id, i))
                out.append({"inject": inj.id, "index": i, "action": dict(want["action"]),
                            "within_s": want["within_s"], "due_s": inj.at_s,
                            "received": (inj.id, actor) in self.received,
                            "done": None if done is None else {
                                "seq": done.seq, "scenario_s": done.scenario_s,
                                "name": done.payload.get("name")}})
        return out

    def done(self, now: datetime, actor: str, inject: str, index: int, *,
             name: str | None = None, note: str = "") -> Event:
        """``actor`` ticks expected action ``index`` of ``inject`` as done
        (``action.done``, seen by the actor, the facilitator and the observers)."""
        self._open()
        self.exercise.actor_index(actor)
        found = next((i for i in self.exercise.injects if i.id == inject and i.expected), None)
        if found is None:
            raise ExerciseError("action.inject", inject=inject)
        if isinstance(index, bool) or not isinstance(index, int) \
                or not 0 <= index < len(found.expected):
            raise ExerciseError("action.index", inject=inject, count=len(found.expected),
                                index=index)
        who = str(found.expected[index]["who"])
        if not self._mine(actor, who):
            raise ExerciseError("action.not_yours", inject=inject, index=index, who=who,
                                actor=actor)
        if (actor, inject, index) in self.done_items:
            raise ExerciseError("action.twice", inject=inject, index=index)
        payload = {"inject": inject, "index": index, "actor": actor, "name": name,
                   "note": _check_text(note, "action", _MAX_TEXT, empty=True)}
        return self._append([Event("action.done", now, self.clock.at(now), actor, payload,
                                   (actor,))])[0]

    # --- the shared map -----------------------------------------------------------------
    def annotate(self, now: datetime, actor: str | None, category: str, text: str,
                 geometry: object, *, name: str | None = None,
                 author: str | None = None) -> Event:
        """A point or a line on the shared map, seen by who is in touch with the crisis cell
        (``actor`` None: the facilitator's, seen by every actor in touch)."""
        self._open()
        ex = self.exercise
        if actor is not None:
            ex.actor_index(actor)
        if category not in ANNOTATION_CATEGORIES:
            raise ExerciseError("text.category", value=category,
                                allowed=", ".join(ANNOTATION_CATEGORIES))
        body = _check_text(text, "annotation", MAX_ANNOTATION)
        shape = check_geometry(geometry, ex.bounds)
        t = self.clock.at(now)
        reason = None if actor is None else ex.touch_reason(actor, t)
        touching = tuple(a for a in ex.actors if a != actor and ex.in_touch(a, t))
        audience = (actor,) if actor is not None and reason is not None else \
            ((actor,) if actor is not None else ()) + touching
        payload = {"id": f"A{self.annotations + 1}", "actor": actor, "name": name,
                   "category": category, "text": body, "geometry": shape,
                   "shared": reason is None, "reason": _words(reason)}
        return self._append([Event("annotation.added", now, t,
                                   author or actor or "facilitator", payload, audience)])[0]

    def note(self, now: datetime, text: str, *, name: str | None = None,
             author: str = "observer") -> Event:
        """An observer's (or the facilitator's) note for the RETEX, seen by them only."""
        self._open()
        if author not in ("observer", "facilitator"):
            raise ExerciseError("participant.role", value=author,
                                allowed="observer, facilitator")
        payload = {"name": name, "text": _check_text(text, "note", _MAX_TEXT)}
        return self._append([Event("note.added", now, self.clock.at(now), author, payload,
                                   ())])[0]

    # --- citizen relays -----------------------------------------------------------------
    def _zones(self, zones: Sequence[str]) -> list[str]:
        if isinstance(zones, str) or not 1 <= len(zones) <= MAX_ZONES \
                or len(set(zones)) != len(zones):
            raise ExerciseError("relay.zones", most=MAX_ZONES)
        known = set(self.exercise.zone_ids)
        for z in zones:
            if z not in known:
                raise ExerciseError("relay.zone", zone=z)
        return [str(z) for z in zones]

    def dispatch(self, now: datetime, actor: str, relay: str, zones: Sequence[str],
                 channel: str | None = None, *, name: str | None = None) -> Event:
        """``actor`` sends the volunteers of ``relay`` to ``zones``: the order goes as a
        point-to-point message would (over ``channel``, or the quickest working one both
        hold); delivered, its volunteers start at ``arrives_s`` + their muster time."""
        self._open()
        ex = self.exercise
        ex.actor_index(actor)
        if relay == actor:
            raise ExerciseError("relay.self")
        relays = relay_actors(ex)
        if relay not in relays:
            raise ExerciseError("relay.unknown", relay=relay, allowed=", ".join(relays) or "-")
        chosen = self._zones(zones)
        t = self.clock.at(now)
        reason: Text | None = None
        if channel is None:
            shared = [x for x in ex.held(actor) if not ex.is_broadcast(x)
                      and x in ex.held(relay)]
            shared.sort(key=lambda x: (ex.latency_s(x), x))
            working = [x for x in shared if ex.available(actor, x, t)
                       and ex.available(relay, x, t)]
            if working:
                channel = working[0]
            elif shared:
                first = ex.send(actor, shared[0], [relay], t).reason
                reason = Text(*(Msg(_CUT_OFF, reason=first or "").render(lang)
                                for lang in ("en", "fr")))
            else:
                reason = Text(*(Msg(_NOT_SHARED, relay=relay).render(lang)
                                for lang in ("en", "fr")))
        arrives: float | None = None
        if reason is None:
            assert channel is not None
            sent = ex.send(actor, channel, [relay], t)
            status, reason = sent.status, sent.reason
            got = [d for d in sent.recipients if d.actor == relay and d.arrives_s is not None]
            if status != "blocked" and got:
                arrives = got[0].arrives_s
        else:
            status = "blocked"
        if arrives is None:
            status = "blocked"
        muster = float(ex.compiled.actor_relay[ex.actor_index(relay), 4])
        payload = {"relay": relay, "zones": chosen, "channel": channel, "status": status,
                   "reason": _words(reason), "arrives_s": arrives,
                   "starts_s": None if arrives is None else arrives + muster, "name": name}
        return self._append([Event("relay.dispatched", now, t, actor, payload,
                                   (actor, relay))])[0]

    # --- reach --------------------------------------------------------------------------
    def zone_reach(self, scenario_s: float) -> dict[str, Any]:
        """Per zone (``exercise.zone_ids``' order): the share the main alert channel
        reaches now (what an alert sent now would reach), the share informed by the
        broadcasts the players sent, by the volunteers they sent, and by either."""
        ex = self.exercise
        channel = ex.main_channel
        main = ex.zone_shares(scenario_s, channel) if channel else np.zeros(len(ex.zone_ids))
        sent = broadcast_shares(ex, sent_broadcasts(self.events), scenario_s)
        relays = relay_shares(ex, self.dispatches, scenario_s)
        return {"channel": channel, "main": main, "broadcasts": sent, "relays": relays,
                "any": either(sent, relays)}

    def reach(self, scenario_s: float) -> dict[str, Any]:
        """The shares of the population at ``scenario_s``: ``main`` (the main alert
        channel's reach then), ``broadcasts`` (informed by the broadcasts sent),
        ``relays`` (by the volunteers alone), ``any`` (by either)."""
        return self.reach_of(self.zone_reach(scenario_s))

    def reach_of(self, per_zone: dict[str, Any]) -> dict[str, Any]:
        """:meth:`reach` from a :meth:`zone_reach` already computed (the shares weighted by
        the zones' population)."""
        pop = np.asarray(self.exercise.compiled.population, float)
        total = float(pop.sum())
        out: dict[str, Any] = {"channel": per_zone["channel"]}
        for key in ("main", "broadcasts", "relays", "any"):
            out[key] = float(per_zone[key] @ pop / total) if total > 0 else 0.0
        return out
