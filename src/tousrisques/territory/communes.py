"""Population zones from administrative boundaries joined to population counts by code.

For French communes: boundaries from the IGN/Etalab GeoJSON (``code`` = INSEE code) and the
legal populations of INSEE (``@etalab/decoupage-administratif``). Names differ between sources
("Havre" / "Le Havre"), so the join is on the INSEE code, never on the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tousrisques._exceptions import InputError

#: the zone attributes that say which commune a zone belongs to, in order of trust: zones
#: that share the first one present make one commune (the report's maps, its isolated
#: communes)
COMMUNE_KEYS = ("insee", "code_insee", "commune_code", "commune")
#: an asset just outside every zone counts in the nearest one, this close (metres)
NEAREST_ZONE_M = 2_000.0


def zones_from_boundaries(boundaries: Mapping[str, Any], populations: Mapping[str, float], *,
                          codes: Iterable[str] | None = None, code_field: str = "code",
                          name_field: str = "nom", prefix: str = "") -> dict[str, Any]:
    """A zones FeatureCollection: one zone per boundary whose code is in ``codes`` (all when
    None), with ``population`` from ``populations[code]``.

    Raises :class:`InputError` naming every wanted code that has no boundary or no population.
    """
    features = boundaries.get("features") if isinstance(boundaries, Mapping) else None
    if not isinstance(features, list):
        raise InputError("communes.not_collection")
    by_code = {}
    for f in features:
        props = f.get("properties") or {}
        if code_field in props:
            by_code[str(props[code_field])] = f
    wanted = list(dict.fromkeys(codes)) if codes is not None else list(by_code)
    no_shape = [c for c in wanted if c not in by_code]
    no_pop = [c for c in wanted if c not in populations]
    if no_shape or no_pop:
        if no_shape and no_pop:
            raise InputError("communes.unmatched", codes=", ".join(no_shape),
                             other=", ".join(no_pop))
        if no_shape:
            raise InputError("communes.no_boundary", codes=", ".join(no_shape))
        raise InputError("communes.no_population", codes=", ".join(no_pop))
    out = []
    for c in wanted:
        f = by_code[c]
        props = f.get("properties") or {}
        out.append({"type": "Feature",
                    "properties": {"id": f"{prefix}{c}", "name": props.get(name_field, c),
                                   "insee": c, "population": populations[c]},
                    "geometry": f.get("geometry")})
    return {"type": "FeatureCollection", "features": out}
