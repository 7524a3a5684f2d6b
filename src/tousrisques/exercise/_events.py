"""The exercise's append-only log: its events, who may see each, and the store that gives
each event its place (a per-exercise sequence number with no gap).

The store is the server's (SQLite or PostgreSQL); :class:`MemoryStore` keeps the log in a
list, for tests and scripts.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

#: every kind of event, in the order an exercise meets them
KINDS = (
    "exercise.created",
    "clock.started", "clock.paused", "clock.resumed", "clock.jumped", "clock.speed",
    "participant.joined",
    "inject.delivered", "inject.not_received",
    "message.sent",
    "log.entry",
    "decision",
    "action.done", "annotation.added", "note.added", "relay.dispatched",
    "exercise.ended",
)

#: who a participant is: the facilitator sees and controls all, an observer reads all
PARTICIPANT_ROLES = ("player", "observer", "facilitator")


@dataclass(frozen=True)
class Event:
    """One thing that happened in an exercise.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    real_time : datetime
        When it happened (aware).
    scenario_s : float
        The scenario time then (seconds from the scenario's start).
    author : str
        An actor id (a player), ``facilitator``, ``observer`` or ``system``.
    payload : dict
        What happened (JSON values; docs/exercise.md lists them by kind).
    audience : tuple of str, optional
        The actors whose players may see it; None: every participant. The facilitator and
        the observers see every event.
    seq : int
        Its place in the exercise's log, from 1 (0 until the store has it).

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from tousrisques.exercise import Event
    >>> e = Event("log.entry", datetime(2025, 1, 1, tzinfo=UTC), 60.0, "COD",
    ...           {"actor": "COD", "text": "PCO opened", "category": "action"})
    >>> Event.from_json(e.to_json()) == e
    True
    """

    kind: str
    real_time: datetime
    scenario_s: float
    author: str
    payload: dict[str, Any] = field(default_factory=dict)
    audience: tuple[str, ...] | None = None
    seq: int = 0

    def to_json(self) -> dict[str, Any]:
        """The event as JSON values (the real time in ISO 8601 with its offset).

        Examples
        --------
        >>> from datetime import datetime, UTC
        >>> from tousrisques.exercise import Event
        >>> Event("exercise.ended", datetime(2025, 1, 1, tzinfo=UTC), 0.0, "facilitator",
        ...       seq=7).to_json()["real_time"]
        '2025-01-01T00:00:00+00:00'
        """
        return {"seq": self.seq, "kind": self.kind, "real_time": self.real_time.isoformat(),
                "scenario_s": self.scenario_s, "author": self.author,
                "audience": None if self.audience is None else list(self.audience),
                "payload": self.payload}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        """The event :meth:`to_json` wrote.

        Examples
        --------
        >>> from tousrisques.exercise import Event
        >>> e = Event.from_json({"seq": 3, "kind": "exercise.ended", "scenario_s": 10,
        ...                      "real_time": "2025-01-01T00:00:00+00:00",
        ...                      "author": "facilitator", "audience": None, "payload": {}})
        >>> e.seq, e.scenario_s
        (3, 10.0)
        """
        audience = data.get("audience")
        return cls(str(data["kind"]), datetime.fromisoformat(str(data["real_time"])),
                   float(data["scenario_s"]), str(data["author"]), dict(data["payload"]),
                   None if audience is None else tuple(str(a) for a in audience),
                   int(data.get("seq", 0)))


def visible(event: Event, *, actor: str | None, role: str) -> bool:
    """Whether a participant may see ``event``: the facilitator and the observers see
    everything; a player sees the events meant for everyone and those naming its actor.

    Parameters
    ----------
    event : Event
    actor : str or None
        The participant's actor (players).
    role : {"player", "observer", "facilitator"}

    Returns
    -------
    bool

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from tousrisques.exercise import Event, visible
    >>> e = Event("inject.not_received", datetime(2025, 1, 1, tzinfo=UTC), 0.0, "system",
    ...           {}, audience=())
    >>> visible(e, actor="COD", role="player"), visible(e, actor=None, role="observer")
    (False, True)
    """
    if role in ("facilitator", "observer"):
        return True
    return event.audience is None or (actor is not None and actor in event.audience)


class EventStore(Protocol):
    """Where an exercise's log is kept. The store alone numbers the events: ``append``
    gives a batch the next numbers of the exercise's log (1, 2, …, no gap, none twice),
    all or none of the batch.

    Attributes
    ----------
    append : callable
        ``append(exercise_id, events) -> list[Event]``: the events kept, numbered.
    read : callable
        ``read(exercise_id, *, after=0) -> list[Event]``: the events after a number.

    Examples
    --------
    >>> from tousrisques.exercise import EventStore, MemoryStore
    >>> store: EventStore = MemoryStore()  # the server's: SQLite or PostgreSQL
    >>> store.read("no-such-exercise")
    []
    """

    def append(self, exercise_id: str, events: Sequence[Event]) -> list[Event]:
        """Keep ``events`` at the end of the exercise's log, atomically; return them with
        their ``seq``."""
        ...  # pragma: no cover

    def read(self, exercise_id: str, *, after: int = 0) -> list[Event]:
        """The exercise's events with ``seq > after``, in order."""
        ...  # pragma: no cover


class MemoryStore:
    """An :class:`EventStore` in memory (tests, scripts): a list per exercise.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> from tousrisques.exercise import Event, MemoryStore
    >>> store = MemoryStore()
    >>> t = datetime(2025, 1, 1, tzinfo=UTC)
    >>> [e.seq for e in store.append("x", [Event("log.entry", t, 0.0, "COD")] * 2)]
    [1, 2]
    >>> [e.seq for e in store.read("x", after=1)]
    [2]
    """

    def __init__(self) -> None:
        self._logs: dict[str, list[Event]] = {}
        self._lock = threading.Lock()

    def append(self, exercise_id: str, events: Sequence[Event]) -> list[Event]:
        """Keep ``events`` at the end of the log; return them numbered."""
        for e in events:
            if e.kind not in KINDS or not math.isfinite(e.scenario_s):
                raise ValueError(f"not an event of an exercise: {e.kind!r}")
        with self._lock:
            log = self._logs.setdefault(exercise_id, [])
            stored = [replace(e, seq=len(log) + i + 1) for i, e in enumerate(events)]
            log.extend(stored)
        return stored

    def read(self, exercise_id: str, *, after: int = 0) -> list[Event]:
        """The events with ``seq > after``."""
        with self._lock:
            return list(self._logs.get(exercise_id, [])[max(after, 0):])
