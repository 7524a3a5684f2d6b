"""The access rows of the server's repository: the hashes of join codes, the participants
who hold a token (its hash), and the stream keys a browser's event stream sends — mixed into
:class:`~tousrisques.web._store.SqlStore`, whose transactions they use."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

__all__ = ["AccessRows", "Participant"]


@dataclass(frozen=True)
class Participant:
    """Who holds a token: an actor's player, an observer, in one exercise.

    Examples
    --------
    >>> Participant("h", "ex1", "COD", "player", "Anne", None).revoked
    False
    """

    token_hash: str
    exercise_id: str
    actor: str | None
    role: str
    name: str
    revoked_at: str | None

    @property
    def revoked(self) -> bool:
        """Whether the token no longer opens anything.

        Returns
        -------
        bool

        Examples
        --------
        >>> Participant("h", "ex1", None, "observer", "Obs", "2026-01-01").revoked
        True
        """
        return self.revoked_at is not None


class AccessRows:
    """Join codes, participants and stream keys (mixed into ``SqlStore``, which gives the
    transactions ``_read`` and ``_write``)."""

    def _write(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # pragma: no cover  (SqlStore's)

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # pragma: no cover  (SqlStore's)

    # -- join codes, participants, stream keys -----------------------------------------

    def join_code(self, exercise_id: str, code_hash: str) -> tuple[str | None, str] | None:
        """The (actor, role) a join code's hash opens in an exercise, or None.

        Parameters
        ----------
        exercise_id : str
        code_hash : str

        Returns
        -------
        tuple or None

        Examples
        --------
        >>> from tousrisques.web._store import SqlStore
        >>> SqlStore("sqlite://").join_code("ex1", "x") is None
        True
        """
        with self._read() as conn:
            row = conn.execute(text("SELECT actor, role FROM join_codes "
                                    "WHERE exercise_id = :ex AND code = :c"),
                               {"ex": exercise_id, "c": code_hash}).first()
        return None if row is None else (row[0] or None, row[1])

    def add_participant(self, participant: Participant, *, now: datetime) -> None:
        """Record who holds a new token (its hash only).

        Parameters
        ----------
        participant : Participant
        now : datetime

        Returns
        -------
        None

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> from tousrisques.web._store import SqlStore
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
        >>> p = Participant("h", "ex1", "COD", "player", "Anne", None)
        >>> store.add_participant(p, now=datetime.now(UTC)); store.participant("h") == p
        True
        """
        with self._write() as conn:
            conn.execute(text("INSERT INTO participants (token_hash, exercise_id, actor, role, "
                              "name, joined_at) VALUES (:h, :ex, :a, :r, :n, :at)"),
                         {"h": participant.token_hash, "ex": participant.exercise_id,
                          "a": participant.actor or "", "r": participant.role,
                          "n": participant.name, "at": now.isoformat()})

    def participant(self, token_hash: str) -> Participant | None:
        """Who holds the token of that hash, or None.

        Parameters
        ----------
        token_hash : str

        Returns
        -------
        Participant or None

        Examples
        --------
        >>> from tousrisques.web._store import SqlStore
        >>> SqlStore("sqlite://").participant("x") is None
        True
        """
        with self._read() as conn:
            row = conn.execute(text("SELECT token_hash, exercise_id, actor, role, name, "
                                    "revoked_at FROM participants WHERE token_hash = :h"),
                               {"h": token_hash}).first()
        if row is None:
            return None
        return Participant(row[0], row[1], row[2] or None, row[3], row[4], row[5])

    def revoke(self, exercise_id: str, *, now: datetime) -> None:
        """Revoke every token and stream key of an exercise.

        Parameters
        ----------
        exercise_id : str
        now : datetime

        Returns
        -------
        None

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> from tousrisques.web._store import SqlStore
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
        >>> store.add_participant(Participant("h", "ex1", "COD", "player", "A", None),
        ...                       now=datetime.now(UTC))
        >>> store.revoke("ex1", now=datetime.now(UTC)); store.participant("h").revoked
        True
        """
        with self._write() as conn:
            conn.execute(text("UPDATE participants SET revoked_at = :at "
                              "WHERE exercise_id = :ex AND revoked_at IS NULL"),
                         {"at": now.isoformat(), "ex": exercise_id})
            conn.execute(text("DELETE FROM stream_keys WHERE exercise_id = :ex"),
                         {"ex": exercise_id})

    def add_stream_key(self, key_hash: str, token_hash: str, exercise_id: str, *,
                       expires: datetime) -> None:
        """Record a stream key (the cookie a browser's event stream sends), by its hash.

        Parameters
        ----------
        key_hash : str
        token_hash : str
            The participant's token hash, or ``"admin"`` for the facilitator.
        exercise_id : str
        expires : datetime

        Returns
        -------
        None

        Examples
        --------
        >>> from datetime import UTC, datetime, timedelta
        >>> from tousrisques.web._store import SqlStore
        >>> store = SqlStore("sqlite://")
        >>> store.create_exercise("ex1", "t/s", {}, {}, now=datetime.now(UTC))
        >>> later = datetime.now(UTC) + timedelta(hours=1)
        >>> store.add_stream_key("k", "admin", "ex1", expires=later)
        >>> store.stream_key("k", now=datetime.now(UTC))
        ('admin', 'ex1')
        """
        with self._write() as conn:
            conn.execute(text("INSERT INTO stream_keys (key_hash, token_hash, exercise_id, "
                              "expires_at) VALUES (:k, :t, :ex, :exp)"),
                         {"k": key_hash, "t": token_hash, "ex": exercise_id,
                          "exp": expires.isoformat()})

    def stream_key(self, key_hash: str, *, now: datetime) -> tuple[str, str] | None:
        """(token hash, exercise id) of an unexpired stream key, or None.

        Parameters
        ----------
        key_hash : str
        now : datetime

        Returns
        -------
        tuple or None

        Examples
        --------
        >>> from datetime import UTC, datetime
        >>> from tousrisques.web._store import SqlStore
        >>> SqlStore("sqlite://").stream_key("k", now=datetime.now(UTC)) is None
        True
        """
        with self._read() as conn:
            row = conn.execute(text("SELECT token_hash, exercise_id, expires_at "
                                    "FROM stream_keys WHERE key_hash = :k"),
                               {"k": key_hash}).first()
        if row is None or datetime.fromisoformat(row[2]) <= now:
            return None
        return row[0], row[1]
