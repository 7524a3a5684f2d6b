"""A territory's summary for people: counts per kind and layer, population, coverage shares."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tousrisques.territory._model import Territory


@dataclass(frozen=True)
class TerritorySummary:
    """What ``tousrisques validate`` prints for a valid territory.

    Attributes
    ----------
    assets, sources, links, zones, actors, channels : int
        How many of each.
    by_kind, by_layer : dict
        Assets per kind and per layer.
    population, vulnerable : float
        People in the zones.
    coverage : dict
        Per coverage kind, the share of the population and of sites reached.

    Examples
    --------
    >>> from tousrisques import load_territory
    >>> t = load_territory("src/tousrisques/templates/petite-ville")
    >>> s = t.summary()
    >>> s.actors, s.crisis_cells, round(s.coverage["antenna"]["population_share"], 2)
    (5, 2, 0.94)
    """

    name: str
    assets: int
    by_kind: dict[str, int]
    by_layer: dict[str, int]
    sources: int
    links: int
    zones: int
    population: float
    vulnerable: float
    actors: int
    crisis_cells: int
    actors_by_role: dict[str, int]
    channels: int
    channels_by_mode: dict[str, int]
    coverage: dict[str, dict[str, float]]
    warnings: int
    planned: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(t: Territory) -> TerritorySummary:
    """Count what the territory holds and how much of it the coverage kinds reach."""
    a = t.assets
    kinds = np.bincount(a.kind.astype(np.int64), minlength=len(t.kind_names))
    by_kind = {t.kind_names[i]: int(c) for i, c in enumerate(kinds) if c}
    layers = np.bincount(a.layer.astype(np.int64) + 1, minlength=len(t.layer_names) + 1)
    by_layer = {("none" if i == 0 else t.layer_names[i - 1]): int(c)
                for i, c in enumerate(layers) if c}
    lines = int((a.connects[:, 0] >= 0).sum())
    pop = float(t.zones.population.sum())
    cov = t.coverage
    coverage = {}
    # planned assets (mitigations a scenario may bring) do not cover anything yet
    planned = a.planned
    existing = np.nonzero(~planned)[0]
    with_site = np.array([ac.site is not None for ac in t.actors], bool)
    for k in cov.kinds:
        reached_zone = np.asarray(cov.zones[k][:, existing].getnnz(axis=1) > 0) \
            if len(t.zones) else np.zeros(0, bool)
        reached_site = np.asarray(cov.actors[k][:, existing].getnnz(axis=1) > 0) \
            if t.actors else np.zeros(0, bool)
        coverage[k] = {
            "population_share": float(t.zones.population[reached_zone].sum() / pop)
            if pop > 0 else 0.0,
            "sites_share": float(reached_site.sum() / with_site.sum()) if with_site.any()
            else 0.0,
        }
    return TerritorySummary(
        name=t.name, assets=len(a), by_kind=by_kind, by_layer=by_layer,
        sources=int(a.source.sum()), links=len(t.links) + lines, zones=len(t.zones),
        population=pop, vulnerable=float(t.zones.vulnerable.sum()),
        actors=len(t.actors), crisis_cells=sum(ac.crisis_cell for ac in t.actors),
        actors_by_role=dict(Counter(ac.role for ac in t.actors)),
        channels=len(t.channels),
        channels_by_mode=dict(Counter(c.mode for c in t.channels)),
        coverage=coverage, warnings=len(t.warnings),
        planned={t.kind_names[int(code)]: int(n) for code, n in
                 zip(*np.unique(a.kind[planned], return_counts=True), strict=True)})
