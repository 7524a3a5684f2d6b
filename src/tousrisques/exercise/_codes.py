"""Join codes: one per actor, unguessable (``secrets``), easy to read aloud and to type on a
phone (no 0/O, 1/I/L), in two groups of five."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

#: the letters and digits of a code: none that reads as another
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: characters of a code (without its dash): 31**10, about 2**49.5
LENGTH = 10


def make_join_codes(actors: Iterable[str]) -> dict[str, str]:
    """A new join code for each actor, all different.

    Parameters
    ----------
    actors : iterable of str

    Returns
    -------
    dict of str to str
        Actor id → code (``K7QX2-MP9TR``). Keep their hashes only; give each code once.

    Examples
    --------
    >>> from tousrisques.exercise import make_join_codes, normalise_code
    >>> codes = make_join_codes(["COD", "SDIS"])
    >>> sorted(codes), len(set(codes.values())), len(normalise_code(codes["COD"]))
    (['COD', 'SDIS'], 2, 10)
    """
    out: dict[str, str] = {}
    seen: set[str] = set()
    for actor in actors:
        while True:
            raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if raw not in seen:
                break
        seen.add(raw)
        out[actor] = f"{raw[:5]}-{raw[5:]}"
    return out


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces or dashes) in the form to compare or hash.

    Parameters
    ----------
    text : str
        What the participant typed.

    Returns
    -------
    str
        Its letters and digits, upper case (at most 64).

    Examples
    --------
    >>> from tousrisques.exercise import normalise_code
    >>> normalise_code(" k7qx2 mp9tr ")
    'K7QX2MP9TR'
    """
    return "".join(ch for ch in str(text).upper() if ch.isalnum())[:64]
