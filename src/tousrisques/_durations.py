"""Durations as users write them: ``15m``, ``2h``, ``1d``, ``1h30m``, ``90s`` or ISO 8601 ``PT15M``.

>>> parse_duration("1h30m")
5400.0
>>> parse_duration("PT15M")
900.0
>>> format_duration(7200)
'2h'
"""

from __future__ import annotations

import math
import re

from tousrisques._exceptions import InvalidValueError

_UNITS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_COMPACT = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*(d|h|min|m|s|w)\s*)+$")
_COMPACT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|min|m|s|w)")
_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)

DURATION_HINT = "a duration such as 30s, 15m, 2h, 1h30m, 1d or ISO 8601 PT15M"


def parse_duration(text: str) -> float:
    """Return the number of seconds in ``text``; raise ``InvalidValueError`` (a ``ValueError``)
    when it is not a duration.

    A bare number is refused on purpose: "2" could be minutes or hours.

    Parameters
    ----------
    text : str
        ``15m``, ``2h``, ``1d``, ``1h30m`` or ISO 8601 (``PT15M``, ``P1DT2H``).

    Returns
    -------
    float
        The duration in seconds.

    Raises
    ------
    ValueError
        When ``text`` is not a duration (a bare number included).

    Examples
    --------
    >>> from tousrisques import parse_duration
    >>> parse_duration("1h30m"), parse_duration("PT15M")
    (5400.0, 900.0)
    """
    if not isinstance(text, str):
        raise InvalidValueError("value.duration", value=repr(text))
    s = text.strip()
    m = _ISO.match(s.upper())
    if m and s.upper() not in ("P", "PT") and any(m.groupdict().values()):
        total = 0.0
        for key, factor in (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("m", 60.0),
                            ("s", 1.0)):
            if m.group(key):
                total += float(m.group(key)) * factor
        if math.isfinite(total):
            return total
    if _COMPACT.match(s.lower()):
        total = sum(float(n) * _UNITS[u] for n, u in _COMPACT_PART.findall(s.lower()))
        if math.isfinite(total):
            return total
    raise InvalidValueError("value.duration", value=text)


def format_duration(seconds: float) -> str:
    """Write ``seconds`` back in the compact form (``2h``, ``1h30m``, ``45s``).

    Parameters
    ----------
    seconds : float
        A duration in seconds.

    Returns
    -------
    str
        The same duration as a scenario file writes it; :func:`parse_duration` reads it back.

    Examples
    --------
    >>> from tousrisques import format_duration, parse_duration
    >>> format_duration(5400)
    '1h30m'
    >>> parse_duration(format_duration(45)) == 45
    True
    """
    if not math.isfinite(seconds):
        return "inf"
    rest = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"
