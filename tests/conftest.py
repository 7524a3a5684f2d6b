"""Shared fixtures: small territories written in code, and the shared reference data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every time (a submission lands or not on its own merits);
# local runs explore new ones, and what they find is kept in .hypothesis/ and replayed
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "tousrisques" / "templates" / "petite-ville"
SHARED = ROOT.parent / "shared" / "testdata"

MINIMAL = {
    "territory.yaml": """\
name: Minimal
timezone: Europe/Paris
metric_crs: EPSG:2154
assets: [assets/power.geojson, assets/telecom.csv]
links: [links/links.csv]
zones: zones.geojson
channels: channels.yaml
actors: actors.yaml
""",
    "assets/power.geojson": """\
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "S1", "kind": "substation", "source": true},
  "geometry": {"type": "Point", "coordinates": [1.0, 49.3]}},
 {"type": "Feature", "properties": {"id": "L1", "kind": "line", "connects": ["S1", "T1"]},
  "geometry": {"type": "LineString", "coordinates": [[1.0, 49.3], [1.01, 49.31]]}},
 {"type": "Feature", "properties": {"id": "T1", "kind": "transformer"},
  "geometry": {"type": "Point", "coordinates": [1.01, 49.31]}}
]}
""",
    "assets/telecom.csv": """\
id,kind,lon,lat,requires,connects
CORE,core,1.02,49.32,T1,
A1,antenna,1.011,49.311,T1@2h,
SITE,site,1.012,49.312,T1,
""",
    "links/links.csv": "from,to,layer\nA1,CORE,telecom\n",
    "zones.geojson": """\
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"id": "Z1", "population": 1000, "vulnerable": 50,
   "requires": "T1"},
  "geometry": {"type": "Polygon", "coordinates": [[[1.0, 49.3], [1.02, 49.3], [1.02, 49.32],
   [1.0, 49.32], [1.0, 49.3]]]}}
]}
""",
    "channels.yaml": """\
channels:
  - id: mobile
    name: {fr: Mobile, en: Mobile}
    mode: point_to_point
    latency: 1m
    requires: CORE
    coverage: antenna
  - id: fr-alert
    name: FR-Alert
    mode: broadcast
    latency: 10m
    requires: [CORE]
    coverage: antenna
    triggered_by: [prefecture]
""",
    "actors.yaml": """\
actors:
  - id: COD
    name: Préfecture
    role: prefecture
    site: SITE
    channels: [mobile, fr-alert]
    crisis_cell: true
  - id: MAIRIE
    name: Mairie
    role: mayor
    site: SITE
    channels: [mobile]
    reports_to: [COD]
""",
}

MakeTerritory = Callable[..., Path]


def copy_example(tmp_path: Path) -> Path:
    """A writable copy of the example town, without its compiled cache."""
    import shutil

    folder = tmp_path / "petite-ville"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".tousrisques"))
    return folder


def write_scenario(folder: Path, name: str, text: str) -> Path:
    """Write a scenario file in the copy's scenarios/ folder."""
    path = folder / "scenarios" / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def make_territory(tmp_path: Path) -> MakeTerritory:
    """Write the minimal valid territory, with some files replaced (``None`` removes one).

    ``make_territory(**{"assets/telecom.csv": "..."})`` returns the folder.
    """

    def make(files: dict[str, str | bytes | None] | None = None, **more: str | None) -> Path:
        content: dict[str, str | bytes | None] = {**MINIMAL, **(files or {}), **more}
        folder = tmp_path / "territory"
        for rel, text in content.items():
            path = folder / rel
            if text is None:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return folder

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long end-to-end tests (marked slow) first, in their order: with ``-n 2 --dist
    worksteal`` no worker then starts a 50-second test when the other has nothing left."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1)
