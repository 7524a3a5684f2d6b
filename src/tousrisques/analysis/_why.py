"""Why an actor was cut off at a given time: its site, or each channel it holds, explained
back to first causes (the asset chains come from ``tousrisques.engine.explain``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tousrisques.engine import Cause, Network, Timeline, explain
from tousrisques.indicators import snapshot
from tousrisques.territory import CompiledTerritory


@dataclass(frozen=True)
class ChannelWhy:
    """Why point-to-point ``channel`` was of no use to the actor (broadcasts link no actor to
    another, so they are not listed): ``requires`` (assets it needs everywhere
    are down), ``coverage`` (no working asset of its coverage kind reaches the site),
    ``site`` (it needs the actor's site, which is down), ``nobody`` (available, but no
    crisis cell is reachable through it), or ``ok`` (it still linked the actor).

    Attributes
    ----------
    channel : str
    status : {"ok", "requires", "coverage", "site", "nobody"}
    assets : tuple of int
        The assets at fault.
    chains : tuple of tuple of Cause
        Why each is down.

    Examples
    --------
    >>> from tousrisques.analysis import explain_actor
    >>> from tousrisques.engine import replay
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> c = s.compiled
    >>> why = explain_actor(c, replay(plan, 0), plan.network,
    ...                     c.actor_ids.tolist().index("EHPAD-DIR"), 6 * 3600)
    >>> why.channels[0].channel, why.channels[0].status
    ('mobile', 'site')
    """

    channel: str
    status: str
    assets: tuple[int, ...] = ()  # the assets down that explain it
    chains: tuple[tuple[Cause, ...], ...] = ()


@dataclass(frozen=True)
class ActorWhy:
    """The answer for one actor at one time.

    Attributes
    ----------
    actor : str
    time_s : float
    connected : bool
    latency_s : float
    site : int
        The site's asset row.
    site_chain : tuple of Cause
        Why the site is down.
    channels : tuple of ChannelWhy

    Examples
    --------
    >>> from tousrisques.analysis import explain_actor
    >>> from tousrisques.engine import replay
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> c = s.compiled
    >>> why = explain_actor(c, replay(plan, 0), plan.network,
    ...                     c.actor_ids.tolist().index("EHPAD-DIR"), 6 * 3600)
    >>> why.actor, why.connected
    ('EHPAD-DIR', False)
    """

    actor: str
    time_s: float
    connected: bool
    latency_s: float
    site: int  # asset row of its site, -1 when none
    site_chain: tuple[Cause, ...] = ()
    channels: tuple[ChannelWhy, ...] = field(default_factory=tuple)


def explain_actor(c: CompiledTerritory, tl: Timeline, net: Network, actor: int,
                  time_s: float, *, max_assets: int = 3) -> ActorWhy:
    """Why ``actor`` could or could not reach a crisis cell at ``time_s``.

    The state is the one at the last output time at or before ``time_s`` (zones' and
    channels' backups are followed on that grid).

    Parameters
    ----------
    c : CompiledTerritory
    tl : Timeline
        A run of ``c``.
    net : Network
        Its network.
    actor : int
        The actor's row.
    time_s : float
    max_assets : int
        Assets named per channel.

    Returns
    -------
    ActorWhy

    Examples
    --------
    >>> from tousrisques.analysis import explain_actor
    >>> from tousrisques.engine import replay
    >>> from tousrisques.scenario import load_scenario, scenario_plan
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> plan = scenario_plan(s)
    >>> c = s.compiled
    >>> why = explain_actor(c, replay(plan, 0), plan.network,
    ...                     c.actor_ids.tolist().index("EHPAD-DIR"), 6 * 3600)
    >>> why.connected, [(w.channel, w.status) for w in why.channels]
    (False, [('mobile', 'site'), ('fixe', 'site'), ('courriel', 'site')])
    """
    k = tl.index_at(time_s)
    working = tl.working_at(k)
    snap = snapshot(c, working, tl.owners_ok["zones"][k], tl.owners_ok["channels"][k])
    at = float(tl.times_s[k])
    site = int(c.actor_site[actor])
    latency = float(snap.latency[actor])
    site_chain = tuple(explain(tl, net, site, at)) if site >= 0 and not working[site] else ()
    whys: list[ChannelWhy] = []
    matrix = c.channel_requires.matrix(c.n_assets)
    for ch in c.actor_channels[actor].indices.tolist():
        if c.channel_broadcast[ch]:
            continue  # broadcasts reach the population; they link no actor to another
        name = str(c.channel_ids[ch])
        if snap.avail[actor, ch]:
            status = "ok" if np.isfinite(latency) else "nobody"
            whys.append(ChannelWhy(name, status))
            continue
        if not tl.owners_ok["channels"][k, ch]:
            groups = np.nonzero(c.channel_requires.owner == ch)[0]
            unmet = groups[(matrix[groups] @ working.view(np.int8)) == 0]
            down = [int(a) for g in unmet.tolist()
                    for a in c.channel_requires.alt[c.channel_requires.alt_ptr[g]:
                                                    c.channel_requires.alt_ptr[g + 1]]]
            status = "requires"
        elif c.channel_needs_site[ch] and site >= 0 and not working[site]:
            whys.append(ChannelWhy(name, "site", (site,)))  # site_chain tells why
            continue
        else:
            reach = c.actor_reach(ch)[actor].indices  # by_operator: its operator's only
            # empty when no asset of that kind reaches the site at all
            down = [int(a) for a in reach.tolist() if not working[a]]
            status = "coverage"
        down = down[:max_assets]
        chains = tuple(tuple(explain(tl, net, a, at)) for a in down)
        whys.append(ChannelWhy(name, status, tuple(down), chains))
    return ActorWhy(str(c.actor_ids[actor]), at, bool(np.isfinite(latency)), latency, site,
                    site_chain, tuple(whys))


def readable_chain(causes: tuple[Cause, ...] | list[Cause], *, leaves: int = 3
                   ) -> list[tuple[Cause, int, int]]:
    """The links of a chain worth reading: the asset and what it waited for, and the whole
    path down to each of the first ``leaves`` first causes (events), so that no link is
    shown without the one above it — as (link, index of the link above it or -1, links
    left out between them). A straight run of more than three links cut from the same
    network (a feeder falling pole after pole) keeps its first and last links only.

    Parameters
    ----------
    causes : sequence of Cause
        A chain from ``tousrisques.engine.explain`` (the asked asset first).
    leaves : int
        How many first causes to follow down to.

    Returns
    -------
    list of (Cause, int, int)
        The links kept, in the chain's order: each with the index in ``causes`` of the link
        above it (-1 for the asked asset) and the number of links left out between them.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.analysis import readable_chain
    >>> from tousrisques.engine import explain, make_plan, outage, replay
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> ids = c.asset_ids.to_pylist()
    >>> plan = make_plan(c, events=outage([ids.index("PS-ELBEUF")], 3600, 6 * 3600, "storm"),
    ...                  duration_s=12 * 3600, step_s=3600)
    >>> chain = explain(replay(plan, 0), plan.network, ids.index("ANT-NORD"), 4 * 3600)
    >>> [(ids[link.asset], link.cause, above, left_out)
    ...  for link, above, left_out in readable_chain(chain)]  # doctest: +NORMALIZE_WHITESPACE
    [('ANT-NORD', 'backup exhausted', -1, 0), ('T-NORD', 'disconnected', 0, 0),
     ('L-NORD', 'disconnected', 1, 0), ('PS-ELBEUF', 'event', 2, 0)]
    """
    index = {c.asset: i for i, c in enumerate(causes)}
    parent: dict[int, int] = {}
    for i, c in enumerate(causes):  # breadth first: the first link naming an asset is above it
        for b in c.because:
            j = index.get(b, -1)
            if j > i and j not in parent:
                parent[j] = i
    keep = {i for i, c in enumerate(causes) if c.depth <= 1}
    firsts = [i for i, c in enumerate(causes) if c.cause == "event"][:leaves]
    for i in firsts:
        while i not in keep:
            keep.add(i)
            i = parent.get(i, 0)
    children: dict[int, list[int]] = {}
    for i in sorted(keep):
        if i in parent:
            children.setdefault(parent[i], []).append(i)

    def cut_run(i: int) -> bool:  # a link inside a run: cut from a network, one child
        c = causes[i]
        return c.cause == "disconnected" and len(children.get(i, [])) == 1

    out: list[tuple[Cause, int, int]] = []
    dropped: set[int] = set()
    for i in sorted(keep):
        if i in dropped:
            continue
        above = parent.get(i, -1)
        skipped = 0
        if cut_run(i):
            run = [i]
            while cut_run(run[-1]) and causes[children[run[-1]][0]].layer == causes[i].layer \
                    and causes[children[run[-1]][0]].cause == "disconnected":
                run.append(children[run[-1]][0])
            if len(run) > 3:
                dropped.update(run[1:-1])
                out.append((causes[i], above, 0))
                out.append((causes[run[-1]], i, len(run) - 2))
                dropped.add(run[-1])
                continue
        out.append((causes[i], above, skipped))
    return sorted(out, key=lambda x: causes.index(x[0]))
