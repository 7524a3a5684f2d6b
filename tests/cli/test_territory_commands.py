"""Commands on territories through typer's runner: validate, compile, synthetic, init, and the
demo; exit codes, messages, JSON, languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import bad_input, invoke, runner
from tests.conftest import EXAMPLE, ROOT, copy_example
from tousrisques import CompiledTerritory
from tousrisques.cli import app


def test_validate_valid_territory_prints_summary() -> None:
    r = invoke("validate", str(EXAMPLE))
    assert r.exit_code == 0, r.output
    assert "valid territory" in r.output
    assert "Petite-Ville-sur-Seine" in r.output
    assert "transformer" in r.output and "5,570" in r.output
    fr = invoke("validate", str(EXAMPLE), "--lang", "fr").output
    assert "5\u202f570" in fr and "94\u202f%" in fr and "site d'antennes" in fr
    assert "population\u00a0: 5\u202f570" in fr and "population: 5,570" in r.output
    assert "94%" in r.output


def test_validate_json_is_parseable_and_matches_the_model() -> None:
    r = invoke("validate", str(EXAMPLE), "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["valid"] is True
    assert data["summary"]["assets"] == 20
    assert data["summary"]["population"] == 5570
    assert data["summary"]["by_kind"]["antenna"] == 2


def _broken(make_territory) -> Path:
    return make_territory(**{
        "assets/telecom.csv": "id,kind,lon,lat,requires,connects\nCORE,core,1.02,49.32,T1,\n"
                              "A1,antena,1.011,49.311,T9,\nSITE,site,1.012,49.312,T1,\n",
        "actors.yaml": "actors:\n  - id: COD\n    name: P\n    role: prefecture\n"
                       "    site: SITE\n    chanels: [mobile]\n",
    })


def test_validate_broken_territory_lists_every_problem_and_exits_1(make_territory) -> None:
    r = invoke("validate", str(_broken(make_territory)))
    assert r.exit_code == 1
    out = r.output
    assert 'assets/telecom.csv:3 [kind] (id "A1"): unknown kind \'antena\'' in out
    assert 'did you mean "antenna"' in out
    assert "assets/telecom.csv:3 [requires]" in out and "unknown asset 'T9'" in out
    assert "actors.yaml:6 [chanels]" in out and 'did you mean "channels"' in out
    assert "Traceback" not in out
    assert "3 error(s)" in out


def test_validate_broken_in_french(make_territory) -> None:
    r = invoke("validate", str(_broken(make_territory)), "--lang", "fr")
    assert r.exit_code == 1
    assert "type inconnu « antena »" in r.output
    assert "vouliez-vous dire « antenna »" in r.output
    assert "3 erreur(s)" in r.output


def test_language_follows_the_environment(make_territory) -> None:
    r = runner.invoke(app, ["validate", str(_broken(make_territory))],
                      env={"TOUSRISQUES_LANG": "", "LC_ALL": "", "LANG": "fr_FR.UTF-8"})
    assert "actif inconnu « T9 »" in r.output


def test_validate_json_problems(make_territory) -> None:
    r = invoke("validate", str(_broken(make_territory)), "--json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["valid"] is False
    codes = sorted(p["code"] for p in data["problems"] if p["severity"] == "error")
    assert codes == ["field.unknown", "kind.unknown", "ref.asset"]
    # the actor with a misspelt key is still read: the territory has no crisis cell
    assert [p["code"] for p in data["problems"] if p["severity"] == "warning"] == \
        ["actors.no_crisis_cell"]
    kind = next(p for p in data["problems"] if p["code"] == "kind.unknown")
    assert (kind["file"], kind["line"], kind["field"], kind["id"]) == \
        ("assets/telecom.csv", 3, "kind", "A1")
    assert "antenna" in kind["expected"]


def test_missing_path_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    r = invoke("validate", str(tmp_path / "nowhere"))
    assert r.exit_code == 1
    assert "no territory here" in r.output
    assert "Traceback" not in r.output


def test_usage_error_exits_2() -> None:
    assert invoke("validate").exit_code == 2
    assert invoke("validate", str(EXAMPLE), "--lang", "de").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_compile_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "c.npz"
    r = invoke("compile", str(EXAMPLE), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert CompiledTerritory.load(out).n_assets == 20


def test_compile_refuses_broken_territory_and_writes_nothing(make_territory,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "c.npz"
    r = invoke("compile", str(_broken(make_territory)), "-o", str(out))
    assert r.exit_code == 1
    assert not out.exists()


def test_synthetic_then_validate(tmp_path: Path) -> None:
    r = invoke("synthetic", str(tmp_path / "s"), "--assets", "600", "--seed", "2")
    assert r.exit_code == 0, r.output
    assert "600 assets" in r.output
    r = invoke("validate", str(tmp_path / "s"), "--json")
    assert json.loads(r.stdout)["summary"]["assets"] == 600


@pytest.mark.slow
def test_demo_validates_the_town_plays_the_storm_and_writes_its_folder(tmp_path: Path
                                                                         ) -> None:
    r = invoke("demo", "--runs", "2", "--workers", "1", "-o", "tmp")
    assert r.exit_code == 0, r.output
    assert "Petite-Ville-sur-Seine" in r.output and "valid territory" in r.output
    said = " ".join(r.output.split())
    # the written variant and the advised plan are named apart, every measure with its cost
    assert "what the mitigated variant" in said and "mitigated variant" in said
    assert "Advised plan (objective:" in said and "no budget" in said
    assert "what the plan buys" not in said and "with the plan" not in said
    assert "town halls can no longer reach a crisis cell" in r.output
    # it ends by saying how to play the storm live, and leaves no server running
    assert "tousrisques serve --library" in said and "/facilitator" in said
    assert "rouen/tempete" in said
    folder = tmp_path / "tmp"
    assert str((folder / "report.html").resolve()) in r.output.replace("\n", "")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["runs"] == 2 and summary["other"]["runs"] == 2
    assert summary["scenario"]["name"]["en"] == "Winter storm"
    assert (folder / "other" / "runs.parquet").is_file()
    # the advice on the storm: its folder inside the run folder, its section in the report
    assert (folder / "advice" / "advice.json").is_file()
    assert (folder / "advice" / "plan.yaml").is_file()
    assert 'id="advice"' in (folder / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]  # nothing else written


@pytest.mark.parametrize("command", ["validate", "compile", "synthetic", "demo", "init",
                                     "run", "report", "explain", "compare",
                                     "criticality", "export"])
def test_help_everywhere(command: str) -> None:
    r = invoke(command, "--help")
    assert r.exit_code == 0
    assert "--lang" in r.output


def test_validate_a_scenario() -> None:
    scenario = EXAMPLE / "scenarios" / "tempete.yaml"
    r = invoke("validate", str(scenario))
    assert r.exit_code == 0, r.output
    assert "valid scenario" in r.output and "hazard tempete" in r.output
    data = json.loads(invoke("validate", str(scenario), "--json").stdout)
    assert data["scenario"]["duration_h"] == 48
    assert data["scenario"]["hazards"][0]["assets_exposed"] > 0


def test_validate_a_broken_scenario(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    bad = folder / "scenarios" / "bad.yaml"
    bad.write_text("name: x\nterritory: ..\nduration: 2h\nevents:\n"
                   "  - {at: 1h, assets: [NOPE], cause: test}\n", encoding="utf-8")
    r = invoke("validate", str(bad))
    assert r.exit_code == 1
    assert "bad.yaml:5 [events.assets]" in r.output and "unknown asset 'NOPE'" in r.output


def test_init_territory_copies_the_commented_example(tmp_path: Path) -> None:
    r = invoke("init", "territory", "town")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "town" / "territory.yaml").is_file()
    assert (tmp_path / "town" / "scenarios" / "tempete.yaml").is_file()
    assert not (tmp_path / "town" / ".tousrisques").exists()
    assert json.loads(invoke("validate", "town", "--json").stdout)["summary"]["assets"] == 20
    # a second time: refused, the folder named, the way out given; --force replaces it
    (tmp_path / "town" / "mine.txt").write_text("keep?", encoding="utf-8")
    bad_input(invoke("init", "territory", "town"), "town", "already exists", "--force")
    bad_input(invoke("init", "territory", "town", "--lang", "fr"), "town", "existe déjà")
    assert (tmp_path / "town" / "mine.txt").exists()
    assert invoke("init", "territory", "town", "--force").exit_code == 0
    assert not (tmp_path / "town" / "mine.txt").exists()


@pytest.mark.parametrize("where", ["town/scenarios/new.yaml", "elsewhere/deep/new.yaml"])
def test_init_scenario_validates_and_runs(tmp_path: Path, where: str) -> None:
    assert invoke("init", "territory", "town").exit_code == 0
    r = invoke("init", "scenario", where, "--territory", "town")
    assert r.exit_code == 0, r.output
    text = (tmp_path / where).read_text(encoding="utf-8")
    assert "storm:" in text and "monte_carlo" in text
    r = invoke("validate", where, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["valid"] is True
    assert data["scenario"]["territory"] == "Petite-Ville-sur-Seine (exemple)"
    assert data["scenario"]["hazards"][0]["assets_exposed"] > 0  # the storm crosses the town
    r = invoke("run", where, "--runs", "2", "--no-report", "-o", "out", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["runs"] == 2


def test_init_scenario_bad_input(tmp_path: Path) -> None:
    assert invoke("init", "territory", "town").exit_code == 0
    assert invoke("init", "scenario", "new.yaml").exit_code == 2  # --territory is needed
    bad_input(invoke("init", "scenario", "new.txt", "-t", "town"), "new.txt", ".yaml")
    bad_input(invoke("init", "scenario", "new.yaml", "-t", "nowhere"), "nowhere")
    assert not (tmp_path / "new.yaml").exists() and not (tmp_path / "new.txt").exists()
    assert invoke("init", "scenario", "new.yaml", "-t", "town").exit_code == 0
    bad_input(invoke("init", "scenario", "new.yaml", "-t", "town"), "new.yaml",
              "already exists")


def test_an_installed_package_builds_the_rouen_sample_for_the_demo(tmp_path, monkeypatch
                                                                   ) -> None:
    """Without a clone's examples/ (an installed package), the demo's sample is built from
    the package's data, once, and is the committed one."""
    import tousrisques.cli._common as common

    monkeypatch.setattr(common, "ROUEN", tmp_path / "no-clone")
    monkeypatch.setattr(common.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = common.rouen_sample()
    assert folder.parent == tmp_path and (folder / "scenarios" / "tempete.yaml").is_file()
    committed = ROOT / "examples" / "rouen"
    for rel in ("territory.yaml", "assets/power.csv", "scenarios/tempete-attenuee.yaml"):
        assert (folder / rel).read_bytes() == (committed / rel).read_bytes()
    assert common.rouen_sample() == folder  # built once
