"""The isolated communes of a Monte Carlo: those that no channel reaches, or whose own crisis
cell (its town hall's) is cut off from every crisis cell, with the clock times of it.

A commune is the set of zones that share a code (``insee``, ``commune`` or ``code_insee``,
the first the zones carry; a territory without one has no commune and no list). At each
output time a commune is *unreached* when fewer than half of its people are reached by at
least one broadcast channel, in the mean over the runs (door to door included: no channel at
all), and its cell is *cut off* when its town hall's actors (role ``mayor``, sitting in the
commune) can reach a crisis cell in fewer than half of the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer

from tousrisques._i18n import Words
from tousrisques.analysis import Ensemble
from tousrisques.results._figures import connected_share, text_of
from tousrisques.scenario import Scenario
from tousrisques.territory.communes import COMMUNE_KEYS

NAME_KEYS = ("commune", "nom", "commune_name", "name")
#: the role of a commune's own crisis cell
CELL_ROLE = "mayor"


@dataclass(frozen=True)
class IsolatedCommune:
    """A commune cut off at some time: unreached, its cell cut off, or both.

    Attributes
    ----------
    code : str
    name : str
        As the zones name it ("" when they do not).
    population : float
    unreached_h : float
        Hours during which it is unreached (no channel reaches half its people).
    cut_h : float
        Hours during which its cell is cut off.
    from_h : float
        The first time it is isolated (hours from the start).
    to_h : float or None
        The last time it is isolated; None when it still is at the end.
    lowest_reach : float
        The lowest share of its people reached (mean over the runs).
    cells : list of Words
        The names of its cells that are cut off at some time.

    Examples
    --------
    >>> from tousrisques.results import IsolatedCommune
    >>> c = IsolatedCommune("76005", "Amfreville", 3200.0, 0.0, 6.0, 3.0, 9.0, 1.0, ["CCC"])
    >>> c.cut_h > c.unreached_h
    True
    """

    code: str
    name: str
    population: float
    unreached_h: float
    cut_h: float
    from_h: float
    to_h: float | None
    lowest_reach: float
    cells: list[Words]


def _cells_by_commune(s: Scenario, codes: np.ndarray) -> dict[str, list[int]]:
    """Actors of role ``mayor`` by the code of the commune their site lies in."""
    t = s.territory
    c = s.compiled
    rows = [i for i, a in enumerate(t.actors) if a.role == CELL_ROLE and c.actor_site[i] >= 0]
    if not rows:
        return {}
    sites = c.actor_site[rows]
    x, y = t.assets.x[sites], t.assets.y[sites]
    ok = np.isfinite(x) & np.isfinite(y)
    back = Transformer.from_crs(t.metric_crs, "EPSG:4326", always_xy=True)
    lon, lat = back.transform(x[ok], y[ok])
    geoms = np.array([g if g is not None else shapely.Point() for g in t.zones.geometry],
                     dtype=object)
    tree = shapely.STRtree(geoms)
    points = shapely.points(np.column_stack([lon, lat]))
    pairs = tree.query(points, predicate="intersects")
    out: dict[str, list[int]] = {}
    chosen = np.asarray(rows)[ok]
    seen: set[int] = set()
    for p, z in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
        if p in seen:
            continue
        seen.add(p)
        out.setdefault(str(codes[z]), []).append(int(chosen[p]))
    return out


def isolated_communes(s: Scenario, ens: Ensemble) -> list[IsolatedCommune]:
    """The communes isolated at some time, the worst first (the longest isolated, then the
    most people).

    Parameters
    ----------
    s : Scenario
    ens : Ensemble
        Its Monte Carlo, with the zones' reach (``zone_reached``).

    Returns
    -------
    list of IsolatedCommune
        Empty when the zones carry no commune code or the ensemble no zone reach.

    Examples
    --------
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("examples/rouen/scenarios/tempete.yaml")
    >>> from tousrisques.analysis import run_ensemble
    >>> from tousrisques.scenario import scenario_plan
    >>> ens = run_ensemble(scenario_plan(s), runs=2)
    >>> from tousrisques.results import isolated_communes
    >>> found = isolated_communes(s, ens)
    >>> all(c.unreached_h + c.cut_h > 0 for c in found)
    True
    """
    zones = s.territory.zones
    key = next((k for k in COMMUNE_KEYS if k in zones.attrs), None)
    if key is None or ens.zone_reached is None:
        return []
    codes = np.asarray([str(v) for v in zones.attrs[key]], dtype=object)
    name_key = next((k for k in NAME_KEYS if k in zones.attrs and k != key), None)
    names = ([str(v) for v in zones.attrs[name_key]] if name_key else [""] * len(codes))
    hours = ens.times_s / 3600
    step = float(hours[1] - hours[0]) if len(hours) > 1 else 0.0
    reached = ens.zone_reached[:, -1, :]  # (times, zones), at least one broadcast channel
    pop = np.asarray(zones.population, dtype=np.float64)
    cells = _cells_by_commune(s, codes)
    actors = s.territory.actors
    share = connected_share(ens, [a.id for a in actors]) if actors else np.zeros((0, 0))
    out: list[IsolatedCommune] = []
    for code in dict.fromkeys(codes.tolist()):
        mine = codes == code
        people = float(pop[mine].sum())
        reach = (reached[:, mine] @ pop[mine]) / people if people > 0 else \
            np.ones(len(hours))
        unreached = reach < 0.5
        members = cells.get(code, [])
        cut_each = share[members] < 0.5 if members else np.zeros((0, len(hours)), bool)
        cut = cut_each.any(axis=0) if members else np.zeros(len(hours), bool)
        isolated = unreached | cut
        if not isolated.any():
            continue
        ks = np.nonzero(isolated)[0]
        first = int(np.nonzero(mine)[0][0])
        out.append(IsolatedCommune(
            str(code), names[first], people, float(unreached.sum() * step),
            float(cut.sum() * step), float(hours[ks[0]]),
            None if isolated[-1] else float(hours[ks[-1]]), float(reach.min()),
            [text_of(actors[m].name) for m, row in zip(members, cut_each, strict=True)
             if row.any()]))
    out.sort(key=lambda c: (-max(c.unreached_h, c.cut_h), -c.population, c.code))
    return out
