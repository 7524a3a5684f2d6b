"""Criticality: what the single loss of each asset costs, ranked the way a crisis manager
reads it.

For each asset (``_criticality_costs.py``): the people each broadcast channel no longer
reaches, and among them the **main alert channel** (the broadcast channel that reaches the
most people in the healthy state, to the percent; on ties the first declared — the rule of
``results.main_channel`` applied to the healthy state); the people no longer reached by any
channel; the actors **cut off** (no longer able to reach a crisis cell, or cut from one they
report to: a crisis cell's site counts the actors that report to it); the assets down with it.

The default ranking (``by="severity"``) puts first the losses that take the most from either
the alert or the command: the **severity** of a loss is the larger of the share of the
population the main alert channel no longer reaches and the share of actors cut off; ties go
to the people lost by the main channel, then the actors cut off, then the people lost by any
channel, then the assets down. A platform that every alert goes through (FR-Alert) and the
site of the crisis cell the others report to rank at the top when their loss is that large.

Beside each id (``_criticality_groups.py``): its name, its commune, its feeder, and its
group — assets that fall together (the same consequence, or one feeder) are one group, named
by its best-ranked member; :meth:`Criticality.heads` gives one row per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tousrisques.analysis._criticality_costs import (
    Costs,
    Losses,
    _owners_ok,
    _single_losses,
    cost_in_worker,
    install,
)
from tousrisques.analysis._criticality_groups import (
    asset_communes,
    asset_feeders,
    asset_names,
    group_heads,
)
from tousrisques.territory import CompiledTerritory, Territory

__all__ = ["RANKINGS", "Criticality", "_owners_ok", "_single_losses", "criticality",
           "ranking_order"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: each ranking's keys, most significant first (every one sorted most first)
RANKINGS: dict[str, tuple[str, ...]] = {
    "severity": ("severity", "main_lost", "actors_cut_off", "population_lost", "assets_down"),
    "main": ("main_lost", "actors_cut_off", "population_lost", "assets_down"),
    "population": ("population_lost", "actors_cut", "assets_down"),
    "actors": ("actors_cut", "population_lost", "assets_down"),
}


def ranking_order(table: pa.Table, by: str) -> IntArray:
    """The row order of ``table`` ranked ``by`` (one of :data:`RANKINGS`); stable, so a
    table already in that order gives ``0..n-1``.

    Parameters
    ----------
    table : pyarrow.Table
        With the columns the ranking reads.
    by : str

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = pa.table({"population_lost": [1.0, 5.0, 5.0], "actors_cut": [0, 1, 2],
    ...               "assets_down": [1, 1, 1]})
    >>> ranking_order(t, "population").tolist()
    [2, 1, 0]
    """
    keys = [-np.asarray(table.column(k).to_numpy(), np.float64) for k in RANKINGS[by]]
    order: IntArray = np.lexsort(keys[::-1]).astype(np.int64)
    return order


@dataclass(frozen=True, eq=False)
class Criticality:
    """One row per asset evaluated, in the order of ``by`` (see the module's docstring).

    Attributes
    ----------
    table : pyarrow.Table
        ``rank``, ``asset``, ``name``, ``kind``, ``commune``, ``feeder``, ``group`` (the id
        of its group's head), ``group_size``, ``severity``, ``main_lost`` and ``main_share``
        (people the main alert channel no longer reaches), ``actors_cut_off``,
        ``actors_cut`` (no crisis cell at all), ``population_lost`` and ``population_share``
        (by any channel), ``assets_down`` (itself included), then ``population_lost:<id>``
        for each broadcast channel.
    baseline_population : float
        People reached by any channel in the healthy state.
    baseline_actors : int
        Actors able to reach a crisis cell in the healthy state.
    horizon_s : float or None
    main_channel : str or None
        The main alert channel (None: no broadcast channel).
    baseline_main : float
        People it reaches in the healthy state.
    by : str
        The ranking.

    Examples
    --------
    >>> from tousrisques import load_compiled
    >>> from tousrisques.analysis import criticality
    >>> cr = criticality(load_compiled("src/tousrisques/templates/petite-ville"))
    >>> cr.main_channel, cr.table.column("asset").to_pylist()[:2], cr.baseline_actors
    ('fr-alert', ['MAIRIE', 'PS-ELBEUF'], 5)
    """

    table: pa.Table
    baseline_population: float
    baseline_actors: int
    horizon_s: float | None
    main_channel: str | None = None
    baseline_main: float = 0.0
    by: str = "severity"

    def top(self, n: int) -> pa.Table:
        """The first ``n`` rows."""
        return self.table.slice(0, n)

    def heads(self, n: int | None = None) -> pa.Table:
        """One row per group (its head, which carries the group's worst cost), in rank
        order; the first ``n`` groups."""
        heads = self.table.filter(pc.equal(self.table.column("asset"),
                                           self.table.column("group")))
        return heads if n is None else heads.slice(0, n)


def _costs(losses: Losses, rows: IntArray, workers: int) -> Costs:
    n_channels = len(losses.baseline.reach)
    if workers <= 1 or len(rows) < 2 * workers:
        return losses.cost(rows.tolist())
    # interleaved chunks: neighbouring assets (one feeder) cost alike
    k = workers * 4
    with ProcessPoolExecutor(workers, initializer=install, initargs=(losses,)) as pool:
        parts = list(pool.map(cost_in_worker, [rows[i::k].tolist() for i in range(k)]))
    return Costs.join(parts, [slice(i, None, k) for i in range(k)], len(rows), n_channels)


def _main(c: CompiledTerritory, reach: FloatArray, main_channel: str | None) -> int:
    """Index among the broadcast channels of the main alert channel (-1: none)."""
    ids = [str(x) for x in c.channel_ids[c.channel_broadcast].tolist()]
    if main_channel is not None:
        if main_channel not in ids:
            raise ValueError(f"{main_channel!r} is not a broadcast channel of the territory")
        return ids.index(main_channel)
    if not ids:
        return -1
    total = float(c.population.sum()) or 1.0
    return int(np.argmax(np.round(reach / total, 2)))


def criticality(c: CompiledTerritory, *, horizon_s: float | None = None,
                absent: Sequence[int] = (), candidates: Sequence[int] | None = None,
                by: str = "severity", workers: int = 1, main_channel: str | None = None,
                territory: Territory | None = None) -> Criticality:
    """Rank ``candidates`` (default: every present asset) by the cost of their single loss;
    ``workers`` local processes share the candidates (the same result whatever their
    number).

    Parameters
    ----------
    c : CompiledTerritory
    horizon_s : float, optional
        Judge the loss after this long (backups run out); default: for good.
    absent : sequence of int
        Asset rows absent.
    candidates : sequence of int, optional
        The assets to evaluate.
    by : {"severity", "main", "population", "actors"}
        ``severity`` (the larger share lost of the main alert channel and of the actors),
        ``main`` (people lost by the main alert channel, then actors cut off),
        ``population`` (by any channel, then actors unable to reach a crisis cell) or
        ``actors`` (those actors, then people by any channel).
    workers : int
        Local processes.
    main_channel : str, optional
        The main alert channel's id (default: the broadcast channel that reaches the most
        people in the healthy state).
    territory : Territory, optional
        The territory ``c`` was compiled from: names, communes and feeders beside the ids
        (without it they are empty and only assets of the same consequence are grouped).

    Returns
    -------
    Criticality

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> from tousrisques.analysis import criticality
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> cr = criticality(t.compile(), territory=t)
    >>> top = cr.heads(3).to_pylist()
    >>> [(r["asset"], r["main_lost"], r["actors_cut_off"], r["group_size"]) for r in top]
    [('MAIRIE', 5250.0, 5, 1), ('PS-ELBEUF', 5250.0, 3, 1), ('L-NORD', 5250.0, 3, 2)]
    >>> top[0]["name"], top[0]["commune"]
    ('Hôtel de ville (PCS)', 'Centre')
    """
    if by not in RANKINGS:
        raise ValueError(f"by must be one of {', '.join(RANKINGS)}, not {by!r}")
    losses = Losses(c, absent, horizon_s)
    rows = np.asarray(candidates if candidates is not None
                      else np.nonzero(~losses.damaged)[0], dtype=np.int64)
    costs = _costs(losses, rows, workers)
    base = losses.baseline
    j = _main(c, base.reach, main_channel)
    total = float(c.population.sum())
    n_actors = len(c.actor_ids)
    main_lost = costs.lost[:, j] if j >= 0 else np.zeros(len(rows))
    main_share = main_lost / total if total else main_lost * 0
    severity = np.maximum(main_share, costs.cut_off / n_actors if n_actors else 0.0)
    names = asset_names(territory) if territory is not None else None
    communes = asset_communes(territory) if territory is not None else None
    feeders = asset_feeders(territory) if territory is not None else None
    empty = np.full(len(rows), "", dtype=object)
    columns = {
        "asset": c.asset_ids.take(pa.array(rows)),
        "name": names[rows] if names is not None else empty,
        "kind": [c.kind_names[int(k)] for k in c.kind[rows]],
        "commune": communes[rows] if communes is not None else empty,
        "feeder": feeders[rows] if feeders is not None else empty,
        "severity": severity,
        "main_lost": main_lost,
        "main_share": main_share,
        "actors_cut_off": costs.cut_off,
        "actors_cut": costs.actors_cut,
        "population_lost": costs.lost_any,
        "population_share": costs.lost_any / total if total else costs.lost_any * 0,
        "assets_down": costs.down,
    }
    broadcast = [str(x) for x in c.channel_ids[c.channel_broadcast].tolist()]
    for i, ch in enumerate(broadcast):
        columns[f"population_lost:{ch}"] = costs.lost[:, i]
    unordered = pa.table({k: pa.array(v, type=pa.string()) if k in ("name", "commune",
                                                                     "feeder") else v
                          for k, v in columns.items()})
    order = ranking_order(unordered, by)
    table = unordered.take(pa.array(order))
    head = group_heads(costs.key[order], np.asarray(columns["feeder"], dtype=object)[order])
    size = np.bincount(head, minlength=len(rows))[head]
    table = table.add_column(0, "rank", pa.array(np.arange(1, len(rows) + 1)))
    at = table.column_names.index("severity")
    table = table.add_column(at, "group", table.column("asset").take(pa.array(head)))
    table = table.add_column(at + 1, "group_size", pa.array(size.astype(np.int64)))
    return Criticality(table, base.reach_any, base.connected, horizon_s,
                       broadcast[j] if j >= 0 else None,
                       float(base.reach[j]) if j >= 0 else 0.0, by)
