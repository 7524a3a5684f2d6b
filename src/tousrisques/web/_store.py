"""The server's one repository: every read and write of the database goes through
:class:`SqlStore` (SQLAlchemy Core, no ORM), which owns the transactions.

It implements the exercise model's ``EventStore`` (``append``, ``read``) on SQLite and
PostgreSQL. A sequence number is assigned in the transaction that inserts the event, by
``UPDATE exercises SET last_seq = last_seq + n … RETURNING last_seq``: the row lock (PostgreSQL)
or the database's write lock (SQLite, ``BEGIN IMMEDIATE``) makes concurrent writers queue, and
a transaction that fails takes its numbers back with it, so the numbers of an exercise have
no gap and no duplicate, whatever the number of threads and processes.

``with store.locked(exercise_id):`` holds that lock over several calls (the session reads what
other processes appended, then acts): every ``append`` and ``read`` inside it, in the same
thread, uses the same transaction, committed when the block ends — after which, and only
after which, the server acknowledges.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from tousrisques.exercise import Event
from tousrisques.web._db import connect, is_postgres, migrate
from tousrisques.web._store_access import AccessRows, Participant

__all__ = ["NOTIFY_CHANNEL", "ExerciseRow", "Participant", "SqlStore"]

#: the PostgreSQL channel every committed append is announced on (payload ``id:last_seq``)
NOTIFY_CHANNEL = "tousrisques_events"


@dataclass(frozen=True)
class ExerciseRow:
    """An exercise as the server keeps it (the model is rebuilt from its first event).

    Examples
    --------
    >>> ExerciseRow("ex1", "rouen/tempete", "created", 0, {}).state
    'created'
    """

    id: str
    scenario: str
    state: str
    last_seq: int
    settings: Mapping[str, Any]


class SqlStore(AccessRows):
    """The repository of exercises, join codes, participants and events.

    Parameters
    ----------
    url : str
        ``sqlite:///FILE`` or ``postgresql://…``; the schema is migrated on opening.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> store = SqlStore("sqlite://")
    >>> store.create_exercise("ex1", "town/storm", {"speed": 1.0}, {}, now=datetime.now(UTC))
    >>> e = Event("log.entry", datetime.now(UTC), 0.0, "COD", {"text": "hi"})
    >>> [ev.seq for ev in store.append("ex1", [e, e])]
    [1, 2]
    >>> [ev.seq for ev in store.read("ex1", after=1)]
    [2]
    """

    def __init__(self, url: str) -> None:
        self.engine: Engine = connect(url)
        self.postgres = is_postgres(self.engine)
        migrate(self.engine)
        self._local = threading.local()

    def close(self) -> None:
        """Close the database's connections.

        Returns
        -------
        None

        Examples
        --------
        >>> SqlStore("sqlite://").close()
        """
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def locked(self, exercise_id: str) -> Iterator[list[Event]]:
        """Hold the exercise's write lock over a block; its writes commit together at the end.

        Parameters
        ----------
        exercise_id : str

        Yields
        ------
        list of Event
            Filled with the events appended in the block, numbered.

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "town/storm", {}, {}, now=datetime.now(UTC))
        >>> with store.locked("ex1"):
        ...     store.set_state("ex1", "running")
        >>> store.exercise("ex1").state
        'running'
        """
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("store.locked() blocks do not nest")
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if self.postgres:
                conn.execute(text("SELECT 1 FROM exercises WHERE id = :id FOR UPDATE"),
                             {"id": exercise_id})
            self._local.conn = conn
            appended: list[Event] = []
            self._local.appended = appended
            try:
                yield appended
            finally:
                self._local.conn = None
                self._local.appended = None

    # -- exercises ----------------------------------------------------------------------

    def create_exercise(self, exercise_id: str, scenario: str, settings: Mapping[str, Any],
                        codes: Mapping[str, tuple[str | None, str]], *, now: datetime) -> None:
        """Record a new exercise and the hashes of its join codes.

        Parameters
        ----------
        exercise_id : str
        scenario : str
            The scenario's name in the library.
        settings : mapping
            What the server needs to rebuild it (JSON-able).
        codes : mapping
            Join code hash → (actor or None, role).
        now : datetime

        Returns
        -------
        None

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {"h1": ("COD", "player")},
        ...                       now=datetime.now(UTC))
        >>> store.join_code("ex1", "h1")
        ('COD', 'player')
        """
        with self._write() as conn:
            conn.execute(text("INSERT INTO exercises (id, created_at, scenario, settings, state) "
                              "VALUES (:id, :at, :sc, :st, 'created')"),
                         {"id": exercise_id, "at": now.isoformat(), "sc": scenario,
                          "st": json.dumps(dict(settings))})
            if codes:
                conn.execute(text("INSERT INTO join_codes (exercise_id, code, actor, role) "
                                  "VALUES (:ex, :code, :actor, :role)"),
                             [{"ex": exercise_id, "code": h, "actor": a or "", "role": r}
                              for h, (a, r) in codes.items()])

    def exercise(self, exercise_id: str) -> ExerciseRow | None:
        """The exercise of that id, or None.

        Parameters
        ----------
        exercise_id : str

        Returns
        -------
        ExerciseRow or None

        Examples
        --------
        >>> SqlStore("sqlite://").exercise("nope") is None
        True
        """
        with self._read() as conn:
            row = conn.execute(text("SELECT id, scenario, state, last_seq, settings "
                                    "FROM exercises WHERE id = :id"),
                               {"id": exercise_id}).first()
        if row is None:
            return None
        return ExerciseRow(row[0], row[1], row[2], int(row[3]), json.loads(row[4]))

    def exercises(self, *, state: str | None = None) -> list[ExerciseRow]:
        """Every exercise (in a given state), oldest first.

        Parameters
        ----------
        state : str, optional

        Returns
        -------
        list of ExerciseRow

        Examples
        --------
        >>> SqlStore("sqlite://").exercises(state="running")
        []
        """
        query = "SELECT id, scenario, state, last_seq, settings FROM exercises"
        params: dict[str, str] = {}
        if state is not None:
            query += " WHERE state = :state"
            params["state"] = state
        with self._read() as conn:
            rows = conn.execute(text(query + " ORDER BY created_at, id"), params).all()
        return [ExerciseRow(r[0], r[1], r[2], int(r[3]), json.loads(r[4])) for r in rows]

    def set_state(self, exercise_id: str, state: str) -> None:
        """Record the exercise's state (created, running, paused, ended).

        Parameters
        ----------
        exercise_id : str
        state : str

        Returns
        -------
        None

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
        >>> store.set_state("ex1", "ended"); store.exercise("ex1").state
        'ended'
        """
        with self._write() as conn:
            conn.execute(text("UPDATE exercises SET state = :s WHERE id = :id"),
                         {"s": state, "id": exercise_id})

    # -- the event log ------------------------------------------------------------------

    def append(self, exercise_id: str, events: Sequence[Event]) -> list[Event]:
        """Append ``events`` atomically, numbered from the exercise's last number + 1.

        Parameters
        ----------
        exercise_id : str
        events : sequence of Event

        Returns
        -------
        list of Event
            The events with their ``seq``.

        Raises
        ------
        KeyError
            When there is no such exercise.

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
        >>> e = Event("log.entry", datetime.now(UTC), 0.0, "COD", {"text": "hi"})
        >>> store.append("ex1", [e])[0].seq
        1
        """
        if not events:
            return []
        with self._write() as conn:
            last = conn.execute(text("UPDATE exercises SET last_seq = last_seq + :n "
                                     "WHERE id = :id RETURNING last_seq"),
                                {"n": len(events), "id": exercise_id}).scalar()
            if last is None:
                raise KeyError(exercise_id)
            first = int(last) - len(events) + 1
            stored = [replace(e, seq=first + i) for i, e in enumerate(events)]
            conn.execute(text("INSERT INTO events (exercise_id, seq, kind, real_time, "
                              "scenario_time, author, audience, payload) VALUES (:ex, :seq, "
                              ":kind, :rt, :st, :author, :aud, :payload)"),
                         [_row(exercise_id, e) for e in stored])
            if self.postgres:
                conn.execute(text("SELECT pg_notify(:ch, :msg)"),
                             {"ch": NOTIFY_CHANNEL, "msg": f"{exercise_id}:{last}"})
        collecting: list[Event] | None = getattr(self._local, "appended", None)
        if collecting is not None:
            collecting.extend(stored)
        return stored

    def read(self, exercise_id: str, *, after: int = 0, limit: int | None = None) -> list[Event]:
        """The exercise's events numbered above ``after``, in order.

        Parameters
        ----------
        exercise_id : str
        after : int
        limit : int, optional
            At most this many.

        Returns
        -------
        list of Event

        Examples
        --------
        >>> SqlStore("sqlite://").read("nope")
        []
        """
        query = ("SELECT seq, kind, real_time, scenario_time, author, audience, payload "
                 "FROM events WHERE exercise_id = :ex AND seq > :after ORDER BY seq")
        params: dict[str, Any] = {"ex": exercise_id, "after": after}
        if limit is not None:
            query += " LIMIT :limit"
            params["limit"] = limit
        with self._read() as conn:
            rows = conn.execute(text(query), params).all()
        return [Event(kind=r[1], real_time=datetime.fromisoformat(r[2]),
                      scenario_s=float(r[3]), author=r[4],
                      payload=json.loads(r[6]),
                      audience=None if r[5] is None else tuple(json.loads(r[5])),
                      seq=int(r[0]))
                for r in rows]


def _row(exercise_id: str, e: Event) -> dict[str, Any]:
    return {"ex": exercise_id, "seq": e.seq, "kind": e.kind, "rt": e.real_time.isoformat(),
            "st": float(e.scenario_s), "author": e.author,
            "aud": None if e.audience is None else json.dumps(list(e.audience)),
            "payload": json.dumps(e.payload, ensure_ascii=False)}
