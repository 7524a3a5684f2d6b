"""Footprints and territory GeoJSON files in another CRS (issue 9, item 7).

A ``crs`` member is read and the coordinates reprojected from it (not read as WGS84, which
damaged nothing); one that cannot be read refuses the file; coordinates are range-checked
after reprojection; a footprint entirely outside the territory gets a warning.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer

from tests.conftest import copy_example, write_scenario
from tousrisques import ValidationError, load_territory
from tousrisques.scenario import load_scenario

L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
CENTRE = (1.0125, 49.291)  # Petite-Ville
OLD_STYLE = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}

SCENARIO = """name: crs
territory: ..
duration: 12h
step: 1h
hazards:
  - id: flood
    footprint: {file}
    fragility: {{antenna: {{step: {{threshold: 1}}}}, line: {{step: {{threshold: 1}}}},
                transformer: {{step: {{threshold: 1}}}}, site: {{step: {{threshold: 1}}}}}}
"""


def square(lon: float, lat: float, half: float) -> list[list[float]]:
    return [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]


def footprint(ring: list[list[float]], crs: Any = None, **props: Any) -> str:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"intensity": 5, **props},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if crs is not None:
        data["crs"] = crs
    return json.dumps(data)


def in_l93(ring: list[list[float]]) -> list[list[float]]:
    return [list(L93.transform(x, y)) for x, y in ring]


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def scenario_with(folder: Path, name: str, text: str) -> Path:
    (folder / "scenarios" / f"{name}.geojson").write_text(text, encoding="utf-8")
    return write_scenario(folder, f"{name}.yaml", SCENARIO.format(file=f"{name}.geojson"))


def test_a_lambert93_footprint_damages_what_its_wgs84_twin_damages(town: Path) -> None:
    ring = square(*CENTRE, 0.01)
    wgs = load_scenario(scenario_with(town, "wgs", footprint(ring)))
    exposed = wgs.exposure["flood"] > 0
    assert exposed.sum() >= 3  # the footprint covers part of the town
    for name, crs in (("old", OLD_STYLE), ("plain", "EPSG:2154"),
                      ("epsg", {"type": "EPSG", "properties": {"code": 2154}})):
        s = load_scenario(scenario_with(town, name, footprint(in_l93(ring), crs)))
        assert np.array_equal(s.exposure["flood"] > 0, exposed), name
        assert not [p for p in s.warnings if p.code == "footprint.outside"]


def test_a_wgs84_crs_member_changes_nothing(town: Path) -> None:
    ring = square(*CENTRE, 0.01)
    crs84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    a = load_scenario(scenario_with(town, "a", footprint(ring)))
    b = load_scenario(scenario_with(town, "b", footprint(ring, crs84)))
    c = load_scenario(scenario_with(town, "c", footprint(ring, "EPSG:4326")))
    assert np.array_equal(a.exposure["flood"], b.exposure["flood"])
    assert np.array_equal(a.exposure["flood"], c.exposure["flood"])


@pytest.mark.parametrize("crs", [
    {"type": "name", "properties": {"name": "EPSG:999999"}},
    {"type": "link", "properties": {"href": "http://example.com/crs", "type": "proj4"}},
    "not a crs at all",
    {"type": "name", "properties": {}},
])
def test_a_crs_that_cannot_be_read_refuses_the_footprint(town: Path, crs: Any) -> None:
    path = scenario_with(town, "bad", footprint(in_l93(square(*CENTRE, 0.01)), crs))
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    (p,) = [p for p in info.value.problems if p.code == "crs.unreadable"]
    assert p.file == "bad.geojson" and p.field == "crs"
    assert "crs member" in p.render("en") and "membre crs" in p.render("fr")


def test_coordinates_out_of_range_after_reprojection(town: Path) -> None:
    # Lambert-93 numbers in a file that says nothing of its CRS: read as WGS84, out of range
    path = scenario_with(town, "raw", footprint(in_l93(square(*CENTRE, 0.01))))
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    (p,) = [p for p in info.value.problems if p.code == "geom.range"]
    assert p.feature == 1 and p.field == "geometry"


def test_a_footprint_outside_the_territory_is_a_warning(town: Path) -> None:
    s = load_scenario(scenario_with(town, "far", footprint(square(5.4, 43.3, 0.05))))
    (p,) = [p for p in s.warnings if p.code == "footprint.outside"]
    assert p.severity == "warning" and p.file == "far.geojson"
    assert (s.exposure["flood"] == 0).all()
    assert "entirely outside the territory" in p.render("en")
    assert "entièrement hors du territoire" in p.render("fr")


# ----------------------------------------------------------- territory GeoJSON files


def _power_l93(crs: Any) -> str:
    def pt(lon: float, lat: float) -> list[float]:
        return list(L93.transform(lon, lat))

    data = {"type": "FeatureCollection", "crs": crs, "features": [
        {"type": "Feature", "properties": {"id": "S1", "kind": "substation", "source": True},
         "geometry": {"type": "Point", "coordinates": pt(1.0, 49.3)}},
        {"type": "Feature", "properties": {"id": "L1", "kind": "line", "connects": ["S1", "T1"]},
         "geometry": {"type": "LineString", "coordinates": [pt(1.0, 49.3), pt(1.01, 49.31)]}},
        {"type": "Feature", "properties": {"id": "T1", "kind": "transformer"},
         "geometry": {"type": "Point", "coordinates": pt(1.01, 49.31)}}]}
    return json.dumps(data)


def test_territory_geojson_in_lambert93_is_reprojected(
        make_territory: Callable[..., Path]) -> None:
    t = load_territory(make_territory(**{"assets/power.geojson": _power_l93(OLD_STYLE)}))
    row = t.assets.row_of("T1")
    assert t.assets.lon[row] == pytest.approx(1.01, abs=1e-7)
    assert t.assets.lat[row] == pytest.approx(49.31, abs=1e-7)
    line = t.assets.shapes[t.assets.row_of("L1")]
    assert line.bounds == pytest.approx((1.0, 49.3, 1.01, 49.31), abs=1e-7)


def test_territory_geojson_with_an_unreadable_crs_is_refused(
        make_territory: Callable[..., Path]) -> None:
    bad = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}
    with pytest.raises(ValidationError) as info:
        load_territory(make_territory(**{"assets/power.geojson": _power_l93(bad)}))
    found = [p for p in info.value.problems if p.code == "crs.unreadable"]
    assert [(p.file, p.field) for p in found] == [("assets/power.geojson", "crs")]


def test_territory_geojson_in_lambert93_without_crs_is_out_of_range(
        make_territory: Callable[..., Path]) -> None:
    text = json.dumps({k: v for k, v in json.loads(_power_l93(OLD_STYLE)).items()
                       if k != "crs"})
    with pytest.raises(ValidationError) as info:
        load_territory(make_territory(**{"assets/power.geojson": text}))
    assert "geom.range" in {p.code for p in info.value.problems}
