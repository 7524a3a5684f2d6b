"""Hostile input (issue 9, item 9): only regular files inside the territory's or scenario's
folder are read, special files are refused before they are opened (a FIFO never hangs), and
reads are bounded so that a huge or growing file ends in a clean problem, never MemoryError."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, MakeTerritory
from tousrisques._exceptions import InputError, ValidationError
from tousrisques._limits import ReadLimits
from tousrisques._problems import Problems
from tousrisques._readers import available_memory, read_bytes
from tousrisques.scenario import load_scenario
from tousrisques.territory import load_territory

SCENARIO = """\
name: s
territory: {territory}
start: 2024-01-01T00:00:00+01:00
duration: 6h
step: 1h
"""
FOOTPRINT = """\
hazards:
  - id: h
    footprint: {path}
    fragility: {{substation: {{step: {{threshold: 1}}}}}}
"""


def codes(exc: ValidationError) -> set[str]:
    return {p.code for p in exc.problems if p.severity == "error"}


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk (what ``truncate -s`` makes)."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


# --- special files: refused before they are opened -----------------------------------------

def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes: never here
    problems = Problems()
    assert read_bytes(fifo, "pipe.csv", problems, max_bytes=100, setting="s") is None
    (p,) = problems
    assert p.code == "file.special"
    assert "named pipe" in p.render("en") and "tube nommé" in p.render("fr")


@pytest.mark.parametrize(("device", "kind"), [("/dev/zero", "character device"),
                                              ("/dev/null", "character device")])
def test_a_device_is_refused(device: str, kind: str) -> None:
    problems = Problems()
    assert read_bytes(Path(device), device, problems, max_bytes=100, setting="s") is None
    assert [p.code for p in problems] == ["file.special"]
    assert kind in problems.errors[0].render("en")


def test_a_territory_yaml_that_is_a_fifo_is_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    os.mkfifo(folder / "territory.yaml")
    with pytest.raises(ValidationError) as got:
        load_territory(folder)
    assert codes(got.value) == {"file.special"}


def test_an_asset_file_that_is_a_fifo_is_a_problem(make_territory: MakeTerritory) -> None:
    folder = make_territory(**{"assets/telecom.csv": None})
    os.mkfifo(folder / "assets" / "telecom.csv")
    with pytest.raises(ValidationError) as got:
        load_territory(folder)
    assert "file.special" in codes(got.value)


@pytest.mark.parametrize("target", ["/dev/zero", "pipe"])
def test_a_scenario_whose_territory_is_a_device_or_fifo(tmp_path: Path, target: str) -> None:
    if target == "pipe":
        os.mkfifo(tmp_path / "pipe")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.format(territory=target), encoding="utf-8")
    with pytest.raises(ValidationError) as got:
        load_scenario(scenario)
    assert "file.special" in codes(got.value)


def test_a_scenario_given_as_a_fifo_or_stdin_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/stdin")):
        with pytest.raises(InputError):
            load_scenario(path)


# --- nothing read outside the folders --------------------------------------------------------

def _scenario(folder: Path, footprint: str) -> Path:
    path = folder / "s.yaml"
    path.write_text(SCENARIO.format(territory=".") + FOOTPRINT.format(path=footprint),
                    encoding="utf-8")
    return path


def test_a_footprint_climbing_out_is_refused(make_territory: MakeTerritory,
                                             tmp_path: Path) -> None:
    folder = make_territory()
    (tmp_path / "x.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(ValidationError) as got:
        load_scenario(_scenario(folder, "../x.geojson"))
    assert codes(got.value) == {"file.outside"}
    (p,) = got.value.problems
    assert p.field == "footprint" and p.line == 8


def test_a_footprint_link_to_outside_is_refused(make_territory: MakeTerritory,
                                                tmp_path: Path) -> None:
    folder = make_territory()
    (tmp_path / "x.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (folder / "fp.geojson").symlink_to(tmp_path / "x.geojson")
    with pytest.raises(ValidationError) as got:
        load_scenario(_scenario(folder, "fp.geojson"))
    assert codes(got.value) == {"file.outside"}


def test_a_footprint_in_the_territory_folder_is_read(make_territory: MakeTerritory) -> None:
    folder = make_territory()
    (folder / "fp.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    path = scenarios / "s.yaml"
    path.write_text(SCENARIO.format(territory="..")
                    + FOOTPRINT.format(path="../fp.geojson"), encoding="utf-8")
    assert load_scenario(path).hazards  # inside the territory's folder: allowed


def test_an_asset_file_linked_outside_is_refused(make_territory: MakeTerritory,
                                                 tmp_path: Path) -> None:
    folder = make_territory(**{"assets/telecom.csv": None})
    private = tmp_path / "private.csv"
    private.write_text(MINIMAL["assets/telecom.csv"], encoding="utf-8")
    (folder / "assets" / "telecom.csv").symlink_to(private)
    with pytest.raises(ValidationError) as got:
        load_territory(folder)
    assert "file.outside" in codes(got.value)


def test_read_bytes_checks_the_resolved_path_against_its_roots(tmp_path: Path) -> None:
    inside, outside = tmp_path / "in", tmp_path / "secret.txt"
    inside.mkdir()
    outside.write_text("secret")
    (inside / "SOURCES.md").symlink_to(outside)
    problems = Problems()
    assert read_bytes(inside / "SOURCES.md", "SOURCES.md", problems, max_bytes=100,
                      setting="s", roots=(inside,)) is None
    assert [p.code for p in problems] == ["file.outside"]


def _sources_of(folder: Path) -> list[str]:
    """The report's source lines of a territory, in English (a line read from SOURCES.md
    comes as a Text when the folder has a French SOURCES.fr.md beside it)."""
    from tousrisques.report._build import sources

    lines = sources(types.SimpleNamespace(territory=load_territory(folder)))  # type: ignore[arg-type]
    return [line if isinstance(line, str) else line.en for line in lines]


def test_a_sources_md_linked_to_a_private_file_is_not_read(make_territory: MakeTerritory,
                                                           tmp_path: Path) -> None:
    folder = make_territory()
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY\n")
    (folder / "SOURCES.md").symlink_to(secret)
    assert not any("PRIVATE" in line for line in _sources_of(folder))
    (folder / "SOURCES.md").unlink()
    (folder / "SOURCES.md").write_text("- IGN BD TOPO\n")
    assert "IGN BD TOPO" in _sources_of(folder)


def test_a_9_gb_sources_md_is_skipped_not_read(make_territory: MakeTerritory) -> None:
    folder = make_territory()
    sparse(folder / "SOURCES.md", 9 * 10**9)
    out = _sources_of(folder)
    assert out and all(len(line) < 1000 for line in out)


# --- bounded reads -----------------------------------------------------------------------------

def test_size_checked_on_the_opened_file(tmp_path: Path) -> None:
    big = sparse(tmp_path / "big.csv", int(3.9 * 2**30))
    problems = Problems()
    assert read_bytes(big, "big.csv", problems, max_bytes=2**30, setting="max_data_bytes") \
        is None
    assert [p.code for p in problems] == ["file.too_large"]
    assert "max_data_bytes" in problems.errors[0].render("en")


def test_a_file_larger_than_memory_is_a_problem_not_memory_error(tmp_path: Path) -> None:
    free = available_memory()
    assert free is not None
    huge = sparse(tmp_path / "huge.csv", free + 2**30)  # under the limit, over the memory
    problems = Problems()
    assert read_bytes(huge, "huge.csv", problems, max_bytes=huge.stat().st_size + 1,
                      setting="max_data_bytes") is None
    assert [p.code for p in problems] == ["file.memory"]


def test_a_3_9_gib_csv_in_a_territory_ends_in_a_problem(make_territory: MakeTerritory) -> None:
    folder = make_territory()
    sparse(folder / "assets" / "telecom.csv", int(3.9 * 2**30))
    with pytest.raises(ValidationError) as got:
        load_territory(folder, limits=ReadLimits(max_data_bytes=2**30))
    assert "file.too_large" in codes(got.value)


def test_a_read_stops_after_the_limit(tmp_path: Path) -> None:
    # /proc files announce a size of 0 and give more: the read itself is bounded
    problems = Problems()
    assert read_bytes(Path("/proc/self/status"), "status", problems, max_bytes=10,
                      setting="s") is None
    assert [p.code for p in problems] == ["file.too_large"]


# --- numbers range-checked where they are read ----------------------------------------------

def _territory_problems(make: MakeTerritory, **files: str) -> list[tuple[str, str | None, str]]:
    with pytest.raises(ValidationError) as got:
        load_territory(make(**files))
    return [(p.code, p.field, p.render("en")) for p in got.value.problems
            if p.severity == "error"]


def test_a_population_of_1e308_is_refused_with_the_range(make_territory: MakeTerritory) -> None:
    zones = MINIMAL["zones.geojson"].replace('"population": 1000', '"population": 1e308')
    got = _territory_problems(make_territory, **{"zones.geojson": zones})
    assert [(c, f) for c, f, _ in got] == [("field.too_large", "population")]
    assert "from 0 to 1e+09" in got[0][2]


def test_numbers_of_an_asset_file_have_upper_bounds(make_territory: MakeTerritory) -> None:
    csv = "\n".join(line + ("," if i else ",range_m") for i, line in
                    enumerate(MINIMAL["assets/telecom.csv"].splitlines()))
    csv = csv.replace("A1,antenna,1.011,49.311,T1@2h,,", "A1,antenna,1.011,49.311,T1@2h,,1e308")
    got = _territory_problems(make_territory, **{"assets/telecom.csv": csv})
    assert [(c, f) for c, f, _ in got] == [("field.too_large", "range_m")]


def test_a_kind_override_of_1e308_backup_hours_is_refused(make_territory: MakeTerritory
                                                          ) -> None:
    yaml = MINIMAL["territory.yaml"] + "kinds: {antenna: {backup_hours: 1.0e+308}}\n"
    got = _territory_problems(make_territory, **{"territory.yaml": yaml})
    assert [(c, f) for c, f, _ in got] == [("field.too_large", "kinds.antenna.backup_hours")]


@pytest.mark.parametrize("backup", ["T1@99999999d", '[{"any_of": ["T1"], "backup_hours": 1e308}]'])
def test_a_backup_of_centuries_is_refused(make_territory: MakeTerritory, backup: str) -> None:
    zones = MINIMAL["zones.geojson"].replace('"requires": "T1"', f'"requires": {backup!r}'
                                             if backup.startswith("T") else
                                             f'"requires": {backup}').replace("'", '"')
    got = _territory_problems(make_territory, **{"zones.geojson": zones})
    assert len(got) == 1 and "requires" in (got[0][1] or ""), got
    assert "87660" in got[0][2], got  # the largest allowed, in hours


@pytest.mark.parametrize(("hazard", "field"), [
    ("storm: {start_point: [1, 49.29], end_point: [1.02, 49.3], start: 0s, end: 2h, "
     "peak_kmh: 100, radius_m: 1.0e+308}", "radius_m"),
    ("plume: {source: [1, 49.3], wind_from_deg: 90, wind_speed_ms: 5, duration: 2h, "
     "max_length_m: 1.0e+12}", "max_length_m"),
    ("flood: {river: [[1, 49.29], [1.02, 49.29]], bands: [[5000000, 1, 1h]], end: 2h}", "bands"),
])
def test_scenario_distances_have_upper_bounds(make_territory: MakeTerritory, hazard: str,
                                              field: str) -> None:
    folder = make_territory()
    path = folder / "s.yaml"
    path.write_text(SCENARIO.format(territory=".") + "hazards:\n  - id: h\n    " + hazard
                    + "\n", encoding="utf-8")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    assert any(field in (p.field or "") and p.line == 8 for p in got.value.problems), \
        [str(p) for p in got.value.problems]


def test_a_scenario_duration_of_centuries_is_refused(make_territory: MakeTerritory) -> None:
    folder = make_territory()
    path = folder / "s.yaml"
    path.write_text(SCENARIO.format(territory=".") + "events:\n  - at: 99999999d\n"
                    "    action: damage\n    assets: [T1]\n    cause: x\n", encoding="utf-8")
    with pytest.raises(ValidationError) as got:
        load_scenario(path)
    assert any("3650 days" in p.render("en") for p in got.value.problems), \
        [str(p) for p in got.value.problems]
