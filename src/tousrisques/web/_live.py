"""Live updates: the events of each exercise, kept in the server's memory, and the streams that
wait for them.

Each server process keeps, per exercise a stream has asked for, the events of its log in order
(loaded once from the database). A write in this process hands its committed events over at
once (:meth:`Hub.publish`); a write in another process is announced by PostgreSQL's
``NOTIFY`` (:meth:`Hub.listen`), after which the hub reads what it lacks from the database —
once per process, however many streams wait (on SQLite, which has no ``NOTIFY``, each process
looks at the numbers every second, :meth:`Hub.poll`). A stream then takes the events after the last
one it sent, as many as arrived, so a slow client never holds the others up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence

import anyio.to_thread

from tousrisques.exercise import Event
from tousrisques.web._store import NOTIFY_CHANNEL, SqlStore

__all__ = ["Hub"]

log = logging.getLogger("tousrisques.web")


class Hub:
    """The events of the exercises being watched, and a wake-up for the streams.

    Parameters
    ----------
    store : SqlStore

    Examples
    --------
    >>> import asyncio
    >>> from datetime import UTC, datetime
    >>> store = SqlStore("sqlite://")
    >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
    >>> e = store.append("ex1", [Event("log.entry", datetime.now(UTC), 0.0, "COD", {})])
    >>> async def main():
    ...     hub = Hub(store)
    ...     first = await hub.after("ex1", 0)
    ...     hub.publish("ex1", store.append("ex1", [e[0]]))
    ...     return [x.seq for x in first], [x.seq for x in await hub.after("ex1", 1)]
    >>> asyncio.run(main())
    ([1], [2])
    """

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._events: dict[str, list[Event]] = {}
        self._encoded: dict[str, dict[int, bytes]] = {}
        self._news: dict[str, asyncio.Event] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _last(self, exercise_id: str) -> int:
        events = self._events.get(exercise_id)
        return events[-1].seq if events else 0

    async def _load(self, exercise_id: str) -> list[Event]:
        lock = self._locks.setdefault(exercise_id, asyncio.Lock())
        async with lock:
            events = self._events.setdefault(exercise_id, [])
            last = events[-1].seq if events else 0
            new = await anyio.to_thread.run_sync(
                lambda: self.store.read(exercise_id, after=last))
            if new:
                events.extend(e for e in new if e.seq > self._last(exercise_id))
                self._wake(exercise_id)
            return events

    def _wake(self, exercise_id: str) -> None:
        news = self._news.pop(exercise_id, None)
        if news is not None:
            news.set()

    async def after(self, exercise_id: str, after: int) -> list[Event]:
        """The exercise's events numbered above ``after`` that this process knows.

        Parameters
        ----------
        exercise_id : str
        after : int

        Returns
        -------
        list of Event
        """
        events = self._events.get(exercise_id)
        if events is None:
            events = await self._load(exercise_id)
        # numbers run 1, 2, … without gap: event n sits at index n - 1
        return events[max(after, 0):]

    async def wait(self, exercise_id: str, after: int, *, timeout: float) -> list[Event]:
        """The events above ``after``, waiting up to ``timeout`` seconds for one to come.

        Parameters
        ----------
        exercise_id : str
        after : int
        timeout : float

        Returns
        -------
        list of Event
            Empty when nothing came in time.
        """
        new = await self.after(exercise_id, after)
        if new:
            return new
        news = self._news.setdefault(exercise_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(news.wait(), timeout)
        return await self.after(exercise_id, after)

    def encoded(self, exercise_id: str, event: Event) -> bytes:
        """The event as a server-sent event (``id``, ``event``, ``data``), made once.

        Parameters
        ----------
        exercise_id : str
        event : Event

        Returns
        -------
        bytes
        """
        cache = self._encoded.setdefault(exercise_id, {})
        text = cache.get(event.seq)
        if text is None:
            data = json.dumps(event.to_json(), ensure_ascii=False, separators=(",", ":"))
            text = f"id: {event.seq}\nevent: {event.kind}\ndata: {data}\n\n".encode()
            cache[event.seq] = text
        return text

    def publish(self, exercise_id: str, events: Sequence[Event]) -> None:
        """Hand over events this process has just committed (in the event loop's thread).

        Parameters
        ----------
        exercise_id : str
        events : sequence of Event
        """
        cached = self._events.get(exercise_id)
        if cached is None or not events:
            return
        if events[0].seq == self._last(exercise_id) + 1:
            cached.extend(events)
            self._wake(exercise_id)
        elif events[-1].seq > self._last(exercise_id):
            # another writer's events came in between: read them in order
            self.announce(exercise_id, events[-1].seq)

    def announce(self, exercise_id: str, last_seq: int) -> None:
        """Another process committed events up to ``last_seq``: read them if they are new.

        Parameters
        ----------
        exercise_id : str
        last_seq : int
        """
        if exercise_id in self._events and last_seq > self._last(exercise_id):
            task = asyncio.get_running_loop().create_task(self._load(exercise_id))
            task.add_done_callback(_log_failure)

    async def poll(self, every_s: float = 1.0) -> None:
        """Look for events other processes wrote (SQLite, which has no NOTIFY), every
        ``every_s`` seconds, in the exercises being watched.

        Parameters
        ----------
        every_s : float
        """
        while True:
            await asyncio.sleep(every_s)
            for exercise_id in list(self._events):
                try:
                    row = await anyio.to_thread.run_sync(self.store.exercise, exercise_id)
                except Exception as exc:  # a busy database: next time
                    log.warning("polling %s: %s", exercise_id, exc)
                    continue
                if row is not None:
                    self.announce(exercise_id, row.last_seq)

    async def listen(self, conninfo: str) -> None:
        """Follow PostgreSQL's announcements of new events, reconnecting when it drops.

        Parameters
        ----------
        conninfo : str
            A libpq connection string or ``postgresql://`` URL.
        """
        import psycopg

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo,
                                                                 autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    delay = 0.5
                    # events committed while the connection was down
                    for exercise_id in list(self._events):
                        self.announce(exercise_id, self._last(exercise_id) + 1)
                    async for note in conn.notifies():
                        exercise_id, _, seq = note.payload.rpartition(":")
                        self.announce(exercise_id, int(seq))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN %s: %s; reconnecting in %.1f s", NOTIFY_CHANNEL, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def _log_failure(task: asyncio.Task[list[Event]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("reading new events failed: %s", task.exception())
