"""Communes for the maps: the zones grouped by their commune's code, each with its name, its
people and a point inside it where its name is written; and, per commune, what the
representative run counts there at a moment (people without power, assets of a kind down).

A territory says which zones make a commune by a zone attribute among
``territory.communes.COMMUNE_KEYS`` (``insee`` first) and names it with one among
:data:`NAME_KEYS` (``commune``, ``nom``, ``name``…). Without a code, each zone is its own
unit, named by its ``name`` when it has one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.ops import polylabel

from tousrisques._i18n import N_, Msg, Text, Words
from tousrisques.analysis import Study
from tousrisques.indicators import without_power
from tousrisques.report._data import Choropleth, MapUnit, Ring
from tousrisques.results import worst_time
from tousrisques.territory.communes import COMMUNE_KEYS, NEAREST_ZONE_M

NAME_KEYS = ("commune", "nom_commune", "commune_name", "nom", "name")  # what a commune is called
SIMPLIFY_M = 15.0  # below what a printed map of a métropole shows
WITHOUT_POWER = "population_without_power"


def rings(geom: shapely.Geometry, simplify: float = 0.0) -> list[Ring]:
    """Outer rings of a (multi)polygon, simplified by ``simplify`` metres, rounded to the
    metre.

    Examples
    --------
    >>> rings(shapely.box(0, 0, 10, 10))
    [[(10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0), (10.0, 0.0)]]
    """
    if simplify:
        geom = shapely.simplify(geom, simplify)
    out = []
    for p in getattr(geom, "geoms", [geom]):
        if isinstance(p, shapely.Polygon) and not p.is_empty:
            xy = np.round(np.asarray(p.exterior.coords)[:, :2])
            out.append([(float(x), float(y)) for x, y in xy])
    return out


def _label_point(geom: shapely.Geometry) -> tuple[float, float]:
    """The pole of inaccessibility of the largest part: where a name sits best inside."""
    parts = [p for p in getattr(geom, "geoms", [geom]) if isinstance(p, shapely.Polygon)]
    if not parts:
        c = shapely.centroid(geom)
        return float(c.x), float(c.y)
    big = max(parts, key=lambda p: p.area)
    p = polylabel(big, tolerance=max(10.0, big.length / 500))
    return round(float(p.x)), round(float(p.y))


def _attr(attrs: dict[str, npt.NDArray[np.object_]], keys: Sequence[str]) -> str | None:
    return next((k for k in keys if k in attrs), None)


def communes(attrs: dict[str, npt.NDArray[np.object_]], zone_ids: Sequence[str],
             population: npt.NDArray[np.float64], shapes: npt.NDArray[np.object_],
             empty: npt.NDArray[np.bool_]
             ) -> tuple[list[MapUnit], npt.NDArray[np.object_]]:
    """The units of a territory's zones (``shapes``: metric, valid polygons) and each unit's
    merged shape (to place assets in them).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> shapes = np.array([shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000),
    ...                    shapely.box(0, 1000, 1000, 2000)], dtype=object)
    >>> attrs = {"insee": np.array(["1", "1", "2"], object),
    ...          "commune": np.array(["Aa", "Aa", "Bb"], object)}
    >>> units, merged = communes(attrs, ["z1", "z2", "z3"], np.array([10.0, 20, 5]), shapes,
    ...                          np.zeros(3, bool))
    >>> [(u.id, u.name, u.population, u.zones) for u in units]
    [('1', 'Aa', 30.0, [0, 1]), ('2', 'Bb', 5.0, [2])]
    """
    group_key = _attr(attrs, COMMUNE_KEYS)
    name_key = _attr(attrs, NAME_KEYS)
    n = len(zone_ids)
    codes = [str(v) for v in attrs[group_key]] if group_key else list(zone_ids)
    names = [str(v) if v is not None and str(v) else "" for v in attrs[name_key]] \
        if name_key else [""] * n
    order: dict[str, list[int]] = {}
    for z, code in enumerate(codes):
        if not empty[z]:
            order.setdefault(code, []).append(z)
    units: list[MapUnit] = []
    merged: list[shapely.Geometry] = []
    for code, zs in order.items():
        shape = shapes[zs[0]] if len(zs) == 1 else shapely.union_all(shapes[zs], grid_size=1.0)
        name = next((names[z] for z in zs if names[z]), code)
        units.append(MapUnit(code, name, float(population[zs].sum()),
                             rings(shape, SIMPLIFY_M), _label_point(shape), zs))
        merged.append(shape)
    return units, np.array(merged, dtype=object)


def unit_of(merged: npt.NDArray[np.object_], x: npt.NDArray[np.float64],
            y: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """The unit each point lies in (the nearest within ``NEAREST_ZONE_M`` when in none; -1 when
    farther or not located).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> merged = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], object)
    >>> unit_of(merged, np.array([5.0, 15, 25, 9000, np.nan]),
    ...         np.array([5.0, 5, 5, 5, 5])).tolist()
    [0, 1, 1, -1, -1]
    """
    out = np.full(len(x), -1, np.int64)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any() or not len(merged):
        return out
    tree = shapely.STRtree(merged)
    rows = np.nonzero(ok)[0]
    pts = shapely.points(x[rows], y[rows])
    pt, unit = tree.query(pts, predicate="intersects")
    out[rows[pt[::-1]]] = unit[::-1]  # the first unit that holds it
    rest = rows[out[rows] < 0]
    if len(rest):
        pt, unit = tree.query_nearest(shapely.points(x[rest], y[rest]), max_distance=NEAREST_ZONE_M)
        out[rest[pt]] = unit
    return out


def choropleths(study: Study, units: list[MapUnit], merged: npt.NDArray[np.object_],
                kinds: Sequence[str]) -> list[Choropleth]:
    """Per commune, in the representative run: people without power at the worst moment of
    ``population_without_power`` (when the territory counts it), then for each of ``kinds``
    its assets not working among those there, at the worst moment of
    ``assets_working:<kind>`` (the means over the runs say when)."""
    s, ens, tl = study.scenario, study.ensemble, study.timeline
    t = s.territory
    out: list[Choropleth] = []
    if not units:
        return out
    hours = ens.times_s / 3600
    if WITHOUT_POWER in ens.names:
        k = worst_time(ens, WITHOUT_POWER, highest=True)
        share = without_power(s.compiled, tl.working_at(k))
        pop = t.zones.population
        out.append(Choropleth("without_power", "", Msg(N_("people without power")),
                              float(hours[k]),
                              [float((pop[u.zones] * share[u.zones]).sum()) for u in units],
                              [float(pop[u.zones].sum()) for u in units]))
    a = t.assets
    for kind in kinds:
        name = f"assets_working:{kind}"
        if kind not in t.kind_names or name not in ens.names:
            continue
        k = worst_time(ens, name)
        rows = np.nonzero(a.kind == t.kind_names.index(kind))[0]
        where = unit_of(merged, a.x[rows], a.y[rows])
        present = tl.present_at(k)[rows]
        down = present & ~tl.working_at(k)[rows]
        total = np.bincount(where[where >= 0], weights=present[where >= 0], minlength=len(units))
        hit = np.bincount(where[where >= 0], weights=down[where >= 0], minlength=len(units))
        spec = t.kinds[kind]
        label: Words = Text(spec.label("en"), spec.label("fr"))
        out.append(Choropleth("down", kind, label, float(hours[k]), hit.tolist(),
                              total.tolist()))
    return out
