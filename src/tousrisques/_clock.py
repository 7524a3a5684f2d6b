"""Clock time: the scenario's ``start`` read in the territory's time zone, and the local time
of a moment given in seconds from it.

Durations stay relative (seconds from the start); only what a person reads is turned into a
date and an hour of the territory's clock. The arithmetic is done in UTC and the result
converted back, so that a moment across a change of summer time reads right: 3 hours after
01:00 CEST on the last Sunday of October in Paris is 03:00 CET, not 04:00.

>>> from datetime import datetime
>>> start, note = local_start(datetime(2023, 10, 29, 1, 0), "Europe/Paris")
>>> start.isoformat(), note
('2023-10-29T01:00:00+02:00', None)
>>> at(start, 3 * 3600).isoformat()
'2023-10-29T03:00:00+01:00'

A local time that does not exist (skipped when the clocks go forward) is moved forward by
the length of the gap; one that exists twice (when the clocks go back) is the first one, in
summer time — the rule of RFC 9557 and of ``java.time`` (``compatible``):

>>> local_start(datetime(2024, 3, 31, 2, 30), "Europe/Paris")[0].isoformat()
'2024-03-31T03:30:00+02:00'
>>> start, note = local_start(datetime(2023, 10, 29, 2, 30), "Europe/Paris")
>>> start.isoformat(), note
('2023-10-29T02:30:00+02:00', 'fold')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from tousrisques._exceptions import InvalidValueError

__all__ = ["at", "iso_times", "local_start", "parse_start", "start_of", "zone_of"]

def parse_start(value: object) -> datetime:
    """A scenario's ``start`` as written (a text, or the date-time YAML made of it), checked:
    a date and a time, with or without a UTC offset (naive: read later in the territory's
    time zone by :func:`local_start`).

    Parameters
    ----------
    value : str or datetime
        ``2023-11-02T06:00``, ``2023-11-02 06:00:00``, ``2023-11-02T06:00+01:00``,
        ``2023-11-02T05:00Z``.

    Returns
    -------
    datetime
        Naive when no offset was written.

    Raises
    ------
    InvalidValueError
        ``value.start`` (not a date and time: ``2023-02-30T00:00``, ``tomorrow``) or
        ``value.start_no_time`` (a date alone: at what hour?).

    Examples
    --------
    >>> parse_start("2023-11-02T06:00")
    datetime.datetime(2023, 11, 2, 6, 0)
    >>> parse_start("2023-11-02T06:00+01:00").isoformat()
    '2023-11-02T06:00:00+01:00'
    >>> try:
    ...     parse_start("2023-02-30T00:00")
    ... except ValueError as exc:
    ...     print(exc.code)
    value.start
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):  # YAML reads 2023-11-02 as a date
        raise InvalidValueError("value.start_no_time", value=value.isoformat())
    text = str(value).strip() if isinstance(value, str) else repr(value)
    if not isinstance(value, str) or len(text) > 64:
        raise InvalidValueError("value.start", value=text[:64])
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValueError("value.start", value=text) from None
    if "T" not in text.upper() and " " not in text:
        raise InvalidValueError("value.start_no_time", value=text)
    return parsed


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``); ``ValueError`` when there is none.

    >>> zone_of("Europe/Paris").key
    'Europe/Paris'
    """
    try:
        return ZoneInfo(name)
    except (ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(name) from exc
    except KeyError as exc:
        raise ValueError(name) from exc


def local_start(start: datetime, timezone: str | tzinfo) -> tuple[datetime, str | None]:
    """``start`` as a moment of the territory's clock, and what was odd about it.

    A naive ``start`` is a local time of ``timezone``; one with an offset is the instant it
    names, shown in ``timezone``.

    Parameters
    ----------
    start : datetime
        From :func:`parse_start`.
    timezone : str or tzinfo
        The territory's time zone (``Europe/Paris``).

    Returns
    -------
    datetime
        Aware, in ``timezone``.
    str or None
        ``"gap"`` when the local time does not exist (moved forward by the gap), ``"fold"``
        when it exists twice (the first, summer-time one is taken), ``"offset"`` when the
        offset written is not the zone's at that instant (the instant is kept), else None.

    Examples
    --------
    >>> from datetime import datetime
    >>> s, note = local_start(datetime.fromisoformat("2023-11-02T06:00+00:00"), "Europe/Paris")
    >>> s.isoformat(), note
    ('2023-11-02T07:00:00+01:00', None)
    >>> local_start(datetime.fromisoformat("2023-07-01T06:00+01:00"), "Europe/Paris")[1]
    'offset'
    """
    tz = zone_of(timezone) if isinstance(timezone, str) else timezone
    if start.tzinfo is not None and start.utcoffset() is not None:
        local = start.astimezone(tz)
        offset = start.utcoffset()
        odd = "offset" if offset and offset != local.utcoffset() else None
        return local, odd
    first = start.replace(tzinfo=tz, fold=0)
    # normalised through UTC: a time in a gap comes back moved forward by the gap
    local = first.astimezone(UTC).astimezone(tz)
    if local.replace(tzinfo=None) != start.replace(fold=0):
        return local, "gap"
    if first.utcoffset() != start.replace(tzinfo=tz, fold=1).utcoffset():
        return local, "fold"
    return local, None


def at(start: datetime, seconds: float) -> datetime:
    """The local time ``seconds`` after ``start`` (aware), counted in real elapsed time.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> at(datetime(2023, 11, 2, tzinfo=ZoneInfo("Europe/Paris")), 6 * 3600).isoformat()
    '2023-11-02T06:00:00+01:00'
    """
    tz = start.tzinfo
    return (start.astimezone(UTC) + timedelta(seconds=float(seconds))).astimezone(tz)


def iso_times(start: datetime | None, times_s: Iterable[float]) -> list[str]:
    """The local time of each moment as ISO 8601 with its offset (``2023-11-02T06:00:00+01:00``);
    empty texts when there is no ``start``.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> iso_times(datetime(2023, 10, 29, 1, tzinfo=ZoneInfo("Europe/Paris")), [0, 7200])
    ['2023-10-29T01:00:00+02:00', '2023-10-29T02:00:00+01:00']
    >>> iso_times(None, [0.0])
    ['']
    """
    times = [float(t) for t in times_s]
    if start is None:
        return ["" for _ in times]
    # a long table repeats the few times of its grid: each written once
    text = {t: at(start, t).isoformat() for t in set(times)}
    return [text[t] for t in times]


def start_of(iso: str | None, timezone: str | None) -> datetime | None:
    """A start recorded as ISO text (a run folder's, a report's), back on the territory's
    clock: in ``timezone`` when it is a time zone, else at its own fixed offset.

    >>> start_of("2023-10-29T01:00:00+02:00", "Europe/Paris").tzinfo.key
    'Europe/Paris'
    >>> start_of(None, "Europe/Paris") is None
    True
    """
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if timezone:
        try:
            return dt.astimezone(zone_of(timezone))
        except ValueError:
            pass
    return dt
