"""Indicators over time (DESIGN §5; their names are part of the output contract).

* ``population_reached:<channel>`` for each broadcast channel, and ``population_reached:any``
  — value: share of the population, count: people;
* ``assets_working:<kind>`` and ``assets_working:<layer>`` — share and count;
* ``actors_connected`` — actors that can reach a crisis cell over the information network;
* ``actor_latency:<actor>`` — seconds to the nearest crisis cell (inf when cut off);
* ``governance_links_broken`` — ``reports_to`` links whose two actors cannot reach each other;
* ``services_up`` — digital services (kind ``service``) working;
* people without power, vulnerable people unreached, sensitive sites down, reach by the
  channels that need a network, coordination links broken: see ``_people.py``.

A channel is available to an actor when its requirements are met (or on backup), the actor's
site works if the channel needs it, and a working asset of its coverage kind reaches the
site. Two actors talk when a channel is available to both; the information network is the
graph of actors and channels, each actor–channel edge weighing half the channel's latency.
A broadcast reaches a zone when it is available there (requirements, coverage, the zone's own
requirements if it needs its site) and can be triggered: one of the actors allowed to trigger
it has a working site (any actor holding it, when ``triggered_by`` is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, dijkstra

from tousrisques.engine._timeline import Timeline
from tousrisques.indicators._fallback import Moves
from tousrisques.indicators._people import PeopleIndicators
from tousrisques.indicators._relays import RelayReach
from tousrisques.territory import CompiledTerritory

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Indicators:
    """Series on the output grid: ``values[i, k]`` and ``counts[i, k]`` of ``names[i]`` at
    ``times_s[k]`` (``counts`` NaN where a count means nothing, as for latencies).

    Attributes
    ----------
    times_s : ndarray
    names : tuple of str
        Indicator names (see the output contract).
    values, counts : ndarray
        ``(names, times)``.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> from tousrisques.indicators import compute_indicators
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> core = c.asset_ids.to_pylist().index("CORE-RN")
    >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
    ...                  duration_s=3 * 3600, step_s=3600)
    >>> ind = compute_indicators(c, replay(plan, 0))
    >>> ind.value("actors_connected").round(2).tolist()
    [1.0, 0.6, 1.0, 1.0]
    """

    times_s: FloatArray
    names: tuple[str, ...]
    values: FloatArray
    counts: FloatArray
    # zone_reached[k, j, z]: share of zone z's people reached by broadcast channel j (in the
    # order of the territory's broadcast channels; the last row: by any of them) at
    # times_s[k], 0 or 1 but for door to door by volunteers (a share that grows);
    # actor_channels[k, a, c]: channel c available to actor a at times_s[k] (both None when
    # read back from a file that does not hold them)
    zone_reached: FloatArray | None = None
    actor_channels: BoolArray | None = None

    def value(self, name: str) -> FloatArray:
        """The series of indicator ``name`` (a share, a number of assets, seconds…).

        Parameters
        ----------
        name : str
            An indicator name.

        Returns
        -------
        ndarray
            One value per output time.

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> from tousrisques.engine import make_plan, outage, replay
        >>> from tousrisques.indicators import compute_indicators
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> core = c.asset_ids.to_pylist().index("CORE-RN")
        >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
        ...                  duration_s=3 * 3600, step_s=3600)
        >>> ind = compute_indicators(c, replay(plan, 0))
        >>> ind.value("population_reached:any").round(3).tolist()
        [0.943, 0.943, 0.943, 0.943]
        """
        row: FloatArray = self.values[self.names.index(name)]
        return row

    def count(self, name: str) -> FloatArray:
        """The counts of indicator ``name`` (people, actors; NaN where none means anything).

        Parameters
        ----------
        name : str
            An indicator name.

        Returns
        -------
        ndarray
            One count per output time.

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> from tousrisques.engine import make_plan, outage, replay
        >>> from tousrisques.indicators import compute_indicators
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> core = c.asset_ids.to_pylist().index("CORE-RN")
        >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
        ...                  duration_s=3 * 3600, step_s=3600)
        >>> ind = compute_indicators(c, replay(plan, 0))
        >>> ind.count("population_reached:any").tolist()
        [5250.0, 5250.0, 5250.0, 5250.0]
        """
        row: FloatArray = self.counts[self.names.index(name)]
        return row

    def to_table(self) -> pa.Table:
        """Long format: one row per (name, time) with ``value`` and ``count``.

        Returns
        -------
        pyarrow.Table

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> from tousrisques.engine import make_plan, outage, replay
        >>> from tousrisques.indicators import compute_indicators
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> core = c.asset_ids.to_pylist().index("CORE-RN")
        >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
        ...                  duration_s=3 * 3600, step_s=3600)
        >>> ind = compute_indicators(c, replay(plan, 0))
        >>> t = ind.to_table()
        >>> t.column_names, t.num_rows == len(ind.names) * len(ind.times_s)
        (['name', 'time_s', 'value', 'count'], True)
        """
        n, t = self.values.shape
        return pa.table({
            "name": pa.array(np.repeat(np.array(self.names, dtype=object), t).tolist(),
                             pa.string()),
            "time_s": pa.array(np.tile(self.times_s, n)),
            "value": pa.array(self.values.ravel()),
            "count": pa.array(self.counts.ravel()),
        })

    @classmethod
    def from_table(cls, table: pa.Table) -> Indicators:
        """Indicators back from :meth:`to_table`.

        Parameters
        ----------
        table : pyarrow.Table
            Columns ``name``, ``time_s``, ``value``, ``count``.

        Returns
        -------
        Indicators

        Examples
        --------
        >>> from tousrisques import load_compiled
        >>> from tousrisques.engine import make_plan, outage, replay
        >>> from tousrisques.indicators import compute_indicators
        >>> c = load_compiled("src/tousrisques/templates/petite-ville")
        >>> core = c.asset_ids.to_pylist().index("CORE-RN")
        >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
        ...                  duration_s=3 * 3600, step_s=3600)
        >>> ind = compute_indicators(c, replay(plan, 0))
        >>> from tousrisques.indicators import Indicators
        >>> back = Indicators.from_table(ind.to_table())
        >>> back.names == ind.names and (back.values == ind.values).all()
        np.True_
        """
        names = list(dict.fromkeys(table.column("name").to_pylist()))
        t = len(table) // max(len(names), 1)
        values = table.column("value").to_numpy().reshape(len(names), t)
        counts = table.column("count").to_numpy().reshape(len(names), t)
        times = table.column("time_s").to_numpy()[:t]
        return cls(np.asarray(times, np.float64), tuple(names),
                   np.asarray(values, np.float64), np.asarray(counts, np.float64))


def _covered(matrix: sp.csr_matrix, working: BoolArray) -> BoolArray:
    hit: BoolArray = (matrix @ working.view(np.int8)) > 0
    return hit


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Who is reached and who can talk, for one state of the assets.

    ``zone_reached[j, z]``: zone ``z`` reached by the ``j``-th broadcast channel (the last
    row: by any); ``site_ok[a]``: actor ``a``'s site works; ``avail[a, c]``: channel ``c`` is
    available to actor ``a``; ``latency[a]``: seconds to the nearest crisis cell (inf: cut
    off); ``component[a]``: actor ``a``'s component of the information network.

    Attributes
    ----------
    zone_reached : ndarray of bool
        ``(broadcast channels + 1, zones)``.
    site_ok : ndarray of bool
        Per actor.
    avail : ndarray of bool
        ``(actors, channels)``.
    latency : ndarray
        Per actor, seconds (inf: cut off).
    component : ndarray
        Per actor, its component.

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import snapshot
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> up = np.ones(len(c.asset_ids), dtype=bool)
    >>> s = snapshot(c, up, np.ones(len(c.zone_ids), bool), np.ones(len(c.channel_ids), bool))
    >>> bool(np.isfinite(s.latency).all()), s.zone_reached[-1].tolist()
    (True, [True, True, True, False])
    """

    zone_reached: BoolArray
    site_ok: BoolArray
    avail: BoolArray
    latency: FloatArray
    component: npt.NDArray[np.int32]


def _holds(c: CompiledTerritory) -> BoolArray:
    n_a, n_c = len(c.actor_ids), len(c.channel_ids)
    if not (n_a and n_c):
        return np.zeros((n_a, n_c), bool)
    held: BoolArray = c.actor_channels.toarray().astype(bool)
    return held


def snapshot(c: CompiledTerritory, working: BoolArray, zones_ok: BoolArray,
             channels_ok: BoolArray, *, holds: BoolArray | None = None,
             moved: BoolArray | None = None) -> Snapshot:
    """Reach and talk for one state: ``working`` assets, ``zones_ok`` (each zone's own
    requirements met or on backup) and ``channels_ok`` (each channel's requirements).

    Parameters
    ----------
    c : CompiledTerritory
    working : ndarray of bool
        Per asset.
    zones_ok, channels_ok : ndarray of bool
        Per zone and per channel.
    holds : ndarray of bool, optional
        Which governance links hold.
    moved : ndarray of bool, optional
        Per actor, working from its fallback site (see ``_fallback.py``).

    Returns
    -------
    Snapshot

    Examples
    --------
    >>> import numpy as np
    >>> from tousrisques import load_compiled
    >>> from tousrisques.indicators import snapshot
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> up = np.ones(len(c.asset_ids), dtype=bool)
    >>> up[c.asset_ids.to_pylist().index("CORE-RN")] = False
    >>> s = snapshot(c, up, np.ones(len(c.zone_ids), bool), np.ones(len(c.channel_ids), bool))
    >>> dict(zip(c.actor_ids.tolist(), np.isfinite(s.latency).tolist()))["CIS"]
    True
    """
    held = _holds(c) if holds is None else holds
    n_a, n_c = held.shape
    broadcast = np.nonzero(c.channel_broadcast)[0]
    site_ok = np.where(c.actor_site >= 0, working[c.actor_site.clip(0)], True)
    if moved is not None:
        site_ok |= moved  # the fallback site works (Moves.step)
    zone_reached = np.zeros((len(broadcast) + 1, len(c.population)), bool)
    for j, ch in enumerate(broadcast):
        if not channels_ok[ch]:
            continue
        # who may trigger it: the actors named (roles expanded), or when it names nobody,
        # any actor holding it; nobody at all means it cannot be sent
        if c.channel_trigger_declared[ch]:
            allowed = c.channel_triggers[ch].indices
        else:
            allowed = np.nonzero(held[:, ch])[0]
        if not site_ok[allowed].any():
            continue
        where = np.ones(len(c.population), bool)
        cov = int(c.channel_coverage[ch])
        if cov >= 0:
            where &= _covered(c.zone_coverage[c.coverage_kinds[cov]], working)
        if c.channel_needs_site[ch]:
            where &= zones_ok
        zone_reached[j] = where
    zone_reached[-1] = zone_reached[:-1].any(axis=0)
    avail = held & channels_ok[None, :]
    avail &= site_ok[:, None] | ~c.channel_needs_site[None, :]
    for j in range(n_c):
        cov = int(c.channel_coverage[j])
        if cov >= 0 and avail[:, j].any():
            covered = _covered(c.actor_reach(j), working)  # by_operator: its own
            if moved is not None and moved.any():
                covered = np.where(moved, _covered(c.fallback_reach(j), working), covered)
            avail[:, j] &= covered
    if n_a:
        latency, component = _network(c, avail, site_ok)
    else:
        latency, component = np.zeros(0), np.zeros(0, np.int32)
    return Snapshot(zone_reached, site_ok, avail, latency, component)


def compute_indicators(c: CompiledTerritory, tl: Timeline) -> Indicators:
    """Every indicator at every output time of the timeline.

    The timeline must follow the territory's zones and channels
    (``owners={"zones": c.zone_requires, "channels": c.channel_requires}``).

    Parameters
    ----------
    c : CompiledTerritory
    tl : Timeline
        A run of ``c`` (from ``replay``).

    Returns
    -------
    Indicators

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.engine import make_plan, outage, replay
    >>> from tousrisques.indicators import compute_indicators
    >>> c = load_compiled("src/tousrisques/templates/petite-ville")
    >>> core = c.asset_ids.to_pylist().index("CORE-RN")
    >>> plan = make_plan(c, events=outage([core], 3600, 3600, "fault"),
    ...                  duration_s=3 * 3600, step_s=3600)
    >>> ind = compute_indicators(c, replay(plan, 0))
    >>> ind.names[:3]
    ('population_reached:fr-alert', 'population_reached:sirene', 'population_reached:any')
    """
    zones_ok = tl.owners_ok["zones"]
    channels_ok = tl.owners_ok["channels"]
    n_t = len(tl.times_s)
    names: list[str] = []
    rows_v: list[FloatArray] = []
    rows_c: list[FloatArray] = []

    def add(name: str, values: FloatArray, counts: FloatArray) -> None:
        names.append(name)
        rows_v.append(values)
        rows_c.append(counts)

    ch_ids = [str(x) for x in c.channel_ids.tolist()]
    actor_ids = [str(x) for x in c.actor_ids.tolist()]
    n_a, n_c = len(actor_ids), len(ch_ids)
    total_pop = float(c.population.sum())
    broadcast = np.nonzero(c.channel_broadcast)[0]
    reached = np.zeros((len(broadcast), n_t))
    reached_any = np.zeros(n_t)
    kinds = np.bincount(c.kind.astype(np.int64), minlength=len(c.kind_names))
    layers = np.bincount(c.layer.astype(np.int64) + 1, minlength=len(c.layer_names) + 1)[1:]
    kind_counts = np.zeros((len(c.kind_names), n_t))
    layer_counts = np.zeros((len(c.layer_names), n_t))
    kind_present = np.zeros((len(c.kind_names), n_t))
    layer_present = np.zeros((len(c.layer_names), n_t))
    connected = np.zeros(n_t)
    zone_reached = np.zeros((n_t, len(broadcast) + 1, len(c.population)))
    actor_channels = np.zeros((n_t, n_a, n_c), bool)
    latency = np.full((n_a, n_t), np.inf)
    broken = np.zeros(n_t)
    service = c.kind_names.index("service") if "service" in c.kind_names else -1
    services = np.zeros(n_t)
    holds = _holds(c)
    people = PeopleIndicators(c, n_t)
    moves = Moves(c)
    relays = RelayReach(c, tl.times_s)
    for k in range(n_t):
        working = tl.working_at(k)
        snap = snapshot(c, working, zones_ok[k], channels_ok[k], holds=holds,
                        moved=moves.step(float(tl.times_s[k]), working))
        zone_reached[k] = snap.zone_reached
        if relays.active:  # door to door grows over the hours (indicators/_relays.py)
            relays.call(k, snap.latency, snap.component, snap.site_ok)
            relays.apply(k, working, zones_ok[k], channels_ok[k], zone_reached[k])
        reached[:, k] = zone_reached[k, :-1] @ c.population
        reached_any[k] = zone_reached[k, -1] @ c.population
        # assets that do not exist yet (a mitigation not yet delivered) count nowhere
        present = tl.present_at(k)
        people.step(k, working, present, zone_reached[k], snap.component)
        kind_counts[:, k] = np.bincount(c.kind[working].astype(np.int64),
                                        minlength=len(c.kind_names))
        layer_counts[:, k] = np.bincount(c.layer[working].astype(np.int64) + 1,
                                         minlength=len(c.layer_names) + 1)[1:]
        kind_present[:, k] = np.bincount(c.kind[present].astype(np.int64),
                                         minlength=len(c.kind_names))
        layer_present[:, k] = np.bincount(c.layer[present].astype(np.int64) + 1,
                                          minlength=len(c.layer_names) + 1)[1:]
        if service >= 0:
            services[k] = int((c.kind[working] == service).sum())
        if n_a:
            actor_channels[k] = snap.avail
            latency[:, k] = snap.latency
            connected[k] = np.isfinite(snap.latency).sum()
            if len(c.reports_to):
                a, b = c.reports_to[:, 0], c.reports_to[:, 1]
                broken[k] = (snap.component[a] != snap.component[b]).sum()
    for j, ch in enumerate(broadcast):
        add(f"population_reached:{ch_ids[ch]}", reached[j] / total_pop if total_pop else
            reached[j] * 0, reached[j])
    add("population_reached:any", reached_any / total_pop if total_pop else reached_any * 0,
        reached_any)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, kind in enumerate(c.kind_names):
            if kinds[i]:
                add(f"assets_working:{kind}", np.nan_to_num(kind_counts[i] / kind_present[i]),
                    kind_counts[i])
        for i, layer in enumerate(c.layer_names):
            if layers[i]:
                add(f"assets_working:{layer}",
                    np.nan_to_num(layer_counts[i] / layer_present[i]), layer_counts[i])
    add("actors_connected", connected / n_a if n_a else connected, connected)
    for row, ident in enumerate(actor_ids):
        add(f"actor_latency:{ident}", latency[row], np.full(n_t, np.nan))
    n_links = len(c.reports_to)
    add("governance_links_broken", broken / n_links if n_links else broken, broken)
    n_services = int(kinds[service]) if service >= 0 else 0
    add("services_up", services / n_services if n_services else services, services)
    people.emit(add)
    return Indicators(tl.times_s, tuple(names), np.vstack(rows_v), np.vstack(rows_c),
                      zone_reached, actor_channels)


def _network(c: CompiledTerritory, avail: BoolArray, site_ok: BoolArray
             ) -> tuple[FloatArray, npt.NDArray[np.int32]]:
    """Latency of each actor to its nearest crisis cell, and the component of each actor, in
    the graph of actors and point-to-point channels."""
    n_a, n_c = avail.shape
    p2p = ~c.channel_broadcast
    a_idx, ch_idx = np.nonzero(avail & p2p[None, :])
    weight = c.channel_latency_s[ch_idx] / 2 + 1e-9  # zero weights would vanish from csgraph
    n = n_a + n_c
    graph = sp.csr_matrix((np.r_[weight, weight], (np.r_[a_idx, n_a + ch_idx],
                                                    np.r_[n_a + ch_idx, a_idx])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    # actors alone in their component have no channel at all: give each its own component
    lonely = np.bincount(comp, minlength=n)[comp[:n_a]] == 1
    comp_a = np.where(lonely, -1 - np.arange(n_a), comp[:n_a]).astype(np.int32)
    cells = np.nonzero(c.crisis_cell & site_ok)[0]
    if len(cells) == 0:
        return np.full(n_a, np.inf), comp_a
    dist = dijkstra(graph, directed=False, indices=cells, min_only=True)
    lat = np.asarray(dist[:n_a], dtype=np.float64)
    lat[np.isfinite(lat)] = np.round(lat[np.isfinite(lat)], 6)
    return lat, comp_a
