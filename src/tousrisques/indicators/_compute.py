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

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tousrisques.engine._timeline import Timeline
from tousrisques.indicators._fallback import Moves
from tousrisques.indicators._people import PeopleIndicators
from tousrisques.indicators._relays import RelayReach
from tousrisques.indicators._snapshot import Snapshot, SnapshotMemo, _holds, snapshot
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


def compute_indicators(c: CompiledTerritory, tl: Timeline, *,
                       only: Collection[str] | None = None,
                       memo: SnapshotMemo | None = None) -> Indicators:
    """Every indicator at every output time of the timeline, or those named in ``only``.

    The timeline must follow the territory's zones and channels
    (``owners={"zones": c.zone_requires, "channels": c.channel_requires}``).

    Parameters
    ----------
    c : CompiledTerritory
    tl : Timeline
        A run of ``c`` (from ``replay``).
    only : collection of str, optional
        The indicators wanted: only what they need is computed (the snapshot of each state
        for a reach or an actor; no asset counts, people without power or sensitive sites
        unless named); the result holds those of them the territory has, in the usual
        order, without the per-zone and per-actor arrays.
    memo : SnapshotMemo, optional
        The snapshots of the states already met, shared between calls (runs, variants).

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
    >>> few = compute_indicators(c, replay(plan, 0), only=["actors_connected"])
    >>> few.names, bool((few.values[0] == ind.value("actors_connected")).all())
    (('actors_connected',), True)
    """
    want: Callable[[str], bool] = (lambda _: True) if only is None \
        else frozenset(only).__contains__
    wanted = None if only is None else frozenset(only)
    # what the names asked for need: the snapshots (reach, actors), the asset counts, people
    need_snap = wanted is None or any(not n.startswith(_NO_SNAPSHOT) for n in wanted)
    need_counts = wanted is None or any(n.startswith("assets_working:") for n in wanted)
    need_people = wanted is None or any(n.startswith(_PEOPLE) for n in wanted)
    if memo is not None:
        memo.bind(c)
    zones_ok = tl.owners_ok["zones"]
    channels_ok = tl.owners_ok["channels"]
    n_t = len(tl.times_s)
    names: list[str] = []
    rows_v: list[FloatArray] = []
    rows_c: list[FloatArray] = []

    def add(name: str, values: FloatArray, counts: FloatArray) -> None:
        if want(name):
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
    people = PeopleIndicators(c, n_t, wanted=None if wanted is None else want)
    moves = Moves(c)
    relays = RelayReach(c, tl.times_s)
    component: npt.NDArray[np.int32] = np.zeros(0, np.int32)
    for k in range(n_t):
        working = tl.working_at(k)
        moved = moves.step(float(tl.times_s[k]), working)
        if need_snap:
            snap, covers = _snapshot_at(c, tl, k, working, moved, holds, relays, memo)
            component = snap.component
            zone_reached[k] = snap.zone_reached
            if relays.active:  # door to door grows over the hours (indicators/_relays.py)
                relays.call(k, snap.latency, snap.component, snap.site_ok)
                relays.apply(k, working, zones_ok[k], channels_ok[k], zone_reached[k], covers)
            reached[:, k] = zone_reached[k, :-1] @ c.population
            reached_any[k] = zone_reached[k, -1] @ c.population
            if n_a:
                actor_channels[k] = snap.avail
                latency[:, k] = snap.latency
                connected[k] = np.isfinite(snap.latency).sum()
                if len(c.reports_to):
                    a, b = c.reports_to[:, 0], c.reports_to[:, 1]
                    broken[k] = (snap.component[a] != snap.component[b]).sum()
        # assets that do not exist yet (a mitigation not yet delivered) count nowhere
        present = tl.present_at(k) if need_people or need_counts else working
        if need_people:
            people.step(k, working, present, zone_reached[k], component)
        if need_counts:
            kind_counts[:, k] = np.bincount(c.kind[working].astype(np.int64),
                                            minlength=len(c.kind_names))
            layer_counts[:, k] = np.bincount(c.layer[working].astype(np.int64) + 1,
                                             minlength=len(c.layer_names) + 1)[1:]
            kind_present[:, k] = np.bincount(c.kind[present].astype(np.int64),
                                             minlength=len(c.kind_names))
            layer_present[:, k] = np.bincount(c.layer[present].astype(np.int64) + 1,
                                              minlength=len(c.layer_names) + 1)[1:]
        if service >= 0 and want("services_up"):
            services[k] = int((c.kind[working] == service).sum())
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
    if not names:
        return Indicators(tl.times_s, (), np.zeros((0, n_t)), np.zeros((0, n_t)))
    if wanted is not None:
        return Indicators(tl.times_s, tuple(names), np.vstack(rows_v), np.vstack(rows_c))
    return Indicators(tl.times_s, tuple(names), np.vstack(rows_v), np.vstack(rows_c),
                      zone_reached, actor_channels)


#: the indicators that read no snapshot, and those of people (``_people.py``), by prefix
_NO_SNAPSHOT = ("assets_working:", "services_up", "population_without_power", "sites_down:")
_PEOPLE = ("population_reached:network", "population_without_power", "vulnerable_unreached:",
           "sites_down:", "coordination_links_broken")


def _snapshot_at(c: CompiledTerritory, tl: Timeline, k: int, working: BoolArray,
                 moved: BoolArray | None, holds: BoolArray, relays: RelayReach,
                 memo: SnapshotMemo | None) -> tuple[Snapshot, Any]:
    """The snapshot of output time ``k`` and its door-to-door coverage, from the memo when
    the state was met before."""
    zones_ok, channels_ok = tl.owners_ok["zones"][k], tl.owners_ok["channels"][k]
    key = memo.key(tl.snapshots[k], zones_ok, channels_ok, moved) if memo is not None \
        else b""
    got = memo.get(key) if memo is not None else None
    if got is None:
        got = (snapshot(c, working, zones_ok, channels_ok, holds=holds, moved=moved),
               relays.coverage(working, zones_ok, channels_ok) if relays.active else None)
        if memo is not None:
            memo.put(key, got)
    return got
