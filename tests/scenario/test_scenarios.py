"""Scenario files: validation with lines and fields, hazards that make physical sense."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from tests.conftest import EXAMPLE, copy_example, write_scenario
from tests.runs import run_scenario
from tousrisques import ValidationError
from tousrisques.scenario import (
    Lognormal,
    Step,
    Table,
    load_scenario,
    parse_fragility,
    plume,
)
from tousrisques.scenario._exposure import project_geometries, stage_exposures

STORM = EXAMPLE / "scenarios" / "tempete.yaml"
H = 3600


def test_storm_scenario_validates_and_runs() -> None:
    s = load_scenario(STORM)
    assert s.duration_s == 48 * H and s.step_s == H
    e = run_scenario(s, runs=40)
    antennas = e.stat("assets_working:antenna", "mean")
    reach = e.stat("population_reached:fr-alert", "mean")
    # the storm and the batteries bring the antennas down, repairs bring them back
    assert antennas[0] == 1.0
    assert antennas[8] < 0.5
    assert antennas[-1] > antennas[8] + 0.3
    assert reach[8] < reach[0] and reach[-1] > reach[8]
    # the ransomware takes the mail server down from 30 h in every run; the national
    # platform stays up
    services = e.stat("services_up", "mean", counts=True)
    assert services[31] == 1.0 and services[29] > 1.0


_copy_example = copy_example
_write = write_scenario


BASE = """name: test
territory: ..
duration: 24h
step: 1h
"""


def test_mitigation_keeps_the_town_hall_connected(tmp_path: Path) -> None:
    folder = _copy_example(tmp_path)
    outage = "events:\n  - {at: 1h, assets: [PS-ELBEUF], duration: 12h, cause: storm}\n"
    mc = "monte_carlo: {runs: 3, seed: 1}\n"
    base = _write(folder, "base.yaml", BASE + outage + mc + "absent: [GE-MAIRIE]\n")
    mitigated = _write(folder, "mitigated.yaml", BASE + outage + mc +
                       "mitigations:\n  - {name: generator, at: 0h, assets: [GE-MAIRIE]}\n")
    b, m = run_scenario(base), run_scenario(mitigated)
    connected_b = b.stat("actors_connected", "mean", counts=True)
    connected_m = m.stat("actors_connected", "mean", counts=True)
    assert (connected_m >= connected_b).all()
    assert connected_m[2:13].sum() > connected_b[2:13].sum()  # the town hall holds
    assert np.isinf(b.stat("actor_latency:MAIRIE-PCS", "p50")[3])
    assert m.stat("actor_latency:MAIRIE-PCS", "p50")[3] == 0


def test_plume_reaches_downwind_not_upwind() -> None:
    # a fire at the centre of Petite-Ville, wind from the south-west (225°): smoke goes
    # north-east
    centre = (1.0125, 49.291)
    stages = plume(centre, wind_from_deg=225, wind_speed_ms=0.5, start_s=0,
                   duration_s=4 * H, step_s=H)  # 1.8 km more every hour
    crs = "EPSG:2154"
    ne = shapely.points([1.03, 1.06], [49.30, 49.32])     # downwind
    sw = shapely.points([0.99, 0.96], [49.28, 49.26])     # upwind
    cross = shapely.points([1.03, 0.99], [49.28, 49.30])  # across the wind
    targets = project_geometries(np.array([*ne, *sw, *cross], dtype=object), crs)
    peak = np.max(stage_exposures(stages, targets, crs), axis=0)
    assert (peak[:2] > 0).all()
    assert (peak[2:] == 0).all()
    # the plume lengthens with time: the far point is reached later than the near one
    first = [next(k for k, lvl in enumerate(stage_exposures(stages, targets[i:i + 1], crs))
                  if lvl[0] > 0) for i in range(2)]
    assert first[0] < first[1]


def test_assets_outside_the_footprint_are_never_damaged(tmp_path: Path) -> None:
    folder = _copy_example(tmp_path)
    # a storm far to the south: nothing of Petite-Ville lies within its 5 km
    text = BASE + """hazards:
  - id: far
    storm: {start_point: [0.9, 48.9], end_point: [1.1, 48.95], start: 1h, end: 3h,
            peak_kmh: 200, radius_m: 5000}
    fragility: {line: {step: {threshold: 10}}, antenna: {step: {threshold: 10}}}
monte_carlo: {runs: 5, seed: 3}
"""
    s = load_scenario(_write(folder, "far.yaml", text))
    assert (s.hazards[0].probability == 0).all()
    e = run_scenario(s)
    assert (e.stat("assets_working:line", "mean") == 1).all()


@pytest.mark.parametrize(("text", "code", "field", "line"), [
    (BASE + "hazards:\n  - id: h\n    storm: {start_point: [1, 49], end_point: [1.1, 49.1],"
     " start: 1h, end: 2h, peak_kmh: 100, radius_m: 1000}\n    fragility:\n"
     "      antena: {step: {threshold: 1}}\n", "kind.unknown", "fragility.antena", 9),
    (BASE + "hazards:\n  - id: h\n    storm: {start_point: [1, 49], end_point: [1.1, 49.1],"
     " start: 1h, end: 2h, peak_kmh: 100, radius_m: 1000}\n    fragility:\n"
     "      antenna: {gaussian: {mean: 1}}\n", "field.invalid", "fragility.antenna", 9),
    (BASE + "events:\n  - {at: 2h, assets: [MAIL-PVV], cause: x}\n", "ref.asset",
     "events.assets", 6),
    (BASE + "absent: [GE-NOWHERE]\n", "ref.asset", "absent", 5),
    (BASE + "injects:\n  - {at: 1h, to: [wizard], message: hello}\n", "ref.actor",
     "injects.to", 6),
    (BASE + "repairs:\n  transfo: {median: 2h}\n", "kind.unknown", "repairs.transfo", 6),
    (BASE.replace("duration: 24h", "duration: 24"), "field.invalid", "duration", 3),
    (BASE.replace("step: 1h", "step: 48h"), "field.invalid", "step", 4),
    (BASE + "hazards:\n  - id: h\n    footprint: nope.geojson\n", "file.missing",
     "footprint", 7),
    (BASE + "hazards:\n  - id: h\n    footprint: f.geojson\n    plume: {source: [1, 49],"
     " wind_from_deg: 10, wind_speed_ms: 3, duration: 2h}\n", "field.invalid", None, 6),
    (BASE + "monte_carlo: {runs: 0}\n", "field.invalid", "monte_carlo.runs", 5),
    (BASE + "colour: red\n", "field.unknown", "colour", 5),
])
def test_broken_scenarios_name_file_line_and_field(tmp_path: Path, text: str, code: str,
                                                   field: str | None, line: int) -> None:
    folder = _copy_example(tmp_path)
    path = _write(folder, "broken.yaml", text)
    with pytest.raises(ValidationError) as exc:
        load_scenario(path)
    found = [p for p in exc.value.problems if p.code == code]
    assert found, [str(p) for p in exc.value.problems]
    p = found[0]
    assert p.file == "broken.yaml"
    assert p.line == line
    if field is not None:
        assert p.field == field


def test_fragility_forms() -> None:
    assert parse_fragility({"step": {"threshold": 3}}) == Step(3.0)
    assert parse_fragility({"lognormal": {"median": 2, "beta": 0.4}}) == Lognormal(2.0, 0.4)
    assert parse_fragility({"table": [[0, 0], [1, 1]]}) == Table(((0.0, 0.0), (1.0, 1.0)))
    curve = Lognormal(100, 0.5)
    p = curve.probability(np.array([0.0, 50.0, 100.0, 200.0, 1000.0]))
    assert p[0] == 0 and (np.diff(p) > 0).all() and p[2] == pytest.approx(0.5)
    for bad in ({"table": [[1, 0], [0, 1]]}, {"table": [[0, 0], [1, 2]]},
                {"lognormal": {"median": 0, "beta": 1}}, {"step": {}}, "strong"):
        with pytest.raises(ValueError):
            parse_fragility(bad)


def test_every_problem_at_once_even_with_a_schema_error(tmp_path: Path) -> None:
    """A schema error in one event does not hide an unknown asset in another, nor an
    unknown kind in a hazard's fragility."""
    folder = _copy_example(tmp_path)
    text = BASE + """events:
  - {at: soon, assets: [MAIL-PV], cause: x}
  - {at: 2h, assets: [NOPE], cause: y}
repairs:
  transfo: {median: 2h}
"""
    with pytest.raises(ValidationError) as exc:
        load_scenario(_write(folder, "many.yaml", text))
    got = {(p.code, p.line) for p in exc.value.problems}
    assert ("field.invalid", 6) in got  # "soon" is not a duration
    assert ("ref.asset", 7) in got
    assert ("kind.unknown", 9) in got
