"""Review of the scenario part: untrusted scenario files, exposure, builders, Monte Carlo, the
Rouen sample. Expected values are worked out by hand from the coordinates below."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from tests.conftest import EXAMPLE, MINIMAL, ROOT, SHARED, copy_example, write_scenario
from tests.runs import run_scenario
from tousrisques import ValidationError, load_territory
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problem
from tousrisques.scenario import flood, load_scenario, plume, storm
from tousrisques.scenario._exposure import project_geometries, stage_exposures
from tousrisques.territory.samples.rouen import build

H = 3600
L93 = "EPSG:2154"
GEOD = Geod(ellps="WGS84")
BASE = "name: test\nterritory: ..\nduration: 24h\nstep: 1h\n"  # lines 1-4
BOX = [[0.9, 49.2], [1.1, 49.2], [1.1, 49.4], [0.9, 49.4], [0.9, 49.2]]  # all of Petite-Ville


_copy_example = copy_example
_write = write_scenario


def _feature(geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def _collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _problems(path: Path, **kw: Any) -> list[Problem]:
    """The problems of a scenario that must be refused; a crash propagates (test fails)."""
    try:
        load_scenario(path, **kw)
    except ValidationError as exc:
        return list(exc.problems)
    pytest.fail(f"{path.name} was accepted")


def _load_elsewhere(path: Path, timeout: int = 20) -> Any:
    """load_scenario in a child process, for files that may make it run forever."""
    code = textwrap.dedent("""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
        from tousrisques import ValidationError
        from tousrisques.scenario import load_scenario
        try:
            load_scenario(sys.argv[1])
            print(json.dumps("accepted"))
        except ValidationError as exc:
            print(json.dumps([[p.file, p.line, p.field, p.code] for p in exc.problems]))
    """)
    try:
        # the system allocator: jemalloc's reservations and thread start-up under an
        # address-space limit can abort the child at exit, after its answer
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT, check=False,
                              env={**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_scenario({path.name}) still running after {timeout} s")
    assert done.returncode == 0, done.stderr[-1500:]
    return json.loads(done.stdout.splitlines()[-1])


def _metric(lon: float, lat: float, crs: str = L93) -> tuple[float, float]:
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _targets(points: list[tuple[float, float]], crs: str = L93) -> np.ndarray:
    return project_geometries(np.array([shapely.Point(p) for p in points], dtype=object), crs)


def _toward(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return float(x), float(y)


# --- untrusted scenario files: a problem with file, line and field, never a traceback ------

H7 = BASE + "hazards:\n  - id: h\n    "  # the builder sits on line 7


@pytest.mark.parametrize(("text", "line", "field"), [
    pytest.param(H7 + "storm: {start_point: [1, 49.29], end_point: [1, 49.29], start: 1h, "
                 "end: 2h, peak_kmh: 100, radius_m: .inf}\n", 7, "radius_m", id="storm-radius-inf"),
    pytest.param(H7 + "storm: {start_point: [1, 49.29], end_point: [1, 49.29], start: 1h, "
                 "end: 2h, step: 0s, peak_kmh: 100, radius_m: 100}\n", 7, "step",
                 id="storm-step-0s"),
    pytest.param(H7 + "storm: {start_point: [.nan, 49.29], end_point: [1, 49.29], start: 1h, "
                 "end: 2h, peak_kmh: 100, radius_m: 1000}\n", 7, "start_point",
                 id="storm-point-nan"),
    pytest.param(H7 + "storm: {start_point: [1, 200], end_point: [1, 49.29], start: 1h, "
                 "end: 2h, peak_kmh: 100, radius_m: 1000}\n", 7, "start_point",
                 id="storm-latitude-200"),
    pytest.param(H7 + "storm: {start_point: [1, 49.29], end_point: [1, 49.29], start: 5h, "
                 "end: 2h, peak_kmh: 100, radius_m: 1000}\n", 7, "storm",
                 id="storm-ends-before-it-starts"),
    pytest.param(H7 + "plume: {source: [.inf, 49.29], wind_from_deg: 10, wind_speed_ms: 3, "
                 "duration: 2h}\n", 7, "source", id="plume-source-inf"),
    pytest.param(H7 + "flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[.nan, 1, 1h]], "
                 "end: 2h}\n", 7, "bands", id="flood-distance-nan"),
    pytest.param(H7 + "flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[.inf, 1, 1h]], "
                 "end: 2h}\n", 7, "bands", id="flood-distance-inf"),
    pytest.param(H7 + "flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[100, 1, soon]], "
                 "end: 2h}\n", 7, "bands", id="flood-band-time-not-a-duration"),
    pytest.param(H7 + "flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[-100, 1, 1h]], "
                 "end: 2h}\n", 7, "bands", id="flood-negative-distance"),
    pytest.param(H7 + "flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[100, -1, 1h]], "
                 "end: 2h}\n", 7, "bands", id="flood-negative-depth"),
    pytest.param(BASE.replace("24h", "P" + "9" * 400 + "D"), 3, "duration",
                 id="duration-infinite"),
    pytest.param(BASE.replace("24h", "99999999999999999999d"), 3, "duration",
                 id="duration-huge"),  # 2.4e21 output steps: the run dies in numpy
])
def test_bad_values_give_a_problem_with_line_and_field(tmp_path: Path, text: str, line: int,
                                                       field: str) -> None:
    path = _write(_copy_example(tmp_path), "broken.yaml", text)
    problems = _problems(path)
    assert any(p.file == "broken.yaml" and p.line == line and field in (p.field or "")
               for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(("text", "line", "field"), [
    (BASE.replace("name: test", "name: null"), 1, "name"),
    (BASE.replace("24h", "0s"), 3, "duration"),
    (BASE.replace("step: 1h", "step: 0s"), 4, "step"),
    (BASE.replace("24h", "[24h]"), 3, "duration"),
    (BASE + "hazards: {id: h}\n", 5, "hazards"),
    (BASE + "hazards:\n  - id: h\n    storm: {start_point: abc, end_point: [1, 49], start: 1h,"
     " end: 2h, peak_kmh: 1, radius_m: 1}\n", 7, "hazards.0.storm.start_point"),
    (BASE + "hazards:\n  - id: h\n    storm: {start_point: [1, 49], end_point: [1, 49], "
     "start: 1h, end: 2h, peak_kmh: 1, radius_m: 1}\n    fragility: abc\n", 8,
     "hazards.0.fragility"),
    (BASE + "hazards:\n  - id: h\n    storm: {start_point: [1, 49], end_point: [1, 49], "
     "start: 1h, end: 2h, peak_kmh: 1, radius_m: 1}\n"
     "    fragility: {line: {step: {threshold: .nan}}}\n", 8, "fragility.line"),
    (BASE + "hazards:\n  - id: h\n    plume: {source: [1, 49], wind_from_deg: 400, "
     "wind_speed_ms: 3, duration: 2h}\n", 7, "hazards.0.plume.wind_from_deg"),
    (BASE + "hazards:\n  - id: h\n    footprint: 3\n", 7, "hazards.0.footprint"),
    (BASE + "events:\n  - {at: 1h, assets: T-NORD, cause: x}\n", 6, "events.0.assets"),
    (BASE + "events:\n  - {at: 1h, assets: [], cause: x}\n", 6, "events.0.assets"),
    (BASE + "events:\n  - {at: -1h, assets: [T-NORD], cause: x}\n", 6, "events.0.at"),
    (BASE + "events: [null]\n", 5, "events.0"),
    (BASE + "absent: [3]\n", 5, "absent.0"),
    (BASE + "repairs: {line: 2h}\n", 5, "repairs.line"),
    (BASE + "monte_carlo: abc\n", 5, "monte_carlo"),
    (BASE + "monte_carlo: {runs: 2.5}\n", 5, "monte_carlo.runs"),
    (BASE + "injects:\n  - {at: 1h, to: mayor, message: hi}\n", 6, "injects.0.to"),
    (BASE + "load_shedding:\n  - {name: x, feeders: [PS-ELBEUF], start: 1h, days: 0}\n", 6,
     "load_shedding.0.days"),
])
def test_wrong_types_everywhere(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = _write(_copy_example(tmp_path), "broken.yaml", text)
    problems = _problems(path)
    assert any(p.file == "broken.yaml" and p.line == line and p.field == field
               for p in problems), [str(p) for p in problems]


def test_negative_seed_does_not_crash_the_run(tmp_path: Path) -> None:
    """A seed of -1 must be refused with a problem (monte_carlo.seed, line 5) or run; today it
    passes validation and the run fails inside numpy (ValueError)."""
    path = _write(_copy_example(tmp_path), "seed.yaml",
                  BASE + "monte_carlo: {runs: 2, seed: -1}\n")
    try:
        run_scenario(path)
    except ValidationError as exc:
        assert any(p.line == 5 and "seed" in (p.field or "") for p in exc.problems)


@pytest.mark.parametrize(("territory", "line"), [
    ("./nowhere", 2),
    ("../assets", 2),  # a folder that is not a territory
])
def test_territory_that_is_not_there_is_a_problem_of_the_scenario(
        tmp_path: Path, territory: str, line: int) -> None:
    text = BASE.replace("territory: ..", f"territory: {territory}") + "colour: red\n"
    path = _write(_copy_example(tmp_path), "broken.yaml", text)
    problems = _problems(path)
    got = {(p.file, p.line, p.field) for p in problems}
    assert ("broken.yaml", line, "territory") in got, [str(p) for p in problems]
    assert ("broken.yaml", 5, "colour") in got  # and the other problems at once


def test_plume_with_a_zero_step_is_refused_not_an_endless_loop(tmp_path: Path) -> None:
    path = _write(_copy_example(tmp_path), "broken.yaml", H7 + (
        "plume: {source: [1.0125, 49.291], wind_from_deg: 10, wind_speed_ms: 3, duration: 2h, "
        "step: 0s}\n"))
    got = _load_elsewhere(path)
    assert got != "accepted"
    assert any(f == "broken.yaml" and ln == 7 and "step" in (fld or "")
               for f, ln, fld, _ in got), got


def test_storm_with_billions_of_stages_is_refused_quickly(tmp_path: Path) -> None:
    """A one-second step over ten years: 315 million stages; a scenario file must not be able
    to keep the loader busy for ever (it also ends far after the scenario's 24 h)."""
    path = _write(_copy_example(tmp_path), "broken.yaml", H7 + (
        "storm: {start_point: [1, 49.29], end_point: [1.02, 49.3], start: 0s, end: 3650d, "
        "step: 1s, peak_kmh: 100, radius_m: 1000}\n"))
    got = _load_elsewhere(path)
    assert got != "accepted"
    assert any(f == "broken.yaml" and ln == 7 for f, ln, _, _ in got), got


FOOT = BASE + "hazards:\n  - id: h\n    footprint: fp.geojson\n" \
              "    fragility: {line: {step: {threshold: 1}}}\n"


@pytest.mark.parametrize(("feature", "field"), [
    pytest.param(_feature(None, intensity=1), "geometry", id="geometry-null"),
    pytest.param(_feature("x", intensity=1), "geometry", id="geometry-string"),
    pytest.param(_feature({"type": "Blob", "coordinates": []}, intensity=1), "geometry",
                 id="geometry-unknown-type"),
    pytest.param(_feature({"type": "Point", "coordinates": [1.01, 49.29]}, intensity=1),
                 "geometry", id="geometry-point-not-polygon"),
    pytest.param(_feature({"type": "Polygon", "coordinates": [[[1, 2]]]}, intensity=1),
                 "geometry", id="geometry-one-point-ring"),
    pytest.param(_feature({"type": "Polygon", "coordinates": [BOX]}, intensity="nan"),
                 "intensity", id="intensity-nan"),
    pytest.param(_feature({"type": "Polygon", "coordinates": [BOX]}, intensity="inf"),
                 "intensity", id="intensity-inf"),
    pytest.param(_feature({"type": "Polygon", "coordinates": [BOX]}, intensity=-5),
                 "intensity", id="intensity-negative"),
    pytest.param(_feature({"type": "Polygon", "coordinates": [BOX]}, intensity=1, start="5h",
                          end="1h"), "end", id="ends-before-it-starts"),
])
def test_broken_footprint_features(tmp_path: Path, feature: dict[str, Any], field: str) -> None:
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(_collection(feature), encoding="utf-8")
    problems = _problems(_write(folder, "broken.yaml", FOOT))
    assert any(p.file == "fp.geojson" and p.feature == 1 and field in (p.field or "")
               for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(("content", "code"), [
    ("hello {", "json.syntax"),
    ("[1, 2]", "geojson.collection"),
    ('{"type": "FeatureCollection", "features": "abc"}', "geojson.collection"),
])
def test_footprint_that_is_not_a_feature_collection(tmp_path: Path, content: str,
                                                    code: str) -> None:
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(content, encoding="utf-8")
    problems = _problems(_write(folder, "broken.yaml", FOOT))
    assert [p.code for p in problems if p.file == "fp.geojson"] == [code]


def test_absolute_footprint_path_is_refused(tmp_path: Path) -> None:
    """The territory refuses files outside its folder (file.outside); a scenario reads any
    file of the machine it is given, and echoes its path in the problems."""
    folder = _copy_example(tmp_path)
    elsewhere = tmp_path / "elsewhere.geojson"
    elsewhere.write_text(_collection(_feature({"type": "Polygon", "coordinates": [BOX]},
                                              intensity=1)), encoding="utf-8")
    path = _write(folder, "broken.yaml", FOOT.replace("fp.geojson", str(elsewhere)))
    problems = _problems(path)
    assert any(p.file == "broken.yaml" and p.line == 7 and "footprint" in (p.field or "")
               for p in problems), [str(p) for p in problems]


def test_footprint_read_limits_are_the_callers(tmp_path: Path) -> None:
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(_collection(*[
        _feature({"type": "Polygon", "coordinates": [BOX]}, intensity=1)] * 50),
        encoding="utf-8")
    size = (folder / "scenarios" / "fp.geojson").stat().st_size
    # large enough for every territory file, too small for the footprint
    biggest = max(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.suffix in
                  (".csv", ".geojson") and p.name != "fp.geojson")
    assert biggest < size
    problems = _problems(_write(folder, "big.yaml", FOOT),
                         limits=ReadLimits(max_data_bytes=(biggest + size) // 2))
    assert [p.code for p in problems if p.file == "fp.geojson"] == ["file.too_large"]


def test_duplicate_ids_and_globs_matching_nothing(tmp_path: Path) -> None:
    storm_ = ("    storm: {start_point: [1, 49.29], end_point: [1.02, 49.3], start: 1h, "
              "end: 2h, peak_kmh: 100, radius_m: 1000}\n")
    text = (BASE + "hazards:\n  - id: h\n" + storm_ + "  - id: h\n" + storm_ +
            "mitigations:\n  - {name: m, assets: ['NOPE-*']}\n"
            "events:\n  - {at: 1h, assets: ['ZZ?'], cause: x}\n")
    problems = _problems(_write(_copy_example(tmp_path), "broken.yaml", text))
    got = {(p.code, p.line, p.field) for p in problems}
    assert ("field.invalid", 8, "id") in got  # "hazard id 'h' is used twice"
    assert ("ref.asset", 11, "mitigations.assets") in got
    assert ("ref.asset", 13, "events.assets") in got


def test_fragility_for_a_kind_without_assets_is_harmless(tmp_path: Path) -> None:
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(_collection(
        _feature({"type": "Polygon", "coordinates": [BOX]}, intensity=10)), encoding="utf-8")
    text = FOOT.replace("{line: {step: {threshold: 1}}}",
                        "{fm_transmitter: {step: {threshold: 1}}}")
    s = load_scenario(_write(folder, "ok.yaml", text))
    assert (s.hazards[0].probability == 0).all()
    assert s.exposure["h"].max() == 10


def test_empty_footprint_exposes_nothing(tmp_path: Path) -> None:
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(_collection(), encoding="utf-8")
    s = load_scenario(_write(folder, "ok.yaml", FOOT))
    assert (s.exposure["h"] == 0).all() and (s.hazards[0].probability == 0).all()


# --- exposure ------------------------------------------------------------------------------

EXPOSURE = {
    # a corner exactly on T-NORD (1.0120, 49.2960); ANT-NORD inside; L-NORD ends at T-NORD;
    # the NRO-PV–CORE-RN backhaul (connects only) crosses it; Z-PLATEAU overlaps it
    "corner": [_feature({"type": "Polygon", "coordinates": [_box(1.0120, 49.2960, 1.03, 49.31)]},
                        intensity=7)],
    # a thin strip crossed by L-NORD (y≈49.2931) and L-SUD (y≈49.2881), no vertex inside
    "strip": [_feature({"type": "Polygon",
                        "coordinates": [_box(1.0070, 49.2800, 1.0080, 49.3000)]}, intensity=2)],
    # half-way along the NRO-PV (1.011, 49.293)–CORE-RN (1.094, 49.440) segment
    "middle": [_feature({"type": "Polygon", "coordinates": [_box(1.04, 49.35, 1.06, 49.37)]},
                        intensity=3)],
    # the town, with a hole around the town hall, its generator, fuel, servers and siren
    "holed": [_feature({"type": "Polygon", "coordinates": [
        _box(1.000, 49.280, 1.030, 49.300), _box(1.0090, 49.2915, 1.0105, 49.2928)[::-1]]},
        intensity=4)],
    # two small squares around the antennas; a second feature over ANT-SUD is stronger
    "multi": [_feature({"type": "MultiPolygon", "coordinates": [
        [_box(1.0135, 49.2970, 1.0145, 49.2980)], [_box(1.0165, 49.2815, 1.0175, 49.2825)]]},
        intensity=5),
        _feature({"type": "Polygon", "coordinates": [_box(1.0160, 49.2810, 1.0180, 49.2830)]},
                 intensity=9)],
    "world": [_feature({"type": "Polygon", "coordinates": [_box(-10, 40, 10, 60)]}, intensity=1)],
}


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = _copy_example(tmp_path_factory.mktemp("exposure"))
    text = BASE + "hazards:\n"
    for name, features in EXPOSURE.items():
        (folder / "scenarios" / f"{name}.geojson").write_text(_collection(*features),
                                                              encoding="utf-8")
        text += f"  - id: {name}\n    footprint: {name}.geojson\n"
    s = load_scenario(_write(folder, "exposure.yaml", text))
    return s, s.territory.assets.ids.to_pylist(), s.territory.zones.ids.to_pylist()


def _hit(exposure: np.ndarray, ids: list[str]) -> dict[str, float]:
    return {i: float(v) for i, v in zip(ids, exposure, strict=True) if v > 0}


def test_exposure_by_touch(exposed: Any) -> None:
    s, ids, _ = exposed
    assert _hit(s.exposure["corner"], ids) == {
        "T-NORD": 7, "ANT-NORD": 7, "L-NORD": 7, "BH-NRO-CORE": 7}
    assert _hit(s.exposure["strip"], ids) == {"L-NORD": 2, "L-SUD": 2}
    assert _hit(s.exposure["middle"], ids) == {"BH-NRO-CORE": 3}


def test_exposure_holes_and_multipolygons(exposed: Any) -> None:
    s, ids, _ = exposed
    holed = dict(zip(ids, s.exposure["holed"], strict=True))
    for inside_hole in ("MAIRIE", "GE-MAIRIE", "FUEL-MAIRIE", "DC-PV", "SIR-CENTRE"):
        assert holed[inside_hole] == 0, inside_hole
    for around in ("T-NORD", "NRO-PV", "EHPAD", "PS-ELBEUF", "L-NORD", "ANT-SUD"):
        assert holed[around] == 4, around
    # the backhaul to CORE-RN crosses the square around ANT-NORD (lat 49.2974-49.2980)
    assert _hit(s.exposure["multi"], ids) == {"ANT-NORD": 5, "ANT-SUD": 9, "BH-NRO-CORE": 5}


def test_assets_without_location_are_never_exposed(exposed: Any) -> None:
    s, ids, _ = exposed
    world = dict(zip(ids, s.exposure["world"], strict=True))
    assert world.pop("MAIL-PV") == 0 and world.pop("FR-ALERT") == 0
    assert all(v == 1 for v in world.values()), world


def test_zone_exposure_partly_inside(exposed: Any) -> None:
    s, _, names = exposed
    z = {h: {n: float(v) for n, v in zip(names, s.zone_exposure[h], strict=True)}
         for h in ("corner", "strip", "multi", "world")}
    assert z["corner"] == {"Z-CENTRE": 0, "Z-PLATEAU": 7, "Z-BORDS": 0, "Z-HAMEAU": 0}
    assert z["strip"] == {"Z-CENTRE": 2, "Z-PLATEAU": 2, "Z-BORDS": 2, "Z-HAMEAU": 0}
    assert z["multi"] == {"Z-CENTRE": 0, "Z-PLATEAU": 5, "Z-BORDS": 9, "Z-HAMEAU": 0}
    assert set(z["world"].values()) == {1}  # the hamlet, a point zone, too


# --- builders ------------------------------------------------------------------------------

CENTRE = (1.0125, 49.291)


@pytest.mark.parametrize("wind_from", [0.0, 90.0, 180.0, 270.0, 360.0, 45.0])
def test_plume_goes_where_the_wind_blows(wind_from: float) -> None:
    """Meteorological convention: wind FROM ``wind_from``; smoke goes the opposite way."""
    stages = plume(CENTRE, wind_from_deg=wind_from, wind_speed_ms=1.0, start_s=0,
                   duration_s=2 * H, step_s=H)  # 7.2 km long at the end
    goes = (wind_from + 180) % 360
    pts = [_toward(*CENTRE, goes, 1000), _toward(*CENTRE, goes, 5000),
           _toward(*CENTRE, wind_from, 1000), _toward(*CENTRE, goes + 90, 1500),
           _toward(*CENTRE, goes - 90, 1500)]
    peak = np.max(stage_exposures(stages, _targets(pts), L93), axis=0)
    assert peak[0] == 3  # near the fire: the densest band
    assert peak[1] == 1  # far downwind: the thinnest
    assert (peak[2:] == 0).all()  # upwind and across the wind


def test_plume_with_step_longer_than_the_fire_still_exists() -> None:
    """A 1-hour fire drawn with a 2-hour step: the smoke of that hour still reaches 3.6 km."""
    stages = plume(CENTRE, wind_from_deg=270, wind_speed_ms=1.0, start_s=0, duration_s=H,
                   step_s=2 * H)
    assert stages
    peak = np.max(stage_exposures(stages, _targets([_toward(*CENTRE, 90, 1000)]), L93), axis=0)
    assert peak[0] > 0


def test_flood_bands_whatever_their_order() -> None:
    river = [(0.98, 49.30), (1.05, 49.30)]
    bands = [(150.0, 0.5, 6 * H), (400.0, 1.0, 24 * H), (700.0, 1.5, 48 * H)]
    pts = [_toward(1.01, 49.30, 0, d) for d in (100, 300, 600, 900)]
    targets = _targets(pts)
    results = []
    for order in (bands, bands[::-1], [bands[1], bands[2], bands[0]]):
        stages = flood(river, bands=order, end_s=96 * H)
        levels = np.array(stage_exposures(stages, targets, L93))
        first = [float(stages[int(np.argmax(levels[:, i] > 0))].start_s)
                 if (levels[:, i] > 0).any() else None for i in range(len(pts))]
        results.append((levels.max(axis=0).tolist(), first))
    assert results[0] == ([1.5, 1.5, 1.5, 0.0], [6 * H, 24 * H, 48 * H, None])
    assert results[1] == results[0] and results[2] == results[0]


def test_stationary_storm_rings() -> None:
    """start_point == end_point and start == end: one place, peak at the core down to a
    quarter at the radius."""
    radius = 2000.0
    stages = storm(CENTRE, CENTRE, start_s=H, end_s=H, step_s=H, peak_kmh=120,
                   radius_m=radius)
    pts = [_toward(*CENTRE, 30, f * radius) for f in (0.1, 0.4, 0.6, 0.9, 1.1)]
    peak = np.max(stage_exposures(stages, _targets(pts), L93), axis=0)
    assert peak.tolist() == [120.0, 90.0, 60.0, 30.0, 0.0]
    assert min(s.start_s for s in stages) == H


def _core(stage: Any) -> tuple[float, float]:
    c = project_geometries(stage.polygons[:1], L93)[0].centroid
    return c.x, c.y


@pytest.mark.parametrize(("end_h", "step_h"), [(6, 1), (10, 4), (1, 3)])
def test_storm_core_follows_the_track_in_time(end_h: int, step_h: int) -> None:
    """Each stage's core lies where the straight track puts it at that stage's time, and no
    stage starts after the storm's end."""
    a, b = (0.95, 49.25), (1.10, 49.35)
    end = end_h * H
    stages = storm(a, b, start_s=0, end_s=end, step_s=step_h * H, peak_kmh=100,
                   radius_m=5000)
    ax, ay = _metric(*a)
    bx, by = _metric(*b)
    length = float(np.hypot(bx - ax, by - ay))
    for st in stages:
        assert 0 <= st.start_s <= end, [s.start_s / H for s in stages]
        f = st.start_s / end
        cx, cy = _core(st)
        off = float(np.hypot(cx - (ax + f * (bx - ax)), cy - (ay + f * (by - ay))))
        assert off < 0.01 * length, (st.start_s / H, off)
    assert any(np.hypot(*np.subtract(_core(s), (bx, by))) < 0.01 * length for s in stages)


def _reunion(tmp_path: Path) -> Path:
    """The minimal territory moved to La Réunion, with its own metric CRS (UTM 40S)."""
    folder = tmp_path / "reunion"
    for rel, text in MINIMAL.items():
        text = re.sub(r"\b1\.0(\d*)", r"55.4\1", text)
        text = re.sub(r"\b49\.3(\d*)", r"-21.0\1", text)
        text = text.replace("EPSG:2154", "EPSG:2975")
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "scenarios").mkdir()
    return folder


def test_builders_draw_in_the_territorys_metric_crs(tmp_path: Path) -> None:
    """A storm of radius R centred on S1 reaches T1 at 0.8 R (outer ring: a quarter of the
    peak); drawn in Lambert-93 at La Réunion, its radius shrinks to about half."""
    folder = _reunion(tmp_path)
    s1, t1 = (55.4, -21.0), (55.41, -20.99)
    _, _, d = GEOD.inv(*s1, *t1)
    text = ("name: t\nterritory: ..\nduration: 6h\nstep: 1h\nhazards:\n  - id: h\n"
            f"    storm: {{start_point: [55.4, -21.0], end_point: [55.4, -21.0], start: 1h, "
            f"end: 2h, peak_kmh: 100, radius_m: {d / 0.8:.1f}}}\n")
    s = load_scenario(_write(folder, "storm.yaml", text))
    assert s.territory.metric_crs == "EPSG:2975"
    ids = s.territory.assets.ids.to_pylist()
    assert s.exposure["h"][ids.index("T1")] == 25.0


# --- Monte Carlo ---------------------------------------------------------------------------

def test_run_scenario_is_deterministic() -> None:
    s = load_scenario(EXAMPLE / "scenarios" / "tempete.yaml")
    one = run_scenario(s, runs=6)
    again = run_scenario(s, runs=6)
    two = run_scenario(s, runs=6, workers=2)
    assert np.array_equal(one.values, again.values, equal_nan=True)
    assert np.array_equal(one.values, two.values, equal_nan=True)
    assert np.array_equal(one.counts, two.counts, equal_nan=True)


def test_repair_beta_of_a_kind_spreads_its_repairs(tmp_path: Path) -> None:
    """`repairs: {transformer: {median: 10h, beta: 1.5}}`: each transformer's repair takes
    10 h × a lognormal(0, 1.5) draw (10 % under 1.5 h, 10 % over 68 h), so over 30 runs the
    share of working transformers differs between runs for hours. With beta 0 every run
    repairs both at 10 h exactly."""
    folder = _copy_example(tmp_path)
    (folder / "scenarios" / "fp.geojson").write_text(_collection(
        _feature({"type": "Polygon", "coordinates": [BOX]}, intensity=10)), encoding="utf-8")
    text = (BASE.replace("24h", "48h") + "hazards:\n  - id: h\n    footprint: fp.geojson\n"
            "    fragility: {transformer: {step: {threshold: 1}}}\n"
            "monte_carlo: {runs: 30, seed: 4}\n")
    spread = {}
    for beta in (0.0, 1.5):
        path = _write(folder, f"beta{beta}.yaml",
                      text + f"repairs: {{transformer: {{median: 10h, beta: {beta}}}}}\n")
        e = run_scenario(path)
        p10 = e.stat("assets_working:transformer", "p10")
        p90 = e.stat("assets_working:transformer", "p90")
        spread[beta] = bool((p10 != p90).any())
        if beta == 0.0:
            assert p10[9] == 0 and p10[10] == 1  # all repaired at 10 h
    assert spread == {0.0: False, 1.5: True}


# --- the Rouen sample ----------------------------------------------------------------------

def test_rouen_builder_is_deterministic(tmp_path: Path) -> None:
    a, b = build(tmp_path / "a"), build(tmp_path / "b", seed=0)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    c = build(tmp_path / "c", seed=1)
    assert (a / "assets" / "power.csv").read_bytes() != (c / "assets" / "power.csv").read_bytes()
    load_territory(c)  # another seed gives another valid territory


@pytest.mark.skipif(not (SHARED / "france_geo").exists(), reason="shared data not present")
def test_rouen_every_commune_has_its_insee_population() -> None:
    geo = SHARED / "france_geo"
    epci = json.loads((geo / "decoupage-administratif-6.0.0_epci-76.json").read_text("utf-8"))
    metro = next(e for e in epci if e["code"] == "200023414")
    communes = json.loads((geo / "decoupage-administratif-6.0.0_communes-76.json")
                          .read_text("utf-8"))
    insee = {c["code"]: c["population"] for c in communes if c["type"] == "commune-actuelle"}
    members = sorted(m["code"] for m in metro["membres"])
    assert len(members) == 71
    zones = json.loads((ROOT / "examples" / "rouen" / "zones" / "zones.geojson")
                       .read_text("utf-8"))["features"]
    got: dict[str, int] = {}
    for f in zones:
        code = f["properties"]["insee"]
        got[code] = got.get(code, 0) + f["properties"]["population"]
    assert sorted(got) == members
    assert {c: got[c] for c in members} == {c: insee[c] for c in members}


def test_rouen_zones_are_valid_polygons() -> None:
    zones = json.loads((ROOT / "examples" / "rouen" / "zones" / "zones.geojson")
                       .read_text("utf-8"))["features"]
    ids = [f["properties"]["id"] for f in zones]
    assert len(set(ids)) == len(ids)
    for f in zones:
        g = shapely.geometry.shape(f["geometry"])
        assert g.geom_type in ("Polygon", "MultiPolygon"), f["properties"]["id"]
        assert g.is_valid and not g.is_empty and g.area > 0, f["properties"]["id"]
        assert f["properties"]["population"] >= 0


def test_an_event_after_the_end_is_a_warning(tmp_path: Path) -> None:
    """Not an error (a scenario may be shortened on purpose), but said, with its line."""
    text = BASE + "events:\n  - {at: 100h, assets: [T-NORD], cause: x}\n"
    s = load_scenario(_write(_copy_example(tmp_path), "late.yaml", text))
    (w,) = [w for w in s.warnings if w.code == "scenario.after_end"]
    assert (w.file, w.line, w.field, w.severity) == ("late.yaml", 6, "events.at", "warning")
