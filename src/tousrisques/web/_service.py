"""What the API does, without HTTP: the library of scenarios, and the exercises this process
serves, each acted on under its lock.

Every action on an exercise runs the same way (:meth:`ExerciseService.act`): in this process,
under the exercise's lock (the session is not thread-safe); in the database, in one
transaction that holds the exercise's write lock; inside it the session first reads what
other processes appended (``sync``), delivers the injects now due (``advance``), then acts.
The transaction commits, and only then is the caller answered. When anything fails inside,
the transaction rolls back and the session is dropped (the next call rebuilds it from the
log), so memory never holds an event the database lacks.

The exercise model (the replayed run) is rebuilt from the scenario and the run number of the
log's first event, once per process.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from tousrisques._exceptions import TousrisquesError, ValidationError
from tousrisques.exercise import (
    Event,
    Exercise,
    ExerciseError,
    Session,
    make_join_codes,
    normalise_code,
)
from tousrisques.scenario import Scenario, load_scenario
from tousrisques.web._auth import hash_secret
from tousrisques.web._errors import ApiError
from tousrisques.web._store import SqlStore

__all__ = ["OBSERVER", "Created", "ExerciseService", "Library"]

T = TypeVar("T")

log = logging.getLogger("tousrisques.web")

#: the key of the observers' join code among the actors' (no actor id starts with '@')
OBSERVER = "@observer"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?")


class Library:
    """The scenarios an exercise may be created from, by name, found under one folder.

    ``DIR/NAME/scenarios/STEM.yaml`` is named ``NAME/STEM`` (a territory folder with its
    scenarios) and ``DIR/scenarios/STEM.yaml`` is named ``STEM`` (the folder is itself a
    territory). A name sent over HTTP is looked up among these; it is never a path.

    Parameters
    ----------
    root : Path

    Examples
    --------
    >>> from tousrisques.cli._common import EXAMPLE
    >>> lib = Library(EXAMPLE.parent)
    >>> "petite-ville/tempete" in lib.names()
    True
    >>> lib.path("../../etc/passwd") is None
    True
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _scan(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        if not self.root.is_dir():
            return found
        for path in sorted(self.root.glob("scenarios/*.yaml")):
            found[path.stem] = path
        for path in sorted(self.root.glob("*/scenarios/*.yaml")):
            found[f"{path.parent.parent.name}/{path.stem}"] = path
        return {name: path for name, path in found.items() if _NAME.fullmatch(name)}

    def names(self) -> list[str]:
        """The scenarios' names, sorted.

        Returns
        -------
        list of str

        Examples
        --------
        >>> Library(Path("/nonexistent")).names()
        []
        """
        return sorted(self._scan())

    def path(self, name: str) -> Path | None:
        """The file of the scenario ``name``, or None when the library has no such name.

        Parameters
        ----------
        name : str

        Returns
        -------
        Path or None

        Examples
        --------
        >>> Library(Path("/nonexistent")).path("x") is None
        True
        """
        if not _NAME.fullmatch(name):
            return None
        return self._scan().get(name)

    def load(self, name: str) -> Scenario:
        """Load the scenario ``name`` (and its territory).

        Parameters
        ----------
        name : str

        Returns
        -------
        Scenario

        Raises
        ------
        ApiError
            ``library.unknown`` or ``library.invalid``.

        Examples
        --------
        >>> Library(Path("/nonexistent")).load("x")
        Traceback (most recent call last):
        ...
        tousrisques.web._errors.ApiError: library.unknown
        """
        path = self.path(name)
        if path is None:
            raise ApiError("library.unknown", name=name, allowed=", ".join(self.names()) or "-")
        try:
            return load_scenario(path)
        except ValidationError as exc:
            raise ApiError("library.invalid", name=name,
                           detail=f"{len(exc.problems)} problem(s)") from exc
        except TousrisquesError as exc:
            raise ApiError("library.invalid", name=name, detail=str(exc)) from exc


@dataclass(frozen=True)
class Created:
    """A new exercise: its id, its run, its join codes (shown once) and first events.

    Examples
    --------
    >>> Created("ab12", 3, None, {"COD": "K7Q2M9XW4T"}, "P3R8", ("COD",), []).run
    3
    """

    id: str
    run: int
    percentile: float | None
    join_codes: Mapping[str, str]
    observer_code: str
    players: tuple[str, ...]
    events: list[Event]


class ExerciseService:
    """The exercises this process serves.

    Parameters
    ----------
    store : SqlStore
    library : Library

    Examples
    --------
    >>> from tousrisques.cli._common import EXAMPLE
    >>> service = ExerciseService(SqlStore("sqlite://"), Library(EXAMPLE.parent))
    >>> service.library.names()[:1]
    ['petite-ville/tempete']
    """

    def __init__(self, store: SqlStore, library: Library) -> None:
        self.store = store
        self.library = library
        self._models: dict[str, Exercise] = {}
        self._sessions: dict[str, Session] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, exercise_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(exercise_id, threading.Lock())

    def create(self, name: str, *, run: int | None, percentile: float | None, speed: float,
               now: datetime) -> Created:
        """Create an exercise from the library's scenario ``name`` and one run of it.

        Parameters
        ----------
        name : str
        run : int or None
        percentile : float or None
            Exactly one of ``run`` and ``percentile``.
        speed : float
        now : datetime

        Returns
        -------
        Created

        Raises
        ------
        ApiError
            The scenario is not in the library or does not load.
        ExerciseError
            The run, the percentile or the speed is refused.
        """
        scenario = self.library.load(name)
        model = Exercise.create(scenario, run=run, percentile=percentile)
        exercise_id = secrets.token_hex(6)
        codes = make_join_codes([*model.actors, OBSERVER])
        observer_code = codes.pop(OBSERVER)
        hashed: dict[str, tuple[str | None, str]] = {
            hash_secret(normalise_code(code), salt=exercise_id): (actor, "player")
            for actor, code in codes.items()}
        hashed[hash_secret(normalise_code(observer_code), salt=exercise_id)] = (None, "observer")
        with self._lock(exercise_id), self.store.locked(exercise_id) as appended:
            self.store.create_exercise(exercise_id, name,
                                       {"run": model.run, "percentile": model.percentile,
                                        "speed": speed}, hashed, now=now)
            session = Session.create(self.store, exercise_id, model, now=now, speed=speed,
                                     scenario_name=name, author="facilitator")
        self._models[exercise_id] = model
        self._sessions[exercise_id] = session
        return Created(exercise_id, model.run, model.percentile, codes, observer_code,
                       tuple(model.players()), list(appended))

    def model(self, exercise_id: str) -> Exercise:
        """The exercise model of ``exercise_id`` (rebuilt from its log's first event once).

        Parameters
        ----------
        exercise_id : str

        Returns
        -------
        Exercise

        Raises
        ------
        ApiError
            ``exercise.unknown``.
        ExerciseError
            ``exercise.scenario_changed`` when the scenario file is not the one it was
            created from.
        """
        model = self._models.get(exercise_id)
        if model is not None:
            return model
        row = self.store.exercise(exercise_id)
        if row is None:
            raise ApiError("exercise.unknown", id=exercise_id)
        first = self.store.read(exercise_id, after=0, limit=1)
        if not first or first[0].kind != "exercise.created":
            raise ExerciseError("exercise.not_created", id=exercise_id)
        payload = first[0].payload
        scenario = self.library.load(row.scenario)
        if scenario.content_hash != payload.get("scenario_hash"):
            raise ExerciseError("exercise.scenario_changed", now=scenario.content_hash[:12],
                                then=str(payload.get("scenario_hash"))[:12])
        model = Exercise.for_run(scenario, int(payload["run"]))
        self._models[exercise_id] = model
        return model

    def _session(self, exercise_id: str) -> Session:
        session = self._sessions.get(exercise_id)
        if session is None:
            session = Session.load(self.store, exercise_id, self.model(exercise_id))
            self._sessions[exercise_id] = session
        return session

    def act(self, exercise_id: str, action: Callable[[Session, datetime], T], *,
            now: datetime) -> tuple[T, list[Event]]:
        """Run ``action(session, now)`` on the exercise in one transaction, under its locks.

        Parameters
        ----------
        exercise_id : str
        action : callable
            Acts through the session's methods (which append events).
        now : datetime

        Returns
        -------
        tuple
            What ``action`` returned, and every event committed (injects now due included).
        """
        with self._lock(exercise_id):
            session = self._session(exercise_id)
            appended: list[Event] = []
            try:
                with self.store.locked(exercise_id) as appended:
                    session.sync()
                    if not session.ended:
                        session.advance(now)
                    result = action(session, now)
            except BaseException:
                if appended:  # the session holds events that were rolled back
                    self._sessions.pop(exercise_id, None)
                raise
            return result, list(appended)

    def view(self, exercise_id: str, read: Callable[[Session], T]) -> T:
        """``read(session)`` on the exercise brought up to date, without writing.

        Parameters
        ----------
        exercise_id : str
        read : callable

        Returns
        -------
        object
            What ``read`` returned.
        """
        with self._lock(exercise_id):
            session = self._session(exercise_id)
            session.sync()
            return read(session)

    def tick(self, now: datetime) -> dict[str, list[Event]]:
        """Deliver what is due in every running exercise; the events committed, by exercise.

        Parameters
        ----------
        now : datetime

        Returns
        -------
        dict
        """
        done: dict[str, list[Event]] = {}
        for row in self.store.exercises(state="running"):
            try:
                _, events = self.act(row.id, lambda s, n: None, now=now)
            except (TousrisquesError, ApiError) as exc:  # one that cannot go on stops no other
                log.warning("exercise %s: %s", row.id, exc)
                continue
            if events:
                done[row.id] = events
        return done
