"""Secrets of the server: tokens, their hashes, the admin token, and the join-code rate limit.

A token is 32 random bytes (``secrets.token_urlsafe``); the database keeps only its SHA-256,
so that a copy of the database opens nothing. A join code is short (the exercise model makes
it: about ten letters a person can type) and the rate limit, not its length, keeps it from
being guessed: each client address may fail :attr:`JoinLimiter.attempts` times a minute, each
exercise ten times that, after which the server answers 429 until the minute has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

__all__ = ["JoinLimiter", "check_admin", "hash_secret", "new_token"]


def new_token() -> str:
    """A new random token (43 URL-safe characters, 256 bits).

    Returns
    -------
    str

    Examples
    --------
    >>> len(new_token()), new_token() != new_token()
    (43, True)
    """
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, *, salt: str = "") -> str:
    """The SHA-256 (hex) of ``salt`` and ``secret``: what the database keeps of a secret.

    Parameters
    ----------
    secret : str
    salt : str
        For a join code, its exercise's id (the same code in two exercises hashes apart).

    Returns
    -------
    str

    Examples
    --------
    >>> hash_secret("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256(f"{salt}\0{secret}".encode() if salt else secret.encode()).hexdigest()


def check_admin(token: str, admin_hash: str) -> bool:
    """Whether ``token`` is the admin token whose hash is ``admin_hash`` (constant time).

    Parameters
    ----------
    token : str
    admin_hash : str

    Returns
    -------
    bool

    Examples
    --------
    >>> check_admin("s3cret", hash_secret("s3cret")), check_admin("x", hash_secret("s3cret"))
    (True, False)
    """
    return hmac.compare_digest(hash_secret(token), admin_hash)


class JoinLimiter:
    """Failed join attempts in a sliding minute, per client address and per exercise.

    Parameters
    ----------
    attempts : int
        Failures a client address may make a minute (an exercise: ten times that).
    window_s : float

    Examples
    --------
    >>> lim = JoinLimiter(attempts=2)
    >>> lim.blocked("1.2.3.4", "ex1")
    0.0
    >>> lim.failed("1.2.3.4", "ex1"); lim.failed("1.2.3.4", "ex1")
    >>> lim.blocked("1.2.3.4", "ex1") > 0, lim.blocked("5.6.7.8", "ex1")
    (True, 0.0)
    """

    def __init__(self, *, attempts: int = 10, window_s: float = 60.0) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _wait(self, key: str, limit: int, now: float) -> float:
        fails = self._fails.get(key)
        if not fails:
            return 0.0
        while fails and fails[0] <= now - self.window_s:
            fails.popleft()
        if len(fails) < limit:
            return 0.0
        return fails[0] + self.window_s - now

    def blocked(self, client: str, exercise_id: str) -> float:
        """Seconds the client must wait before trying again (0: it may try now).

        Parameters
        ----------
        client : str
        exercise_id : str

        Returns
        -------
        float

        Examples
        --------
        >>> JoinLimiter().blocked("::1", "ex1")
        0.0
        """
        now = time.monotonic()
        with self._lock:
            return max(self._wait(f"c:{client}", self.attempts, now),
                       self._wait(f"e:{exercise_id}", 10 * self.attempts, now))

    def failed(self, client: str, exercise_id: str) -> None:
        """Count one failed attempt.

        Parameters
        ----------
        client : str
        exercise_id : str

        Examples
        --------
        >>> JoinLimiter().failed("::1", "ex1")
        """
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 10_000:  # many addresses: forget those past the window
                self._fails = {k: v for k, v in self._fails.items()
                               if v and v[-1] > now - self.window_s}
            for key in (f"c:{client}", f"e:{exercise_id}"):
                self._fails.setdefault(key, deque()).append(now)
