"""The state of a territory at a time, as GeoJSON: what `tousrisques export --geojson`
writes for QGIS."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely

from tousrisques.analysis._ensemble import Ensemble
from tousrisques.engine import CAUSES, Timeline
from tousrisques.scenario import Scenario


def state_geojson(s: Scenario, tl: Timeline, when: float, ens: Ensemble | None
                     ) -> dict[str, Any]:
    """The state at ``when``: every asset with its state and last cause, every zone with
    its population and (from a run folder's ensemble) the share of runs in which a broadcast
    reaches it, as a GeoJSON FeatureCollection in WGS84 (for QGIS).

    Parameters
    ----------
    s : Scenario
    tl : Timeline
        A run of ``s``.
    when : float
        Seconds from the start.
    ens : Ensemble, optional
        For the share of runs that reach each zone.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.

    Examples
    --------
    >>> from tousrisques.analysis import make_study
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> study = make_study(s, runs=2)
    >>> from tousrisques.analysis import state_geojson
    >>> g = state_geojson(s, study.timeline, 6 * 3600, study.ensemble)
    >>> g["type"], g["features"][0]["properties"]["id"]
    ('FeatureCollection', 'PS-ELBEUF')
    """
    t_ = s.territory
    k = tl.index_at(when)
    working = tl.working_at(k)
    present = tl.present_at(k)
    names = t_.assets.attrs.get("name")
    features: list[dict[str, Any]] = []
    log = tl.log
    last_cause: dict[int, str] = {}
    done = np.nonzero(log.time_s <= tl.times_s[k])[0]
    for i in done.tolist():
        last_cause[int(log.asset[i])] = CAUSES[int(log.cause[i])]
    geoms = t_.assets.geometry
    for i in range(len(t_.assets)):
        g = geoms[i]
        if g is None:
            continue
        state = "absent" if not present[i] else ("working" if working[i] else "down")
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
                         "properties": {"id": t_.assets.id_of(i), "layer": "asset",
                                        "kind": t_.kind_of(i),
                                        "name": str(names[i]) if names is not None
                                        and names[i] else None,
                                        "state": state,
                                        "cause": last_cause.get(i) if state == "down"
                                        else None}})
    zg = t_.zones.geometry
    reached = None
    if ens is not None and ens.zone_reached is not None:
        kk = int(np.argmin(np.abs(ens.times_s - tl.times_s[k])))
        reached = ens.zone_reached[kk, -1]
    for z in range(len(t_.zones)):
        if zg[z] is None:
            continue
        props: dict[str, Any] = {"id": str(t_.zones.ids[z].as_py()), "layer": "zone",
                                 "population": float(t_.zones.population[z])}
        if reached is not None:
            props["reached_share"] = float(reached[z])
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(zg[z])),
                         "properties": props})
    return {"type": "FeatureCollection", "name": f"{s.path.stem} at {tl.times_s[k] / 3600:g} h",
            "features": features}
