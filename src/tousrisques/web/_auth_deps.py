"""Who calls: the facilitator (the admin token), an observer or an actor's player (a token
from joining), read from ``Authorization: Bearer`` — or, for the event stream only, from its
cookie (a browser's ``EventSource`` cannot send a header; see :mod:`tousrisques.web._api`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tousrisques.web._auth import check_admin, hash_secret
from tousrisques.web._errors import ApiError
from tousrisques.web._store import SqlStore

__all__ = ["STREAM_COOKIE", "Caller", "bearer", "caller", "for_exercise"]

#: the cookie that opens one exercise's event stream (HttpOnly, SameSite=Strict)
STREAM_COOKIE = "tousrisques_stream"

bearer = HTTPBearer(auto_error=False, description="The admin token, or a token from joining.")


@dataclass(frozen=True)
class Caller:
    """The one who calls: role ``facilitator``, ``observer`` or ``player``.

    Examples
    --------
    >>> Caller("player", "COD", "ex1", "h", "Anne").may_write
    True
    """

    role: str
    actor: str | None
    exercise_id: str | None  # None: the facilitator, who may open every exercise
    token_hash: str
    name: str

    @property
    def may_write(self) -> bool:
        """Whether the caller writes (players and the facilitator; observers read).

        Returns
        -------
        bool

        Examples
        --------
        >>> Caller("observer", None, "ex1", "h", "O").may_write
        False
        """
        return self.role != "observer"

    @property
    def author(self) -> str:
        """The author of what the caller writes in the log.

        Returns
        -------
        str

        Examples
        --------
        >>> Caller("facilitator", None, None, "admin", "").author
        'facilitator'
        """
        return self.actor if self.role == "player" and self.actor else self.role


async def from_token(request: Request, token: str) -> Caller:
    """The caller a token names.

    Parameters
    ----------
    request : Request
    token : str

    Returns
    -------
    Caller

    Raises
    ------
    ApiError
        ``auth.invalid``.
    """
    if check_admin(token, request.app.state.settings.admin_hash):
        return Caller("facilitator", None, None, "admin", "")
    store: SqlStore = request.app.state.store
    found = await anyio.to_thread.run_sync(store.participant, hash_secret(token))
    if found is None or found.revoked:
        raise ApiError("auth.invalid")
    return Caller(found.role, found.actor, found.exercise_id, found.token_hash, found.name)


async def caller(request: Request, credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)] = None) -> Caller:
    """The caller of a request, from its bearer token (a FastAPI dependency).

    Parameters
    ----------
    request : Request
    credentials : HTTPAuthorizationCredentials or None

    Returns
    -------
    Caller

    Raises
    ------
    ApiError
        ``auth.missing``, ``auth.invalid``.
    """
    if credentials is None or not credentials.credentials:
        raise ApiError("auth.missing")
    return await from_token(request, credentials.credentials)


async def for_exercise(request: Request, who: Caller, exercise_id: str) -> Caller:
    """``who``, once checked that it may open ``exercise_id`` (which exists).

    Parameters
    ----------
    request : Request
    who : Caller
    exercise_id : str

    Returns
    -------
    Caller

    Raises
    ------
    ApiError
        ``exercise.unknown``, ``auth.exercise``.
    """
    if who.exercise_id is not None:
        if who.exercise_id != exercise_id:
            raise ApiError("auth.exercise")
        return who  # its token was made in this exercise, which exists
    store: SqlStore = request.app.state.store
    if await anyio.to_thread.run_sync(store.exercise, exercise_id) is None:
        raise ApiError("exercise.unknown", id=exercise_id)
    return who


def now() -> datetime:
    """The real time, aware, in UTC.

    Returns
    -------
    datetime

    Examples
    --------
    >>> now().tzinfo is not None
    True
    """
    return datetime.now(UTC)
