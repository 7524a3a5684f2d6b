"""Citizen relays that behave like people: the volunteers of an actor, their pace and shifts.

An actor with ``volunteers`` (a *réserve communale*, an association) carries a door-to-door
channel — a broadcast whose coverage kind is ``carried_by_people`` — from the coverage assets
nearest to its site. This module checks the actor fields (``volunteers``,
``households_per_hour``, ``shift``, ``shifts_per_day``, ``muster``), warns where volunteers
and door-to-door channels miss each other, and compiles them into arrays; the indicators
(``indicators/_relays.py``) turn them into a reach that grows over the hours.

The defaults are documented in ``docs/decisions.md`` (issue 10):

>>> DEFAULT_HOUSEHOLDS_PER_HOUR, DEFAULT_SHIFT_S / 3600, DEFAULT_SHIFTS_PER_DAY
(12.0, 8.0, 1)
>>> DEFAULT_MUSTER_S / 3600, PEOPLE_PER_HOUSEHOLD
(1.0, 2.1)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial import cKDTree

from tousrisques._durations import format_duration, parse_duration
from tousrisques._exceptions import InvalidValueError
from tousrisques._i18n import N_, Msg

if TYPE_CHECKING:
    from tousrisques._problems import Problems
    from tousrisques.territory._actors import Listing
    from tousrisques.territory._config import Actor, Channel
    from tousrisques.territory._kinds import KindSpec
    from tousrisques.territory._model import FloatArray, IntArray, Territory

#: households one volunteer informs in an hour: a knock, a short spoken message and a leaflet
DEFAULT_HOUSEHOLDS_PER_HOUR = 12.0
#: one shift of 8 hours a day per volunteer
DEFAULT_SHIFT_S = 8 * 3600.0
DEFAULT_SHIFTS_PER_DAY = 1
#: time to gather at the mustering site after the call
DEFAULT_MUSTER_S = 3600.0
#: people per household: INSEE, recensement de la population 2020, Normandie (2.1)
PEOPLE_PER_HOUSEHOLD = 2.1

MAX_VOLUNTEERS = 100_000
MAX_HOUSEHOLDS_PER_HOUR = 120.0
MAX_MUSTER_S = 7 * 86400.0
DAY_S = 86400.0

#: the actor fields that only mean something with ``volunteers``
RELAY_FIELDS = ("households_per_hour", "shift", "shifts_per_day", "muster")
#: columns of ``CompiledTerritory.actor_relay``
RELAY_COLUMNS = ("volunteers", "households_per_hour", "shift_s", "shifts_per_day", "muster_s")


def whole_number(value: Any, high: int) -> int:
    """A whole number from 1 to ``high`` (``volunteers``, ``shifts_per_day``), or raise.

    Parameters
    ----------
    value : object
        What the file gives.
    high : int
        The largest value allowed.

    Returns
    -------
    int

    Raises
    ------
    InvalidValueError
        When it is not a whole number from 1 to ``high``.

    Examples
    --------
    >>> whole_number(30, 100)
    30
    >>> whole_number(2.5, 100)
    Traceback (most recent call last):
    ...
    tousrisques._exceptions.InvalidValueError: '2.5' is not a whole number from 1 to 100
    """
    ok = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())
    if not ok or not 1 <= value <= high:
        raise InvalidValueError("value.whole_range", value=str(value)[:40], low=1, high=high)
    return int(value)


def households_per_hour(value: Any) -> float:
    """A pace in households per hour per volunteer: above 0, at most 120, or raise.

    Parameters
    ----------
    value : object
        What the file gives.

    Returns
    -------
    float

    Raises
    ------
    InvalidValueError
        When it is not a number in that range.

    Examples
    --------
    >>> households_per_hour(12)
    12.0
    >>> households_per_hour(0)
    Traceback (most recent call last):
    ...
    tousrisques._exceptions.InvalidValueError: '0' is not a number above 0 and at most 120
    """
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or not 0 < value <= MAX_HOUSEHOLDS_PER_HOUR:
        raise InvalidValueError("value.pace", value=str(value)[:40],
                                high=f"{MAX_HOUSEHOLDS_PER_HOUR:g}")
    return float(value)


def duration_within(value: Any, low_s: float, high_s: float, *, zero: bool) -> str:
    """A duration (``shift``, ``muster``) within ``[low_s, high_s]`` (``zero``: 0 allowed).

    Parameters
    ----------
    value : object
        What the file gives: ``8h``, ``45m``…
    low_s, high_s : float
        Bounds in seconds.
    zero : bool
        Whether a duration of zero is allowed.

    Returns
    -------
    str
        The duration as written.

    Raises
    ------
    InvalidValueError
        When it is not a duration, or out of bounds.

    Examples
    --------
    >>> duration_within("8h", 0, 86400, zero=False)
    '8h'
    >>> duration_within("30h", 0, 86400, zero=False)
    Traceback (most recent call last):
    ...
    tousrisques._exceptions.InvalidValueError: '30h' is not a duration from 0s to 1d
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise InvalidValueError("value.unit", examples="45m, 1h, 8h")
    seconds = parse_duration(str(value))
    if seconds > high_s or seconds < low_s or (seconds == 0 and not zero):
        raise InvalidValueError("value.duration_range", value=str(value)[:40],
                                low=format_duration(low_s), high=format_duration(high_s))
    return str(value)


def door_kinds(kinds: dict[str, KindSpec]) -> set[str]:
    """The coverage kinds carried by people (``carried_by_people: true``).

    Parameters
    ----------
    kinds : dict of KindSpec
        The territory's kinds.

    Returns
    -------
    set of str

    Examples
    --------
    >>> from tousrisques.territory import CATALOGUE
    >>> door_kinds(CATALOGUE)
    {'citizen_relay'}
    """
    return {name for name, spec in kinds.items()
            if getattr(spec, "carried_by_people", False)}


def check_relays(actors: Listing[Actor], channels: Listing[Channel],
                 kinds: dict[str, KindSpec], problems: Problems) -> None:
    """Cross-checks of the relay fields, each problem with its file, line and field.

    Errors: a relay field without ``volunteers``; volunteers without a ``site`` (where they
    muster); shifts that add up to more than a day. Warnings: volunteers who hold no
    door-to-door channel (they reach nobody); a door-to-door channel that citizen relays
    hold but none with volunteers (it keeps reaching everyone it covers at once).

    Parameters
    ----------
    actors, channels : Listing
        The valid items of ``actors.yaml`` and ``channels.yaml``.
    kinds : dict of KindSpec
        The territory's kinds.
    problems : Problems
        Where problems go.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> [w.code for w in t.warnings if w.code.startswith("relay.")]
    []
    """
    rel = actors.rel
    door = {ch.id for ch in channels.items
            if ch.mode == "broadcast" and ch.coverage in door_kinds(kinds)}
    walked: set[str] = set()
    for i, a in enumerate(actors.items):
        given = [name for name in RELAY_FIELDS if getattr(a, name) is not None]
        if a.volunteers is None:
            for name in given:
                problems.error("relay.no_volunteers", rel, line=actors.line(i, name),
                               field=name, ident=a.id)
            continue
        if a.site is None:
            problems.error("relay.no_site", rel, line=actors.line(i, "volunteers"),
                           field="site", ident=a.id)
        shift_s = parse_duration(a.shift) if a.shift is not None else DEFAULT_SHIFT_S
        shifts = a.shifts_per_day or DEFAULT_SHIFTS_PER_DAY
        if shift_s * shifts > DAY_S:
            problems.error("relay.day", rel,
                           line=actors.line(i, "shifts_per_day" if a.shifts_per_day
                                            else "shift"),
                           field="shifts_per_day", ident=a.id, shifts=shifts,
                           shift=format_duration(shift_s))
        held = door.intersection(a.channels)
        walked |= held
        if not held:
            problems.warning("relay.no_channel", rel, line=actors.line(i, "volunteers"),
                             field="channels", ident=a.id,
                             channels=", ".join(sorted(door))
                             or Msg(N_("none in this territory")))
    # a door-to-door channel held by citizen relays none of which gives volunteers
    relays_holding = {c for a in actors.items if a.role == "citizen_relay" for c in a.channels}
    for i, ch in enumerate(channels.items):
        if ch.id in door and ch.id not in walked and ch.id in relays_holding:
            problems.warning("relay.instant", channels.rel, line=channels.line(i, "coverage"),
                             field="coverage", ident=ch.id)


def relay_arrays(t: Territory) -> tuple[FloatArray, IntArray]:
    """The compiled relays: one row per actor of :data:`RELAY_COLUMNS` (volunteers 0: not a
    relay), and the ``(asset row, actor row)`` pairs saying which actor walks from which
    door-to-door coverage asset.

    Each coverage asset of a kind carried by people goes to the nearest site of the actors
    with volunteers that hold a door-to-door channel of that kind (the first in the file when
    two share a site).

    Parameters
    ----------
    t : Territory

    Returns
    -------
    params : ndarray
        ``(actors, 5)``.
    pairs : ndarray
        ``(pairs, 2)`` of int64.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> params, pairs = relay_arrays(t)
    >>> params.shape, pairs.shape
    ((5, 5), (0, 2))
    """
    params = np.zeros((len(t.actors), len(RELAY_COLUMNS)))
    for i, a in enumerate(t.actors):
        if a.volunteers is None:
            continue
        params[i] = (a.volunteers,
                     a.households_per_hour or DEFAULT_HOUSEHOLDS_PER_HOUR,
                     parse_duration(a.shift) if a.shift is not None else DEFAULT_SHIFT_S,
                     a.shifts_per_day or DEFAULT_SHIFTS_PER_DAY,
                     parse_duration(a.muster) if a.muster is not None else DEFAULT_MUSTER_S)
    pairs: list[IntArray] = []
    carried = door_kinds(t.kinds)
    assets = t.assets
    for kind in sorted(carried & set(t.kind_names)):
        chans = {ch.id for ch in t.channels if ch.mode == "broadcast" and ch.coverage == kind}
        walkers = np.array([i for i, a in enumerate(t.actors)
                            if params[i, 0] > 0 and t.actor_sites[i] >= 0
                            and chans.intersection(a.channels)], np.int64)
        rows = np.nonzero(assets.kind == t.kind_names.index(kind))[0]
        if len(walkers) == 0 or len(rows) == 0:
            continue
        sites = t.actor_sites[walkers]
        where = np.isfinite(assets.x[sites]) & np.isfinite(assets.y[sites])
        walkers, sites = walkers[where], sites[where]
        _, first = np.unique(sites, return_index=True)  # one walker per site: the first
        first.sort()
        walkers, sites = walkers[first], sites[first]
        rows = rows[np.isfinite(assets.x[rows]) & np.isfinite(assets.y[rows])]
        if len(walkers) == 0 or len(rows) == 0:
            continue
        tree = cKDTree(np.c_[assets.x[sites], assets.y[sites]])
        _, nearest = tree.query(np.c_[assets.x[rows], assets.y[rows]])
        pairs.append(np.c_[rows, walkers[nearest]].astype(np.int64))
    out = np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64)
    return params, out
