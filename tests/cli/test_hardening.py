"""Bad input found by trying: run folders edited by hand, outputs that cannot be written,
``--force`` that must never delete something else, ``--json`` that stays JSON when it fails,
names that look like terminal markup, and territories at the edges (no zones)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from rich.console import Console

from tests.cli.conftest import Town, bad_input, invoke
from tests.conftest import MINIMAL, MakeTerritory, write_scenario
from tousrisques.cli import main


def strict_json(text: str) -> Any:
    """JSON as a script reads it: no NaN, no Infinity."""
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def copy_run(town: Town, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(town.run, copy)
    return copy


def rehash(folder: Path) -> None:
    """Record the hashes of the files as they are now: a tampering that also forges
    summary.json, for the checks behind the hashes."""
    from tousrisques.results._files import file_hash

    edit_summary(folder, lambda s: s.update(
        files={name: file_hash(folder / name) for name in s["files"]},
        sizes={name: (folder / name).stat().st_size for name in s["files"]}))


def edit_summary(folder: Path, change: Any) -> None:
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    change(summary)
    path.write_text(json.dumps(summary), encoding="utf-8")


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: s.update(seed="x"), "[seed]"),
    (lambda s: s.update(seed=None), "[seed]"),
    (lambda s: s.update(seed=-1), "[seed]"),
    (lambda s: s.update(runs="x"), "[runs]"),
    (lambda s: s.pop("representative_run"), "[representative_run]"),
    (lambda s: s.update(representative_run=999), "[representative_run]"),
    (lambda s: s.update(criticality=5), "[criticality]"),
    (lambda s: s.update(criticality={}), "[criticality.baseline_population]"),
    (lambda s: s.pop("scenario"), "[scenario]"),
    (lambda s: s["inputs"].update(scenario=None), "[inputs.scenario]"),
    (lambda s: s.update(files={"../x": "0" * 32}), "[files]"),
    (lambda s: s["shape"].update(runs=10**12), "[shape]"),
    (lambda s: s.update(territory="x"), "[territory]"),
    (lambda s: s.update(other=5), "[other]"),
])
def test_a_summary_edited_by_hand_is_bad_input(town: Town, tmp_path: Path, change: Any,
                                               field: str) -> None:
    # before: an internal error (exit 3) for every one of these, or silently accepted
    copy = copy_run(town, tmp_path)
    edit_summary(copy, change)
    bad_input(invoke("report", copy, "-o", "r.html"), "summary.json", field)
    r = invoke("explain", copy, "CIS", "--at", "6h", "--json")
    assert r.exit_code == 1, r.output
    problems = strict_json(r.stdout)["problems"]
    assert field.strip("[]") in {p["field"] for p in problems}
    assert not (tmp_path / "r.html").exists()


def test_every_problem_of_a_summary_at_once_in_french(town: Town, tmp_path: Path) -> None:
    copy = copy_run(town, tmp_path)
    edit_summary(copy, lambda s: s.update(seed="x", runs=True, criticality={"horizon_s": "x"}))
    out = bad_input(invoke("compare", copy, copy, "--lang", "fr"), "[seed]", "[runs]",
                    "[criticality.baseline_population]", "[criticality.horizon_s]",
                    "[shape]", "relancez le scénario")
    assert "6 erreur(s)" in out


@pytest.mark.parametrize(("damage", "named"), [
    (lambda f: shutil.copy(f / "criticality.parquet", f / "runs.parquet"), "runs.parquet"),
    (lambda f: shutil.copy(f / "stats.parquet", f / "zones.parquet"), "zones.parquet"),
    (lambda f: shutil.copy(f / "runs.parquet", f / "actor_channels.parquet"),
     "actor_channels.parquet"),
    (lambda f: shutil.copy(f / "zones.parquet", f / "criticality.parquet"),
     "criticality.parquet"),
    (lambda f: (f / "zones.parquet").unlink(), "zones.parquet"),
    (lambda f: (f / "actor_channels.parquet").unlink(), "actor_channels.parquet"),
])
def test_parquet_files_swapped_or_missing(town: Town, tmp_path: Path, damage: Any,
                                          named: str) -> None:
    # before: KeyError (exit 3) for a swapped file; a missing zones.parquet drew every zone
    # of the maps as never reached
    copy = copy_run(town, tmp_path)
    damage(copy)
    bad_input(invoke("report", copy, "-o", "r.html"), named, "run the scenario again")
    assert not (tmp_path / "r.html").exists()


def test_parquet_files_of_another_run(town: Town, tmp_path: Path) -> None:
    copy = copy_run(town, tmp_path)
    table = pq.read_table(copy / "runs.parquet")
    meta = json.loads(table.schema.metadata[b"tousrisques"])
    pq.write_table(table.replace_schema_metadata(
        {b"tousrisques": json.dumps({**meta, "seed": "7"}).encode()}), copy / "runs.parquet")
    bad_input(invoke("report", copy, "-o", "r.html"), "runs.parquet", "changed since the run")
    rehash(copy)
    bad_input(invoke("report", copy, "-o", "r.html"), "seed 7", "do not belong together")
    pq.write_table(table.replace_schema_metadata(
        {b"tousrisques": json.dumps({**meta, "seed": 7}).encode()}), copy / "runs.parquet")
    rehash(copy)
    bad_input(invoke("explain", copy, "CIS", "--at", "6h"), "runs.parquet")


@pytest.mark.parametrize("args", [
    ("explain", "RUN", "CIS", "--at", "garbage"),
    ("explain", "RUN", "CIS", "--at", "-1h"),
    ("export", "RUN", "--geojson", "x.geojson", "--at", "soon"),
    ("report", "RUN", "--at", ",,,"),
    ("report", "RUN", "--at", "500h"),
    ("criticality", "TERRITORY", "--horizon", "1 day"),
    ("run", "SCENARIO", "--at", "later"),
])
def test_json_stays_json_when_an_option_is_wrong(town: Town, args: tuple[str, ...]) -> None:
    # before: the message went to stderr and stdout was empty, which no script can parse
    where = {"RUN": str(town.run), "TERRITORY": str(town.folder),
             "SCENARIO": str(town.scenario)}
    r = invoke(*(where.get(a, a) for a in args), "--json")
    assert r.exit_code == 1, r.output
    assert strict_json(r.stdout)["ok"] is False


def test_main_prints_json_when_an_error_escapes(town: Town, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from tousrisques._exceptions import InputError

    def refuse(*args: object, **kwargs: object) -> None:
        raise InputError("monte_carlo.runs must be at least 1")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    for patch, code in ((refuse, 1), (crash, 3)):
        monkeypatch.setattr("tousrisques.cli._run.make_study", patch)
        monkeypatch.setattr(sys, "argv", ["tousrisques", "run", str(town.scenario), "-o",
                                          "out", "--json"])
        monkeypatch.delenv("TOUSRISQUES_DEBUG", raising=False)
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == code
        data = strict_json(capsys.readouterr().out)
        assert data["ok"] is False and data["error"]


def test_run_at_and_run_number_out_of_range(town: Town) -> None:
    bad_input(invoke("report", town.run, "--at", "500h", "-o", "r.html"), "--at 500h",
              "outside the scenario (0\u00a0h to 48\u00a0h)")
    bad_input(invoke("report", town.run, "--at", ",,,", "-o", "r.html"), "--at ,,,",
              "no time given")
    bad_input(invoke("explain", town.run, "CIS", "--at", "6h", "--run", "99"),
              "4 runs, numbered 0 to 3")


def test_outputs_that_cannot_be_written(town: Town, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # before: FileExistsError, IsADirectoryError, FileNotFoundError (exit 3)
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    under = "a-file/x"
    bad_input(invoke("report", town.run, "-o", "a-folder"), "a-folder", "is a folder")
    bad_input(invoke("report", town.run, "-o", f"{under}.html"), "a-file is a file")
    bad_input(invoke("criticality", town.folder, "--csv", f"{under}.csv"), "a-file is a file")
    bad_input(invoke("criticality", town.folder, "--csv", "a-folder"), "is a folder")
    bad_input(invoke("export", town.run, "--at", "6h", "--geojson", "a-folder"),
              "is a folder")
    bad_input(invoke("export", town.run, "--indicators", f"{under}.csv"), "a-file is a file")
    bad_input(invoke("compile", town.folder, "-o", f"{under}.npz"), "a-file is a file")
    bad_input(invoke("init", "scenario", f"{under}.yaml", "-t", town.folder),
              "a-file is a file")
    bad_input(invoke("init", "territory", under), "a-file is a file")
    # refused before the runs, which may take long
    monkeypatch.setattr("tousrisques.cli._run.make_study", lambda *a, **k: pytest.fail())
    bad_input(invoke("run", town.scenario, "-o", under), "a-file is a file")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]


def test_a_refusal_of_the_system_is_bad_input(town: Town, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    (tmp_path / "read-only").mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p).name != "read-only"
                        and real_access(p, mode))  # the tests may run as root
    monkeypatch.setattr("tousrisques.cli._run.make_study", lambda *a, **k: pytest.fail())
    bad_input(invoke("run", town.scenario, "-o", "read-only/run"), "cannot write",
              "permission denied")
    bad_input(invoke("report", town.run, "-o", "read-only/r.html"), "cannot write")
    (tmp_path / "read-only").rmdir()

    monkeypatch.setattr("tousrisques.report._folder.render_report", full)
    bad_input(invoke("report", town.run, "-o", "r.html"), "cannot write r.html",
              "No space left on device")
    assert not list(tmp_path.iterdir())


def test_force_never_deletes_something_else(town: Town, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # before: `run -o FILE --force` replaced the file with a run folder (and left the file
    # aside), `init territory DIR --force` and `synthetic DIR` deleted any folder
    monkeypatch.setattr("tousrisques.cli._run.make_study", lambda *a, **k: pytest.fail())
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "thesis.tex").write_text("mine", encoding="utf-8")
    bad_input(invoke("run", town.scenario, "-o", "notes.txt", "--force"), "notes.txt",
              "is a file, not a folder")
    bad_input(invoke("run", town.scenario, "-o", "work", "--force"), "work",
              "not one of ours", "no summary.json")
    bad_input(invoke("demo", "-o", "work"), "work", "not one of ours")
    bad_input(invoke("init", "territory", "work", "--force"), "work",
              "not one of ours", "no territory.yaml")
    bad_input(invoke("init", "territory", "notes.txt", "--force"), "is a file")
    bad_input(invoke("synthetic", "work", "--assets", "50"), "work", "already exists")
    bad_input(invoke("synthetic", "work", "--assets", "50", "--force", "--lang", "fr"),
              "work", "n'a pas été écrit par tousrisques")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "work" / "thesis.tex").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "work"]
    # what --force is for still works: a run folder, a territory, an empty folder
    (tmp_path / "empty").mkdir()
    assert invoke("synthetic", "empty", "--assets", "50", "--force").exit_code == 0
    assert invoke("synthetic", "empty", "--assets", "50", "--force").exit_code == 0


def test_names_are_not_terminal_markup(tmp_path: Path, make_territory: MakeTerritory,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # before: "[/red]" in a scenario's name crashed the progress bar (MarkupError, exit 3)
    # and "[red]" in a channel or asset name was eaten by the tables
    evil = "[/red] [red]R[/red] :fire:"
    folder = make_territory(**{
        "channels.yaml": MINIMAL["channels.yaml"].replace("name: FR-Alert",
                                                          f'name: "Alerte {evil}"'),
        "assets/power.geojson": MINIMAL["assets/power.geojson"].replace(
            '"kind": "substation"', f'"kind": "substation", "name": "Poste {evil}"')})
    (folder / "scenarios").mkdir()
    scenario = write_scenario(folder, "s.yaml", f"""\
name: "Tempête {evil}"
territory: ..
duration: 6h
step: 1h
events:
  - {{at: 2h, assets: [S1], duration: 2h, cause: panne}}
monte_carlo: {{runs: 2, seed: 1}}
""")
    terminal = Console(file=io.StringIO(), force_terminal=True, width=200)
    monkeypatch.setattr("tousrisques.cli._run.err", terminal)
    wide = Console(highlight=False, soft_wrap=True, emoji=False, width=300)
    monkeypatch.setattr("tousrisques.cli._run.out", wide)
    monkeypatch.setattr("tousrisques.cli._inspect.out", wide)
    r = invoke("run", scenario, "-o", "out", "--compare", scenario, "--no-report")
    assert r.exit_code == 0, r.output
    assert "Tempête" in terminal.file.getvalue()  # the progress bar was drawn
    assert f"People reached by “Alerte {evil}”" in r.output
    assert r.output.count(f"Tempête {evil}") == 3  # the title, both columns
    r = invoke("criticality", folder, "--top", "1")
    assert r.exit_code == 0, r.output
    assert f"S1 (Poste {evil})" in r.output


def test_a_territory_without_zones(make_territory: MakeTerritory, tmp_path: Path) -> None:
    # before: the run crashed drawing the maps, and its folder read back crashed the report
    folder = make_territory(**{
        "territory.yaml": MINIMAL["territory.yaml"].replace("zones: zones.geojson\n", ""),
        "zones.geojson": None})
    (folder / "scenarios").mkdir()
    scenario = write_scenario(folder, "s.yaml", """\
name: Panne
territory: ..
duration: 6h
step: 1h
events:
  - {at: 2h, assets: [S1], duration: 2h, cause: panne}
monte_carlo: {runs: 2, seed: 1}
""")
    r = invoke("run", scenario, "-o", "out", "--json")
    assert r.exit_code == 0, r.output
    strict_json(r.stdout)
    assert invoke("report", "out", "--lang", "fr").exit_code == 0
    r = invoke("export", "out", "--at", "3h", "--geojson", "x.geojson", "--json")
    assert r.exit_code == 0, r.output
    layers = {f["properties"]["layer"]
              for f in json.loads((tmp_path / "x.geojson").read_text())["features"]}
    assert layers == {"asset"}
