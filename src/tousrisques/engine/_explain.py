"""Why was an asset down at a given time: the chain of causes back to the first ones."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from tousrisques.engine._log import (
    CAUSE_BACKUP,
    CAUSE_DISCONNECTED,
    CAUSE_EVENT,
    CAUSE_REQUIREMENT,
    CAUSES,
    DOWN_CAUSES,
)
from tousrisques.engine._network import Network
from tousrisques.engine._timeline import Timeline


@dataclass(frozen=True)
class Cause:
    """One link of a chain: ``asset`` stopped at ``time_s`` because of ``cause``.

    ``because`` lists the assets this one waited for (the alternatives of the group that was
    not met, or its fallen neighbours in the layer it was cut from); ``event`` is the event's
    own cause ("hazard:storm") for a first cause; ``depth`` is the distance from the asked
    asset.

    Parameters
    ----------
    asset : int
        The asset row.
    time_s : float
        When it stopped.
    cause : str
        A name of :data:`CAUSES`.
    depth : int
        Distance from the asked asset.
    because : tuple of int
        The assets it waited for.
    group, layer : int
        The group not met, the layer cut from (-1: none).
    event : str
        The event's own cause.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> plan = make_plan(c, events=outage([ps], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> from tousrisques.engine import explain
    >>> first = explain(tl, plan.network, ant, 4 * 3600)[-1]
    >>> ids[first.asset], first.cause, first.event
    ('PS-ELBEUF', 'event', 'storm')
    """

    asset: int
    time_s: float
    cause: str
    depth: int
    because: tuple[int, ...] = ()
    group: int = -1
    layer: int = -1
    event: str = ""


def explain(timeline: Timeline, net: Network, asset: int, time_s: float, *,
            max_depth: int | None = None) -> list[Cause]:
    """The chain of causes of ``asset`` being down at ``time_s``, first the asset itself,
    then what it waited for, down to events (breadth first; each asset once, so the chain is
    at most the assets down; ``max_depth`` stops it earlier). Empty when the asset works at
    that time. ``tousrisques.analysis.readable_chain`` keeps what a person needs to read.

    The asked asset is read at ``time_s``: its cause then, logged at ``Cause.time_s`` (when
    it went down, or when its reason last changed). Every link below is read at the time of
    the link above it: what an asset waited for is taken as it was when that asset's row was
    written (its cause then and, for a cut, its neighbours down then), so a cause is never
    later than what it explains — "why did this antenna stop at 04:10?" is answered with what
    happened by 04:10, not with a line damaged at 05:00. The causes of one instant come from
    one computation of the state, in which what an asset waited for fell before it, so the
    chain always reaches the first causes.

    Parameters
    ----------
    timeline : Timeline
        A run.
    net : Network
        Its network (``plan.network``, or the one :func:`plan_events` gives).
    asset : int
        The asset row asked about.
    time_s : float
        When.
    max_depth : int, optional
        How far down the chain to go.

    Returns
    -------
    list of Cause

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> ps, ant = ids.index("PS-ELBEUF"), ids.index("ANT-NORD")
    >>> plan = make_plan(c, events=outage([ps], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> tl = replay(plan, 0)
    >>> from tousrisques.engine import explain
    >>> for x in explain(tl, plan.network, ant, 4 * 3600):
    ...     print(ids[x.asset], x.cause, x.time_s)
    ANT-NORD backup exhausted 10800.0
    T-NORD disconnected 3600.0
    L-NORD disconnected 3600.0
    PS-ELBEUF event 3600.0
    """
    state = timeline.state_at(time_s)
    if state[asset]:
        return []
    log = timeline.log
    # each asset's changes in time order, found by bisection: a long cascade walks through
    # thousands of assets, and scanning the whole log for each would be quadratic
    by_asset = np.lexsort((np.arange(len(log)), log.time_s, log.asset))
    assets_sorted = log.asset[by_asset]

    def last_change(a: int, t: float) -> int:
        lo, hi = np.searchsorted(assets_sorted, [a, a + 1])
        if lo == hi:
            return -1
        j = int(np.searchsorted(log.time_s[by_asset[lo:hi]], t, side="right")) - 1
        return int(by_asset[lo + j]) if j >= 0 else -1

    out: list[Cause] = []
    states = {float(time_s): state}  # the state at each time a link is read, computed once
    seen = {asset}
    queue = deque([(asset, time_s, 0)])
    groups = net.groups.tocsr()
    members: dict[int, dict[int, int]] = {}  # per layer, built when first needed

    def local_index(code: int, a: int) -> int:
        if code not in members:
            members[code] = {int(g): i for i, g in enumerate(net.layers[code].members.tolist())}
        return members[code][a]

    while queue:
        a, t, depth = queue.popleft()
        k = last_change(a, t)
        if k < 0 or timeline.log.working[k] or int(log.cause[k]) not in DOWN_CAUSES:
            continue  # a down row always has a down cause (tests/engine/test_log.py)
        when = float(timeline.log.time_s[k])
        code = int(timeline.log.cause[k])
        ref = int(timeline.log.ref[k])
        because: tuple[int, ...] = ()
        item = Cause(a, when, CAUSES[code], depth)
        if code == CAUSE_EVENT:
            item = Cause(a, when, CAUSES[code], depth,
                         event=timeline.events[ref].cause if ref >= 0 else "absent at start")
        elif code in (CAUSE_REQUIREMENT, CAUSE_BACKUP):
            because = tuple(int(x) for x in groups.indices[groups.indptr[ref]:
                                                           groups.indptr[ref + 1]])
            item = Cause(a, when, CAUSES[code], depth, because, group=ref)
        elif code == CAUSE_DISCONNECTED:
            layer = net.layers[ref]
            local = local_index(ref, a)
            neighbours = layer.members[layer.indices[layer.indptr[local]:
                                                     layer.indptr[local + 1]]]
            if when not in states:
                states[when] = timeline.state_at(when)
            then = states[when]
            because = tuple(int(x) for x in np.unique(neighbours[~then[neighbours]]))
            item = Cause(a, when, CAUSES[code], depth, because, layer=ref)
        out.append(item)
        if max_depth is None or depth < max_depth:
            for b in because:
                if b not in seen:
                    seen.add(b)
                    queue.append((b, when, depth + 1))
    return out
