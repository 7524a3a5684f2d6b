"""Criticality: what the single loss of each asset costs — people no longer reached by any
broadcast, actors no longer able to reach a crisis cell, assets down with it.

The loss lasts ``horizon_s``: requirement groups whose backup lasts longer still hold
(``None``: a lasting loss, every backup run out). The baseline is the territory with every
asset working (the absent ones excepted); each loss is one greatest fixed point started from
the baseline's working set (a loss can only remove assets when every layer has a source),
and losses that put down the same relevant assets — the ones channels, zones, coverage and
actors' sites depend on — share one evaluation of reach and talk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tousrisques.engine import Layer, Network, connected_to_source, fixed_point
from tousrisques.indicators import snapshot
from tousrisques.territory import CompiledTerritory, Requirements

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Criticality:
    """One row per asset evaluated, most critical first: ``population_lost`` (people),
    ``actors_cut`` (actors), ``assets_down`` (itself included); ``baseline_population`` and
    ``baseline_actors`` are the healthy state's reach and connected actors."""

    table: pa.Table
    baseline_population: float
    baseline_actors: int
    horizon_s: float | None

    def top(self, n: int) -> pa.Table:
        return self.table.slice(0, n)


class _FromBaseline:
    """Connectivity of one layer that knows the baseline: when the layer's working members
    are the baseline's, all of them are fed (the baseline is a fixed point), so only the
    layers a loss reaches are searched again."""

    def __init__(self, layer: Layer, baseline: BoolArray) -> None:
        self.layer = layer
        self.baseline = baseline[layer.members]

    def update(self, w: BoolArray) -> BoolArray:
        if np.array_equal(w, self.baseline):
            return w.copy()
        return connected_to_source(self.layer, w)


def _owners_ok(req: Requirements, working: BoolArray, n_assets: int,
               horizon_s: float | None) -> BoolArray:
    met = (req.matrix(n_assets) @ working.view(np.int8)) > 0
    holds = met | (req.backup_s > horizon_s if horizon_s is not None else False)
    ok: BoolArray = np.bincount(req.owner[~holds], minlength=req.n_owners) == 0
    return ok


def criticality(c: CompiledTerritory, *, horizon_s: float | None = None,
                absent: Sequence[int] = (), candidates: Sequence[int] | None = None,
                by: str = "population") -> Criticality:
    """Rank ``candidates`` (default: every present asset) by the cost of their single loss;
    ``by`` "population" (then actors) or "actors" (then population)."""
    net = Network.from_compiled(c)
    n = c.n_assets
    damaged = np.zeros(n, bool)
    damaged[list(absent)] = True
    on_backup = (net.backup_s > horizon_s) if horizon_s is not None else None
    monotone = all(layer.has_sources for layer in net.layers)
    base = fixed_point(net, damaged, on_backup=on_backup).working
    known = [_FromBaseline(layer, base) for layer in net.layers] if monotone else None
    relevant = np.zeros(n, bool)
    relevant[c.actor_site[c.actor_site >= 0]] = True
    for req in (c.zone_requires, c.channel_requires):
        relevant[req.alt] = True
    kind_code = {k: i for i, k in enumerate(c.kind_names)}
    for kind in c.coverage_kinds:
        relevant |= c.kind == kind_code.get(kind, -1)

    def evaluate(working: BoolArray) -> tuple[float, int]:
        snap = snapshot(c, working,
                        _owners_ok(c.zone_requires, working, n, horizon_s),
                        _owners_ok(c.channel_requires, working, n, horizon_s))
        return float(snap.zone_reached[-1] @ c.population), int(np.isfinite(snap.latency).sum())

    base_pop, base_actors = evaluate(base)
    rows = np.asarray(candidates if candidates is not None else np.nonzero(~damaged)[0],
                      dtype=np.int64)
    pop_lost = np.zeros(len(rows))
    actors_cut = np.zeros(len(rows), np.int64)
    down = np.zeros(len(rows), np.int64)
    seen: dict[bytes, tuple[float, int]] = {}
    for i, a in enumerate(rows.tolist()):
        hit = damaged.copy()
        hit[a] = True
        working = fixed_point(net, hit, on_backup=on_backup, start=base if monotone else None,
                              connectivity=known).working
        lost = base & ~working
        down[i] = int(lost.sum())
        key = np.packbits(lost & relevant).tobytes()
        if key not in seen:
            seen[key] = evaluate(working) if (lost & relevant).any() else (base_pop,
                                                                           base_actors)
        pop, actors = seen[key]
        pop_lost[i] = base_pop - pop
        actors_cut[i] = base_actors - actors
    primary, secondary = (pop_lost, actors_cut) if by == "population" else (actors_cut,
                                                                           pop_lost)
    order = np.lexsort((-down, -secondary, -primary))
    total = float(c.population.sum())
    ids = c.asset_ids.take(pa.array(rows[order]))
    table = pa.table({
        "rank": np.arange(1, len(rows) + 1),
        "asset": ids,
        "kind": [c.kind_names[int(k)] for k in c.kind[rows[order]]],
        "population_lost": pop_lost[order],
        "population_share": pop_lost[order] / total if total else pop_lost[order] * 0,
        "actors_cut": actors_cut[order],
        "assets_down": down[order],
    })
    return Criticality(table, base_pop, base_actors, horizon_s)
