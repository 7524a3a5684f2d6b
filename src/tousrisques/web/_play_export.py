"""The shared map's annotations for download: GeoJSON (for QGIS) and HXL-tagged CSV (the
Humanitarian Exchange Language: a header row, then a row of hashtags), both limited to what
the caller may see.

HXL tags, from the HXL 1.1 dictionary: ``#meta+code`` (the annotation's id),
``#event+type`` (its category), ``#description``, ``#geo+lat`` and ``#geo+lon`` (a line's
first point), ``#geo+wkt`` (the whole geometry; ``+wkt`` is an attribute of our own, HXL
allows them), ``#org+code`` (the author: an actor id, or ``facilitator``),
``#date+occurred`` (when, on the scenario's clock) and ``#date+reported`` (the real time).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import shapely

from tousrisques._csvsafe import escape_cell
from tousrisques._i18n import N_, gettext
from tousrisques.exercise import Event, Exercise

__all__ = ["BOM", "CATEGORY_LABELS", "HXL_COLUMNS", "annotations_csv", "annotations_geojson"]

#: each category of ``ANNOTATION_CATEGORIES`` in words (translated by the catalog)
CATEGORY_LABELS = {"road_cut": N_("Road cut"), "shelter_open": N_("Shelter open"),
                   "power_restored": N_("Power restored"), "rumour": N_("Rumour to check"),
                   "other": N_("Other")}
#: the CSV's columns (their labels, translated by the catalog) and their HXL hashtags
HXL_COLUMNS = ((N_("id"), "#meta+code"), (N_("category"), "#event+type"),
               (N_("description"), "#description"), (N_("latitude"), "#geo+lat"),
               (N_("longitude"), "#geo+lon"), (N_("geometry (WKT)"), "#geo+wkt"),
               (N_("author"), "#org+code"), (N_("scenario time"), "#date+occurred"),
               (N_("real time"), "#date+reported"))
#: the byte order mark: a spreadsheet (Excel in French) then reads the file as UTF-8
BOM = "\ufeff"


def _label(category: str, lang: str) -> str:
    return gettext(CATEGORY_LABELS[category], lang) if category in CATEGORY_LABELS else category


def annotations_geojson(events: list[Event], ex: Exercise, lang: str) -> bytes:
    """The ``annotation.added`` events as a GeoJSON FeatureCollection.

    Parameters
    ----------
    events : list of Event
        What the caller may see (other kinds are skipped).
    ex : Exercise
        For the scenario's clock.
    lang : str

    Returns
    -------
    bytes

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from tousrisques.exercise import Exercise
    >>> from tousrisques.scenario import load_scenario
    >>> s = load_scenario("src/tousrisques/templates/petite-ville/scenarios/tempete.yaml")
    >>> e = Event("annotation.added", datetime(2026, 1, 1, tzinfo=UTC), 3600.0, "CIS",
    ...           {"id": "A1", "actor": "CIS", "name": "Paul", "category": "road_cut",
    ...            "text": "Tree", "geometry": {"type": "Point", "coordinates": [1.0, 49.3]},
    ...            "shared": True, "reason": None}, seq=5)
    >>> doc = json.loads(annotations_geojson([e], Exercise.for_run(s, 0), "fr"))
    >>> doc["features"][0]["properties"]["category_label"]
    'Route coupée'
    """
    features = []
    for e in events:
        if e.kind != "annotation.added":
            continue
        p = e.payload
        features.append({"type": "Feature", "geometry": p["geometry"], "properties": {
            "id": p["id"], "category": p["category"],
            "category_label": _label(str(p["category"]), lang), "text": p["text"],
            "author": e.author, "name": p.get("name"), "scenario_s": e.scenario_s,
            "scenario_time": ex.clock_text(e.scenario_s, lang),
            "real_time": e.real_time.isoformat(), "shared": p.get("shared")}})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode()


def _first(geometry: dict[str, Any]) -> list[float]:
    coords = geometry["coordinates"]
    return list(coords[0] if geometry["type"] == "LineString" else coords)


def annotations_csv(events: list[Event], ex: Exercise, lang: str) -> str:
    """The ``annotation.added`` events as HXL-tagged CSV, every cell safe in a spreadsheet:
    a byte order mark first (so that Excel reads UTF-8, not « coupÃ©e »), the columns'
    labels in ``lang``, then the row of HXL hashtags, then one row per annotation.

    Parameters
    ----------
    events : list of Event
    ex : Exercise
    lang : str

    Returns
    -------
    str

    Examples
    --------
    >>> text = annotations_csv([], None, "fr")  # type: ignore[arg-type]
    >>> text.startswith(BOM), text[1:].splitlines()[0][:35]
    (True, 'identifiant,catégorie,description,l')
    >>> text.splitlines()[1]
    '#meta+code,#event+type,#description,#geo+lat,#geo+lon,#geo+wkt,#org+code,#date+occurred,#date+reported'
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([gettext(name, lang) for name, _ in HXL_COLUMNS])
    writer.writerow([tag for _, tag in HXL_COLUMNS])
    for e in events:
        if e.kind != "annotation.added":
            continue
        p = e.payload
        lon, lat = _first(p["geometry"])
        wkt = shapely.to_wkt(shapely.geometry.shape(p["geometry"]), rounding_precision=6)
        writer.writerow([escape_cell(str(v)) for v in (
            p["id"], _label(str(p["category"]), lang), p["text"], f"{lat:.6f}", f"{lon:.6f}",
            wkt, e.author, ex.clock_text(e.scenario_s, lang), e.real_time.isoformat())])
    return out.getvalue()
