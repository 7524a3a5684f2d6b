"""What an exercise's run gives per zone and who is still in touch with a crisis cell: the
share of each zone a broadcast channel reaches (the run's own ``Indicators.zone_reached``),
the largest share of the network broadcasts, the territory's bounds, and whether an actor
still has a channel to a crisis cell (the audience of an annotation).

Functions of an :class:`~tousrisques.exercise.Exercise`, which calls them from its methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

from tousrisques._exceptions import InputError
from tousrisques._i18n import N_, Msg, Text
from tousrisques.analysis import main_channel
from tousrisques.exercise._events import Event
from tousrisques.exercise._geometry import Bounds, widened
from tousrisques.indicators._relays import door_channels

if TYPE_CHECKING:
    from tousrisques.exercise._exercise import Exercise

FloatArray = npt.NDArray[np.float64]

_CUT_OFF = N_("none of your channels works: {reason}")
_NO_CELL = N_("none of the channels that still work for you ({channels}) reaches a crisis "
              "cell")
_NO_CHANNEL = N_("you hold no channel from actor to actor")


def broadcast_row(ex: Exercise, channel: str) -> int:
    """The row of a broadcast channel in ``zone_reached`` (``ValueError`` when it is not
    one)."""
    c = ex.compiled
    ids = [str(x) for x in c.channel_ids[c.channel_broadcast].tolist()]
    if channel not in ids:
        raise ValueError(f"not a broadcast channel: {channel!r}")
    return ids.index(channel)


def zone_shares(ex: Exercise, scenario_s: float, channel: str) -> FloatArray:
    """Per zone, the share a broadcast channel reaches in this run at ``scenario_s``."""
    return np.array(ex.zone_reached[ex._k(scenario_s), broadcast_row(ex, channel)], float)


def network_any(ex: Exercise, scenario_s: float) -> FloatArray:
    """Per zone, the largest share of the broadcasts that are not door to door by
    volunteers (those reach people only when the players send them)."""
    c = ex.compiled
    rows = np.nonzero(~door_channels(c))[0]
    if not len(rows):
        return np.zeros(len(c.population))
    out: FloatArray = np.asarray(ex.zone_reached[ex._k(scenario_s)][rows].max(axis=0), float)
    return out


def sent_broadcasts(events: Sequence[Event]) -> list[tuple[float, float, str]]:
    """The broadcasts the players sent in a log: ``(sent_s, latency_s, channel)`` of each
    ``message.sent`` that went out to the population (not blocked).

    Examples
    --------
    >>> sent_broadcasts([])
    []
    """
    return [(e.scenario_s, float(e.payload.get("latency_s") or 0.0), str(e.payload["channel"]))
            for e in events if e.kind == "message.sent" and e.payload.get("reached") is not None
            and e.payload.get("status") != "blocked"]


def broadcast_shares(ex: Exercise, sent: Sequence[tuple[float, float, str]],
                     scenario_s: float) -> FloatArray:
    """Per zone, the share informed by ``scenario_s`` by the broadcasts the players sent
    (:func:`sent_broadcasts`): each reaches the zones its channel reached when it was sent,
    from its arrival (sent + latency); people informed stay informed. Door to door is not
    among them: volunteers inform people only when sent (``relay_shares``)."""
    out: FloatArray = np.zeros(len(ex.compiled.population))
    door = door_channels(ex.compiled)
    ids = [str(x) for x in ex.compiled.channel_ids[ex.compiled.channel_broadcast].tolist()]
    for sent_s, latency_s, channel in sent:
        if channel not in ids or door[ids.index(channel)] or sent_s + latency_s > scenario_s:
            continue
        np.maximum(out, zone_shares(ex, sent_s, channel), out=out)
    return out


def either(a: FloatArray, b: FloatArray) -> FloatArray:
    """Per zone, the share informed by one of two means that pick people independently of
    each other (volunteers knock on every door, whoever got the alert): ``a + b − a·b``.

    Examples
    --------
    >>> either(np.array([0.9, 0.0]), np.array([0.1, 0.3])).round(2).tolist()
    [0.91, 0.3]
    """
    out: FloatArray = a + b - a * b
    return out


def main_alert(ex: Exercise) -> str | None:
    """The scenario's main alert channel (None when it has no network broadcast)."""
    try:
        return main_channel(ex.scenario)
    except InputError:
        return None


def territory_bounds(ex: Exercise) -> Bounds | None:
    """``(west, south, east, north)`` in degrees, of the zones (else of the located assets),
    widened by ``MARGIN_M``; None when nothing is located."""
    t = ex.scenario.territory
    geoms = [g for g in t.zones.geometry if g is not None]
    if geoms:
        w, s, e, n = (float(v) for v in shapely.total_bounds(np.array(geoms, dtype=object)))
    else:
        ok = np.isfinite(t.assets.lon) & np.isfinite(t.assets.lat)
        if not ok.any():
            return None
        lon, lat = t.assets.lon[ok], t.assets.lat[ok]
        w, s, e, n = float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
    return widened((w, s, e, n))


def _point_to_point(ex: Exercise, actor: str) -> list[str]:
    return sorted((x for x in ex.held(actor) if not ex.is_broadcast(x)),
                  key=lambda x: (ex.latency_s(x), x))


def in_touch(ex: Exercise, actor: str, scenario_s: float) -> bool:
    """Whether ``actor`` is in touch with the crisis cell at ``scenario_s``: a crisis cell
    whose site works, or an actor with a point-to-point channel that works both for it and
    for a crisis-cell actor."""
    c, a, k = ex.compiled, ex.actor_index(actor), ex._k(scenario_s)
    if c.crisis_cell[a] and ex.av.site_ok[k, a]:
        return True
    cells = [b for b in np.nonzero(c.crisis_cell)[0].tolist() if b != a]
    if not cells:
        return False
    avail = ex.av.avail[k]
    for name in _point_to_point(ex, actor):
        ch = ex.channels.index(name)
        if avail[a, ch] and avail[cells, ch].any():
            return True
    return False


def touch_reason(ex: Exercise, actor: str, scenario_s: float) -> Text | None:
    """Why ``actor`` is not in touch with a crisis cell (None when it is): the reason of its
    quickest channel when none works, else which of its channels still work."""
    if in_touch(ex, actor, scenario_s):
        return None
    mine = _point_to_point(ex, actor)
    if not mine:
        return Text(*(Msg(_NO_CHANNEL).render(lang) for lang in ("en", "fr")))
    working = [x for x in mine if ex.available(actor, x, scenario_s)]
    if not working:
        first = ex.reason(actor, mine[0], scenario_s)
        assert first is not None
        return Text(*(Msg(_CUT_OFF, reason=first).render(lang) for lang in ("en", "fr")))
    return Text(*(Msg(_NO_CELL, channels=", ".join(
        ex.channel_name(x).render(lang) for x in working)).render(lang) for lang in ("en", "fr")))
