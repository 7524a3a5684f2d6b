"""``run`` and ``report``: the run folder (every file its docstring lists, written whole),
the JSON output, the options, and every refusal of bad input with a message and exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import tousrisques.cli._run as cli_run
from tests.cli.conftest import RUNS, Town, bad_input, copy_town, invoke
from tests.conftest import EXAMPLE, write_scenario
from tousrisques.analysis import criticality, present_after_mitigations
from tousrisques.results import _folder
from tousrisques.scenario import load_scenario


def listed_files() -> tuple[set[str], set[str]]:
    """The files and folders the docstring of ``results/_folder.py`` lists."""
    assert _folder.__doc__ is not None
    block = _folder.__doc__.split("::", 1)[1]
    files: set[str] = set()
    folders: set[str] = set()
    for line in block.splitlines():
        if not line.startswith("    ") or not line.strip() or line.startswith("     " * 5):
            continue
        name = line.split()[0]
        if name.endswith("/"):
            folders.add(name.rstrip("/"))
        elif "/." in name:  # changes.parquet/.csv: both
            first, suffix = name.split("/.")
            files |= {first, f"{first.rsplit('.', 1)[0]}.{suffix}"}
        else:
            files.add(name)
    return files, folders


def assert_same_table(a: pa.Table, b: pa.Table) -> None:
    """Equal columns, NaN equal to NaN (latencies have no count)."""
    assert a.column_names == b.column_names
    for name in a.column_names:
        x, y = a.column(name), b.column(name)
        if pa.types.is_floating(x.type) or pa.types.is_integer(x.type):
            np.testing.assert_array_equal(x.to_numpy(), y.to_numpy(), err_msg=name)
        else:
            assert x.to_pylist() == y.to_pylist(), name


def names_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_run_folder_holds_every_file_listed_and_nothing_else(town: Town) -> None:
    files, folders = listed_files()
    assert {"summary.json", "runs.parquet", "changes.csv", "criticality.csv",
            "report.html"} <= files and folders == {"other", "inputs"}
    # no other/ without --compare, no temporaries
    assert names_in(town.run) == files | {"inputs"}
    assert names_in(town.run.parent) == {"petite-ville", "run"}  # nothing left beside it
    summary = summary_of(town.run)
    assert summary["format"] == 2 and summary["runs"] == int(RUNS)
    assert summary["seed"] == 2026  # the scenario's
    assert summary["scenario"]["hash"] == load_scenario(town.scenario).content_hash
    assert Path(summary["scenario"]["path"]) == town.scenario.resolve()
    copy = town.run / summary["inputs"]["scenario"]
    assert copy.read_bytes() == town.scenario.read_bytes()
    assert (town.run / summary["inputs"]["territory"] / "territory.yaml").is_file()
    # every file read back is hashed; the report is not (it is drawn again at will)
    assert set(summary["files"]) >= {"runs.parquet", summary["inputs"]["scenario"]}
    assert "report.html" not in summary["files"]
    assert 0 <= summary["representative_run"] < int(RUNS)
    header = (town.run / "indicators.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"name","time_s","time_h","mean"')
    crit = pq.read_table(town.run / "criticality.parquet")
    text = pacsv.ConvertOptions(column_types={k: pa.string() for k in ("name", "commune",
                                                                       "feeder")})
    assert crit.num_rows == 20 and pacsv.read_csv(town.run / "criticality.csv",
                                                  convert_options=text).to_pylist() \
        == crit.to_pylist()
    changes = pq.read_table(town.run / "changes.parquet")
    assert changes.num_rows > 0
    assert (town.run / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_run_json_is_what_summary_json_records(town: Town, tmp_path: Path) -> None:
    r = invoke("run", town.scenario, "--runs", RUNS, "-o", "j", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)  # nothing but JSON on stdout
    summary = summary_of(tmp_path / "j")
    assert data["ok"] is True and data["folder"] == "j"
    assert data["report"] == str(Path("j") / "report.html")
    assert data["runs"] == summary["runs"] == int(RUNS)
    assert data["representative_run"] == summary["representative_run"]
    assert data["key_figures"] == summary["key_figures"]
    assert data["findings"] == summary["findings"]
    ids = {f["id"] for f in data["key_figures"]}
    assert {"reach_any_worst", "reach_any_end", "actors_worst", "recovery"} <= ids
    # the same seed gives the same results as the shared run folder
    assert data["key_figures"] == summary_of(town.run)["key_figures"]


def test_run_without_report_then_report_draws_it(town: Town, tmp_path: Path) -> None:
    r = invoke("run", town.scenario, "--runs", "2", "--no-report")
    assert r.exit_code == 0, r.output
    folder = tmp_path / "runs" / "tempete"  # runs/<scenario file name> by default
    files, _ = listed_files()
    assert names_in(folder) == files - {"report.html"} | {"inputs"}
    assert "report.html" not in r.output
    r = invoke("report", folder)
    assert r.exit_code == 0, r.output
    assert names_in(folder) == files | {"inputs"}
    r = invoke("report", folder)  # drawn again: the folder still reads back whole
    assert r.exit_code == 0, r.output
    assert '<html lang="en">' in (folder / "report.html").read_text(encoding="utf-8")


def test_run_refuses_an_existing_folder_without_force(town: Town, tmp_path: Path) -> None:
    assert invoke("run", town.scenario, "--runs", "2", "-o", "out",
                  "--no-report").exit_code == 0
    before = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    bad_input(invoke("run", town.scenario, "-o", "out"), "out", "already exists", "--force")
    bad_input(invoke("run", town.scenario, "-o", "out", "--lang", "fr"), "out",
              "existe déjà", "--force")
    r = invoke("run", town.scenario, "-o", "out", "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout) == {"ok": False, "path": "out", "code": "output.exists",
                                    "error": (
        "out already exists: it is replaced only when asked (--force on the command line, "
        "replace=True in Python); or choose another place")}
    assert (tmp_path / "out" / "summary.json").read_text(encoding="utf-8") == before
    r = invoke("run", town.scenario, "--runs", "3", "-o", "out", "--force")
    assert r.exit_code == 0, r.output
    assert summary_of(tmp_path / "out")["runs"] == 3
    assert "report.html" in names_in(tmp_path / "out")
    assert names_in(tmp_path) == {"out"}


def test_run_with_compare_writes_both(town: Town, tmp_path: Path) -> None:
    folder = copy_town(tmp_path / "t")
    text = town.scenario.read_text(encoding="utf-8")
    start, end = text.index("events:"), text.index("mitigations:")
    calm = write_scenario(folder, "sans-rancon.yaml",
                          text[:start].replace("Winter storm and ransomware", "Storm alone")
                          + text[end:])
    r = invoke("run", folder / "scenarios" / "tempete.yaml", "--runs", "3", "--compare", calm,
               "-o", "both")
    assert r.exit_code == 0, r.output
    assert "Winter storm and ransomware" in r.output and "Storm alone" in r.output
    files, folders = listed_files()
    assert names_in(tmp_path / "both") == files | folders
    other = {"stats.parquet", "runs.parquet", "indicators.csv", "zones.parquet",
             "actor_channels.parquet", "changes.parquet", "changes.csv"}
    # no criticality for the other; its own inputs
    assert names_in(tmp_path / "both" / "other") == other | {"inputs"}
    summary = summary_of(tmp_path / "both")
    assert summary["other"]["scenario"]["name"]["en"] == "Storm alone"
    assert summary["other"]["runs"] == 3 and summary["other"]["criticality"] is None
    # without the ransomware, the mail service stays up
    mine = pq.read_table(tmp_path / "both" / "stats.parquet").to_pylist()
    theirs = pq.read_table(tmp_path / "both" / "other" / "stats.parquet").to_pylist()

    def services_at_36h(rows: list[dict]) -> float:
        return next(r["mean"] for r in rows
                    if r["name"] == "services_up" and r["time_s"] == 36 * 3600)

    assert services_at_36h(mine) < services_at_36h(theirs)
    # a compared scenario that does not exist: bad input, nothing written
    bad_input(invoke("run", town.scenario, "--compare", "nope.yaml", "-o", "x"), "nope.yaml")
    assert not (tmp_path / "x").exists()


def test_run_at_chooses_the_map_times(town: Town, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list = []
    real = cli_run.report_html

    def spy(study, **kw):
        data, html = real(study, **kw)
        seen.append((kw["map_hours"], data.maps.times_h))
        return data, html

    monkeypatch.setattr(cli_run, "report_html", spy)
    r = invoke("run", town.scenario, "--runs", "2", "-o", "at", "--at", "4h, 12h,PT30H")
    assert r.exit_code == 0, r.output
    assert seen == [([4.0, 12.0, 30.0], [4.0, 12.0, 30.0])]


def test_run_horizon_is_the_criticality_s(town: Town, tmp_path: Path) -> None:
    r = invoke("run", town.scenario, "--runs", "2", "-o", "h", "--horizon", "3h",
               "--no-report")
    assert r.exit_code == 0, r.output
    assert summary_of(tmp_path / "h")["criticality"]["horizon_s"] == 3 * 3600
    assert summary_of(town.run)["criticality"]["horizon_s"] is None
    s = load_scenario(town.scenario)
    expected = criticality(s.compiled, horizon_s=3 * 3600.0,
                           absent=present_after_mitigations(s), territory=s.territory)
    assert pq.read_table(tmp_path / "h" / "criticality.parquet").equals(expected.table)
    # over three hours, the south antenna's four-hour battery holds: losing its
    # transformer costs less than for good
    short = {r["asset"]: r for r in expected.table.to_pylist()}
    lasting = {r["asset"]: r for r in pq.read_table(town.run / "criticality.parquet")
               .to_pylist()}
    assert short["T-SUD"]["assets_down"] < lasting["T-SUD"]["assets_down"]


def test_run_workers_give_the_same_results(town: Town, tmp_path: Path) -> None:
    r = invoke("run", town.scenario, "--runs", RUNS, "--workers", "2", "-o", "w2",
               "--no-report")
    assert r.exit_code == 0, r.output
    for name in ("runs.parquet", "zones.parquet", "actor_channels.parquet",
                 "criticality.parquet", "changes.parquet"):
        assert_same_table(pq.read_table(tmp_path / "w2" / name), pq.read_table(town.run / name))
    assert summary_of(tmp_path / "w2")["key_figures"] == summary_of(town.run)["key_figures"]


@pytest.mark.parametrize(("option", "value", "lang", "words"), [
    ("--at", "4x", "en", ["--at 4x"]),
    ("--at", "4h,,soon", "fr", ["--at 4h,,soon"]),
    ("--horizon", "forever", "en", ["--horizon forever"]),
    ("--horizon", "2 jours", "fr", ["--horizon 2 jours"]),
])
def test_run_refuses_bad_durations(town: Town, tmp_path: Path, option: str, value: str,
                                   lang: str, words: list[str]) -> None:
    bad_input(invoke("run", town.scenario, option, value, "-o", "out", lang=lang), *words)
    assert not (tmp_path / "out").exists()


def test_run_refuses_a_missing_or_broken_scenario(town: Town, tmp_path: Path) -> None:
    bad_input(invoke("run", "nowhere.yaml"), "nowhere.yaml", "no scenario file here")
    folder = copy_town(tmp_path / "t")
    broken = write_scenario(folder, "broken.yaml", "name: x\nterritory: ..\nduration: 2h\n"
                            "events:\n  - {at: 1h, assets: [NOPE], cause: test}\n")
    out = bad_input(invoke("run", broken, "-o", "out"), "broken.yaml:5", "NOPE")
    assert "unknown asset" in out
    out = bad_input(invoke("run", broken, "-o", "out", "--lang", "fr"), "broken.yaml:5")
    assert "actif inconnu « NOPE »" in out
    assert not (tmp_path / "out").exists() and not (tmp_path / "runs").exists()


def test_report_again_in_the_other_language(town: Town, tmp_path: Path) -> None:
    r = invoke("report", town.run, "-o", "fr/rapport.html", "--lang", "fr")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "fr" / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Tempête hivernale et rançongiciel" in html
    assert names_in(tmp_path / "fr") == {"rapport.html"}  # the temporary file moved in
    r = invoke("report", town.run, "-o", "again.html", "--json", "--at", "6h")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    summary = summary_of(town.run)
    assert data["key_figures"] == summary["key_figures"]  # read back, drawn the same
    assert data["findings"] == summary["findings"]
    # into the run folder itself by default (a copy: the shared one stays as it is)
    copy = tmp_path / "copy"
    shutil.copytree(town.run, copy)
    assert invoke("report", copy, "--lang", "fr").exit_code == 0
    assert '<html lang="fr">' in (copy / "report.html").read_text(encoding="utf-8")


def test_a_run_whose_scenario_changed_says_so_and_uses_its_copies(own_town: Town) -> None:
    before = (own_town.run / "report.html").read_text(encoding="utf-8")
    with own_town.scenario.open("a", encoding="utf-8") as fh:
        fh.write("# a comment is a change\n")
    r = invoke("report", own_town.run)
    assert r.exit_code == 0, r.output
    assert "Inputs changed since the run" in r.stderr and "tempete.yaml" in r.stderr
    assert (own_town.run / "report.html").read_text(encoding="utf-8") == before
    r = invoke("explain", own_town.run, "CIS", "--at", "6h")
    assert r.exit_code == 0 and "Inputs changed" in r.stderr
    own_town.scenario.unlink()  # gone: the folder still holds all it needs
    r = invoke("report", own_town.run)
    assert r.exit_code == 0 and "Inputs changed" not in r.stderr


def test_a_run_whose_territory_changed_says_so_in_french(own_town: Town) -> None:
    zones = own_town.folder / "zones" / "population.geojson"
    zones.write_text(zones.read_text(encoding="utf-8").replace('"population": ',
                                                               '"population": 1', 1),
                     encoding="utf-8")
    r = invoke("report", own_town.run, "--lang", "fr")
    assert r.exit_code == 0, r.output
    assert "Des entrées ont changé depuis le calcul" in r.stderr
    assert "population.geojson" in r.stderr


def test_a_run_folder_travels(own_town: Town, tmp_path: Path) -> None:
    """Moved to another place (another machine) with its inputs gone, it is reported,
    explained and exported the same."""
    moved = tmp_path / "elsewhere" / "run"
    shutil.copytree(own_town.run, moved)
    shutil.rmtree(own_town.folder)
    shutil.rmtree(own_town.run)
    r = invoke("report", moved, "-o", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() == "" or "Inputs changed" not in r.stderr
    assert invoke("explain", moved, "CIS", "--at", "6h").exit_code == 0
    r = invoke("export", moved, "--at", "6h", "--geojson", tmp_path / "s.geojson")
    assert r.exit_code == 0, r.output


def test_a_file_of_the_run_folder_changed_is_refused(own_town: Town) -> None:
    table = own_town.run / "criticality.parquet"
    import pyarrow.parquet as pq

    crit = pq.read_table(table)
    pq.write_table(crit.take(list(range(crit.num_rows))[::-1]), table)  # reordered
    bad_input(invoke("report", own_town.run), "criticality.parquet", "changed since the run")


def test_report_refuses_what_is_not_a_run_folder(tmp_path: Path, town: Town) -> None:
    (tmp_path / "empty").mkdir()
    bad_input(invoke("report", "empty"), "empty", "not a run folder", "tousrisques run")
    bad_input(invoke("report", "nowhere"), "nowhere", "not a run folder")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "summary.json").write_text("{not json", encoding="utf-8")
    bad_input(invoke("report", "bad"), "summary.json", "not JSON")
    (tmp_path / "bad" / "summary.json").write_text('{"format": 99}', encoding="utf-8")
    bad_input(invoke("report", "bad"), "summary.json", "format 99", "reads format 2")
    copy = tmp_path / "copy"
    shutil.copytree(town.run, copy)
    (copy / "runs.parquet").write_bytes(b"PAR1 not really")
    bad_input(invoke("report", copy), "runs.parquet")
    assert (copy / "report.html").read_bytes() == (town.run / "report.html").read_bytes()


def test_differences_in_points_and_hours_in_both_languages() -> None:
    from tousrisques._messages import Text
    from tousrisques.cli._run import _difference
    from tousrisques.report import KeyFigure

    def fig(unit: str, value: float) -> KeyFigure:
        return KeyFigure("x", Text("x", "x"), unit, value)  # type: ignore[arg-type]

    # whole percentage points, as the report writes them; a narrow no-break space in French
    assert _difference(fig("share", 0.142), fig("share", 0.838), "en") == "+70\u00a0pts"
    assert _difference(fig("share", 0.838), fig("share", 0.142), "fr") == "−70\u202fpts"
    assert _difference(fig("share", 0.50), fig("share", 0.51), "fr") == "+1\u202fpt"
    assert _difference(fig("hours", 61.0), fig("hours", 60.0), "fr") == "−1\u202fh"
    assert _difference(fig("hours", 60.0), fig("hours", 61.5), "fr") == "+1\u202fh\u202f30"
    assert _difference(fig("count", 1000.0), fig("count", 2234.5), "fr") == "+1\u202f234,5"
    assert _difference(fig("count", 1000.0), fig("count", 2234.5), "en") == "+1,234.5"
    assert _difference(fig("hours", 61.0), fig("hours", float("nan")), "en") == "—"


def test_criticality_can_be_left_out_and_is_left_out_of_large_territories(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = EXAMPLE / "scenarios" / "tempete.yaml"
    r = invoke("run", scenario, "--runs", "2", "--no-criticality", "-o", tmp_path / "a")
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "a" / "criticality.parquet").exists()
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["criticality"] is None
    assert "No ranking in this run" in (tmp_path / "a" / "report.html").read_text()
    r = invoke("report", tmp_path / "a", "--lang", "fr")  # read back without a ranking
    assert r.exit_code == 0, r.output
    assert "Pas de classement" in (tmp_path / "a" / "report.html").read_text()
    monkeypatch.setattr("tousrisques.cli._run.CRITICALITY_AUTO_MAX", 10)
    r = invoke("run", scenario, "--runs", "2", "-o", tmp_path / "b")
    assert r.exit_code == 0 and not (tmp_path / "b" / "criticality.parquet").exists()
    r = invoke("run", scenario, "--runs", "2", "--criticality", "--horizon", "3h",
               "-o", tmp_path / "c")
    assert r.exit_code == 0 and (tmp_path / "c" / "criticality.parquet").exists()
    assert "when it lasts 3 h" in (tmp_path / "c" / "report.html").read_text()
